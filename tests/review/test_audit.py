"""The audit trail: history rows for every change, and completed consultations frozen."""

from __future__ import annotations

import pytest
from django.urls import reverse

from decision.models import Consultation, ConsultationConflict
from tests.review.conftest import complete_consultation

pytestmark = pytest.mark.django_db


def test_each_change_writes_a_history_row(clinician):
    consultation = Consultation.objects.create(created_by=clinician, patient_reference="A")
    consultation.patient_reference = "B"
    consultation.save()

    history = list(consultation.history.order_by("history_date"))
    assert [(row.history_type, row.patient_reference) for row in history] == [
        ("+", "A"),
        ("~", "B"),
    ]


def test_completion_is_in_the_history(clinician):
    consultation = complete_consultation(clinician)

    latest = consultation.history.latest("history_date")
    assert latest.status == "completed"
    assert latest.next_step_code == consultation.next_step_code
    assert latest.engine_output == consultation.engine_output


def test_the_web_records_who_made_the_change(clinician_client, clinician, own_case):
    response = clinician_client.post(reverse("consultation_copy", args=[own_case.pk]))
    copy = Consultation.objects.exclude(pk=own_case.pk).get()

    assert response.status_code == 302
    assert copy.history.get().history_user == clinician


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("patient_reference", "CHANGED"),
        ("next_step_code", "CHANGED"),
        ("most_urgent_referral", "same_day"),
        ("status", "draft"),
        ("has_red_flags", True),
        ("ruleset_version", "0"),
    ],
)
def test_a_completed_consultation_refuses_changes(clinician, field, value):
    consultation = Consultation.objects.get(pk=complete_consultation(clinician).pk)
    setattr(consultation, field, value)

    with pytest.raises(ConsultationConflict):
        consultation.save()

    stored = Consultation.objects.get(pk=consultation.pk)
    assert getattr(stored, field) != value
    assert stored.history.count() == 2  # created, completed: nothing more


def test_a_completed_snapshot_changed_in_place_is_refused(clinician):
    consultation = Consultation.objects.get(pk=complete_consultation(clinician).pk)
    consultation.engine_output["next_step"]["code"] = "WET_WRAP_THERAPY"

    with pytest.raises(ConsultationConflict):
        consultation.save()


def test_the_instance_that_completed_is_frozen_too(clinician):
    consultation = complete_consultation(clinician)
    consultation.answers = {}

    with pytest.raises(ConsultationConflict):
        consultation.save()


def test_saving_a_completed_consultation_even_unchanged_is_refused(clinician):
    consultation = Consultation.objects.get(pk=complete_consultation(clinician).pk)

    with pytest.raises(ConsultationConflict):
        consultation.save()


def test_drafts_stay_editable(clinician):
    draft = Consultation.objects.create(created_by=clinician, patient_reference="D")
    draft = Consultation.objects.get(pk=draft.pk)
    draft.answers = {"age_months": 12}
    draft.save()
    assert Consultation.objects.get(pk=draft.pk).answers == {"age_months": 12}
