from __future__ import annotations

from datetime import datetime
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from decision.models import Consultation
from tests.helpers import make_input
from tests.web.journey import complete, eczema_post, enter, step_url, versioned


def at(day: str, hour: int = 10) -> datetime:
    """An aware moment in the site's time zone: "2026-11-02" at 10:00."""
    return timezone.make_aware(datetime.fromisoformat(day).replace(hour=hour))


def complete_at(client: Client, draft: Consultation, when: datetime) -> Consultation:
    """Complete a draft through the check page as if it were `when`."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        response = complete(client, draft)
    assert response.status_code == 302, response.content.decode()
    return Consultation.objects.get(pk=draft.pk)


@pytest.fixture
def first_visit(clinician_client):
    """Completed first visits through the forms: first_visit(reference, day, **input changes)."""

    def make(
        reference: str = "PT-1",
        day: str = "2026-11-02",
        poem: list[int] | None = None,
        **changes: Any,
    ) -> Consultation:
        data = make_input(**changes)
        draft = enter(clinician_client, data, reference=reference)
        if poem is not None:
            response = clinician_client.post(
                step_url(draft, "eczema"),
                versioned(draft, {**eczema_post(data), **poem_post(poem)}),
            )
            assert response.status_code == 302, response.content.decode()
        return complete_at(clinician_client, draft, at(day))

    return make


def poem_post(items: list[int]) -> dict[str, str]:
    return {f"poem_{number}": str(score) for number, score in enumerate(items, start=1)}


REVIEW_POST = {
    "review_followed": "yes",
    "review_response": "no_change",
    "review_side_effects": "none",
    "severity": "moderate",
    "sites": ["flexures", "arms", "legs"],
    "bsa_percent": "15",
}


def review_url(consultation: Consultation) -> str:
    return reverse("consultation_review", args=[consultation.pk])


@pytest.fixture
def review(clinician_client):
    """A review visit through its page and the check page: review(previous, day, **post)."""

    def make(previous: Consultation, day: str = "2026-11-16", **post: Any) -> Consultation:
        response = clinician_client.post(review_url(previous), {**REVIEW_POST, **post})
        assert response.status_code == 302, response.content.decode()
        draft = Consultation.objects.get(review_of=previous, status="draft")
        return complete_at(clinician_client, draft, at(day))

    return make
