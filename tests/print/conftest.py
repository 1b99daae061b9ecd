"""Fixtures for the printed documents: completed consultations made straight from engine results."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from decision.engine import evaluate, parse_assessment
from decision.models import Consultation

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "print"
# A fixed completion time, so review dates are known: 21 Nov 2026 10:00 (Europe/London).
COMPLETED_AT = dt.datetime(2026, 11, 21, 10, 0, tzinfo=dt.UTC)


def completed_consultation(
    user: Any, engine_input: dict[str, Any], reference: str = "PRINT-1", **extras: Any
) -> Consultation:
    """A consultation completed the way the questionnaire completes one (Consultation.complete)."""
    assessment = parse_assessment(engine_input)
    normalised = assessment.to_dict()
    consultation = Consultation(
        created_by=user,
        patient_reference=reference,
        answers={**normalised, "extras": extras},
    )
    consultation.sync_columns()
    consultation.save()
    consultation.complete(normalised, evaluate(assessment).to_dict(), COMPLETED_AT)
    return consultation


@pytest.fixture
def make_completed(clinician):
    def _make(engine_input: dict[str, Any], reference: str = "PRINT-1", **extras: Any):
        return completed_consultation(clinician, engine_input, reference, **extras)

    return _make


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def completed_on() -> dt.date:
    return timezone.localdate(COMPLETED_AT)


# -------------------------------------------------------------- consultations of a past rule set
SNAPSHOTS = Path(__file__).resolve().parents[1] / "data" / "ruleset-2026.11"


def old_snapshots() -> dict[str, dict[str, Any]]:
    """Consultations completed under rule set 2026.11, as main's code stored and showed them
    (engine input and output, answers, and the text of the result, summary and handout pages)."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(SNAPSHOTS.glob("*.json"))
    }


def stored_consultation(user: Any, snapshot: dict[str, Any]) -> Consultation:
    """The consultation as the database holds it: completed with the snapshot's own output, never
    re-evaluated by today's engine."""
    consultation = Consultation(
        created_by=user,
        patient_reference=snapshot["patient_reference"],
        answers=snapshot["answers"],
    )
    consultation.sync_columns()
    consultation.save()
    completed_at = dt.datetime.fromisoformat(snapshot["completed_at"])
    consultation.complete(snapshot["engine_input"], snapshot["engine_output"], completed_at)
    return consultation
