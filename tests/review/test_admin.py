"""The review admin: list, filters, search, read-only detail, history, CSV export, queries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from decision.models import Consultation, Feedback
from tests.review.conftest import bulk_cases, complete_consultation

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:decision_consultation_changelist")
EXPORT = reverse("admin:decision_consultation_export")


def change_url(consultation) -> str:
    return reverse("admin:decision_consultation_change", args=[consultation.pk])


def history_url(consultation) -> str:
    return reverse("admin:decision_consultation_history", args=[consultation.pk])


def exported_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response).decode("utf-8-sig") if response.streaming else response.content
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_list_shows_the_review_columns(reviewer_client, clinician):
    case = complete_consultation(clinician, reference="LIST-1")
    Feedback.objects.create(
        consultation=case, outcome="modified", reason="specialist_advice", recorded_by=clinician
    )

    response = reviewer_client.get(CHANGELIST)

    html = response.content.decode()
    assert response.status_code == 200
    for heading in ("Patient reference", "Clinician", "Next step", "Most urgent referral"):
        assert heading in html
    assert "LIST-1" in html
    assert "Modified: Specialist advice" in html
    assert case.ruleset_version in html
    assert f'href="{EXPORT}' in html  # the Export button keeps the list's filters


def test_it_filters_to_advice_not_followed_last_month(reviewer_client, clinician):
    cases = bulk_cases(clinician, 5, days_ago=3)
    old = bulk_cases(clinician, 5, days_ago=60)
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)

    response = reviewer_client.get(
        CHANGELIST,
        {
            "feedback": "not_followed",
            "completed_at__gte": (midnight - timedelta(days=29)).isoformat(),
            "completed_at__lt": (midnight + timedelta(days=1)).isoformat(),
        },
    )

    shown = list(response.context["cl"].queryset)
    assert shown == [cases[2]]
    assert old[2] not in shown


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"feedback": "none"}, {"BULK-3"}),
        ({"feedback": "overridden"}, {"BULK-1", "BULK-2"}),
        ({"feedback_reason": "patient_preference"}, {"BULK-1"}),
        ({"next_step": "OPTIMIZE_TCS"}, {"BULK-2", "BULK-3"}),
        ({"most_urgent_referral__exact": "same_day"}, {"BULK-0"}),
        ({"has_red_flags__exact": "1"}, {"BULK-0", "BULK-1"}),
        ({"q": "BULK-4"}, {"BULK-4"}),
    ],
)
def test_each_filter_and_the_search_work(reviewer_client, clinician, params, expected):
    bulk_cases(clinician, 5)

    response = reviewer_client.get(CHANGELIST, params)

    assert response.status_code == 200
    assert {case.patient_reference for case in response.context["cl"].queryset} == expected


def test_the_list_query_count_is_bounded(admin_client, clinician):
    bulk_cases(clinician, 5)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(CHANGELIST).status_code == 200
    bulk_cases(clinician, 45)
    with CaptureQueriesContext(connection) as many:
        assert admin_client.get(CHANGELIST).status_code == 200

    assert len(many) == len(few)


def test_the_detail_is_read_only_and_readable(reviewer_client, clinician):
    case = complete_consultation(clinician, reference="READ-1")

    response = reviewer_client.get(change_url(case))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="patient_reference"' not in html
    assert "Next step:" in html
    assert "Steroid trial:" in html
    assert "Referrals:" in html
    assert "Open the summary" in html


def test_even_an_admin_cannot_edit_or_delete_a_completed_consultation(admin_client, clinician):
    case = complete_consultation(clinician, reference="KEEP")

    html = admin_client.get(change_url(case)).content.decode()
    assert 'name="patient_reference"' not in html
    response = admin_client.post(change_url(case), {"patient_reference": "CHANGED"})
    assert response.status_code == 403
    delete = reverse("admin:decision_consultation_delete", args=[case.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403

    assert Consultation.objects.get(pk=case.pk).patient_reference == "KEEP"


def test_an_admin_may_correct_a_drafts_reference_only(admin_client, clinician):
    draft = Consultation.objects.create(created_by=clinician, patient_reference="TYPO")

    response = admin_client.post(
        change_url(draft),
        {"patient_reference": "FIXED", "feedback-TOTAL_FORMS": "0", "feedback-INITIAL_FORMS": "0"},
    )

    assert response.status_code == 302
    assert Consultation.objects.get(pk=draft.pk).patient_reference == "FIXED"


def test_a_reviewer_cannot_change_anything(reviewer_client, clinician):
    draft = Consultation.objects.create(created_by=clinician, patient_reference="DRAFT")

    response = reviewer_client.post(change_url(draft), {"patient_reference": "CHANGED"})

    assert response.status_code == 403
    assert Consultation.objects.get(pk=draft.pk).patient_reference == "DRAFT"


def test_the_history_shows_who_changed_what(client, clinician, reviewer, own_case):
    client.force_login(clinician)
    client.post(reverse("consultation_feedback", args=[own_case.pk]), {"outcome": "followed"})
    client.force_login(reviewer)

    feedback_history = reverse("admin:decision_feedback_history", args=[Feedback.objects.get().pk])
    assert feedback_history in client.get(change_url(own_case)).content.decode()

    response = client.get(history_url(own_case))
    assert response.status_code == 200
    assert "Completed" in response.content.decode()

    feedback = Feedback.objects.get()
    response = client.get(reverse("admin:decision_feedback_history", args=[feedback.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert ">clinician<" in html or "clinician</a>" in html


def test_history_cannot_be_reverted(admin_client, clinician):
    draft = Consultation.objects.create(created_by=clinician, patient_reference="V1")
    first = draft.history.get()
    draft.patient_reference = "V2"
    draft.save()
    url = reverse("admin:decision_consultation_simple_history", args=[draft.pk, first.history_id])

    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"patient_reference": "V1"}).status_code == 403
    assert Consultation.objects.get(pk=draft.pk).patient_reference == "V2"


def test_the_csv_export_contains_the_filtered_rows(reviewer_client, clinician):
    bulk_cases(clinician, 10)

    response = reviewer_client.get(EXPORT, {"feedback": "not_followed"})

    rows = exported_rows(response)
    assert sorted(row["reference"] for row in rows) == ["BULK-2", "BULK-7"]
    row = rows[0]
    assert row["clinician"] == "clinician"
    assert row["next_step"] == "OPTIMIZE_TCS"
    assert row["feedback_outcome"] == "not_followed"
    assert row["feedback_reason"] == "not_available"
    assert row["red_flags"] == "no"


def test_the_csv_export_needs_view_permission(client, clinician, django_user_model):
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    client.force_login(staff)
    assert client.get(EXPORT).status_code == 403


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:decision_consultation_changelist",
        "admin:decision_consultation_export",
        "admin:decision_feedback_changelist",
    ],
)
def test_the_admin_ladder_for_list_pages(client, clinician, reviewer, site_admin, url_name):
    url = reverse(url_name)
    assert client.get(url).status_code == 302  # anonymous: to the admin sign-in
    client.force_login(clinician)
    assert client.get(url).status_code == 302  # not staff: to the admin sign-in
    client.force_login(reviewer)
    assert client.get(url).status_code == 200
    client.force_login(site_admin)
    assert client.get(url).status_code == 200


def test_the_admin_ladder_for_a_case(client, clinician, reviewer, site_admin, own_case):
    for url in (change_url(own_case), history_url(own_case)):
        assert client.get(url).status_code == 302
        client.force_login(clinician)
        assert client.get(url).status_code == 302
        client.force_login(reviewer)
        assert client.get(url).status_code == 200
        client.force_login(site_admin)
        assert client.get(url).status_code == 200
        client.logout()
