"""Fixtures for the review tests: people in each role and completed consultations."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from decision import roles
from decision.engine import evaluate, parse_assessment
from decision.models import Consultation, Feedback
from tests.helpers import make_input

PASSWORD = "not-used-1234"


@pytest.fixture
def reviewer(django_user_model):
    user = django_user_model.objects.create_user(username="reviewer", password=PASSWORD)
    roles.grant(user, roles.REVIEWER)
    return user


@pytest.fixture
def site_admin(django_user_model):
    return django_user_model.objects.create_superuser(username="admin", password=PASSWORD)


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.fixture
def admin_client(client, site_admin):
    client.force_login(site_admin)
    return client


def complete_consultation(
    user: Any,
    reference: str = "REF-1",
    completed_at: datetime | None = None,
    **changes: Any,
) -> Consultation:
    """A consultation completed through the model, with the engine's real result."""
    data = make_input(**changes)
    assessment = parse_assessment(data)
    consultation = Consultation(created_by=user, patient_reference=reference, answers=data)
    consultation.sync_columns()
    consultation.save()
    consultation.complete(assessment.to_dict(), evaluate(assessment).to_dict(), completed_at)
    return consultation


@pytest.fixture
def own_case(clinician):
    return complete_consultation(clinician, reference="OWN-1")


@pytest.fixture
def others_case(other_clinician):
    return complete_consultation(other_clinician, reference="OTHER-1")


@pytest.fixture
def others_draft(other_clinician):
    draft = Consultation(created_by=other_clinician, patient_reference="OTHER-DRAFT")
    draft.save()
    return draft


STEP_CYCLE = (
    "URGENT_REFERRAL",
    "TREAT_INFECTION",
    "OPTIMIZE_TCS",
    "OPTIMIZE_TCS",
    "START_TCI",
)
REFERRAL_CYCLE = ("same_day", None, None, "routine", "within_2_weeks")
OUTCOME_CYCLE = (
    ("followed", ""),
    ("modified", "patient_preference"),
    ("not_followed", "not_available"),
    None,
    ("followed", ""),
)


def bulk_cases(user: Any, count: int, days_ago: int = 1) -> list[Consultation]:
    """`count` completed consultations in a repeating pattern, without the engine (fast).

    Per five cases: next steps URGENT_REFERRAL, TREAT_INFECTION, OPTIMIZE_TCS ×2, START_TCI;
    referrals same_day, none, none, routine, within_2_weeks; red flags on the first two;
    feedback followed, modified (patient_preference), not_followed (not_available), none,
    followed.
    """
    moment = timezone.now() - timedelta(days=days_ago)
    cases = [
        Consultation(
            created_by=user,
            patient_reference=f"BULK-{index}",
            status=Consultation.Status.COMPLETED,
            next_step_code=STEP_CYCLE[index % 5],
            most_urgent_referral=REFERRAL_CYCLE[index % 5],
            has_red_flags=index % 5 < 2,
            herpeticum_signs=index % 5 == 0,
            infection_signs=index % 5 == 1,
            ruleset_version="test",
            engine_output={},
            completed_at=moment,
        )
        for index in range(count)
    ]
    Consultation.objects.bulk_create(cases, batch_size=1000)
    feedback = [
        Feedback(
            consultation=case,
            outcome=OUTCOME_CYCLE[index % 5][0],
            reason=OUTCOME_CYCLE[index % 5][1],
            recorded_by=user,
        )
        for index, case in enumerate(cases)
        if OUTCOME_CYCLE[index % 5] is not None
    ]
    Feedback.objects.bulk_create(feedback, batch_size=1000)
    return cases
