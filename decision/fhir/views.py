"""/fhir/: the Questionnaire, completed consultations as QuestionnaireResponse and Observations,
and `QuestionnaireResponse/$evaluate`.

Reading works signed in (a session) or with a personal API token (`Authorization: Bearer`, the
JSON API's tokens); a consultation is readable by its clinician, and once completed by reviewers,
exactly as its result page. `$evaluate` changes nothing but is a POST: it takes a token only, so
that no cookie can act for the caller and it needs no CSRF check a browser could misuse.
Answers are FHIR JSON; every refusal is an OperationOutcome.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from fhir.resources.R4B.bundle import Bundle, BundleEntry
from fhir.resources.R4B.operationoutcome import OperationOutcome, OperationOutcomeIssue

from decision import questionnaire as q
from decision import throttle
from decision.access_log import What, record_read
from decision.api import tokens
from decision.engine import AssessmentError, dumps, evaluate, parse_assessment
from decision.fhir import evaluate as evaluation
from decision.fhir import resources
from decision.models import Consultation
from decision.views import _get_consultation_for_user

FHIR_JSON = "application/fhir+json"
MAX_BODY_BYTES = 256 * 1024
STEP_SLUGS = {step.slug for step in q.STEPS}


def _fhir(resource: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        resource.model_dump_json(exclude_none=True), status=status, content_type=FHIR_JSON
    )


def _outcome(status: int, problems: list[tuple[str, str]], code: str = "invalid") -> HttpResponse:
    issues = [
        OperationOutcomeIssue(
            severity="error",
            code=code,
            diagnostics=message,
            expression=[_expression(where)] if where else None,
        )
        for where, message in problems
    ]
    response = _fhir(OperationOutcome(issue=issues), status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="fhir"'
    return response


def _expression(where: str) -> str:
    """A FHIRPath to the item a problem is about (or the element named)."""
    if where in q.QUESTIONS or where in STEP_SLUGS:
        return f"QuestionnaireResponse.repeat(item).where(linkId='{where}')"
    return f"QuestionnaireResponse.{where}"


def _token_user(request: HttpRequest) -> Any | None:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    token = tokens.authenticate(credentials.strip())
    return token.user if token else None


def fhir_view(method: str, *, sessions: bool) -> Callable:
    """One method only; authenticated by API token (and, for reading, by the session), else 401;
    over the user's API rate limit (shared with the JSON API), 429.

    CSRF-exempt: a read changes nothing, and the one POST accepts no session at all.
    """

    def decorate(view: Callable) -> Callable:
        @csrf_exempt
        @login_not_required
        @require_http_methods([method])
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = _token_user(request)
            if user is not None:
                request.user = user
            elif not (sessions and request.user.is_authenticated):
                return _outcome(401, [("", "Sign in, or send an API token")], "login")
            wait = throttle.user_wait(request)
            if wait is not None:
                problem = ("", "Too many requests: wait, then try again")
                response = _outcome(429, [problem], "throttled")
                response["Retry-After"] = str(wait)
                return response
            try:
                return view(request, *args, **kwargs)
            except Http404:
                return _outcome(404, [("", "Not found")], "not-found")

        return wrapper

    return decorate


def _completed(request: HttpRequest, pk: UUID) -> Consultation:
    consultation = _get_consultation_for_user(request, pk)
    if not consultation.is_completed:
        raise Http404("A draft has no response yet")
    return consultation


@fhir_view("GET", sessions=True)
def get_questionnaire(request: HttpRequest) -> HttpResponse:
    return _fhir(resources.questionnaire())


@fhir_view("GET", sessions=True)
def get_questionnaire_response(request: HttpRequest, pk: UUID) -> HttpResponse:
    consultation = _completed(request, pk)
    record_read(request.user, consultation, What.FHIR)
    return _fhir(resources.questionnaire_response(consultation))


@fhir_view("GET", sessions=True)
def get_observation(request: HttpRequest, pk: UUID, kind: str) -> HttpResponse:
    consultation = _completed(request, pk)
    for found in resources.observations(consultation):
        if found.id == f"{pk}-{kind}":
            record_read(request.user, consultation, What.FHIR)
            return _fhir(found)
    raise Http404("No such observation")


@fhir_view("GET", sessions=True)
def search_observations(request: HttpRequest) -> HttpResponse:
    """`Observation?derived-from=QuestionnaireResponse/<id>`: a consultation's Observations."""
    _, _, pk = request.GET.get("derived-from", "").rpartition("QuestionnaireResponse/")
    try:
        consultation = _completed(request, UUID(pk))
    except ValueError:
        return _outcome(400, [("", "Search with derived-from=QuestionnaireResponse/<id>")])
    found = resources.observations(consultation)
    record_read(request.user, consultation, What.FHIR)
    bundle = Bundle(
        type="searchset",
        total=len(found),
        entry=[BundleEntry(fullUrl=f"Observation/{item.id}", resource=item) for item in found]
        or None,
    )
    return _fhir(bundle)


@fhir_view("POST", sessions=False)
def evaluate_response(request: HttpRequest) -> HttpResponse:
    """Evaluate a QuestionnaireResponse like the form: the engine's recommendation (contract.md),
    or an OperationOutcome with every problem at its item."""
    if len(request.body) > MAX_BODY_BYTES:
        return _outcome(413, [("", f"Send at most {MAX_BODY_BYTES} bytes")], "too-costly")
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _outcome(400, [("", "Send a QuestionnaireResponse as JSON")], "structure")
    response, problems = evaluation.read(data)
    if response is None:
        return _outcome(400, problems, "structure")
    engine_input, problems = evaluation.engine_input(response)
    if problems:
        return _outcome(422, problems)
    try:
        assessment = parse_assessment(engine_input)
    except AssessmentError as error:
        return _outcome(422, [(problem.path, problem.message) for problem in error.errors])
    return HttpResponse(dumps(evaluate(assessment).to_dict()), content_type="application/json")
