"""GET /api/v1/consultations[/<id>]: the caller's own completed consultations only, paginated,
with the stored snapshot; drafts and other people's are never shown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from decision.api.api import PAGE_SIZE
from decision.engine import evaluate, parse_assessment
from decision.models import Consultation, Feedback
from tests.helpers import make_input

pytestmark = pytest.mark.django_db
URL = "/api/v1/consultations"


def completed(user, reference: str = "REF-1", completed_at=None, **changes) -> Consultation:
    consultation = Consultation(created_by=user, patient_reference=reference, answers={})
    assessment = parse_assessment(make_input(**changes))
    consultation.answers = assessment.to_dict()
    consultation.sync_columns()
    consultation.save()
    consultation.complete(assessment.to_dict(), evaluate(assessment).to_dict(), completed_at)
    return consultation


def draft(user) -> Consultation:
    return Consultation.objects.create(created_by=user, patient_reference="DRAFT-1")


def test_the_list_holds_only_my_completed_consultations_newest_first(
    api, clinician, other_clinician
):
    # Completed a day ago (a completed record cannot be back-dated afterwards).
    completed(clinician, "MINE-1", completed_at=timezone.now() - timedelta(days=1))
    newer = completed(clinician, "MINE-2", severity="severe")
    draft(clinician)
    completed(other_clinician, "THEIRS")

    response = api.get(URL)

    body = response.json()
    assert response.status_code == 200
    assert (body["count"], body["page"], body["pages"], body["next"], body["previous"]) == (
        2, 1, 1, None, None,
    )  # fmt: skip
    assert [r["patient_reference"] for r in body["results"]] == ["MINE-2", "MINE-1"]
    first = body["results"][0]
    assert first["id"] == str(newer.pk)
    assert first["severity"] == "severe"
    assert first["next_step_code"] == newer.next_step_code
    assert first["url"] == f"http://testserver{URL}/{newer.pk}"


def test_the_list_is_paginated(api, clinician, django_assert_max_num_queries):
    for number in range(PAGE_SIZE + 1):
        completed(clinician, f"R-{number}")

    with django_assert_max_num_queries(4):  # token, last used, count, page
        first = api.get(URL).json()
    second = api.get(first["next"]).json()

    assert (first["count"], first["pages"], len(first["results"])) == (PAGE_SIZE + 1, 2, PAGE_SIZE)
    assert first["next"] == f"http://testserver{URL}?page=2"
    assert (len(second["results"]), second["next"]) == (1, None)
    assert second["previous"] == f"http://testserver{URL}?page=1"
    beyond = api.get(f"{URL}?page=9").json()
    assert (beyond["results"], beyond["previous"]) == ([], f"http://testserver{URL}?page=2")


@pytest.mark.parametrize("page", ["0", "-1", "x", "1.5", "9" * 30])
def test_a_bad_page_number_gets_400(api, page):
    response = api.get(f"{URL}?page={page}")

    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "page"


def test_the_detail_has_the_stored_snapshot_rule_set_and_feedback(
    api, clinician, django_assert_max_num_queries
):
    consultation = completed(clinician)
    Feedback.objects.create(
        consultation=consultation,
        outcome=Feedback.Outcome.NOT_FOLLOWED,
        reason=Feedback.Reason.PATIENT_PREFERENCE,
        recorded_by=clinician,
    )

    with django_assert_max_num_queries(3):  # token, last used, consultation with feedback
        response = api.get(f"{URL}/{consultation.pk}")

    body = response.json()
    assert response.status_code == 200
    assert body["engine_input"] == consultation.engine_input
    assert body["engine_output"] == consultation.engine_output
    assert body["ruleset_version"] == consultation.ruleset_version != ""
    assert body["feedback"]["outcome"] == "not_followed"
    assert body["feedback"]["reason"] == "patient_preference"


def test_a_draft_another_users_or_unknown_consultation_is_404(api, clinician, other_clinician):
    unknown = "00000000-0000-0000-0000-000000000000"
    for pk in (draft(clinician).pk, completed(other_clinician).pk, unknown):
        response = api.get(f"{URL}/{pk}")

        assert response.status_code == 404
        assert response.json()["detail"] == "Not found."


@pytest.mark.parametrize("bad", ["not-a-uuid", "1", "%27%20OR%201%3D1", "a" * 500])
def test_a_malformed_id_gets_400_never_500(api, bad):
    response = api.get(f"{URL}/{bad}")

    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "consultation_id"


def test_the_consultations_cannot_be_changed_through_the_api(api, clinician):
    consultation = completed(clinician)

    for method in ("post", "put", "patch", "delete"):
        response = getattr(api.client, method)(
            f"{URL}/{consultation.pk}", HTTP_AUTHORIZATION=f"Bearer {api.token}"
        )
        assert response.status_code == 405
