"""The visit row written at completion, and the migration that added those of older records."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone

from decision.engine import evaluate_stage_a, parse_stage_a
from decision.models import Consultation, Visit, failure_referral, poem_total
from tests.followup.clinic import visit
from tests.helpers import make_input

MIGRATION = import_module("decision.migrations.0011_visits")


@pytest.mark.parametrize(
    ("poem", "total"),
    [
        ([0, 0, 0, 0, 0, 0, 0], 0),
        ([4, 4, 4, 4, 4, 4, 4], 28),
        ([1, 2, 3, 4, 0, 1, 2], 13),
        ([1, 2, 3, 4, 0, 1, None], None),  # one item unanswered: no score
        (None, None),
        ([], None),
    ],
)
def test_poem_is_scored_only_with_all_seven_items(poem, total):
    assert poem_total({"poem": poem}) == total
    assert MIGRATION._poem_total({"poem": poem}) == total


REFERRALS = [
    ([{"code": "DERMATOLOGY", "reason_codes": ["SPECIALIST_ESCALATION"], "reasons": []}], True),
    ([{"code": "DERMATOLOGY", "reason_codes": ["PSYCHOSOCIAL"], "reasons": []}], False),
    ([{"code": "DERMATOLOGY", "reason_codes": ["INFECTION_UNRESPONSIVE"], "reasons": []}], False),
    # Rule set 2026.11 gave no reason codes: the wording says it.
    (
        [
            {
                "code": "DERMATOLOGY",
                "reasons": ["Severe eczema not responding to optimum topical therapy."],
            }
        ],
        True,
    ),
    ([{"code": "ALLERGY", "reasons": ["Documented food allergy (immediate reactions)."]}], False),
    ([], False),
]


@pytest.mark.parametrize(("referrals", "expected"), REFERRALS)
def test_referrals_for_treatment_failure_are_told_by_their_reasons(referrals, expected):
    assert failure_referral({"referrals": referrals}) is expected
    assert MIGRATION._failure_referral({"referrals": referrals}) is expected


def test_a_card_shown_in_an_ehr_is_not_a_visit(clinician):
    card = visit(clinician, "EHR-1", 1, make_input(), extras={"source": "cds-hooks"})
    assert card.is_completed
    assert not Visit.objects.filter(pk=card.pk).exists()


def test_the_migration_adds_the_visits_of_records_completed_before(clinician):
    first = visit(clinician, "PT-1", 20, make_input(), poem=[1] * 7)
    severe = visit(
        clinician, "PT-2", 5, make_input(severity="severe", current_tcs={"potency": "high"})
    )
    visit(clinician, "EHR-1", 1, make_input(), extras={"source": "cds-hooks"})
    Consultation.objects.create(created_by=clinician, patient_reference="PT-3", answers={})
    made = {v.pk: v for v in Visit.objects.all()}
    Visit.objects.all().delete()

    MIGRATION.add_visits(apps, None)

    added = {v.pk: v for v in Visit.objects.all()}
    assert set(added) == {first.pk, severe.pk}
    fields = [f.attname for f in Visit._meta.concrete_fields]
    for pk, row in added.items():
        assert {f: getattr(row, f) for f in fields} == {f: getattr(made[pk], f) for f in fields}
    assert added[severe.pk].failure_referral is True
    assert added[first.pk].poem_total == 7


def test_a_stage_a_only_result_has_its_review_from_its_instructions(clinician):
    facts = parse_stage_a({"age_months": 36, "red_flags": {"herpeticum_signs": True}})
    output = evaluate_stage_a(facts).to_dict()
    assert "follow_up" not in output
    consultation = Consultation(
        created_by=clinician, patient_reference="FAST-1", answers={"age_months": 36}
    )
    consultation.sync_columns()
    consultation.save()
    consultation.complete(facts.to_dict(), output, fast_path=True)
    visit = Visit.objects.get(pk=consultation.pk)
    assert visit.next_step_code == "URGENT_REFERRAL"
    assert visit.review_due_on == timezone.localdate(consultation.completed_at)  # 0 days
    assert visit.adequate_trial is None
    assert visit.failure_referral is False
