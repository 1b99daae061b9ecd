"""Thin views: the home page, one view for every questionnaire step, completion and the result.

Every page works without JavaScript; htmx only asks the step view for a partial (a live panel or
a redrawn part of the form) with `_preview` set, which never saves anything.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlencode
from uuid import UUID, uuid4

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from decision import fast_path, followup, forms, labels, panels, roles, steps, unsaved
from decision.engine import AssessmentError, evaluate, parse_assessment
from decision.models import Consultation
from decision.questionnaire import format_age

HOME_PAGE_SIZE = 20
PANELS_TEMPLATE = "decision/panels.html"
FAST_PATH_TEMPLATE = "decision/fast_path.html"


def _get_consultation_for_user(request: HttpRequest, pk: UUID) -> Consultation:
    """The consultation if the signed-in clinician created it; 404 for anyone else's.

    Reviewers and site administrators may also read (GET) anyone's completed consultation: its
    result and printable pages. Every change is a POST, and that stays the owner's alone.
    """
    consultations = Consultation.objects.for_user(request.user)
    if request.method in ("GET", "HEAD") and roles.can_review(request.user):
        consultations = Consultation.objects.filter(
            Q(created_by=request.user) | Q(status=Consultation.Status.COMPLETED)
        )
    # The result page shows the feedback and the prescription: joined here, not more queries.
    return get_object_or_404(
        consultations.select_related("feedback__recorded_by", "prescription__recorded_by"), pk=pk
    )


def _home_page(request: HttpRequest, queryset, param: str, other: str) -> dict[str, Any]:
    """One page (HOME_PAGE_SIZE rows) of a home-page table, with links to the newer and older
    pages that keep the other table's page."""
    page = Paginator(queryset, HOME_PAGE_SIZE).get_page(request.GET.get(param))
    keep = {other: request.GET[other]} if request.GET.get(other, "").isdigit() else {}

    def link(number: int) -> str:
        return "?" + urlencode({**keep, param: number})

    return {
        "page": page,
        "rows": list(page.object_list),
        "newer_url": link(page.previous_page_number()) if page.has_previous() else "",
        "older_url": link(page.next_page_number()) if page.has_next() else "",
    }


def _home_rows(rows: list[dict[str, Any]], url_name: str, when: str) -> list[dict[str, Any]]:
    """What each row shows, worked out here once rather than by a filter or {% url %} per cell."""
    placeholder = uuid4()
    url = reverse(url_name, args=[placeholder])
    before, after = url.split(str(placeholder))
    label = labels.label
    table = []
    for row in rows:
        moment = timezone.localtime(row[when])
        table.append(
            {
                "reference": row["patient_reference"],
                "has_red_flags": row["has_red_flags"],
                "age": format_age(row["age_months"]),
                "severity": label(row["severity"]),
                "next_step": label(row["next_step_code"]),
                "same_day": row["most_urgent_referral"] == "same_day",
                # Whole seconds: HTML's datetime allows at most three digits of a fraction.
                "iso": moment.isoformat(timespec="seconds"),
                "shown": dateformat.format(moment, "j M Y, H:i"),
                "url": f"{before}{row['pk']}{after}",
            }
        )
    return table


@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    # Plain values, not model instances: only what the tables show.
    mine = Consultation.objects.for_user(request.user).values(
        "pk",
        "patient_reference",
        "has_red_flags",
        "age_months",
        "severity",
        "next_step_code",
        "most_urgent_referral",
        "updated_at",
        "completed_at",
    )
    drafts = _home_page(request, mine.drafts().order_by("-updated_at"), "drafts", "completed")
    completed = _home_page(
        request, mine.completed().order_by("-completed_at"), "completed", "drafts"
    )
    drafts["rows"] = _home_rows(drafts["rows"], "consultation_resume", "updated_at")
    completed["rows"] = _home_rows(completed["rows"], "consultation_result", "completed_at")
    return render(
        request,
        "decision/home.html",
        {"drafts": drafts, "completed": completed, "due": followup.due_list(request.user)},
    )


