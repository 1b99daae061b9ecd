"""The record: every change is a conditional UPDATE that raises the version, and the database
itself refuses to change or delete a completed consultation (triggers, migration 0012)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from decision.models import Consultation, ConsultationConflict, ConsultationQuerySet
from tests.review.conftest import complete_consultation

pytestmark = pytest.mark.django_db


def test_each_save_raises_the_version_and_writes_a_history_row_with_it(clinician):
    consultation = Consultation.objects.create(created_by=clinician, patient_reference="V-1")
    assert consultation.version == 1

    consultation.answers = {"age_months": 12}
    consultation.save()
    consultation.patient_reference = "V-2"
    consultation.save()

    stored = Consultation.objects.get(pk=consultation.pk)
    assert (stored.version, stored.patient_reference, stored.answers) == (
        3,
        "V-2",
        {"age_months": 12},
    )
    history = consultation.history.order_by("history_id")
    assert [(row.version, row.history_type) for row in history] == [(1, "+"), (2, "~"), (3, "~")]
    assert history.last().patient_reference == "V-2"


def test_a_save_from_an_older_version_is_refused_and_the_newer_one_kept(clinician):
    consultation = Consultation.objects.create(created_by=clinician, patient_reference="V-1")
    first_tab = Consultation.objects.get(pk=consultation.pk)
    second_tab = Consultation.objects.get(pk=consultation.pk)
    first_tab.answers = {"severity": "mild"}
    first_tab.save()

    second_tab.answers = {"severity": "severe"}
    with pytest.raises(ConsultationConflict):
        second_tab.save()

    stored = Consultation.objects.get(pk=consultation.pk)
    assert (stored.version, stored.answers) == (2, {"severity": "mild"})
    assert stored.history.count() == 2


def test_completing_stores_the_snapshot_in_the_same_versioned_update(clinician):
    consultation = complete_consultation(clinician)

    stored = Consultation.objects.get(pk=consultation.pk)
    assert stored.version == 2 and stored.is_completed
    completed = stored.history.get(version=2)
    assert completed.status == "completed"
    assert completed.engine_output == stored.engine_output


def _refused(operation) -> None:
    # A savepoint: on PostgreSQL an error would otherwise abort the test's whole transaction.
    with (
        pytest.raises(IntegrityError, match="a completed consultation cannot change"),
        transaction.atomic(),
    ):
        operation()


def test_the_database_refuses_any_update_of_a_completed_consultation(clinician):
    case = complete_consultation(clinician)
    rows = Consultation.objects.filter(pk=case.pk)

    _refused(lambda: rows.update(status="draft"))
    _refused(lambda: rows.update(answers={}))
    _refused(lambda: rows.update(updated_at=case.updated_at))  # even a no-op
    table = Consultation._meta.db_table

    def raw_sql() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET engine_output = NULL")

    _refused(raw_sql)
    stored = rows.get()
    assert stored.is_completed and stored.engine_output == case.engine_output


def test_the_database_refuses_to_delete_a_completed_consultation(clinician):
    case = complete_consultation(clinician)

    _refused(lambda: Consultation.objects.filter(pk=case.pk).delete())

    assert Consultation.objects.filter(pk=case.pk).exists()


def test_drafts_can_still_be_updated_and_deleted(clinician):
    draft = Consultation.objects.create(created_by=clinician, patient_reference="D-1")

    Consultation.objects.filter(pk=draft.pk).update(patient_reference="D-2")
    assert Consultation.objects.get(pk=draft.pk).patient_reference == "D-2"
    Consultation.objects.filter(pk=draft.pk).delete()
    assert not Consultation.objects.filter(pk=draft.pk).exists()


def test_code_that_forgets_the_draft_condition_still_cannot_change_a_completed_record(
    clinician, monkeypatch
):
    case = Consultation.objects.get(pk=complete_consultation(clinician).pk)
    original = ConsultationQuerySet.filter

    def forgetful(self, *args, **kwargs):
        kwargs.pop("status", None)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ConsultationQuerySet, "filter", forgetful)
    case.answers = {}

    # The trigger's refusal arrives as the same conflict the views already handle.
    with pytest.raises(ConsultationConflict):
        case.save()

    monkeypatch.undo()
    assert Consultation.objects.get(pk=case.pk).answers != {}
