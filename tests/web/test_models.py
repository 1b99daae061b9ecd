from __future__ import annotations

import pytest

from decision.models import Consultation

pytestmark = pytest.mark.django_db


def test_answers_are_copied_into_queryable_columns(clinician):
    consultation = Consultation(created_by=clinician, patient_reference="M1")

    consultation.update_answers(
        {"age_months": 40, "red_flags": {"infection_unresponsive": True}, "severity": "mild"},
        {"tcs_agent": None},
    )

    assert consultation.age_months == 40
    assert consultation.severity == "mild"
    assert consultation.infection_unresponsive and consultation.has_red_flags
    assert not consultation.herpeticum_signs
    assert consultation.extras == {"tcs_agent": None}


def test_the_engine_input_leaves_out_the_questionnaire_extras(clinician):
    consultation = Consultation(created_by=clinician, patient_reference="M1")
    consultation.update_answers({"age_months": 40}, {"poem": [1] * 7})

    assert consultation.engine_input_from_answers() == {"age_months": 40}


@pytest.mark.parametrize(
    ("urgencies", "most_urgent"),
    [
        ([], None),
        (["routine"], "routine"),
        (["routine", "within_2_weeks"], "within_2_weeks"),
        (["routine", "same_day", "within_2_weeks"], "same_day"),
    ],
)
def test_completing_keeps_the_most_urgent_referral(clinician, urgencies, most_urgent):
    consultation = Consultation.objects.create(created_by=clinician, patient_reference="M1")
    output = {
        "ruleset_version": "2026.11",
        "next_step": {"code": "START_TCI"},
        "referrals": [{"code": "DERMATOLOGY", "urgency": u} for u in urgencies],
    }

    consultation.complete({"age_months": 1}, output)

    consultation.refresh_from_db()
    assert consultation.most_urgent_referral == most_urgent
    assert consultation.next_step_code == "START_TCI"
    assert consultation.ruleset_version == "2026.11"
    assert consultation.is_completed


def test_the_primary_key_is_a_uuid_not_a_counter(clinician):
    first = Consultation.objects.create(created_by=clinician, patient_reference="A")
    second = Consultation.objects.create(created_by=clinician, patient_reference="B")

    assert len(str(first.pk)) == 36
    assert first.pk != second.pk
