"""Fixtures for what was done with a result: completed consultations, a reviewer, and posting a
prescription the way the result page's form does."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from decision.engine import evaluate_stage_a, parse_stage_a
from decision.models import Consultation
from tests.helpers import vignettes
from tests.print.conftest import completed_consultation

VIGNETTES = {v["id"]: v for v in vignettes()}


@pytest.fixture
def make_completed(clinician):
    def _make(engine_input: dict[str, Any], reference: str = "RX-1", **extras: Any):
        return completed_consultation(clinician, engine_input, reference, **extras)

    return _make


@pytest.fixture
def tci_case(make_completed) -> Consultation:
    """seed-ped: START_TCI with tacrolimus 0.03 % ointment first, pimecrolimus 1 % cream second."""
    return make_completed(VIGNETTES["seed-ped"]["input"])


@pytest.fixture
def reviewer_client(reviewer):
    # Its own client: a test may use the clinician's at the same time.
    client = Client()
    client.force_login(reviewer)
    return client


def stage_a_only(user: Any, **changes: Any) -> Consultation:
    """A consultation completed with stage A alone (the emergency fast path's result)."""
    data = {"age_months": 36, "red_flags": {"herpeticum_signs": True}, **changes}
    facts = parse_stage_a(data)
    consultation = Consultation(created_by=user, patient_reference="FAST-1", answers=data)
    consultation.sync_columns()
    consultation.save()
    consultation.complete(facts.to_dict(), evaluate_stage_a(facts).to_dict())
    return consultation


def prescribe(
    client,
    consultation: Consultation,
    products: list[str] = (),
    agent: str = "",
    form: str = "",
    version: int = 0,
    **headers: Any,
):
    """POST the prescription form as the result page sends it."""
    data = {"products": list(products), "steroid_agent": agent, "steroid_form": form}
    data["version"] = str(version)
    url = reverse("consultation_prescription", args=[consultation.pk])
    return client.post(url, data, **headers)


HTMX = {"HTTP_HX_REQUEST": "true"}
