"""The JSON API, version 1 (django-ninja): `POST /recommend` and the caller's own completed
consultations. Mounted at /api/v1/ by decision/api/urls.py; the schema is at /api/v1/schema."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.throttling import UserRateThrottle

from decision.access_log import What, record_read
from decision.api.auth import BearerTokenAuth
from decision.api.http import BodyError, error_response, read_json_body
from decision.api.schemas import (
    Assessment,
    ConsultationDetail,
    ConsultationPage,
    Error,
    Recommendation,
)
from decision.engine import AssessmentError, FieldError, dumps
from decision.engine.cli import recommend_data
from decision.feedback import feedback_for
from decision.models import Consultation

PAGE_SIZE = 50
REF = "#/components/schemas/{model}"

DESCRIPTION = """\
The decision engine's contract over HTTP, and read access to your own completed consultations.

**Authentication**: a personal API token from your account page, sent as
`Authorization: Bearer esu_…`. Sessions (cookies) are not accepted.

**Errors** all have one shape: `detail`, `errors` (every problem as `{path, message}`) and
`messages` (the same problems as `manage.py recommend` prints them, `path: message`).
"""

# One assessment as an example request (contract.md's first example).
EXAMPLE_ASSESSMENT = {
    "age_months": 84,
    "severity": "moderate",
    "sites": ["face", "flexures", "trunk"],
    "bsa_percent": 12,
    "current_tcs": {
        "potency": "medium",
        "applications_per_day": 2,
        "weeks": 3,
        "adherence": "good",
    },
}


class Api(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Ninja's schema plus the request models it cannot see: /recommend reads its body
        itself, so that the engine, not pydantic, validates it (the command line's errors)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        definitions = Assessment.model_json_schema(ref_template=REF)
        components = schema["components"].setdefault("schemas", {})
        components.update(definitions.pop("$defs", {}))
        components["Assessment"] = definitions
        return schema


api = Api(
    title="Eczema Step-Up API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/schema",
    docs_url=None,  # a server-rendered page instead (decision/api/docs.py): no inline script
    auth=BearerTokenAuth(),
    throttle=[UserRateThrottle(settings.API_RATE_LIMIT)],
)


# ----------------------------------------------------------------------------------- errors
@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(
        401,
        "Send a valid API token: Authorization: Bearer esu_…",
        [FieldError("Authorization", "missing, unknown or revoked API token")],
        WWW_Authenticate='Bearer realm="api"',
    )


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return error_response(429, "Too many requests: wait, then try again.")


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = [
        FieldError(".".join(str(part) for part in error["loc"][1:]) or "input", error["msg"])
        for error in exc.errors
    ]
    return error_response(400, "The request is not valid.", problems)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(404, "Not found.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(exc.status_code, str(exc))


@api.exception_handler(BodyError)
def _bad_body(request: HttpRequest, exc: BodyError) -> HttpResponse:
    return error_response(exc.status, exc.detail, exc.errors)


ERRORS = {401: Error, 429: Error}


# ---------------------------------------------------------------------------- recommend
@api.post(
    "/recommend",
    url_name="recommend",
    summary="Evaluate one assessment, or a batch",
    description=(
        "The body is one assessment (contract.md) or a JSON array of them (at most "
        f"{settings.API_MAX_BATCH}). The answer is the recommendation, or an array of them in "
        "the same order: the same bytes as `manage.py recommend` prints. One invalid item fails "
        "the whole batch; its problems are prefixed `[i].`."
    ),
    response={
        200: Recommendation | list[Recommendation],
        400: Error,
        413: Error,
        **ERRORS,
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            {"$ref": REF.format(model="Assessment")},
                            {
                                "type": "array",
                                "items": {"$ref": REF.format(model="Assessment")},
                                "maxItems": settings.API_MAX_BATCH,
                            },
                        ]
                    },
                    "example": EXAMPLE_ASSESSMENT,
                }
            },
        }
    },
)
def recommend(request: HttpRequest) -> HttpResponse:
    data = read_json_body(request, settings.API_MAX_BODY_BYTES)
    if isinstance(data, list) and len(data) > settings.API_MAX_BATCH:
        raise BodyError(
            413,
            f"A batch holds at most {settings.API_MAX_BATCH} assessments.",
            [FieldError("input", f"more than {settings.API_MAX_BATCH} assessments")],
        )
    try:
        result = recommend_data(data)
    except AssessmentError as exc:
        return error_response(400, "The input is not a valid assessment.", exc.errors)
    # The command line's bytes exactly (dumps: sorted keys, fixed indentation).
    return HttpResponse(dumps(result), content_type="application/json")


# ------------------------------------------------------------------------ consultations
def _own_completed(request: HttpRequest):
    return Consultation.objects.for_user(request.auth.user).completed()


def _summary(request: HttpRequest, consultation: Consultation) -> dict[str, Any]:
    return {
        "id": consultation.pk,
        "patient_reference": consultation.patient_reference,
        "age_months": consultation.age_months,
        "severity": consultation.severity,
        "next_step_code": consultation.next_step_code,
        "most_urgent_referral": consultation.most_urgent_referral,
        "has_red_flags": consultation.has_red_flags,
        "ruleset_version": consultation.ruleset_version,
        "completed_at": consultation.completed_at,
        "url": request.build_absolute_uri(reverse("api:consultation", args=[consultation.pk])),
    }


@api.get(
    "/consultations",
    url_name="consultations",
    summary="Your completed consultations, newest first",
    description=f"{PAGE_SIZE} a page. Drafts and other people's consultations are not listed.",
    response={200: ConsultationPage, 400: Error, **ERRORS},
)
def consultations(request: HttpRequest, page: int = Query(1, ge=1, le=1_000_000)) -> dict[str, Any]:
    rows = _own_completed(request).defer("answers", "engine_input", "engine_output")
    paginator = Paginator(rows.order_by("-completed_at", "pk"), PAGE_SIZE)
    pages = paginator.num_pages
    results = paginator.page(page).object_list if page <= pages else []
    base = request.build_absolute_uri(reverse("api:consultations"))
    return {
        "count": paginator.count,
        "page": page,
        "pages": pages,
        "next": f"{base}?page={page + 1}" if page < pages else None,
        "previous": f"{base}?page={min(page - 1, pages)}" if page > 1 else None,
        "results": [_summary(request, c) for c in results],
    }


@api.get(
    "/consultations/{consultation_id}",
    url_name="consultation",
    summary="One of your completed consultations, with its stored snapshot",
    description=(
        "The assessment the engine evaluated, the recommendation it gave and the rule set it "
        "used, as stored when the consultation was completed; and the feedback recorded."
    ),
    response={200: ConsultationDetail, 400: Error, 404: Error, **ERRORS},
)
def consultation(request: HttpRequest, consultation_id: UUID) -> dict[str, Any]:
    found = _own_completed(request).select_related("feedback").filter(pk=consultation_id).first()
    if found is None:
        raise Http404
    # The caller's own only, so today nothing is written; recorded all the same, so that widening
    # who may read here cannot bypass the log.
    record_read(request.auth.user, found, What.API)
    feedback = feedback_for(found)
    return {
        **_summary(request, found),
        "engine_input": found.engine_input,
        "engine_output": found.engine_output,
        "feedback": None
        if feedback is None
        else {
            "outcome": feedback.outcome,
            "reason": feedback.reason,
            "comment": feedback.comment,
            "recorded_at": feedback.updated_at,
        },
    }
