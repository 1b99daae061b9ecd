"""FHIR SDC: the Questionnaire from the declaration, completed consultations as
QuestionnaireResponse and Observations, and a posted QuestionnaireResponse evaluated like the form.

The round trip: every vignette entered through the forms, completed, read back as a
QuestionnaireResponse and posted to `$evaluate`, gives the recommendation the form gave.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from decision import questionnaire as q
from decision.api.tokens import create_token
from decision.engine import RULESET_VERSION
from decision.fhir import resources
from decision.models import Consultation
from tests.helpers import make_input, vignettes
from tests.web.journey import complete, enter

pytestmark = pytest.mark.django_db

QUESTIONNAIRE = reverse("fhir:questionnaire")
EVALUATE = reverse("fhir:evaluate")


@pytest.fixture
def token(clinician) -> str:
    return create_token(clinician, "fhir tests")[1]


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def completed(client: Client, data: dict[str, Any], poem: list[int] | None = None) -> Consultation:
    consultation = enter(client, data)
    if poem:
        consultation.answers["extras"]["poem"] = poem
        consultation.save()
    assert complete(client, consultation).status_code == 302
    consultation.refresh_from_db()
    return consultation


def items(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every item of a Questionnaire or QuestionnaireResponse (JSON) by linkId."""
    found = {}

    def visit(children: list[dict[str, Any]]) -> None:
        for item in children:
            found[item["linkId"]] = item
            visit(item.get("item", []))

    visit(resource.get("item", []))
    return found


def evaluate_post(client: Client, token: str, body: Any):
    return client.post(
        EVALUATE, data=json.dumps(body), content_type="application/fhir+json", **bearer(token)
    )


# ------------------------------------------------------------------------------ Questionnaire
def test_the_questionnaire_is_a_valid_fhir_questionnaire_of_every_declared_question(
    clinician_client,
):
    response = clinician_client.get(QUESTIONNAIRE)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    body = response.json()
    Questionnaire.model_validate(body)
    assert body["version"] == RULESET_VERSION
    assert body["url"] == resources.questionnaire_url()
    found = items(body)
    for link_id, question in q.QUESTIONS.items():
        assert link_id in found, link_id
        assert found[link_id]["type"] == {"multiple": "choice"}.get(question.type, question.type)
    assert [item["linkId"] for item in body["item"]] == [
        step.slug for step in q.STEPS if step.has_questions
    ]


def test_conditional_questions_carry_enable_when(clinician_client):
    found = items(clinician_client.get(QUESTIONNAIRE).json())

    assert found["pregnant_or_breastfeeding"]["enableWhen"] == [
        {"question": "age_months", "operator": ">=", "answerInteger": 120}
    ]
    assert found["liver_impairment"]["enableWhen"][0]["answerInteger"] == (
        q.LIVER_QUESTION_FROM_MONTHS
    )
    course = found["course"]["enableWhen"][0]
    assert course["question"] == "potency" and course["operator"] == "!="
    assert course["answerCoding"]["code"] == "none"


def test_answer_options_and_limits_come_from_the_declaration(clinician_client):
    found = items(clinician_client.get(QUESTIONNAIRE).json())

    sites = found["sites"]
    assert sites["repeats"] is True and sites["required"] is True
    assert [o["valueCoding"]["code"] for o in sites["answerOption"]] == [
        option.code for option in q.QUESTIONS["sites"].options
    ]
    bsa = found["bsa_percent"]
    assert {e["url"].rsplit("/", 1)[1]: e for e in bsa["extension"]}["maxValue"][
        "valueDecimal"
    ] == 100
    assert found["bsa_percent-help"]["type"] == "display"
    tried = found["tci"]["answerOption"]
    assert tried[0]["initialSelected"] is True
    agents = [o["valueCoding"]["code"] for o in found["tcs_agent"]["answerOption"]]
    assert "hydrocortisone-1" in agents and "hydrocortisone" not in agents  # legacy: not offered
    potencies = [o["valueCoding"]["display"] for o in found["potency"]["answerOption"]]
    assert not any("UK" in display for display in potencies)


def test_the_poem_total_is_an_sdc_calculated_expression_over_scored_options(clinician_client):
    found = items(clinician_client.get(QUESTIONNAIRE).json())

    total = found["poem_total"]
    assert total["readOnly"] is True
    expression = total["extension"][0]
    assert expression["url"].endswith("sdc-questionnaire-calculatedExpression")
    assert "weight()" in expression["valueExpression"]["expression"]
    scores = [o["extension"][0]["valueDecimal"] for o in found["poem_1"]["answerOption"]]
    assert scores == [0, 1, 2, 3, 4]


