"""Follow-up pages (issue 13): a patient's timeline with its trend chart, and the review visit.

Who sees which visits, and what "the same patient" means: decision/followup.py.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from decision import followup, forms, labels, panels, roles, steps, trend, unsaved
from decision.access_log import What, record_reads
from decision.models import Consultation, ConsultationConflict, Visit
from decision.prescription import prescribed_for
from decision.questionnaire import REVIEW_PAGE, format_age
from decision.views import _get_consultation_for_user

ReviewForm = forms.build_form(REVIEW_PAGE)


@require_GET
def consultation_timeline(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The patient's visits that this user may open, oldest first, with the trend chart."""
    anchor = _get_consultation_for_user(request, pk)
    visits = followup.timeline(request.user, anchor.patient_reference)
    # Every visit the timeline shows (a reviewer's: the clinic's), not only the one it opened from.
    record_reads(request.user, What.TIMELINE, [(v.consultation_id, v.clinician_id) for v in visits])
    latest = visits[-1] if visits else None
    return render(
        request,
        "decision/followup/timeline.html",
        {
            "reference": anchor.patient_reference,
            "clinic_wide": roles.can_review(request.user),
            "rows": followup.timeline_rows(visits),
            "chart": followup.trend_chart(visits),
            "narrow": followup.trend_chart(visits, trend.NARROW),
            # Only the clinician of the latest visit may review from it.
            "review_from": latest if latest and latest.clinician_id == request.user.pk else None,
        },
    )


@require_http_methods(["GET", "POST"])
@roles.clinician_required  # it starts a consultation
def review_visit(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The review visit's page, started from one of the user's completed consultations.

    Nothing is stored until the page is saved: then a draft is made (or the one started before
    is changed) with the previous answers, this page's, and the treatments tried, and the
    clinician goes on to check the answers and complete it like any consultation. A page with
    errors is shown by a redirect to its GET, what was typed kept (decision/unsaved.py).
    """
    previous = get_object_or_404(Consultation.objects.for_user(request.user).completed(), pk=pk)
    later = followup.later_visit(Visit.objects.filter(clinician=request.user), previous)
    if later is not None:
        messages.info(request, "This patient has a later visit: the review starts from it.")
        return redirect("consultation_review", pk=later.pk)
    draft = followup.review_in_progress(previous, request.user)
    answers = draft.answers if draft else followup.base_answers(previous)
    url = reverse("consultation_review", args=[previous.pk])
    form_kwargs = {"answers": answers, "live_url": url}
    owner = f"review-of-{previous.pk}"
    if request.method == "POST":
        form = ReviewForm(request.POST, **form_kwargs)
        preview = request.POST.get("_preview", "")
        if preview in REVIEW_PAGE.panels:
            return _preview(request, previous, draft, preview, form)
        if not form.is_valid():
            unsaved.keep(request, owner, REVIEW_PAGE.slug)
            return redirect(url)
        try:
            draft = followup.save_review(previous, request.user, form)
        except ConsultationConflict:
            # The draft changed (another tab) between reading and saving: nothing was saved;
            # the page comes back with what was typed, over the draft as it is now.
            unsaved.keep(request, owner, REVIEW_PAGE.slug)
            messages.error(request, "Not saved: this review changed in another tab. Save again.")
            return redirect(url)
        unsaved.forget(request, owner, REVIEW_PAGE.slug)
        return redirect(steps.step_url(draft, steps.CHECK))
    kept = unsaved.get(request, owner, REVIEW_PAGE.slug)
    if kept is not None:
        form = ReviewForm(kept, **form_kwargs)
    else:
        form = ReviewForm(initial=ReviewForm.initial_from_answers(answers), **form_kwargs)
    return _render(request, previous, draft, form, _panels(form.valid_values(), answers))


def _panels(values: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """The live panels' context (red flags, POEM). Refer now, the safety step's fast path, is
    not offered: every other answer is known, so completing gives the full result, urgent
    referrals first."""
    context: dict[str, Any] = {}
    for name in REVIEW_PAGE.panels:
        context.update(panels.BUILDERS[name](values, answers))
    return context


def _preview(
    request: HttpRequest,
    previous: Consultation,
    draft: Consultation | None,
    preview: str,
    form: Any,
) -> HttpResponse:
    """A live panel redrawn from what is typed so far (the whole page without JavaScript)."""
    context = _panels(form.valid_values(), form.answers)
    if request.htmx:
        return render(request, f"decision/panels.html#{preview}_body", context)
    shown = ReviewForm(initial=form.raw_values(), answers=form.answers, live_url=form.live_url)
    return _render(request, previous, draft, shown, context)


def _render(
    request: HttpRequest,
    previous: Consultation,
    draft: Consultation | None,
    form: Any,
    context: dict[str, Any],
) -> HttpResponse:
    treatments = followup.step_treatments(previous)
    prescribed = prescribed_for(previous)
    context.update(
        {
            "previous": previous,
            "draft": draft,
            "form": form,
            "step": REVIEW_PAGE,
            "form_action": reverse("consultation_review", args=[previous.pk]),
            "live_url": reverse("consultation_review", args=[previous.pk]),
            "error_summary": form.error_summary() if form.is_bound else [],
            "age": format_age(previous.age_months),
            "next_step": labels.label(previous.next_step_code),
            "prescribed": prescribed,
            "treatments": [labels.TRIED[key] for key in treatments],
            # Several treatments offered, and no prescription says which was used.
            "unsure": (
                [labels.TRIED[key] for key in followup.offered_treatments(previous)]
                if not treatments and prescribed is None
                else []
            ),
            "mapping": followup.mapping_rows(),
        }
    )
    return render(request, "decision/followup/review.html", context)