@require_http_methods(["GET"])
def consultation_resume(request: HttpRequest, pk: UUID) -> HttpResponse:
    consultation = _get_consultation_for_user(request, pk)
    if consultation.is_completed:
        return redirect("consultation_result", pk=consultation.pk)
    step = steps.first_unanswered(consultation.answers)
    return redirect(steps.step_url(consultation, step))


@require_http_methods(["GET", "POST"])
def consultation_step(
    request: HttpRequest, pk: UUID | None = None, slug: str = steps.FIRST.slug
) -> HttpResponse:
    consultation = _get_consultation_for_user(request, pk) if pk else None
    step = steps.get_step(slug)
    if consultation is not None and consultation.is_completed:
        messages.info(request, "This consultation is completed and cannot be changed.")
        return redirect("consultation_result", pk=consultation.pk)
    token = _draft_token(request) if consultation is None else None
    if consultation is None and token is None and request.method == "POST":
        token = uuid4()  # a post without one: its errors still need a page to come back to
    if consultation is None and request.method == "GET":
        # "New consultation" gets a one-time token in its URL: Back to this page after its
        # first save finds the draft it made (and shows its saved answers).
        if token is None:
            return redirect(f"{reverse('consultation_new')}?{urlencode({'draft': uuid4()})}")
        made = Consultation.objects.for_user(request.user).filter(creation_token=token).first()
        if made is not None:
            return redirect(steps.step_url(made, step))
    answers = consultation.answers if consultation else {}
    if not step.has_questions:
        return _check_answers(request, consultation, step)
    form_class = forms.form_for(step)

    return_to_check = request.GET.get("return") == "check" and consultation is not None
    url = steps.step_url(consultation, step)
    form_action = f"{url}?return=check" if return_to_check else url
    if token is not None:
        form_action = f"{url}?{urlencode({'draft': token})}"
    form_kwargs = {"answers": answers, "live_url": url}
    owner = str(consultation.pk) if consultation else f"new-{token}"

    if request.method == "POST":
        preview = request.POST.get("_preview", "")
        if preview in step.panels + step.regions:
            data = form_class.live_data(request.POST, preview)
            form = form_class(data, **form_kwargs)
            return _preview(request, step, form, preview, form_action, consultation)
        form = form_class(request.POST, **form_kwargs)
        action = unsaved.action(request.POST)
        if not form.is_valid():
            # Post/Redirect/Get for errors too: the step's GET shows them with what was typed,
            # so Back never meets a "Confirm form resubmission" page.
            unsaved.keep(request, owner, step.slug)
            return redirect(form_action)
        unsaved.forget(request, owner, step.slug)
        consultation = _save_step(request, consultation, form, token)
        answers = consultation.answers
        if action == fast_path.ACTION and "red_flags" in step.panels:
            return _refer_now(request, consultation, step)
        if action == "back":
            previous = steps.previous_before(step, answers)
            return redirect(steps.step_url(consultation, previous) if previous else "home")
        if return_to_check:
            return redirect(steps.step_url(consultation, steps.CHECK))
        return redirect(steps.step_url(consultation, steps.next_after(step, answers)))

    kept = unsaved.get(request, owner, step.slug)
    if kept is not None:
        # What was typed and not saved (it failed validation), with its messages.
        form = form_class(kept, **form_kwargs)
        context = {"back_not_saved": unsaved.action(kept) == "back"}
    else:
        form = form_class(initial=form_class.initial_from(consultation), **form_kwargs)
        context = {}
    values = form.valid_values()
    context.update(_panel_context(kept or {}, step, values, answers))
    return _render_step(request, consultation, step, form, form_action, context)


def _draft_token(request: HttpRequest) -> UUID | None:
    try:
        return UUID(request.GET.get("draft", ""))
    except ValueError:
        return None