def test_the_questionnaire_needs_a_session_or_a_token(client, token):
    refused = client.get(QUESTIONNAIRE)

    assert refused.status_code == 401
    assert refused["WWW-Authenticate"].startswith("Bearer")
    OperationOutcome.model_validate(refused.json())
    assert client.get(QUESTIONNAIRE, **bearer(token)).status_code == 200
    assert client.get(QUESTIONNAIRE, **bearer("esu_nope_nope")).status_code == 401


# ------------------------------------------------------------ QuestionnaireResponse, Observation
def test_a_completed_consultation_is_a_questionnaire_response(clinician_client):
    consultation = completed(
        clinician_client, make_input(age_months=150, pregnant_or_breastfeeding=True)
    )

    response = clinician_client.get(reverse("fhir:questionnaire_response", args=[consultation.pk]))

    assert response.status_code == 200
    body = response.json()
    QuestionnaireResponse.model_validate(body)
    assert body["status"] == "completed"
    assert body["questionnaire"] == f"{resources.questionnaire_url()}|{RULESET_VERSION}"
    assert body["subject"]["identifier"]["value"] == "REF-1"
    found = items(body)
    assert found["age_months"]["answer"] == [{"valueInteger": 150}]
    assert found["pregnant_or_breastfeeding"]["answer"] == [{"valueBoolean": True}]
    assert [a["valueCoding"]["code"] for a in found["sites"]["answer"]] == [
        "flexures",
        "arms",
        "legs",
    ]
    assert found["weeks"]["answer"] == [{"valueDecimal": 3}]


def test_questions_that_did_not_apply_are_left_out_of_the_response(clinician_client):
    no_steroid = make_input(
        age_months=30,
        current_tcs={"potency": "none", "applications_per_day": 0, "weeks": 0},
    )
    consultation = completed(clinician_client, no_steroid)

    found = items(consultation_response(clinician_client, consultation))

    assert "pregnant_or_breastfeeding" not in found
    assert "course" not in found and "weeks" not in found
    assert "liver_impairment" in found


def consultation_response(client: Client, consultation: Consultation) -> dict[str, Any]:
    url = reverse("fhir:questionnaire_response", args=[consultation.pk])
    return client.get(url).json()


def test_observations_give_the_poem_total_and_the_severity(clinician_client):
    consultation = completed(clinician_client, make_input(), poem=[3, 3, 1, 0, 2, 2, 3])

    bundle = clinician_client.get(
        reverse("fhir:observations"), {"derived-from": f"QuestionnaireResponse/{consultation.pk}"}
    ).json()

    assert bundle["type"] == "searchset" and bundle["total"] == 2
    found = {entry["resource"]["code"]["coding"][0]["code"]: entry["resource"] for entry in
             bundle["entry"]}  # fmt: skip
    for resource in found.values():
        Observation.model_validate(resource)
        assert resource["derivedFrom"] == [
            {"reference": f"QuestionnaireResponse/{consultation.pk}"}
        ]
    assert found["poem-total"]["valueInteger"] == 14
    assert found["poem-total"]["interpretation"][0]["text"] == "Moderate"
    assert found["severity"]["valueCodeableConcept"]["coding"][0]["code"] == "moderate"
    single = clinician_client.get(reverse("fhir:observation", args=[consultation.pk, "severity"]))
    assert single.json() == found["severity"]
    assert items(consultation_response(clinician_client, consultation))["poem_total"]["answer"] == [
        {"valueInteger": 14}
    ]


def test_an_incomplete_poem_gives_no_total(clinician_client):
    consultation = completed(clinician_client, make_input(), poem=[3, None, 1, 0, 2, 2, 3])

    missing = clinician_client.get(
        reverse("fhir:observation", args=[consultation.pk, "poem-total"])
    )

    assert missing.status_code == 404
    assert "poem_total" not in items(consultation_response(clinician_client, consultation))


def test_responses_are_for_the_owner_and_reviewers_and_never_for_drafts(
    clinician_client, django_user_model
):
    from decision import roles

    consultation = completed(clinician_client, make_input())
    draft = enter(clinician_client, make_input())
    other = Client()
    other.force_login(django_user_model.objects.create_user(username="someone-else"))
    reviewer_user = django_user_model.objects.create_user(username="a-reviewer")
    roles.grant(reviewer_user, roles.REVIEWER)
    reviewer = Client()
    reviewer.force_login(reviewer_user)
    url = reverse("fhir:questionnaire_response", args=[consultation.pk])

    assert other.get(url).status_code == 404
    assert reviewer.get(url).status_code == 200
    draft_url = reverse("fhir:questionnaire_response", args=[draft.pk])
    assert clinician_client.get(draft_url).status_code == 404


# ------------------------------------------------------------------------------- $evaluate
@pytest.mark.parametrize("case", vignettes(), ids=lambda case: case["id"])
def test_form_then_questionnaire_response_then_evaluate_gives_the_same_recommendation(
    clinician_client, token, case
):
    consultation = completed(clinician_client, case["input"])
    response = consultation_response(clinician_client, consultation)

    evaluated = evaluate_post(Client(), token, response)

    assert evaluated.status_code == 200, evaluated.content.decode()
    assert evaluated.json() == consultation.engine_output


