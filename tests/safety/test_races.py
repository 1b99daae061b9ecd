"""Two tabs on one draft, racing for real: two threads, each with its own database connection,
send their posts at the same moment through the whole stack (middleware, view, database). 30
trials of each race the probe ran (issue 14), on whichever database the suite runs on.

Both tabs' pages were built from the same version, so exactly one save may win whatever the
interleaving; the other must get the conflict page and lose nothing. Afterwards: no lost update
(every save answered "saved" is stored), no un-completed record (a completion answered "done" is
completed) and no stale snapshot (a completed record's engine input and output are those of its
stored answers). The outcomes are written to test-artifacts/safety/races-<database>.json.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from decision.engine import evaluate, parse_assessment
from decision.models import Consultation
from tests.helpers import make_input
from tests.safety.pages import reapply
from tests.web.journey import eczema_post, step_url, treatment_post

pytestmark = pytest.mark.django_db(transaction=True)

TRIALS = 30
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "safety"
SEVERE = {**eczema_post(make_input()), "severity": "severe"}
WORRIED = {**treatment_post(make_input()), "steroid_concerns": "on"}
OUTCOMES: dict[str, Counter] = {}


@pytest.fixture(scope="module", autouse=True)
def _write_outcomes():
    yield
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"races-{connection.vendor}.json"
    path.write_text(json.dumps({race: dict(counts) for race, counts in OUTCOMES.items()}, indent=2))


def _tabs(user) -> tuple[Client, Client]:
    """Two tabs of one signed-in browser: two clients sharing the session cookie."""
    first = Client()
    first.force_login(user)
    second = Client()
    second.cookies = first.cookies
    return first, second


def _answered(user) -> Consultation:
    answers = parse_assessment(make_input()).to_dict()
    consultation = Consultation(created_by=user, patient_reference="RACE-1", answers=answers)
    consultation.sync_columns()
    consultation.save()
    return consultation


def _at_once(*requests: Callable[[], Any]) -> list[Any]:
    """Run the requests in threads released together; each thread has its own connection."""
    barrier = threading.Barrier(len(requests))
    results: list[Any] = [None] * len(requests)

    def run(index: int, request: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = request()
        except BaseException as error:  # surfaced in the test below, not lost in the thread
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def _save(client: Client, consultation: Consultation, slug: str, post: dict, version: int):
    return lambda: client.post(step_url(consultation, slug), {**post, "_version": str(version)})


def _complete(client: Client, consultation: Consultation, version: int):
    return lambda: client.post(step_url(consultation, "check"), {"_version": str(version)})


def _assert_snapshot_matches_answers(consultation: Consultation) -> None:
    assessment = parse_assessment(consultation.engine_input_from_answers())
    assert consultation.engine_input == assessment.to_dict()
    assert consultation.engine_output == evaluate(assessment).to_dict()


def test_complete_against_a_step_save_never_uncompletes_loses_or_goes_stale(clinician):
    outcomes = OUTCOMES.setdefault("complete vs step save", Counter())
    for _ in range(TRIALS):
        consultation = _answered(clinician)
        page = consultation.version
        complete_tab, step_tab = _tabs(clinician)

        completed, saved = _at_once(
            _complete(complete_tab, consultation, page),
            _save(step_tab, consultation, "eczema", SEVERE, page),
        )

        statuses = (completed.status_code, saved.status_code)
        assert sorted(statuses) == [302, 409], statuses
        stored = Consultation.objects.get(pk=consultation.pk)
        assert stored.version == page + 1
        if completed.status_code == 302:
            outcomes["completion won"] += 1
            assert completed["Location"] == reverse("consultation_result", args=[stored.pk])
            assert stored.is_completed
            assert stored.answers["severity"] == "moderate"
            _assert_snapshot_matches_answers(stored)
            # The step's answers are kept: a new draft from the completed one carries them.
            assert reapply(step_tab, saved.content.decode()).status_code == 302
            copy = Consultation.objects.get(copied_from=stored)
            assert copy.answers["severity"] == "severe"
        else:
            outcomes["step save won"] += 1
            assert not stored.is_completed and stored.engine_output is None
            assert stored.answers["severity"] == "severe"
            # Completing again, once the clinician has seen the change, completes what is stored.
            assert reapply(complete_tab, completed.content.decode()).status_code == 302
            stored = Consultation.objects.get(pk=consultation.pk)
            assert stored.is_completed and stored.answers["severity"] == "severe"
            _assert_snapshot_matches_answers(stored)
        outcomes["trials"] += 1
    assert outcomes["trials"] == TRIALS


def test_two_step_saves_at_once_never_lose_an_update(clinician):
    outcomes = OUTCOMES.setdefault("step save vs step save", Counter())
    for _ in range(TRIALS):
        consultation = _answered(clinician)
        page = consultation.version
        eczema_tab, treatment_tab = _tabs(clinician)

        eczema, treatment = _at_once(
            _save(eczema_tab, consultation, "eczema", SEVERE, page),
            _save(treatment_tab, consultation, "treatment", WORRIED, page),
        )

        statuses = (eczema.status_code, treatment.status_code)
        assert sorted(statuses) == [302, 409], statuses
        stored = Consultation.objects.get(pk=consultation.pk)
        assert stored.version == page + 1
        # Exactly the winner's step is stored; the loser was told, and nothing else changed.
        eczema_won = eczema.status_code == 302
        outcomes["eczema step won" if eczema_won else "treatment step won"] += 1
        assert (stored.answers["severity"] == "severe") is eczema_won
        assert stored.answers["steroid_concerns"] is not eczema_won
        loser_tab, loser = (treatment_tab, treatment) if eczema_won else (eczema_tab, eczema)
        # One click on the conflict page stores the loser's answers too: both kept.
        assert reapply(loser_tab, loser.content.decode()).status_code == 302
        stored = Consultation.objects.get(pk=consultation.pk)
        assert stored.answers["severity"] == "severe"
        assert stored.answers["steroid_concerns"] is True
        assert stored.version == page + 2
        outcomes["trials"] += 1
    assert outcomes["trials"] == TRIALS
