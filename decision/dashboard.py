"""The review dashboard's figures: what was advised and what clinicians did with it.

Every figure is aggregated by the database (values + annotate + Count), so the page costs the same
handful of queries with ten consultations or a hundred thousand. Only completed consultations count:
a draft has no advice yet. The period is by completion date, in the site's time zone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout
from django import forms
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from decision import labels
from decision.models import Consultation, Feedback
from eczema_site.form_helpers import submit

DEFAULT_DAYS = 30
RED_FLAG_LIMIT = 50
# No consultation predates the tool; bounding the dates also keeps date arithmetic in range.
EARLIEST = date(2000, 1, 1)
NO_REFERRAL = "none"

# The chart's drawing, in SVG user units (the viewBox scales it to the page).
CHART_WIDTH = 640
CHART_LABEL_WIDTH = 230
CHART_VALUE_WIDTH = 60
CHART_BAR_HEIGHT = 22
CHART_GAP = 10


class DatePicker(forms.DateInput):
    """<input type=date>, which holds only a real ISO date: anything else typed into the URL is
    left out of the value (as a browser would drop it), and the field's error says it."""

    input_type = "date"

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, date):
            return value.isoformat()
        try:
            return date.fromisoformat(value).isoformat() if value else None
        except (TypeError, ValueError):
            return None


class PeriodForm(forms.Form):
    """The dashboard's date range, from GET; both ends inclusive."""

    start = forms.DateField(label="From", required=False, widget=DatePicker)
    end = forms.DateField(label="To", required=False, widget=DatePicker)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Show the default period in the date boxes (as ISO strings: what <input type=date> takes).
        start, end = self.period_from({})
        self.initial.setdefault("start", start.isoformat())
        self.initial.setdefault("end", end.isoformat())
        # The page's <form> also holds links to other periods and the CSV download: the template
        # writes the tag, crispy the fields and the button, in a row of columns.
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Div("start", css_class="col-auto"),
            Div("end", css_class="col-auto"),
            Div(submit("Show"), css_class="col-auto mb-3"),
        )

    def _clean_date(self, name: str) -> date | None:
        value = self.cleaned_data.get(name)
        if value is not None and not EARLIEST <= value <= timezone.localdate() + timedelta(
            days=366
        ):
            raise forms.ValidationError("Enter a date between 2000 and next year.")
        return value

    def clean_start(self) -> date | None:
        return self._clean_date("start")

    def clean_end(self) -> date | None:
        return self._clean_date("end")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        start, end = self.period_from(cleaned)
        if start > end:
            raise forms.ValidationError("The start date must be on or before the end date.")
        return cleaned

    @staticmethod
    def period_from(cleaned: dict[str, Any]) -> tuple[date, date]:
        end = cleaned.get("end") or timezone.localdate()
        start = cleaned.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        return start, end

    def period(self) -> tuple[date, date]:
        """The chosen period; the last 30 days when nothing (or nothing valid) was chosen."""
        if self.is_bound and self.is_valid():
            return self.period_from(self.cleaned_data)
        return self.period_from({})


def last_month(today: date) -> tuple[date, date]:
    """The calendar month before today's: the period a monthly audit reports on."""
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    count: int
    percent: float


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    y: int
    text_y: int
    width: int
    value_x: int
    css_class: str


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    bar_x: int
    bars: list[Bar]


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    total: int
    red_flag_total: int
    by_next_step: list[Row]
    by_referral: list[Row]
    feedback_total: int
    by_outcome: list[Row]
    overridden: int
    override_rate: float | None
    override_reasons: list[Row]
    red_flag_cases: list[Consultation]
    chart: Chart
    since: datetime = field(repr=False)
    until: datetime = field(repr=False)


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[since, until) in the site's time zone: a range the completed_at index can use."""
    zone = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.combine(start, time.min), zone)
    until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone)
    return since, until


def completed_between(since: datetime, until: datetime) -> QuerySet[Consultation]:
    return Consultation.objects.completed().filter(completed_at__gte=since, completed_at__lt=until)


def percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _rows(counts: dict[Any, int], labelled: dict[str, str], total: int) -> list[Row]:
    """One row per known code in table order (zeros included), then any unknown codes."""
    rows = [
        Row(code, name, counts.get(code, 0), percent(counts.get(code, 0), total))
        for code, name in labelled.items()
    ]
    for code in sorted(set(counts) - set(labelled), key=str):
        rows.append(
            Row(
                str(code),
                labels.label(code) or str(code),
                counts[code],
                percent(counts[code], total),
            )
        )
    return rows


def _add(counts: dict[str, int], key: str, count: int) -> None:
    counts[key] = counts.get(key, 0) + count


