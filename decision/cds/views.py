"""The three CDS Hooks endpoints: discovery, the patient-view service, and its feedback.

No session is used or accepted: discovery is public (it describes the service and holds no
patient data), the other two need the EHR's signed JWT (decision.cds.client_auth), checked before
anything is read or stored. CORS headers come from django-cors-headers (settings: CORS_URLS_REGEX).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from pydantic import BaseModel, ValidationError

from decision import throttle
from decision.api.http import BodyError, error_response, read_json_body
from decision.cds import cards, client_auth, codes, prefetch, prefill, records
from decision.engine import FieldError, evaluate, parse_assessment
from decision.engine.knowledge import RULESET_VERSION, tcs_agent_map
from decision.models import Feedback

logger = logging.getLogger("django.security.cds")

SERVICE_ID = "eczema-step-up"
HOOK = "patient-view"
PREFETCH_KEYS = ("patient", "conditions", "medications")


def _prefetch_templates() -> dict[str, str]:
    patient = "{{context.patientId}}"
    conditions = ",".join(f"{system}|{code}" for system, code in codes.ATOPIC_DERMATITIS)
    agents = ",".join(f"{codes.SYSTEM_TCS_AGENT}|{agent}" for agent in tcs_agent_map())
    return {
        "patient": f"Patient/{patient}",
        "conditions": f"Condition?patient={patient}&clinical-status=active&code={conditions}",
        "medications": f"MedicationRequest?patient={patient}&status=active&code={agents}",
    }


def service_description() -> dict[str, Any]:
    return {
        "hook": HOOK,
        "id": SERVICE_ID,
        "title": "Eczema Step-Up: the next step when atopic dermatitis has not improved",
        "description": (
            "Reads the age, the active atopic dermatitis condition (severity, body sites) and the "
            "active topical corticosteroid prescription, and gives the next step of the guideline "
            f"(rule set {RULESET_VERSION}), with a link to the questionnaire pre-filled with what "
            "the record holds. Advisory only."
        ),
        "usageRequirements": (
            "Send the three prefetch keys; the service does not query the FHIR server. Codes: "
            f"severity as SNOMED CT (Condition.severity); body sites in {codes.SYSTEM_SITE}; "
            f"the steroid in {codes.SYSTEM_TCS_AGENT} (the service's agent ids). Requests carry "
            "a JWT signed by a key configured for the issuer."
        ),
        "prefetch": _prefetch_templates(),
        # Not a CDS Hooks field: the rule set the advice follows (clients ignore unknown fields).
        "ruleset_version": RULESET_VERSION,
    }


@login_not_required
@require_GET
def discovery(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"services": [service_description()]})


class Context(BaseModel):
    patientId: str  # the specification's camelCase names
    userId: str | None = None
    encounterId: str | None = None


class HookRequest(BaseModel):
    hook: Literal["patient-view"]
    hookInstance: str
    context: Context
    prefetch: dict[str, Any] | None = None
    fhirServer: str | None = None


class Coding(BaseModel):
    system: str | None = None
    code: str | None = None
    display: str | None = None


class OverrideReason(BaseModel):
    reason: Coding | None = None
    userComment: str | None = None


class FeedbackItem(BaseModel):
    card: str
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[dict[str, Any]] | None = None
    overrideReason: OverrideReason | None = None
    outcomeTimestamp: datetime


class FeedbackRequest(BaseModel):
    feedback: list[FeedbackItem]


def _validation_errors(exc: ValidationError) -> list[FieldError]:
    def path(loc: tuple[Any, ...]) -> str:
        text = ""
        for part in loc:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
        return text or "input"

    return [FieldError(path(error["loc"]), error["msg"]) for error in exc.errors()]


class Throttled(Exception):
    def __init__(self, wait: int) -> None:
        super().__init__(f"over CDS_RATE_LIMIT: retry after {wait} s")
        self.wait = wait


def _authenticate(request: HttpRequest, *also: str) -> dict[str, Any]:
    """The JWT is checked first: a refused call reads and stores nothing. Then the EHR's rate
    limit (per issuer, so an unsigned flood spends no one's budget)."""
    claims = client_auth.verify(request, client_auth.expected_audiences(request, *also))
    wait = throttle.issuer_wait(request, claims["iss"])
    if wait is not None:
        raise Throttled(wait)
    return claims


def _body(request: HttpRequest, model: type[BaseModel]) -> Any:
    data = read_json_body(request, settings.CDS_MAX_BODY_BYTES)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        detail = "The request does not follow CDS Hooks 2.0."
        raise BodyError(400, detail, _validation_errors(exc)) from None


def _refused(exc: Exception) -> HttpResponse:
    if isinstance(exc, client_auth.CdsAuthError):
        logger.warning("CDS Hooks call refused: %s", exc)
        return error_response(
            401,
            "A JWT signed by a trusted CDS client is required.",
            [FieldError("Authorization", str(exc))],
            WWW_Authenticate='Bearer error="invalid_token"',
        )
    if isinstance(exc, Throttled):
        logger.warning("CDS Hooks call refused: %s", exc)
        response = error_response(429, "Too many requests: wait, then try again.")
        response["Retry-After"] = str(exc.wait)
        return response
    assert isinstance(exc, BodyError)
    return error_response(exc.status, exc.detail, exc.errors)


@csrf_exempt  # no cookie is read: every call is authenticated by its signed JWT
@login_not_required
@require_POST
def service(request: HttpRequest, service_id: str) -> HttpResponse:
    try:
        claims = _authenticate(request)
        if service_id != SERVICE_ID:
            return error_response(404, "No such CDS service.")
        hook = _body(request, HookRequest)
    except (client_auth.CdsAuthError, Throttled, BodyError) as exc:
        return _refused(exc)
    data = hook.prefetch or {}
    if "patient" not in data:
        # CDS Hooks: without the data it needs (and it does not query the FHIR server itself).
        return error_response(
            412,
            "The patient prefetch is needed: this service does not query the FHIR server.",
            [FieldError("prefetch.patient", "is required")],
        )
    findings = prefetch.read(data, hook.context.patientId)
    prefill_url = prefill.make_url(request, findings.prefill())
    if not findings.complete:
        return JsonResponse({"cards": [cards.information_card(findings, prefill_url)]})
    assessment = parse_assessment(findings.engine_input())
    output = evaluate(assessment).to_dict()
    request.user = records.service_user()  # history rows name the service user
    consultation = records.store_card(
        claims["iss"], hook.context.patientId, assessment.to_dict(), output, findings.agent.id
    )
    card = cards.next_step_card(consultation.pk, findings, output, prefill_url)
    return JsonResponse({"cards": [card]})


def _feedback_values(item: FeedbackItem) -> dict[str, str]:
    if item.outcome == "accepted":
        return {"outcome": Feedback.Outcome.FOLLOWED, "reason": "", "comment": ""}
    given = item.overrideReason.reason if item.overrideReason else None
    comment = ((item.overrideReason.userComment if item.overrideReason else "") or "").strip()
    known = (
        given is not None
        and given.system == codes.SYSTEM_OVERRIDE_REASON
        and given.code in Feedback.Reason.values
    )
    reason = given.code if known else Feedback.Reason.OTHER
    if reason == Feedback.Reason.OTHER and not comment:
        # The EHR's own reason (clients may add theirs), or none: "other" needs a comment.
        comment = (
            f"Reason given in the EHR: {given.display or given.code}"
            if given is not None and (given.display or given.code)
            else "Overridden in the EHR without a reason."
        )
    return {
        "outcome": Feedback.Outcome.NOT_FOLLOWED,
        "reason": reason,
        "comment": comment[: Feedback._meta.get_field("comment").max_length],
    }


@csrf_exempt  # no cookie is read: every call is authenticated by its signed JWT
@login_not_required
@require_POST
def feedback(request: HttpRequest, service_id: str) -> HttpResponse:
    try:
        claims = _authenticate(request, f"/cds-services/{service_id}")
        if service_id != SERVICE_ID:
            return error_response(404, "No such CDS service.")
        body = _body(request, FeedbackRequest)
    except (client_auth.CdsAuthError, Throttled, BodyError) as exc:
        return _refused(exc)
    user = request.user = records.service_user()
    with transaction.atomic():
        for item in body.feedback:
            consultation = records.card_consultation(item.card, claims["iss"])
            if consultation is None:
                # A card this EHR was not given by us, or an information card: nothing to record.
                logger.info("CDS feedback for an unknown card %s ignored", item.card[:64])
                continue
            Feedback.objects.update_or_create(
                consultation=consultation,
                defaults={**_feedback_values(item), "recorded_by": user},
            )
    return JsonResponse({})
