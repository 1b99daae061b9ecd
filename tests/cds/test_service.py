"""POST /cds-services/eczema-step-up (patient-view): a card with the vignette's next step when the
record holds enough, an information card otherwise; both shaped as CDS Hooks 2.0 asks, both
linking to the pre-filled questionnaire; each next-step card stored as a marked, completed
consultation of the service user; no name, identifier or birth date kept anywhere."""

from __future__ import annotations

import copy
import json
import uuid

import pytest
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from decision.cds import codes
from decision.cds.cards import indicator
from decision.engine.knowledge import citation
from decision.models import Consultation, Feedback
from tests.cds.conftest import SERVICE, agent_for, patient_view, spec
from tests.helpers import make_input, vignettes

pytestmark = pytest.mark.django_db

# What an EHR record can say (prefetch.py): age, severity, sites, one steroid with its daily
# frequency and course. A vignette within that (BSA below the erythroderma line, which the record
# does not give) must get its own next step from the record alone.
RECORD_FIELDS = {
    "age_months",
    "severity",
    "sites",
    "current_tcs",
    "bsa_percent",
    "emollients_daily",
}


def from_record_alone(vignette: dict) -> bool:
    data, tcs = vignette["input"], vignette["input"]["current_tcs"]
    return (
        set(data) <= RECORD_FIELDS
        and data.get("emollients_daily", True)
        and (data.get("bsa_percent") or 0) < 90
        and tcs["potency"] != "none"
        and tcs["adherence"] == "good"
        and tcs.get("grams_per_week") is None
    )


RECORDABLE = [v for v in vignettes() if from_record_alone(v)]


def test_several_vignettes_can_come_from_a_record():
    assert len(RECORDABLE) >= 6


@pytest.mark.parametrize("vignette", RECORDABLE, ids=[v["id"] for v in RECORDABLE])
def test_a_request_built_from_a_vignette_gets_a_card_with_its_next_step(ehr, vignette):
    response = ehr.post(SERVICE, patient_view(vignette["input"]))

    assert response.status_code == 200
    (card,) = response.json()["cards"]
    consultation = Consultation.objects.get()
    assert card["uuid"] == str(consultation.pk)
    assert consultation.next_step_code == vignette["expect"]["next_step"]
    assert card["source"]["topic"]["code"] == vignette["expect"]["next_step"]
    title = consultation.engine_output["next_step"]["title"]
    assert card["summary"].startswith(f"Next step: {title}")


def test_a_next_step_card_follows_the_specification(ehr):
    card = ehr.post(SERVICE, patient_view(make_input())).json()["cards"][0]
    example = spec("response-cards.json")["cards"][0]

    for name in ("uuid", "summary", "indicator", "detail", "source", "links"):
        assert type(card[name]) is type(example[name]), name
    uuid.UUID(card["uuid"])
    assert len(card["summary"]) < 140
    assert card["indicator"] in ("info", "warning", "critical")
    (link,) = card["links"]
    assert link["type"] == "absolute"
    assert link["url"].startswith("https://cds.example.org/consultations/from-ehr/?data=")
    assert card["selectionBehavior"] == "at-most-one"
    assert [s["isRecommended"] for s in card["suggestions"]] == [True]
    assert [r["code"] for r in card["overrideReasons"]] == list(Feedback.Reason.values)
    assert all(
        r["display"] and r["system"] == codes.SYSTEM_OVERRIDE_REASON
        for r in card["overrideReasons"]
    )


def test_the_card_cites_its_source_readably_and_states_its_assumptions(ehr):
    card = ehr.post(SERVICE, patient_view(make_input())).json()["cards"][0]
    step = Consultation.objects.get().engine_output["next_step"]

    first = citation(step["sources"][0])
    assert card["source"]["label"] == first.text != step["sources"][0]
    assert "Assumed, not in the record" in card["detail"]
    assert "no red flags" in card["detail"]
    assert "adherence good" in card["detail"]
    assert "moderate" in card["detail"] and "7 years" in card["detail"]