def test_a_response_with_a_missing_or_wrong_answer_gets_the_form_s_messages(
    clinician_client, token
):
    consultation = completed(clinician_client, make_input(age_months=360))
    response = consultation_response(clinician_client, consultation)
    found = items(response)
    found["patient"]["item"] = [
        item for item in found["patient"]["item"] if item["linkId"] != "patient_flags"
    ]
    found["weeks"]["answer"] = [{"valueDecimal": 600}]
    found["severity"]["answer"] = [{"valueString": "moderate"}]

    refused = evaluate_post(Client(), token, response)

    assert refused.status_code == 422
    outcome = refused.json()
    OperationOutcome.model_validate(outcome)
    problems = {
        issue["expression"][0].split("'")[1]: issue["diagnostics"] for issue in outcome["issue"]
    }
    assert problems["weeks"] == "Enter the weeks as a number from 0 to 520"
    assert problems["severity"].startswith("Answer with a coding from")
    assert problems["pregnant_or_breastfeeding"] == (
        "This question applies at this age: answer it, then continue."
    )


def test_evaluate_takes_a_token_not_a_session_and_stores_nothing(clinician_client, token):
    consultation = completed(clinician_client, make_input())
    response = consultation_response(clinician_client, consultation)
    before = Consultation.objects.count()

    by_session = clinician_client.post(
        EVALUATE, data=json.dumps(response), content_type="application/fhir+json"
    )
    by_token = evaluate_post(Client(), token, response)

    assert by_session.status_code == 401
    assert by_token.status_code == 200
    assert Consultation.objects.count() == before


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        {"resourceType": "Patient"},
        {"resourceType": "QuestionnaireResponse", "status": "completed"},
        {"resourceType": "QuestionnaireResponse", "status": "nonsense"},
        {
            "resourceType": "QuestionnaireResponse",
            "status": "completed",
            "questionnaire": "http://elsewhere.example/Questionnaire/other",
        },
    ],
)
def test_anything_but_a_response_to_this_questionnaire_is_refused_cleanly(token, body):
    raw = body if isinstance(body, str) else json.dumps(body)

    refused = Client().post(
        EVALUATE, data=raw, content_type="application/fhir+json", **bearer(token)
    )

    assert refused.status_code == 400
    OperationOutcome.model_validate(refused.json())


def test_an_unknown_item_is_refused(clinician_client, token):
    consultation = completed(clinician_client, make_input())
    response = consultation_response(clinician_client, consultation)
    response["item"].append({"linkId": "favourite_colour", "answer": [{"valueString": "blue"}]})

    refused = evaluate_post(Client(), token, response)

    assert refused.status_code == 422
    assert "No such question" in refused.content.decode()


# ------------------------------------------------------------------ one edit = one new FHIR item
def test_a_declared_question_becomes_a_fhir_item(monkeypatch):
    import dataclasses

    toy = q.Question(
        "hours_outdoors",
        "Hours spent outdoors a day",
        "integer",
        "extras.hours_outdoors",
        "number",
        minimum=0,
        maximum=24,
        when=q.from_age(216),
    )
    other = q.STEPS[5]
    steps = (*q.STEPS[:5], dataclasses.replace(other, items=(*other.items, toy)), q.STEPS[6])
    monkeypatch.setattr(q, "STEPS", steps)

    found = items(resources.questionnaire().model_dump(mode="json", exclude_none=True))

    assert found["hours_outdoors"]["type"] == "integer"
    assert found["hours_outdoors"]["enableWhen"][0]["answerInteger"] == 216
    assert found["hours_outdoors"]["extension"][1]["valueInteger"] == 24


def test_over_the_users_api_rate_limit_fhir_answers_429_with_an_operation_outcome(settings, token):
    settings.API_RATE_LIMIT = "2/min"
    reader = Client()

    statuses = [reader.get(QUESTIONNAIRE, **bearer(token)).status_code for _ in range(2)]
    refused = evaluate_post(reader, token, {"resourceType": "QuestionnaireResponse"})

    assert statuses == [200, 200]
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    outcome = OperationOutcome.model_validate(refused.json())
    assert outcome.issue[0].code == "throttled"


def test_the_fhir_rate_limit_is_per_user(settings, token, other_clinician):
    settings.API_RATE_LIMIT = "1/min"
    other = create_token(other_clinician, "fhir tests")[1]

    first = Client().get(QUESTIONNAIRE, **bearer(token))
    again = Client().get(QUESTIONNAIRE, **bearer(token))
    someone_else = Client().get(QUESTIONNAIRE, **bearer(other))

    assert (first.status_code, again.status_code, someone_else.status_code) == (200, 429, 200)
