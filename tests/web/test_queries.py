"""Query counts on the home page and every step stay constant as consultations pile up."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decision.models import Consultation
from tests.helpers import make_input
from tests.web.journey import POSTS, complete, enter, step_url, versioned

pytestmark = pytest.mark.django_db

SLUGS = ("patient", "safety", "eczema", "treatment", "tried", "other")
# Every request reads the session and the user (two queries; the session itself is written at
# most once a minute, eczema_site.security.SessionRefreshMiddleware). A page adds one query per
# thing it shows.
SESSION = 2
# Pages that create or change a consultation check the clinician role (the group membership).
ROLE = 1


def _pile_up(clinician, other_clinician, how_many: int) -> None:
    answers = Consultation.objects.first().answers
    for number in range(how_many):
        for owner in (clinician, other_clinician):
            Consultation.objects.create(
                created_by=owner, patient_reference=f"P{number}", answers=answers
            )


def _count(client, method: str, url: str, data=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302)
    return len(queries)


def _counts(client, consultation, done) -> dict[str, int]:
    counts = {"home": _count(client, "get", reverse("home"))}
    for slug in SLUGS:
        counts[f"get {slug}"] = _count(client, "get", step_url(consultation, slug))
        counts[f"post {slug}"] = _count(
            client,
            "post",
            step_url(consultation, slug),
            versioned(consultation, POSTS[slug](make_input())),
        )
    counts["get check"] = _count(client, "get", step_url(consultation, "check"))
    counts["resume"] = _count(client, "get", reverse("consultation_resume", args=[consultation.pk]))
    counts["result"] = _count(client, "get", reverse("consultation_result", args=[done.pk]))
    return counts


def test_query_counts_do_not_grow_with_the_number_of_consultations(
    clinician_client, clinician, other_clinician
):
    consultation = enter(clinician_client, make_input())
    done = enter(clinician_client, make_input())
    complete(clinician_client, done)
    few = _counts(clinician_client, consultation, done)

    _pile_up(clinician, other_clinician, 25)
    many = _counts(clinician_client, consultation, done)

    assert many == few


def test_the_home_page_needs_few_queries(
    clinician_client, clinician, other_clinician, django_assert_max_num_queries
):
    enter(clinician_client, make_input())
    _pile_up(clinician, other_clinician, 25)

    # Drafts and completed: a count (for the page links) and one page of rows each.
    with django_assert_max_num_queries(SESSION + 4):
        clinician_client.get(reverse("home"))


@pytest.mark.parametrize("slug", SLUGS)
def test_each_step_needs_few_queries(
    clinician_client, clinician, other_clinician, django_assert_max_num_queries, slug
):
    consultation = enter(clinician_client, make_input())
    _pile_up(clinician, other_clinician, 10)

    with django_assert_max_num_queries(SESSION + ROLE + 1):  # the consultation
        clinician_client.get(step_url(consultation, slug))
    # Read, then in a transaction (a savepoint here) one conditional UPDATE and the history row.
    data = versioned(consultation, POSTS[slug](make_input()))
    with django_assert_max_num_queries(SESSION + ROLE + 5):
        clinician_client.post(step_url(consultation, slug), data)


def test_check_answers_and_completion_need_few_queries(
    clinician_client, django_assert_max_num_queries
):
    consultation = enter(clinician_client, make_input())

    with django_assert_max_num_queries(SESSION + ROLE + 1):
        clinician_client.get(step_url(consultation, "check"))
    data = versioned(consultation, {})
    # Read, then one conditional UPDATE (answers, result and status), the history row and the
    # visit's row (issue 13), in a transaction (two savepoints here, inside the test's own).
    with django_assert_max_num_queries(SESSION + ROLE + 8):
        clinician_client.post(step_url(consultation, "check"), data)
    with django_assert_max_num_queries(SESSION + 1):
        clinician_client.get(reverse("consultation_result", args=[consultation.pk]))