def test_the_stored_consultation_is_marked_and_keeps_no_identity(ehr):
    request = patient_view(make_input(), patient_id="pat-42-unique")

    ehr.post(SERVICE, request)

    consultation = Consultation.objects.get()
    assert consultation.is_completed
    assert consultation.created_by.username == settings.CDS_SERVICE_USERNAME
    assert consultation.created_by.groups.filter(name="clinician").exists()
    assert not consultation.created_by.has_usable_password()
    assert consultation.patient_reference == f"EHR-{consultation.pk.hex[:8]}"
    assert consultation.extras["source"] == "cds-hooks"
    assert consultation.age_months == 84
    assert consultation.engine_input["current_tcs"]["agent"] == agent_for("medium")
    everything = json.dumps(
        [list(Consultation.objects.values().get().values()), list(Consultation.history.values())],
        default=str,
    )
    birth = request["prefetch"]["patient"]["birthDate"]
    for secret in ("pat-42-unique", birth, "Example", "Pat"):
        assert secret not in everything


def test_the_same_record_the_same_day_gives_the_same_card_once(ehr):
    request = patient_view(make_input())

    first = ehr.post(SERVICE, request).json()["cards"][0]
    second = ehr.post(SERVICE, {**request, "hookInstance": str(uuid.uuid4())}).json()["cards"][0]
    other_patient = ehr.post(SERVICE, patient_view(make_input(), patient_id="other")).json()

    assert first["uuid"] == second["uuid"]
    assert other_patient["cards"][0]["uuid"] != first["uuid"]
    assert Consultation.objects.count() == 2


def test_the_specifications_request_without_our_prefetch_gets_412(ehr):
    response = ehr.post(SERVICE, spec("request-patient-view.json"))

    assert response.status_code == 412
    assert response.json()["errors"] == [{"path": "prefetch.patient", "message": "is required"}]
    assert not Consultation.objects.exists()


def test_the_specifications_request_with_its_patient_gets_an_information_card(ehr):
    request = spec("request-patient-view.json")
    request["prefetch"] = {"patient": request["prefetch"]["patientToGreet"]}

    response = ehr.post(SERVICE, request)

    (card,) = response.json()["cards"]
    assert response.status_code == 200
    assert card["indicator"] == "info"
    assert card["summary"].startswith("Eczema Step-Up: not enough in the record")
    assert "age 100 years" in card["detail"]  # born 1925-12-23
    assert "the severity" in card["detail"] and "the topical corticosteroid" in card["detail"]
    assert card["links"][0]["type"] == "absolute"
    uuid.UUID(card["uuid"])
    assert not Consultation.objects.exists()


def _without(request: dict, change) -> dict:
    request = copy.deepcopy(request)
    change(request["prefetch"])
    return request


def _medication(prefetch: dict) -> dict:
    return prefetch["medications"]["entry"][0]["resource"]


def _condition(prefetch: dict) -> dict:
    return prefetch["conditions"]["entry"][0]["resource"]


GAPS = {
    "a birth year only": (lambda p: p["patient"].update(birthDate="2019"), "the age"),
    "no severity": (lambda p: _condition(p).pop("severity"), "the severity"),
    "no sites": (lambda p: _condition(p).pop("bodySite"), "the affected sites"),
    "an uncoded steroid": (
        lambda p: _medication(p).update(medicationCodeableConcept={"text": "mometasone"}),
        "the topical corticosteroid",
    ),
    "two different steroids": (
        lambda p: p["medications"]["entry"].append(
            {
                "resource": {
                    **_medication(p),
                    "medicationCodeableConcept": {
                        "coding": [{"system": codes.SYSTEM_TCS_AGENT, "code": agent_for("high")}]
                    },
                }
            }
        ),
        "which topical corticosteroid",
    ),
    "as needed": (
        lambda p: _medication(p)["dosageInstruction"][0].update(asNeededBoolean=True),
        "how often",
    ),
    "no start date": (lambda p: _medication(p).pop("authoredOn"), "how long"),
    "a stopped prescription": (lambda p: _medication(p).update(status="stopped"), "the topical"),
    "another patient's condition": (
        lambda p: _condition(p).update(subject={"reference": "Patient/someone-else"}),
        "the severity",
    ),
    "a refuted condition": (
        lambda p: _condition(p).update(verificationStatus={"coding": [{"code": "refuted"}]}),
        "the severity",
    ),
    "conditions null (none recorded)": (lambda p: p.update(conditions=None), "the severity"),
    "medications missing": (lambda p: p.pop("medications"), "the topical corticosteroid"),
}