def _refer_now(request: HttpRequest, consultation: Consultation, step: steps.Step) -> HttpResponse:
    """Refer now (the emergency fast path): the saved red flags need same-day action, so the
    consultation is completed with stage A alone and the result shows what to do today."""
    answers = consultation.answers
    eyelids = fast_path.posted_eyelids(request.POST)
    evaluated = fast_path.evaluate(answers, answers.get("red_flags") or {}, eyelids)
    if evaluated is None or not fast_path.needs_same_day(evaluated[1]):
        messages.info(request, "No red flag needs same-day action: answer the next questions.")
        return redirect(steps.step_url(consultation, steps.next_after(step, answers)))
    stage_a_input, result = evaluated
    with transaction.atomic():
        locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if not locked.is_completed:  # a double click completes once
            locked.complete(stage_a_input.to_dict(), result.to_dict(), fast_path=True)
    return redirect("consultation_result", pk=consultation.pk)


def _save_step(
    request: HttpRequest, consultation: Consultation | None, form: Any, token: UUID | None = None
) -> Consultation:
    # Only a valid step is ever written, in one transaction: no half-saved state.
    with transaction.atomic():
        if consultation is None:
            consultation = _draft_for(request, token)
        form.apply_to(consultation)
        consultation.save()
    return consultation


def _draft_for(request: HttpRequest, token: UUID | None) -> Consultation:
    """The draft the "New consultation" page with this token made, or a new one: the first save
    is idempotent, so a page posted twice (Back, a resubmission) never makes two drafts."""
    mine = Consultation.objects.for_user(request.user)
    if token is not None:
        made = mine.select_for_update().filter(creation_token=token).first()
        if made is not None:
            return made
        try:
            # Claim the token now: two posts at once cannot both insert it (unique per user).
            with transaction.atomic():
                return Consultation.objects.create(created_by=request.user, creation_token=token)
        except IntegrityError:
            return mine.select_for_update().get(creation_token=token)
    return Consultation(created_by=request.user)


def _panel_context(
    data: Any, step: steps.Step, values: dict[str, Any], answers: dict[str, Any]
) -> dict:
    """The live panels' context; `data` is what was posted (or kept unsaved), if anything."""
    context: dict[str, Any] = {}
    for name in step.panels:
        context.update(panels.BUILDERS[name](values, answers))
    if "red_flags" in step.panels:
        # Refer now, beside Save and continue, while a ticked red flag needs same-day action.
        eyelids = fast_path.posted_eyelids(data)
        context["fast_path"] = fast_path.offer(answers, values, eyelids)
    return context


def _render_step(
    request: HttpRequest,
    consultation: Consultation | None,
    step: steps.Step,
    form: Any,
    form_action: str,
    context: dict[str, Any],
) -> HttpResponse:
    answers = consultation.answers if consultation else {}
    previous = steps.previous_before(step, answers)
    context.update(
        {
            "consultation": consultation,
            "step": step,
            "steps": steps.STEPS,
            "form": form,
            "form_action": form_action,
            "live_url": steps.step_url(consultation, step),
            "error_summary": form.error_summary() if form.is_bound else [],
            "previous_url": steps.step_url(consultation, previous) if previous else reverse("home"),
            # Urgent actions already raised stay in view on every later step.
            "banner_alerts": (panels.stored_red_flag_alerts(answers) if step.number > 2 else []),
        }
    )
    return render(request, "decision/step.html", context)


def _preview(
    request: HttpRequest,
    step: steps.Step,
    form: Any,
    preview: str,
    form_action: str,
    consultation: Consultation | None,
) -> HttpResponse:
    """Redraw a panel or part of the form from what is typed so far; nothing is saved."""
    answers = consultation.answers if consultation else {}
    values = form.valid_values()
    initial = form.raw_values()
    shown = type(form)(initial=initial, answers=answers, live_url=form.live_url)
    context = {"form": shown, "live_url": form.live_url}
    context.update(_panel_context(request.POST, step, values, answers))
    if not request.htmx:
        # Without JavaScript: the whole page again, typed values kept, no error messages.
        return _render_step(request, consultation, step, shown, form_action, context)
    if preview in step.panels:
        html = render_to_string(f"{PANELS_TEMPLATE}#{preview}_body", context, request)
        if "fast_path" in context:
            # The Refer now block follows the red flags (out of band, beside the buttons).
            html += render_to_string(FAST_PATH_TEMPLATE, {**context, "oob": True}, request)
        return HttpResponse(html)
    if preview in ("potency", "course"):
        # The region asked for, plus its linked region swapped out of band.
        main, linked = (
            ("tcs_potency", "tcs_course") if preview == "potency" else ("tcs_course", "tcs_agent")
        )
        html = render_to_string(f"{PANELS_TEMPLATE}#{main}", context, request)
        html += render_to_string(f"{PANELS_TEMPLATE}#{linked}", {**context, "oob": True}, request)
        response = HttpResponse(html)
        # The adequacy panel listens for this, so it re-checks with the settled potency.
        return trigger_client_event(response, "tcs-updated", after="settle")
    return render(request, f"{PANELS_TEMPLATE}#conditional_questions", context)


