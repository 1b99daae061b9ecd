"""A completed consultation's result never changes, so the result page renders its recommendation
and answers once and then serves them from the cache; what changes (feedback) and what belongs to
the viewer (the copy form and its CSRF token) stay outside the cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from decision import roles, steps
from tests.review.conftest import complete_consultation

pytestmark = pytest.mark.django_db


@pytest.fixture
def sections_built(monkeypatch) -> list[str]:
    cache.clear()
    calls: list[str] = []
    original = steps.answer_sections

    def counting(consultation, change_links):
        calls.append(consultation.patient_reference)
        return original(consultation, change_links)

    monkeypatch.setattr(steps, "answer_sections", counting)
    yield calls
    cache.clear()


def result(client, consultation) -> str:
    response = client.get(reverse("consultation_result", args=[consultation.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_result_is_rendered_once_then_served_from_the_cache(
    clinician_client, clinician, sections_built
):
    case = complete_consultation(clinician, reference="CACHE-1")

    first = result(clinician_client, case)
    second = result(clinician_client, case)

    assert sections_built == ["CACHE-1"]
    assert "The answers given" in second and "Recommendation" in second
    strip = [line for line in first.splitlines() if "csrfmiddlewaretoken" not in line]
    assert strip == [line for line in second.splitlines() if "csrfmiddlewaretoken" not in line]


def test_feedback_shows_at_once_though_the_result_is_cached(
    clinician_client, clinician, sections_built
):
    case = complete_consultation(clinician, reference="CACHE-2")
    before = result(clinician_client, case)
    assert "feedback-summary" not in before

    feedback = reverse("consultation_feedback", args=[case.pk])
    assert clinician_client.post(feedback, {"outcome": "followed"}).status_code == 302

    after = result(clinician_client, case)
    assert "feedback-summary" in after
    assert sections_built == ["CACHE-2"]


def test_the_copy_form_is_the_viewers_own(
    clinician_client, clinician, django_user_model, sections_built
):
    reviewer = django_user_model.objects.create_user(username="reviewer")
    roles.grant(reviewer, roles.REVIEWER)
    case = complete_consultation(clinician, reference="CACHE-3")
    copy = f'action="{reverse("consultation_copy", args=[case.pk])}"'
    assert copy in result(clinician_client, case)

    reviewer_client = Client()
    reviewer_client.force_login(reviewer)
    seen = result(reviewer_client, case)

    assert copy not in seen
    assert "The answers given" in seen
    assert sections_built == ["CACHE-3"]


def test_the_access_check_comes_before_the_cache(
    clinician_client, clinician, other_clinician, sections_built
):
    case = complete_consultation(clinician, reference="CACHE-4")
    result(clinician_client, case)

    other = Client()
    other.force_login(other_clinician)
    assert other.get(reverse("consultation_result", args=[case.pk])).status_code == 404
