"""What the clinician prescribed after a completed consultation (decision/prescription.py).

Only the clinician who made the consultation records it (a reviewer gets 403, anyone else 404,
as for feedback). Works without JavaScript (its own page, then back to the result); with htmx the
result page's record region (prescription, note, feedback) is redrawn in place.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from decision import prescription
from decision.models import Consultation
from decision.prescription import PrescriptionConflict, PrescriptionForm
from decision.views_review import _get_own_consultation

RECORD_REGION = "decision/record_region.html"


def _conflict_form(
    request: HttpRequest, consultation: Consultation, current: Any
) -> PrescriptionForm:
    """The choice this page tried, kept, onto the version stored now, with what happened."""
    consultation.prescription = current  # what the panel shows as recorded now
    data = request.POST.copy()
    data["version"] = str(current.version if current else 0)
    form = PrescriptionForm(data, consultation=consultation)
    form.is_valid()
    stored = prescription.resolve(consultation.engine_output, current)
    form.add_error(
        None,
        "What was prescribed was changed in another tab or window while you were choosing; it "
        f"now says: {stored.sentence if stored else 'nothing recorded'}. Your choice is kept "
        "below: record it again to replace that.",
    )
    return form


@require_http_methods(["GET", "POST"])
def consultation_prescription(request: HttpRequest, pk: UUID) -> HttpResponse:
    consultation = _get_own_consultation(request, pk)
    if not consultation.is_completed:
        return redirect("consultation_resume", pk=consultation.pk)
    if not prescription.offered(consultation.engine_output):
        raise Http404("This result has nothing to prescribe.")
    saved = None
    status = 200
    if request.method == "POST":
        form = PrescriptionForm(request.POST, consultation=consultation)
        if form.is_valid():
            try:
                saved = prescription.record(form, request.user)
            except PrescriptionConflict as conflict:
                form = _conflict_form(request, consultation, conflict.current)
                # htmx swaps only 2xx answers: the conflict is said in the panel it redraws.
                status = 200 if request.htmx else 409
            else:
                if not request.htmx:
                    messages.success(
                        request,
                        "Recorded what you prescribe: the handout now names only that."
                        + (
                            " It differs from the first choice, so “Modified” has been recorded "
                            "as what you did: change it there if that is not right."
                            if saved.feedback_recorded
                            else ""
                        ),
                    )
                    url = reverse("consultation_result", args=[consultation.pk])
                    return redirect(f"{url}#prescription")
                form = None  # a fresh form of the stored prescription
    else:
        form = PrescriptionForm(consultation=consultation)
    context = {
        "consultation": consultation,
        "prescription_form": form,
        "prescription_saved": saved,
    }
    if request.htmx:
        return render(request, RECORD_REGION, context, status=status)
    return render(request, "decision/prescription_page.html", context, status=status)
