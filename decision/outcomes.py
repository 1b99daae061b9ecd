"""Outcome indicators for the review dashboard (issue 13): did stepping up work?

Each indicator is one grouped query on decision.models.Visit (a completed consultation made
through the questionnaire; CDS Hooks cards are not visits), so the dashboard costs the same
queries for ten visits or a hundred thousand. The median needs the values themselves: one query
returns them sorted (one small column), and the middle is taken here; that is the same on SQLite
and PostgreSQL. Each definition below is shown on the page and written into the CSV.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from decision import labels
from decision.models import TREATMENT_FAILURE_REASONS, Visit
from decision.questionnaire import REVIEW_RESPONSE

IMPROVED = ("clear", "better")


@dataclass(frozen=True)
class Row:
    """One figure: `part` of `whole`, or a value (days) over `whole` visits."""

    group: str
    part: int | None
    whole: int
    value: float | None  # a percentage, or days for the median
    unit: str  # "%" or "days"

    @property
    def shown(self) -> str:
        if self.value is None:
            return "–"
        return f"{self.value:g}%" if self.unit == "%" else f"{self.value:g} days"


@dataclass(frozen=True)
class Indicator:
    key: str
    title: str
    definition: str
    rows: list[Row]


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def median(values: list[int]) -> float | None:
    """The middle of sorted values (the mean of the two middle ones for an even count)."""
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return float(values[middle])
    return (values[middle - 1] + values[middle]) / 2


def _response_names() -> str:
    return " or ".join(f"“{o.label.lower()}”" for o in REVIEW_RESPONSE if o.code in IMPROVED)


def poem_recorded(since: datetime, until: datetime) -> Indicator:
    counts = Visit.objects.filter(completed_at__gte=since, completed_at__lt=until).aggregate(
        whole=Count("pk"), part=Count("pk", filter=Q(poem_total__isnull=False))
    )
    return Indicator(
        "poem_recorded",
        "POEM recorded",
        "Of the visits completed in the period (first visits and reviews), the share with all "
        "seven POEM items answered.",
        [Row("All visits", counts["part"], counts["whole"], percent(**counts), "%")],
    )


def failure_referrals_after_adequate_trial(since: datetime, until: datetime) -> Indicator:
    counts = Visit.objects.filter(
        completed_at__gte=since, completed_at__lt=until, failure_referral=True
    ).aggregate(whole=Count("pk"), part=Count("pk", filter=Q(adequate_trial=True)))
    return Indicator(
        "failure_referrals_adequate_trial",
        "Referrals for treatment failure after an adequate steroid trial",
        "A referral for treatment failure is a visit completed in the period whose result refers "
        "the patient with one of these reasons: severe eczema not responding to optimum topical "
        "therapy; phototherapy or systemic therapy because topical options are exhausted or "
        "unsuitable; under 2 years with eczema not controlled by an adequate steroid trial; "
        "facial eczema not responding after a TCI failed or was not tolerated (rule-set reason "
        f"codes {', '.join(TREATMENT_FAILURE_REASONS)}). An infection treated without response "
        "is not counted. The share is of those whose result found the topical steroid trial "
        "adequate.",
        [Row("All such referrals", counts["part"], counts["whole"], percent(**counts), "%")],
    )


def response_by_step(since: datetime, until: datetime) -> Indicator:
    groups = (
        Visit.objects.filter(completed_at__gte=since, completed_at__lt=until)
        .exclude(response="")
        .values("reviewed_step_code")
        .annotate(whole=Count("pk"), part=Count("pk", filter=Q(response__in=IMPROVED)))
        .order_by("reviewed_step_code")
    )
    by_code = {group["reviewed_step_code"]: group for group in groups}
    order = [code for code in labels.STEP_CODES if code in by_code]
    order += sorted(set(by_code) - set(order))
    rows = [
        Row(
            labels.label(code) or "Not recorded",
            by_code[code]["part"],
            by_code[code]["whole"],
            percent(by_code[code]["part"], by_code[code]["whole"]),
            "%",
        )
        for code in order
    ]
    return Indicator(
        "response_at_review",
        "Response at review, by the step reviewed",
        "Of the review visits completed in the period, grouped by the next step of the visit "
        f"they review, the share whose response was {_response_names()}.",
        rows,
    )


def days_to_review(since: datetime, until: datetime) -> Indicator:
    days = list(
        Visit.objects.filter(
            completed_at__gte=since, completed_at__lt=until, interval_days__isnull=False
        )
        .order_by("interval_days")
        .values_list("interval_days", flat=True)
    )
    return Indicator(
        "days_to_review",
        "Days from consultation to review",
        "Of the review visits completed in the period, the median number of days since the "
        "visit they review (calendar days between the two completion dates).",
        [Row("All reviews", None, len(days), median(days), "days")],
    )


def reviews_overdue(start: date, end: date, today: date) -> Indicator:
    """Review dates in the period and before today; overdue while the patient has no later
    visit (by any clinician: the dashboard is the clinic's)."""
    later = Visit.objects.filter(
        patient_reference=OuterRef("patient_reference"), completed_at__gt=OuterRef("completed_at")
    )
    last = min(end, today - timedelta(days=1))
    counts = Visit.objects.filter(review_due_on__gte=start, review_due_on__lte=last).aggregate(
        whole=Count("pk"), part=Count("pk", filter=~Exists(later))
    )
    return Indicator(
        "reviews_overdue",
        "Reviews overdue",
        "Of the visits whose review date (the completion date plus the result's review "
        "interval) falls in the period and before today, the share whose patient (the same "
        "clinic reference) has had no later visit by any clinician.",
        [Row("All reviews due", counts["part"], counts["whole"], percent(**counts), "%")],
    )


def build(start: date, end: date, since: datetime, until: datetime) -> list[Indicator]:
    return [
        poem_recorded(since, until),
        failure_referrals_after_adequate_trial(since, until),
        response_by_step(since, until),
        days_to_review(since, until),
        reviews_overdue(start, end, timezone.localdate()),
    ]


CSV_HEADER = ("indicator", "group", "count", "of", "value", "unit", "definition")


def csv_rows(indicators: list[Indicator]) -> list[list[Any]]:
    return [
        [
            indicator.title,
            row.group,
            "" if row.part is None else row.part,
            row.whole,
            "" if row.value is None else row.value,
            row.unit,
            indicator.definition,
        ]
        for indicator in indicators
        for row in indicator.rows
    ]