def _check_answers(
    request: HttpRequest, consultation: Consultation | None, step: steps.Step
) -> HttpResponse:
    if consultation is None:
        return redirect("consultation_new")
    answers = consultation.answers
    check_url = steps.step_url(consultation, step)
    context: dict[str, Any] = {"engine_errors": [], "missing": steps.unanswered(answers)}
    if request.method == "POST":
        # Post/Redirect/Get whatever happens: the check page in the history is always a GET.
        if context["missing"]:
            return redirect(check_url)
        return _complete(consultation) or redirect(f"{check_url}?refused=1")
    if request.GET.get("refused") and not context["missing"]:
        # The engine refused these answers at Complete: say why (worked out again, unchanged).
        context["engine_errors"] = _engine_errors(consultation)
    context.update(
        {
            "consultation": consultation,
            "step": step,
            "steps": steps.STEPS,
            "sections": steps.answer_sections(consultation, change_links=True),
            "previous_url": steps.step_url(consultation, steps.previous_before(step, answers)),
            "banner_alerts": panels.stored_red_flag_alerts(answers),
        }
    )
    return render(request, "decision/check.html", context)


def _engine_errors(consultation: Consultation) -> list[dict[str, Any]]:
    try:
        parse_assessment(consultation.engine_input_from_answers())
    except AssessmentError as error:
        return [
            {
                "path": problem.path,
                "message": problem.message,
                "url": steps.step_url(consultation, steps.step_for_path(problem.path)),
            }
            for problem in error.errors
        ]
    return []


def _complete(consultation: Consultation) -> HttpResponse | None:
    """Run the engine and store the snapshot; None if the engine refuses the answers."""
    try:
        assessment = parse_assessment(consultation.engine_input_from_answers())
    except AssessmentError:
        return None
    recommendation = evaluate(assessment)
    with transaction.atomic():
        locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if not locked.is_completed:  # a double click completes once
            locked.complete(assessment.to_dict(), recommendation.to_dict())
    return redirect("consultation_result", pk=consultation.pk)


@require_http_methods(["GET"])
def consultation_result(request: HttpRequest, pk: UUID) -> HttpResponse:
    consultation = _get_consultation_for_user(request, pk)
    if not consultation.is_completed:
        return redirect("consultation_resume", pk=consultation.pk)
    output = consultation.engine_output or {}
    return render(
        request,
        "decision/result.html",
        {
            "consultation": consultation,
            "result": output,
            "alerts": panels.by_urgency(output.get("alerts", [])),
            # Worked out only when the cached fragment that shows them has to be rendered.
            "sections": functools.cache(
                lambda: fast_path.shown_sections(
                    consultation, steps.answer_sections(consultation, change_links=False)
                )
            ),
        },
    )


@require_POST
def consultation_copy(request: HttpRequest, pk: UUID) -> HttpResponse:
    consultation = _get_consultation_for_user(request, pk)
    copy = consultation.copy_as_draft(request.user)
    messages.success(
        request,
        "A new draft with the same answers, except the red flags: answer the safety screen for "
        "today, change what else differs, then complete it.",
    )
    return redirect(steps.step_url(copy, steps.get_step("safety")))
