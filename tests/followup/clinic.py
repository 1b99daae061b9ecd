"""A small clinic's month, for the outcome indicators, with the figures worked out BY HAND.

Days are counted back from today (T): the dashboard's default period is T-29 … T. Every visit is
completed at 10:00 on its day, through Consultation.complete() with the engine's real result.
Clinicians A and B; references are the only link between visits.

| visit | who | ref | day  | what                                     | next step (review) | POEM |
|-------|-----|-----|------|------------------------------------------|--------------------|------|
| V8    | A   | P6  | T-40 | seed: 7 y, moderate, TCS adequate        | START_TCI (14)     | —    |
| V1    | A   | P1  | T-28 | seed                                     | START_TCI (14)     | 12   |
| V9    | A   | P6  | T-25 | review of V8: followed, worse; TCI failed| WET_WRAP (7)       | —    |
| V3    | A   | P2  | T-20 | seed                                     | START_TCI (14)     | —    |
| V2    | A   | P1  | T-14 | review of V1: followed, no change        | WET_WRAP (7)       | 13   |
| V5    | B   | P3  | T-10 | severe, high potency adequate: referral  | WET_WRAP (7)       | 20   |
| V6    | B   | P4  | T-9  | low potency on the arms: inadequate      | OPTIMIZE_TCS (14)  | —    |
| V7    | A   | P5  | T-8  | face, adherence partial, TCI failed      | OPTIMIZE_TCS (14)  | 9    |
| V4    | A   | P2  | T-5  | review of V3: followed, better           | START_TCI (14)     | 6    |
| V10   | B   | P4  | T-2  | review of V6: followed, clear            | OPTIMIZE_TCS (14)  | 2    |
| V11   | A   | P3  | T-1  | seed (A sees B's patient P3)             | START_TCI (14)     | —    |
(WET_WRAP: WET_WRAP_THERAPY.) Also in the period, and never counted: a CDS Hooks card and a draft.

By hand:
1. POEM recorded: visits completed in T-29 … T are all but V8: 10; with POEM V1, V2, V5, V7,
   V4, V10: 6 → 60%.
2. Referrals for treatment failure: V5 (severe not responding; trial adequate) and V7 (facial
   eczema, TCI failed; trial inadequate) → 1 of 2 → 50%.
3. Response at review by the step reviewed: Start a TCI — V9 worse, V2 no change, V4 better →
   1 of 3 → 33.3%; Optimise the steroid — V10 clear → 1 of 1 → 100%.
4. Days to review: V9 15 (T-40 → T-25), V2 14, V4 15, V10 7 → sorted 7, 14, 15, 15 → median
   14.5 days (4 reviews).
5. Reviews overdue: review dates in T-29 … T-1: V8 T-26 (V9 later), V1 T-14 (V2 later), V9 T-18
   (none later), V3 T-6 (V4 later), V2 T-7 (none later), V5 T-3 (V11 later: another clinician,
   and the dashboard is the clinic's) → 2 of 6 → 33.3%. (V4 T+9, V6 T+5, V7 T+6, V10 T+12 and
   V11 T+13 are not due yet.)
Clinician B's own list of reviews due still holds P3 (V5): B cannot see A's later visit.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from unittest import mock

from django.utils import timezone

from decision.engine import evaluate, parse_assessment
from decision.models import EXTRAS_KEY, Consultation
from tests.helpers import make_input

EXPECTED = {
    "poem_recorded": [("All visits", 6, 10, "60%")],
    "failure_referrals_adequate_trial": [("All such referrals", 1, 2, "50%")],
    "response_at_review": [
        ("Optimise the steroid trial", 1, 1, "100%"),
        ("Start a TCI", 1, 3, "33.3%"),
    ],
    "days_to_review": [("All reviews", None, 4, "14.5 days")],
    "reviews_overdue": [("All reviews due", 2, 6, "33.3%")],
}
NEXT_STEPS = {
    "V1": "START_TCI",
    "V2": "WET_WRAP_THERAPY",
    "V3": "START_TCI",
    "V4": "START_TCI",
    "V5": "WET_WRAP_THERAPY",
    "V6": "OPTIMIZE_TCS",
    "V7": "OPTIMIZE_TCS",
    "V8": "START_TCI",
    "V9": "WET_WRAP_THERAPY",
    "V10": "OPTIMIZE_TCS",
    "V11": "START_TCI",
}


def moment(days_ago: int) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(10)))


def visit(
    user: Any,
    reference: str,
    days_ago: int,
    data: dict[str, Any],
    poem: list[int] | None = None,
    review_of: Consultation | None = None,
    review: dict[str, str] | None = None,
    extras: dict[str, Any] | None = None,
) -> Consultation:
    """A consultation completed `days_ago` days ago at 10:00 with the engine's real result."""
    answers = {**data, EXTRAS_KEY: {**(extras or {})}}
    if poem is not None:
        answers[EXTRAS_KEY]["poem"] = poem
    if review is not None:
        answers[EXTRAS_KEY]["review"] = review
    consultation = Consultation(
        created_by=user, patient_reference=reference, answers=answers, review_of=review_of
    )
    consultation.sync_columns()
    with mock.patch("django.utils.timezone.now", return_value=moment(days_ago)):
        consultation.save()
        assessment = parse_assessment(consultation.engine_input_from_answers())
        consultation.complete(assessment.to_dict(), evaluate(assessment).to_dict())
    return consultation


