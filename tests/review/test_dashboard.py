"""The review dashboard: figures, period form, access, and a constant query count."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from decision import dashboard
from decision.models import Consultation
from tests.review.conftest import bulk_cases

pytestmark = pytest.mark.django_db
URL = reverse("review_dashboard")


def counts(rows):
    return {row.code: row.count for row in rows}


def test_it_requires_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_clinicians(clinician_client):
    response = clinician_client.get(URL)
    assert response.status_code == 403


def test_it_shows_reviewers_and_admins_the_page(reviewer_client, site_admin, client):
    assert reviewer_client.get(URL).status_code == 200
    client.force_login(site_admin)
    assert client.get(URL).status_code == 200


def test_the_nav_links_it_for_reviewers_only(reviewer_client, clinician, client):
    assert URL in reviewer_client.get(reverse("home")).content.decode()
    client.force_login(clinician)
    assert URL not in client.get(reverse("home")).content.decode()


def test_figures_match_a_known_fixture(reviewer_client, clinician, other_clinician):
    bulk_cases(clinician, 10)
    bulk_cases(other_clinician, 5, days_ago=40)  # outside the default 30 days
    Consultation.objects.create(created_by=clinician, patient_reference="DRAFT")  # no advice

    response = reviewer_client.get(URL)

    assert response.status_code == 200
    report = response.context["report"]
    assert report.total == 10
    assert report.red_flag_total == 4
    assert counts(report.by_next_step) == {
        "URGENT_REFERRAL": 2,
        "TREAT_INFECTION": 2,
        "REEVALUATE_DIAGNOSIS": 0,
        "OPTIMIZE_TCS": 4,
        "START_TCI": 2,
        "WET_WRAP_THERAPY": 0,
        "NEWER_TOPICAL": 0,
        "SPECIALIST_ESCALATION": 0,
    }
    assert counts(report.by_referral) == {
        "same_day": 2,
        "within_2_weeks": 2,
        "routine": 2,
        "none": 4,
    }
    assert report.feedback_total == 8
    assert counts(report.by_outcome) == {"followed": 4, "modified": 2, "not_followed": 2}
    assert report.overridden == 4
    assert report.override_rate == 50.0
    assert counts(report.override_reasons) == {
        "patient_preference": 2,
        "contraindication_not_captured": 0,
        "specialist_advice": 0,
        "not_available": 2,
        "other": 0,
    }
    assert len(report.red_flag_cases) == 4
    html = response.content.decode()
    assert '<p class="h3 mb-0" id="override-rate">50.0%</p>' in html
    assert reverse("consultation_result", args=[report.red_flag_cases[0].pk]) in html


def test_a_chosen_period_counts_only_its_cases(reviewer_client, clinician):
    bulk_cases(clinician, 5, days_ago=40)
    bulk_cases(clinician, 10, days_ago=1)
    start = timezone.localdate() - timedelta(days=45)
    end = timezone.localdate() - timedelta(days=35)

    response = reviewer_client.get(URL, {"start": start.isoformat(), "end": end.isoformat()})

    report = response.context["report"]
    assert (report.start, report.end) == (start, end)
    assert report.total == 5


def test_the_default_period_is_the_last_30_days(reviewer_client):
    report = reviewer_client.get(URL).context["report"]
    assert report.end == timezone.localdate()
    assert report.start == timezone.localdate() - timedelta(days=29)


@pytest.mark.parametrize(
    "params",
    [
        {"start": "not-a-date"},
        {"start": "2026-02-30"},
        {"start": "2026-05-01", "end": "2026-04-01"},
        {"start": "1000-01-01", "end": "2026-01-01"},
        {"end": "9999-12-31"},
    ],
)
def test_bad_dates_give_a_message_not_an_error(reviewer_client, params):
    response = reviewer_client.get(URL, params)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "could not be used" in response.content.decode()
    assert response.context["report"].end == timezone.localdate()


def test_the_chart_is_svg_without_inline_styles(reviewer_client, clinician):
    bulk_cases(clinician, 10)

    html = reviewer_client.get(URL).content.decode()

    assert "<svg" in html
    assert 'class="chart-bar chart-bar-1"' in html
    assert "style=" not in html
    assert "<style" not in html


def test_bar_chart_scales_bars_to_the_biggest_count():
    rows = [dashboard.Row("A", "A", 10, 50.0), dashboard.Row("B", "B", 5, 25.0)]
    chart = dashboard.bar_chart("t", rows)
    room = dashboard.CHART_WIDTH - dashboard.CHART_LABEL_WIDTH - dashboard.CHART_VALUE_WIDTH
    assert [bar.width for bar in chart.bars] == [room, room // 2]


def test_build_counts_with_no_data():
    report = dashboard.build(date(2026, 1, 1), date(2026, 1, 31))
    assert report.total == 0
    assert report.override_rate is None
    assert all(row.count == 0 for row in report.by_next_step)


def _queries_for_dashboard(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return len(queries)


def test_the_query_count_stays_constant_as_data_grows(reviewer_client, clinician):
    bulk_cases(clinician, 10)
    few = _queries_for_dashboard(reviewer_client)
    bulk_cases(clinician, 2_000)
    many = _queries_for_dashboard(reviewer_client)

    assert many == few
    assert reviewer_client.get(URL).context["report"].total == 2_010


def test_its_override_link_opens_the_cases_modified_and_not_followed(reviewer_client, clinician):
    cases = bulk_cases(clinician, 10)
    bulk_cases(clinician, 5, days_ago=40)  # overrides outside the period stay out
    html = reviewer_client.get(URL).content.decode()
    start = html.index(reverse("admin:decision_consultation_changelist"))
    link = html[start : html.index('"', start)].replace("&amp;", "&")

    response = reviewer_client.get(link)

    assert response.status_code == 200
    # Per five cases the second was modified and the third not followed: the override rate's 4.
    assert {case.pk for case in response.context["cl"].queryset} == {
        cases[index].pk for index in (1, 2, 6, 7)
    }
    assert "Read the 4 cases modified or not followed in this period" in html


@pytest.mark.parametrize(
    ("today", "first", "last"),
    [
        (date(2026, 11, 21), date(2026, 10, 1), date(2026, 10, 31)),
        (date(2026, 1, 1), date(2025, 12, 1), date(2025, 12, 31)),
        (date(2028, 3, 31), date(2028, 2, 1), date(2028, 2, 29)),
    ],
)
def test_last_month_is_the_calendar_month_before_today(today, first, last):
    assert dashboard.last_month(today) == (first, last)


def test_the_last_month_link_shows_last_month(reviewer_client, clinician):
    first, last = dashboard.last_month(timezone.localdate())
    bulk_cases(clinician, 5, days_ago=(timezone.localdate() - first).days)  # its first day
    bulk_cases(clinician, 3, days_ago=(timezone.localdate() - last).days)  # its last day
    bulk_cases(clinician, 10, days_ago=0)  # this month: left out
    html = reviewer_client.get(URL).content.decode()
    query = f"start={first.isoformat()}&amp;end={last.isoformat()}"
    assert f'href="{URL}?{query}">Last month</a>' in html

    report = reviewer_client.get(URL, {"start": first, "end": last}).context["report"]

    assert (report.start, report.end, report.total) == (first, last, 8)


CSV_URL = reverse("review_dashboard_csv")


def csv_table(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_csv_export_has_the_dashboards_figures_for_the_chosen_period(
    reviewer_client, clinician
):
    bulk_cases(clinician, 10, days_ago=40)
    bulk_cases(clinician, 99, days_ago=1)  # outside the chosen period
    start = timezone.localdate() - timedelta(days=45)
    end = timezone.localdate() - timedelta(days=35)
    period = [start.isoformat(), end.isoformat()]

    response = reviewer_client.get(CSV_URL, {"start": start, "end": end})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="review-{period[0]}-to-{period[1]}.csv"'
    )
    assert "no-store" in response["Cache-Control"]
    rows = csv_table(response)
    assert rows[0] == list(dashboard.CSV_HEADER)
    assert all(row[:2] == period for row in rows[1:])
    figures = {(row[2], row[3]): row[5:] for row in rows[1:]}
    assert figures[("Totals", "consultations")] == ["10", "", ""]
    assert figures[("Totals", "red_flags")] == ["4", "40.0", "consultations"]
    assert figures[("Totals", "feedback")] == ["8", "80.0", "consultations"]
    assert figures[("Totals", "overridden")] == ["4", "50.0", "consultations with feedback"]
    assert figures[("By next step", "OPTIMIZE_TCS")] == ["4", "40.0", "consultations"]
    assert figures[("By next step", "WET_WRAP_THERAPY")] == ["0", "0.0", "consultations"]
    assert figures[("By most urgent referral", "none")] == ["4", "40.0", "consultations"]
    assert figures[("What clinicians did", "modified")] == [
        "2",
        "25.0",
        "consultations with feedback",
    ]
    assert figures[("Why advice was modified or not followed", "not_available")] == [
        "2",
        "50.0",
        "consultations modified or not followed",
    ]
    # Every row of every dashboard table, plus the four totals.
    assert len(rows) == 1 + 4 + 8 + 4 + 3 + 5


def test_the_dashboard_links_the_csv_of_the_period_it_shows(reviewer_client):
    html = reviewer_client.get(URL, {"start": "2026-01-01", "end": "2026-01-31"}).content.decode()
    assert f'href="{CSV_URL}?start=2026-01-01&amp;end=2026-01-31"' in html


def test_the_csv_export_neutralises_spreadsheet_formulas(reviewer_client, clinician):
    # A code the labels do not know is shown as it is stored: the export must not run it.
    # (Kept within the column's 32 characters: PostgreSQL enforces the length, SQLite does not.)
    Consultation.objects.create(
        created_by=clinician,
        patient_reference="X",
        status=Consultation.Status.COMPLETED,
        next_step_code='=HYPERLINK("//evil.example")',
        ruleset_version="test",
        engine_output={},
        completed_at=timezone.now(),
    )

    rows = csv_table(reviewer_client.get(CSV_URL))

    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("//evil.example")' in cells
    assert not any(cell and cell[0] in "=+-@" for cell in cells)


def test_the_csv_export_is_for_reviewers_only(clinician_client):
    assert clinician_client.get(CSV_URL).status_code == 403


def test_bad_dates_on_the_csv_export_lead_back_to_the_dashboard_and_its_message(reviewer_client):
    response = reviewer_client.get(
        CSV_URL, {"start": "2026-05-01", "end": "2026-04-01"}, follow=True
    )

    assert response.redirect_chain[0][0] == f"{URL}?start=2026-05-01&end=2026-04-01"
    assert "could not be used" in response.content.decode()


def test_a_date_box_holds_only_a_real_date_and_keeps_a_real_one_that_was_refused(
    reviewer_client,
):
    # <input type=date> with "2026-13-01" is invalid HTML, and a browser would drop it anyway;
    # a real date that the form refused (out of order) stays for the clinician to correct.
    response = reviewer_client.get(URL, {"start": "2026-13-01", "end": "2025-01-01"})
    html = response.content.decode()

    assert response.context["form"].errors["start"]
    assert "2026-13-01" not in html
    assert 'name="start"' in html
    assert 'value="2025-01-01"' in html


def test_the_date_boxes_show_the_default_period(reviewer_client):
    html = reviewer_client.get(URL).content.decode()

    assert f'value="{timezone.localdate().isoformat()}"' in html
    assert f'value="{(timezone.localdate() - timedelta(days=29)).isoformat()}"' in html
