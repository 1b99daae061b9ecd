"""Reading the record: age in completed months, daily frequency and course length, each read the
conservative way (never rounded up, never guessed)."""

from __future__ import annotations

from datetime import date

import pytest

from decision.cds import codes
from decision.cds.prefetch import _per_day, _weeks, age_in_months, read

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("birth", "months"),
    [
        (date(2026, 11, 27), 0),
        (date(2026, 10, 28), 0),
        (date(2026, 10, 27), 1),
        (date(2019, 11, 27), 84),
        (date(2019, 11, 28), 83),
        (date(2024, 2, 29), 32),
    ],
)
def test_age_is_in_completed_months(birth, months):
    assert age_in_months(birth, TODAY) == months


def repeat(**fields) -> dict:
    return {"timing": {"repeat": fields}}


@pytest.mark.parametrize(
    ("dosage", "per_day"),
    [
        (repeat(frequency=2, period=1, periodUnit="d"), 2),
        (repeat(frequency=1, periodUnit="d"), 1),
        (repeat(frequency=3, period=1, periodUnit="wk"), 0),  # less than daily: 0, not rounded up
        (repeat(frequency=1, period=12, periodUnit="h"), 2),
        (repeat(frequency=6, period=1, periodUnit="d"), None),  # beyond the contract's 4
        (repeat(frequency=2, period=1, periodUnit="mo"), None),
        (repeat(frequency=2, period=0, periodUnit="d"), None),
        ({"timing": {"code": {"coding": [{"system": codes.GTS_ABBREVIATION, "code": "BID"}]}}}, 2),
        ({"timing": {"code": {"coding": [{"system": "other", "code": "BID"}]}}}, None),
        ({**repeat(frequency=2, period=1, periodUnit="d"), "asNeededBoolean": True}, None),
        ({}, None),
        ({"timing": "twice a day"}, None),
    ],
)
def test_the_daily_frequency_is_read_from_the_dosage(dosage, per_day):
    assert _per_day(dosage) == per_day


@pytest.mark.parametrize(
    ("request_fields", "dosage", "weeks"),
    [
        ({"authoredOn": "2026-11-06"}, {}, 3.0),
        ({"authoredOn": "2026-11-17T09:30:00Z"}, {}, 1.4),  # 10 days: 1.43, rounded down
        ({"authoredOn": "2026-01-01"}, repeat(boundsDuration={"value": 4, "code": "wk"}), 4.0),
        ({"authoredOn": "2026-01-01"}, repeat(boundsDuration={"value": 10, "unit": "d"}), 1.4),
        ({}, repeat(boundsPeriod={"start": "2026-11-13"}), 2.0),
        ({"authoredOn": "2026-12-01"}, {}, None),  # in the future
        ({"authoredOn": "2026"}, {}, None),
        ({}, {}, None),
    ],
)
def test_the_course_length_is_read_from_the_prescription(request_fields, dosage, weeks):
    assert _weeks(request_fields, dosage, TODAY) == weeks


def test_nothing_at_all_gives_every_gap():
    findings = read({}, "1", TODAY)

    assert not findings.complete
    assert [gap.split(" (")[0] for gap in findings.gaps] == [
        "the age", "the severity", "the topical corticosteroid", "the affected sites",
    ]  # fmt: skip
    assert findings.prefill() == {}
