"""The review dashboard: figures, period form, access, and a constant query count."""

from __future__ import annotations

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


def test_its_admin_link_opens_the_cases_not_followed(reviewer_client, clinician):
    cases = bulk_cases(clinician, 5)
    html = reviewer_client.get(URL).content.decode()
    start = html.index(reverse("admin:decision_consultation_changelist"))
    link = html[start : html.index('"', start)].replace("&amp;", "&")

    response = reviewer_client.get(link)

    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [cases[2]]


def test_the_date_boxes_show_the_default_period(reviewer_client):
    html = reviewer_client.get(URL).content.decode()

    assert f'value="{timezone.localdate().isoformat()}"' in html
    assert f'value="{(timezone.localdate() - timedelta(days=29)).isoformat()}"' in html