def build(start: date, end: date) -> Report:
    since, until = bounds(start, end)
    consultations = completed_between(since, until)

    # One pass over the period: every figure is a sum over these few groups (at most
    # steps × urgencies × feedback outcomes and reasons), whatever the number of consultations.
    groups = (
        consultations.order_by()
        .values("next_step_code", "most_urgent_referral", "feedback__outcome", "feedback__reason")
        .annotate(count=Count("pk"), red_flags=Count("pk", filter=Q(has_red_flags=True)))
    )
    step_counts: dict[str, int] = {}
    referral_counts: dict[str, int] = {}
    outcome_counts: dict[str, int] = {}
    reason_counts: dict[str, int] = {}
    red_flag_total = 0
    for group in groups:
        count = group["count"]
        red_flag_total += group["red_flags"]
        _add(step_counts, group["next_step_code"], count)
        _add(referral_counts, group["most_urgent_referral"] or NO_REFERRAL, count)
        outcome = group["feedback__outcome"]
        if outcome is not None:
            _add(outcome_counts, outcome, count)
            if outcome in Feedback.OVERRIDES:
                _add(reason_counts, group["feedback__reason"], count)
    total = sum(step_counts.values())
    feedback_total = sum(outcome_counts.values())
    overridden = sum(reason_counts.values())

    red_flag_cases = list(
        consultations.filter(has_red_flags=True)
        .select_related("created_by", "feedback", "prescription")
        .defer("answers", "engine_input", "engine_output")
        .order_by("-completed_at")[:RED_FLAG_LIMIT]
    )

    by_next_step = _rows(step_counts, labels.STEP_CODES, total)
    return Report(
        start=start,
        end=end,
        total=total,
        red_flag_total=red_flag_total,
        by_next_step=by_next_step,
        by_referral=_rows(referral_counts, {**labels.URGENCIES, NO_REFERRAL: "No referral"}, total),
        feedback_total=feedback_total,
        by_outcome=_rows(outcome_counts, dict(Feedback.Outcome.choices), feedback_total),
        overridden=overridden,
        override_rate=percent(overridden, feedback_total) if feedback_total else None,
        override_reasons=_rows(reason_counts, dict(Feedback.Reason.choices), overridden),
        red_flag_cases=red_flag_cases,
        chart=bar_chart("Consultations by next step", by_next_step),
        since=since,
        until=until,
    )


CSV_HEADER = ("From", "To", "Table", "Code", "Label", "Count", "Percent", "Percent of")


def csv_rows(report: Report) -> Iterator[list[Any]]:
    """The dashboard's figures as one long table: a row per figure, each with its period."""
    period = [report.start.isoformat(), report.end.isoformat()]
    consultations, with_feedback = "consultations", "consultations with feedback"
    totals = [
        ("consultations", "Consultations", report.total, "", ""),
        ("red_flags", "With red flags", report.red_flag_total,
         percent(report.red_flag_total, report.total), consultations),
        ("feedback", "With feedback", report.feedback_total,
         percent(report.feedback_total, report.total), consultations),
        ("overridden", "Modified or not followed (override rate)", report.overridden,
         "" if report.override_rate is None else report.override_rate, with_feedback),
    ]  # fmt: skip
    for code, label, count, share, of in totals:
        yield [*period, "Totals", code, label, count, share, of]
    tables = [
        ("By next step", report.by_next_step, consultations),
        ("By most urgent referral", report.by_referral, consultations),
        ("What clinicians did", report.by_outcome, with_feedback),
        ("Why advice was modified or not followed", report.override_reasons,
         "consultations modified or not followed"),
    ]  # fmt: skip
    for table, rows, of in tables:
        for row in rows:
            yield [*period, table, row.code, row.label, row.count, row.percent, of]


def bar_chart(title: str, rows: list[Row]) -> Chart:
    """A horizontal bar chart drawn on the server: plain SVG, coloured by CSS classes."""
    biggest = max((row.count for row in rows), default=0)
    bar_x = CHART_LABEL_WIDTH
    room = CHART_WIDTH - CHART_LABEL_WIDTH - CHART_VALUE_WIDTH
    bars = []
    for index, row in enumerate(rows):
        y = CHART_GAP + index * (CHART_BAR_HEIGHT + CHART_GAP)
        # A zero still gets a sliver, so every row visibly has a bar slot.
        width = max(1, round(room * row.count / biggest)) if biggest else 1
        bars.append(
            Bar(
                label=row.label,
                count=row.count,
                y=y,
                text_y=y + CHART_BAR_HEIGHT - 6,
                width=width,
                value_x=bar_x + width + 6,
                css_class=f"chart-bar-{index % 8 + 1}",
            )
        )
    height = CHART_GAP + len(rows) * (CHART_BAR_HEIGHT + CHART_GAP)
    return Chart(title=title, width=CHART_WIDTH, height=height, bar_x=bar_x, bars=bars)