FOLLOWED = {"followed": "yes", "side_effects": "none"}
TCI_FAILED = {"tried": {"tci": "inadequate_response"}}


def build(clinician_a: Any, clinician_b: Any) -> dict[str, Consultation]:
    seed = make_input()
    v: dict[str, Consultation] = {}
    v["V8"] = visit(clinician_a, "P6", 40, seed)
    v["V1"] = visit(clinician_a, "P1", 28, seed, poem=[2, 2, 1, 1, 2, 2, 2])
    v["V9"] = visit(
        clinician_a, "P6", 25, make_input(**TCI_FAILED),
        review_of=v["V8"], review={**FOLLOWED, "response": "worse"},
    )  # fmt: skip
    v["V3"] = visit(clinician_a, "P2", 20, seed)
    v["V2"] = visit(
        clinician_a, "P1", 14, make_input(**TCI_FAILED), poem=[2, 2, 1, 1, 2, 2, 3],
        review_of=v["V1"], review={**FOLLOWED, "response": "no_change"},
    )  # fmt: skip
    severe = make_input(severity="severe", sites=["arms", "trunk"], current_tcs={"potency": "high"})
    v["V5"] = visit(clinician_b, "P3", 10, severe, poem=[3, 3, 3, 3, 3, 3, 2])
    low_on_arms = make_input(sites=["arms"], current_tcs={"potency": "low"})
    v["V6"] = visit(clinician_b, "P4", 9, low_on_arms)
    face = make_input(
        sites=["face"],
        current_tcs={"potency": "low", "adherence": "partial"},
        **TCI_FAILED,
    )
    v["V7"] = visit(clinician_a, "P5", 8, face, poem=[2, 1, 1, 1, 1, 1, 2])
    v["V4"] = visit(
        clinician_a, "P2", 5, make_input(tried={"tci": "helped"}), poem=[1, 1, 1, 1, 1, 1, 0],
        review_of=v["V3"], review={**FOLLOWED, "response": "better"},
    )  # fmt: skip
    v["V10"] = visit(
        clinician_b, "P4", 2, low_on_arms, poem=[1, 1, 0, 0, 0, 0, 0],
        review_of=v["V6"], review={**FOLLOWED, "response": "clear"},
    )  # fmt: skip
    v["V11"] = visit(clinician_a, "P3", 1, seed)
    # Never counted: a card shown in an EHR, and a draft.
    visit(clinician_a, "EHR-0001", 3, seed, extras={"source": "cds-hooks"})
    Consultation.objects.create(created_by=clinician_a, patient_reference="P7", answers=seed)
    return v
