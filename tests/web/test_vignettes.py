"""The seed-like vignettes entered step by step through the forms give the engine's result."""

from __future__ import annotations

import copy

import pytest

from decision.engine import SITES, evaluate, parse_assessment
from decision.models import Consultation
from tests.engine.contract import skeleton
from tests.helpers import vignettes
from tests.web.journey import complete, enter

pytestmark = pytest.mark.django_db

WEB_VIGNETTES = ("seed-ped", "seed-tcs-severe", "herpeticum-eyes", "infant-18m")
BY_ID = {vignette["id"]: vignette for vignette in vignettes()}


def _as_the_form_stores_it(data: dict) -> dict:
    # Tick boxes arrive in page order, so the form stores sites in the contract's order.
    data = copy.deepcopy(data)
    data["sites"] = [site for site in SITES if site in data["sites"]]
    return data


@pytest.mark.parametrize("vignette_id", WEB_VIGNETTES)
def test_a_vignette_entered_through_the_forms_gives_the_engines_result(
    clinician_client, vignette_id
):
    vignette = BY_ID[vignette_id]
    consultation = enter(clinician_client, vignette["input"], reference=vignette_id)

    response = complete(clinician_client, consultation)

    assert response.status_code == 302
    assert response["Location"].endswith(f"/consultations/{consultation.pk}/result/")
    consultation.refresh_from_db()
    expected_input = parse_assessment(_as_the_form_stores_it(vignette["input"]))
    assert consultation.status == Consultation.Status.COMPLETED
    assert consultation.engine_input == expected_input.to_dict()
    assert consultation.engine_output == evaluate(expected_input).to_dict()
    assert skeleton(consultation.engine_output) == vignette["expect"]


@pytest.mark.parametrize("vignette_id", WEB_VIGNETTES)
def test_the_result_page_shows_the_vignettes_recommendation(clinician_client, vignette_id):
    vignette = BY_ID[vignette_id]
    consultation = enter(clinician_client, vignette["input"], reference=vignette_id)
    complete(clinician_client, consultation)
    consultation.refresh_from_db()
    output = consultation.engine_output

    response = clinician_client.get(f"/consultations/{consultation.pk}/result/")

    html = response.content.decode()
    assert response.status_code == 200
    assert output["next_step"]["title"] in html
    for alternative in output["alternatives"]:
        assert alternative["title"] in html
    for referral in output["referrals"]:
        assert referral["reasons"][0] in html
    for alert in output["alerts"]:
        assert alert["text"] in html
    assert "Advisory only: this tool supports, and never replaces, clinical judgement." in html
    assert f"Rule set {output['ruleset_version']}" in html


def test_the_columns_hold_the_snapshot_for_querying(clinician_client):
    vignette = BY_ID["herpeticum-eyes"]
    consultation = enter(clinician_client, vignette["input"])
    complete(clinician_client, consultation)
    consultation.refresh_from_db()

    assert consultation.age_months == 36
    assert consultation.severity == "moderate"
    assert consultation.has_red_flags
    assert consultation.herpeticum_signs and consultation.systemically_unwell
    assert not consultation.infection_signs
    assert consultation.next_step_code == "URGENT_REFERRAL"
    assert consultation.most_urgent_referral == "same_day"
    assert consultation.ruleset_version == consultation.engine_output["ruleset_version"]
    assert consultation.completed_at is not None


def test_urgent_alerts_come_first_on_the_result_page(clinician_client):
    vignette = BY_ID["herpeticum-eyes"]
    consultation = enter(clinician_client, vignette["input"])
    complete(clinician_client, consultation)

    html = clinician_client.get(f"/consultations/{consultation.pk}/result/").content.decode()

    assert html.index("Alerts") < html.index("Next step")
