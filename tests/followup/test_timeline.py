"""A patient's timeline and the home page's reviews due: only visits the user may open."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from decision import followup
from decision.models import Consultation, Prescription
from tests.followup.clinic import visit
from tests.followup.conftest import poem_post
from tests.helpers import make_input

SEED = make_input()


def timeline_url(consultation: Consultation) -> str:
    return reverse("consultation_timeline", args=[consultation.pk])


def without_tokens(page: str) -> str:
    """The page without what changes on every request (CSRF tokens, CSP nonces)."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return re.sub(r'nonce="[^"]+"', "", page)


@pytest.fixture
def reviewer(django_user_model):
    return django_user_model.objects.create_user(username="reviewer", is_staff=True)


def test_the_timeline_lists_the_visits_oldest_first(clinician_client, first_visit, review):
    first = first_visit(poem=[2, 2, 1, 1, 2, 2, 2])
    second = review(first, **poem_post([2, 2, 1, 1, 2, 2, 3]))
    page = clinician_client.get(timeline_url(second)).content.decode()
    rows = page.split('id="timeline"')[1]
    assert rows.index("2 Nov 2026") < rows.index("16 Nov 2026")
    assert "12 (moderate)" in rows and "13 (moderate)" in rows
    assert "Start a TCI" in rows and "Wet-wrap therapy" in rows
    assert "No change; followed: yes, as advised; side effects: none" in rows
    assert "First visit" in rows
    # The chart with both POEM scores, and its description.
    assert "POEM 12 (moderate) on 2 Nov 2026, then 13 (moderate) on 16 Nov 2026." in page
    # Drawn twice: wide, and for a phone (static/css/followup.css shows one).
    assert page.count('class="trend-poem"') == 4
    assert 'aria-labelledby="trend-narrow-title trend-narrow-desc"' in page
    # Review from the latest visit only.
    assert f'href="{reverse("consultation_review", args=[second.pk])}"' in page


def test_the_timeline_shows_what_was_prescribed(clinician_client, clinician, first_visit):
    first = first_visit()
    Prescription.objects.create(
        consultation=first, products=["tacrolimus-0.03"], recorded_by=clinician
    )
    page = clinician_client.get(timeline_url(first)).content.decode()
    assert "tacrolimus 0.03% ointment" in page.split('id="timeline"')[1]


def test_another_clinicians_visit_of_the_same_reference_leaves_no_trace(
    client, clinician, other_clinician, first_visit
):
    first = first_visit(reference="PT-9")
    client.force_login(clinician)
    alone = without_tokens(client.get(timeline_url(first)).content.decode())
    home_alone = without_tokens(client.get(reverse("home")).content.decode())
    # The other clinician sees the same reference the next day, and later reviews it.
    theirs = visit(other_clinician, "PT-9", 0, SEED, poem=[4, 4, 4, 4, 4, 4, 4])
    assert theirs.pk
    assert without_tokens(client.get(timeline_url(first)).content.decode()) == alone
    assert without_tokens(client.get(reverse("home")).content.decode()) == home_alone
    # Nor may they open it, or its timeline.
    assert client.get(timeline_url(theirs)).status_code == 404


def test_a_reviewer_sees_the_clinics_timeline_of_completed_visits(
    client, reviewer, clinician, other_clinician
):
    mine = visit(clinician, "PT-9", 20, SEED)
    theirs = visit(other_clinician, "PT-9", 3, SEED)
    Consultation.objects.create(created_by=other_clinician, patient_reference="PT-9", answers=SEED)
    visit(clinician, "pt-9", 2, SEED)  # another reference: letter case counts
    client.force_login(reviewer)
    page = client.get(timeline_url(mine)).content.decode()
    rows = page.split('id="timeline"')[1]
    assert rows.count("View result") == 2
    assert reverse("consultation_result", args=[theirs.pk]) in rows
    assert "every clinician" in page
    # A reviewer never reviews a patient: that is the clinicians'.
    assert "Review this patient" not in page


def test_the_timeline_costs_the_same_queries_for_two_or_twelve_visits(clinician_client, clinician):
    first = visit(clinician, "PT-1", 30, SEED)
    visit(clinician, "PT-1", 20, SEED)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert clinician_client.get(timeline_url(first)).status_code == 200
        return len(queries)

    few = count()
    for days in range(10):
        visit(clinician, "PT-1", 19 - days, SEED, poem=[days % 5] * 7)
    assert count() == few


# ------------------------------------------------------------------------------- reviews due
def due_rows(page: str) -> str:
    return page.split('id="reviews-due"')[1].split("</table>")[0] if "reviews-due" in page else ""


def test_the_home_page_lists_the_reviews_due_with_no_later_visit(clinician_client, clinician):
    visit(clinician, "DUE-1", 20, SEED)  # START_TCI: due 6 days ago
    visit(clinician, "TODAY-1", 14, SEED)  # due today
    visit(clinician, "SOON-1", 5, SEED)  # due in 9 days
    seen = visit(clinician, "SEEN-1", 30, SEED)  # due 16 days ago, but seen since
    visit(clinician, "SEEN-1", 2, SEED, review_of=seen, review={"response": "better"})
    rows = due_rows(clinician_client.get(reverse("home")).content.decode())
    assert rows.index("DUE-1") < rows.index("TODAY-1")
    assert "6 days overdue" in rows and "Today" in rows
    assert "SOON-1" not in rows and "SEEN-1" not in rows


def test_a_review_started_is_resumed_from_the_list(clinician_client, clinician):
    first = visit(clinician, "DUE-1", 20, SEED)
    clinician_client.post(
        reverse("consultation_review", args=[first.pk]),
        {
            "review_followed": "yes",
            "review_response": "better",
            "review_side_effects": "none",
            "severity": "moderate",
            "sites": ["arms"],
        },
    )
    rows = due_rows(clinician_client.get(reverse("home")).content.decode())
    assert "Resume review" in rows


def test_another_clinicians_later_visit_does_not_clear_my_review(
    clinician_client, clinician, other_clinician
):
    visit(clinician, "P3", 20, SEED)
    visit(other_clinician, "P3", 1, SEED)
    assert "P3" in due_rows(clinician_client.get(reverse("home")).content.decode())


def test_the_reviews_due_cost_the_same_queries_for_one_or_sixty(clinician_client, clinician):
    visit(clinician, "DUE-0", 20, SEED)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            page = clinician_client.get(reverse("home")).content.decode()
        return len(queries), page

    few, _ = count()
    for n in range(60):
        visit(clinician, f"DUE-{n + 1}", 15 + n % 10, SEED)
    many, page = count()
    assert many == few
    assert due_rows(page).count("<tr>") == 50 + 1  # the 50 most overdue, and the header
    assert "the 50 most overdue" in page


def test_review_dates_follow_the_result(clinician):
    first = visit(clinician, "PT-1", 3, SEED)
    assert first.visit.review_due_on == timezone.localdate() + timedelta(days=14 - 3)


def test_the_reviews_due_are_one_query(clinician, django_assert_num_queries):
    for n in range(5):
        visit(clinician, f"DUE-{n}", 20, SEED)
    with django_assert_num_queries(1):
        due = followup.due_list(clinician)
    assert len(due["rows"]) == 5