@pytest.mark.parametrize("case", sorted(GAPS))
def test_too_little_or_unclear_data_gets_an_information_card_and_stores_nothing(ehr, case):
    change, gap = GAPS[case]

    response = ehr.post(SERVICE, _without(patient_view(make_input()), change))

    (card,) = response.json()["cards"]
    assert response.status_code == 200
    assert card["indicator"] == "info"
    assert f"Not in the record, or unclear:** {gap}" in card["detail"] or gap in card["detail"]
    assert "overrideReasons" not in card
    assert not Consultation.objects.exists()


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"hook": "order-sign", "hookInstance": "x", "context": {"patientId": "1"}}, "hook"),
        ({"hook": "patient-view", "context": {"patientId": "1"}}, "hookInstance"),
        ({"hook": "patient-view", "hookInstance": "x", "context": {}}, "context.patientId"),
        ([], "input"),
    ],
)
def test_a_request_that_is_not_cds_hooks_gets_400(ehr, body, path):
    response = ehr.post(SERVICE, body)

    assert response.status_code == 400
    assert path in [e["path"] for e in response.json()["errors"]]


def test_a_body_that_is_not_json_gets_400_and_a_huge_one_413(ehr, settings):
    assert ehr.post(SERVICE, b"\xff{").status_code == 400
    settings.CDS_MAX_BODY_BYTES = 100
    assert ehr.post(SERVICE, patient_view(make_input())).status_code == 413


def test_an_unknown_service_is_404(ehr):
    assert ehr.post("/cds-services/other", patient_view(make_input())).status_code == 404


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ({"alerts": [], "referrals": []}, "info"),
        ({"alerts": [{"level": "info"}], "referrals": [{"urgency": "routine"}]}, "info"),
        ({"alerts": [{"level": "warning"}], "referrals": []}, "warning"),
        ({"alerts": [], "referrals": [{"urgency": "within_2_weeks"}]}, "warning"),
        ({"alerts": [{"level": "critical"}], "referrals": []}, "critical"),
        ({"alerts": [{"level": "warning"}], "referrals": [{"urgency": "same_day"}]}, "critical"),
    ],
)
def test_the_indicator_follows_the_most_urgent_alert_or_referral(output, expected):
    assert indicator(output) == expected


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def _mutate(value, path: list[str], replacement):
    target = value
    for key in path[:-1]:
        target = target[key] if isinstance(target, dict) else target[int(key)]
    target[path[-1] if isinstance(target, dict) else int(path[-1])] = replacement


PLACES = [
    ["patient", "birthDate"],
    ["conditions", "entry", "0", "resource", "severity"],
    ["conditions", "entry", "0", "resource", "bodySite"],
    ["conditions", "entry", "0", "resource", "clinicalStatus"],
    ["conditions", "entry"],
    ["medications", "entry", "0", "resource", "dosageInstruction"],
    ["medications", "entry", "0", "resource", "medicationCodeableConcept"],
    ["medications", "entry", "0", "resource", "authoredOn"],
    ["medications", "entry", "0", "resource", "subject"],
    ["medications"],
    ["patient"],
]


# The client fixture holds no state between examples.
@hypothesis_settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.sampled_from(PLACES), JSON), min_size=1, max_size=3))
def test_whatever_the_prefetch_holds_the_answer_is_a_card_never_an_error(ehr, changes):
    request = patient_view(make_input())
    for path, value in changes:
        try:
            _mutate(request["prefetch"], path, value)
        except (KeyError, IndexError, TypeError, ValueError):
            continue

    response = ehr.post(SERVICE, request)

    assert response.status_code == 200, response.content
    assert len(response.json()["cards"]) == 1


def test_over_its_rate_limit_an_ehr_gets_429_and_unsigned_calls_spend_none_of_it(ehr, settings):
    settings.CDS_RATE_LIMIT = "2/min"
    request = patient_view(make_input())

    unsigned = [ehr.post(SERVICE, request, token=None).status_code for _ in range(3)]
    signed = [ehr.post(SERVICE, request) for _ in range(3)]

    assert unsigned == [401, 401, 401]
    assert [response.status_code for response in signed] == [200, 200, 429]
    assert int(signed[2]["Retry-After"]) >= 1
    assert signed[2].json()["detail"] == "Too many requests: wait, then try again."
