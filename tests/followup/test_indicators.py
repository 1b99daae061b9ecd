"""The outcome indicators against a clinic worked out by hand (tests/followup/clinic.py)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from decision import dashboard, outcomes
from decision.models import Visit
from tests.followup.clinic import EXPECTED, NEXT_STEPS, build


@pytest.fixture
def reviewer(django_user_model):
    return django_user_model.objects.create_user(username="reviewer", is_staff=True)


@pytest.fixture
def clinic(clinician, other_clinician):
    return build(clinician, other_clinician)


def figures(page: str, key: str) -> list[tuple]:
    """The rows of one indicator's table as the page shows them."""

    class Cells(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.inside = False
            self.rows: list[list[str]] = []
            self.cell: list[str] | None = None

        def handle_starttag(self, tag, attrs):
            if tag == "div" and ("id", f"indicator-{key}") in attrs:
                self.inside = True
            elif self.inside and tag == "tr":
                self.rows.append([])
            elif self.inside and tag in ("td", "th") and self.rows:
                self.cell = []

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self.cell is not None:
                self.rows[-1].append(" ".join("".join(self.cell).split()))
                self.cell = None
            elif tag == "table" and self.inside:
                self.inside = False

        def handle_data(self, data):
            if self.cell is not None:
                self.cell.append(data)

    parser = Cells()
    parser.feed(page)
    return [tuple(row) for row in parser.rows[1:]]


def shown(rows: list[tuple]) -> list[tuple]:
    """The expected rows as the page writes them: "6 of 10", "60%"."""
    return [
        (group, f"{part} of {whole}" if part is not None else str(whole), value)
        for group, part, whole, value in rows
    ]


def test_the_fixture_gives_the_next_steps_worked_out_by_hand(clinic):
    assert {name: c.next_step_code for name, c in clinic.items()} == NEXT_STEPS
    # The card and the draft are not visits.
    assert Visit.objects.count() == len(NEXT_STEPS)


@pytest.mark.parametrize("key", list(EXPECTED))
def test_each_indicator_matches_the_figures_worked_out_by_hand(client, reviewer, clinic, key):
    client.force_login(reviewer)
    page = client.get(reverse("review_dashboard")).content.decode()
    assert figures(page, key) == shown(EXPECTED[key])


def test_every_indicator_says_on_the_page_what_it_counts(client, reviewer, clinic):
    client.force_login(reviewer)
    page = client.get(reverse("review_dashboard")).content.decode()
    assert page.count('class="small indicator-definition"') == len(EXPECTED)
    assert "SEVERE_NOT_RESPONDING, SPECIALIST_ESCALATION, UNDER_2, FACIAL_TCI_FAILED" in page
    assert "An infection treated without response is not counted" in page


def test_the_csv_has_the_same_figures_and_definitions(client, reviewer, clinic):
    client.force_login(reviewer)
    response = client.get(reverse("review_indicators_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["group"], r["count"], r["of"], r["value"], r["unit"]) for r in rows] == [
        ("All visits", "6", "10", "60.0", "%"),
        ("All such referrals", "1", "2", "50.0", "%"),
        ("Optimise the steroid trial", "1", "1", "100.0", "%"),
        ("Start a TCI", "1", "3", "33.3", "%"),
        ("All reviews", "", "4", "14.5", "days"),
        ("All reviews due", "2", "6", "33.3", "%"),
    ]
    assert all(row["definition"] for row in rows)


def test_the_indicators_are_for_reviewers_only(clinician_client, clinic):
    assert clinician_client.get(reverse("review_indicators_csv")).status_code == 403


def test_an_empty_period_shows_dashes_not_errors(client, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("review_dashboard")).content.decode()
    assert figures(page, "poem_recorded") == [("All visits", "0 of 0", "–")]
    assert figures(page, "days_to_review") == [("All reviews", "0", "–")]
    assert "No review visits in this period." in page


def test_each_indicator_is_one_query(clinic, django_assert_num_queries):
    start, end = timezone.localdate() - timedelta(days=29), timezone.localdate()
    since, until = dashboard.bounds(start, end)
    for indicator in (
        outcomes.poem_recorded,
        outcomes.failure_referrals_after_adequate_trial,
        outcomes.response_by_step,
        outcomes.days_to_review,
    ):
        with django_assert_num_queries(1):
            indicator(since, until)
    with django_assert_num_queries(1):
        outcomes.reviews_overdue(start, end, timezone.localdate())


def test_the_dashboard_costs_the_same_queries_for_few_and_many_visits(
    client, reviewer, clinician, other_clinician
):
    client.force_login(reviewer)
    url = reverse("review_dashboard")
    client.get(url)  # warm: the session and the user

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    empty = count()
    build(clinician, other_clinician)
    few = count()
    for n in range(3):
        build(*[get_user_model().objects.create_user(username=f"more-{n}-{i}") for i in (1, 2)])
    many = count()
    assert empty == few == many
