"""Opening the questionnaire pre-filled with what the EHR sent (a card's link).

The link carries the answers in a signed, timestamped token (django.core.signing, salted for this
use): valid for CDS_PREFILL_MAX_AGE seconds, unusable if changed, holding only engine-shaped
answers (age in months, severity, sites, steroid) and never a name, identifier or birth date.
Opening it shows what will be filled in; "Start" (a POST, with CSRF) makes a draft for the
signed-in clinician, who then answers every step as usual, the pre-filled ones included.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from decision import labels, roles
from decision.engine.knowledge import tcs_agent_map
from decision.models import EXTRAS_KEY, Consultation
from decision.questionnaire import format_age

SALT = "decision.cds.prefill"
ALLOWED_KEYS = {"age_months", "severity", "sites", "current_tcs", EXTRAS_KEY}


def make_url(request: HttpRequest, answers: dict[str, Any]) -> str:
    """The absolute link a card carries (CDS_BASE_URL, when set, names the public address)."""
    token = signing.dumps(answers, salt=SALT, compress=True)
    path = f"{reverse('consultation_from_ehr')}?data={token}"
    base = settings.CDS_BASE_URL.rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def read_token(token: str) -> dict[str, Any] | None:
    """The answers in a valid, unexpired token; None otherwise."""
    try:
        answers = signing.loads(token, salt=SALT, max_age=settings.CDS_PREFILL_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(answers, dict) or not set(answers) <= ALLOWED_KEYS:
        return None
    return answers


def rows(answers: dict[str, Any]) -> list[tuple[str, str]]:
    """What will be filled in, as the questionnaire words it."""
    shown = []
    if "age_months" in answers:
        shown.append(("Age", format_age(answers["age_months"])))
    if "severity" in answers:
        shown.append(("Severity", labels.SEVERITIES.get(answers["severity"], "")))
    if "sites" in answers:
        shown.append(("Affected sites", ", ".join(labels.SITES[s] for s in answers["sites"])))
    tcs = answers.get("current_tcs") or {}
    agent = tcs_agent_map().get((answers.get(EXTRAS_KEY) or {}).get("tcs_agent") or "")
    if agent:
        shown.append(("Topical corticosteroid", agent.label))
    if "applications_per_day" in tcs:
        shown.append(("Applications per day", str(tcs["applications_per_day"])))
    if "weeks" in tcs:
        shown.append(("Weeks of the current course", f"{tcs['weeks']:g}"))
    return shown


@require_http_methods(["GET", "POST"])
@roles.clinician_required  # it starts a consultation
def start_from_ehr(request: HttpRequest) -> HttpResponse:
    token = request.POST.get("data") if request.method == "POST" else request.GET.get("data")
    answers = read_token(token or "")
    if answers is None:
        return render(request, "cds/prefill.html", {"expired": True}, status=400)
    if request.method == "POST":
        with transaction.atomic():
            consultation = Consultation(created_by=request.user, answers=answers)
            consultation.sync_columns()
            consultation.save()
        # The first step not yet answered: the patient step, for the clinic reference.
        return redirect("consultation_resume", pk=consultation.pk)
    return render(request, "cds/prefill.html", {"rows": rows(answers), "token": token})
