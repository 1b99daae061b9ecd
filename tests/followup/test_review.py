"""The review visit through the test client: what it copies, asks and records."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.urls import reverse

from decision import followup
from decision.fhir.resources import questionnaire as fhir_questionnaire
from decision.models import Consultation, Visit
from decision.views_followup import ReviewForm
from tests.followup.clinic import visit
from tests.followup.conftest import REVIEW_POST, poem_post, review_url
from tests.helpers import make_input
from tests.web.journey import enter, step_url


def tag(page: str, element_id: str) -> str:
    """The opening tag of the element with this id."""
    match = re.search(rf'<[^<>]*\bid="{element_id}"[^<>]*>', page)
    assert match, element_id
    return match[0]


def checked(page: str, element_id: str) -> bool:
    return bool(re.search(r"\schecked\b", tag(page, element_id)))


def test_the_review_page_starts_from_the_last_visit_except_red_flags_and_poem(
    clinician_client, first_visit
):
    first = first_visit(poem=[1, 1, 1, 1, 1, 1, 1], red_flags={"infection_signs": True})
    assert first.next_step_code == "TREAT_INFECTION"
    page = clinician_client.get(review_url(first)).content.decode()
    assert checked(page, "id_severity_1")  # moderate
    assert checked(page, "id_sites_7")  # arms
    assert 'value="15"' in tag(page, "id_bsa_percent")
    # Today's red flags and POEM are asked afresh: nothing ticked, nothing chosen.
    assert not checked(page, "id_infection_signs")
    assert '<option value="1" selected>' not in page
    assert not any(checked(page, f"id_review_followed_{n}") for n in range(3))
    assert not Consultation.objects.drafts().exists()  # nothing stored before a save


def test_saving_the_review_makes_a_draft_with_everything_else_copied(clinician_client, first_visit):
    first = first_visit(
        poem=[2, 2, 2, 2, 2, 2, 2],
        red_flags={"infection_signs": True},
        documented_food_allergy=True,
        sleep_loss_nights_per_week=3,
    )
    response = clinician_client.post(review_url(first), {**REVIEW_POST, "severity": "severe"})
    draft = Consultation.objects.get(review_of=first)
    assert response.status_code == 302
    assert response["Location"] == step_url(draft, "check")
    assert draft.status == "draft"
    assert draft.created_by == first.created_by
    assert draft.patient_reference == first.patient_reference
    assert draft.answers["severity"] == "severe"
    assert not any(draft.answers["red_flags"].values())
    assert draft.extras.get("poem") is None
    assert draft.extras["review"] == {
        "followed": "yes",
        "response": "no_change",
        "side_effects": "none",
    }
    # Copied as they were.
    for key in ("age_months", "current_tcs", "documented_food_allergy", "emollients_daily"):
        assert draft.answers[key] == first.answers[key]
    assert draft.answers["sleep_loss_nights_per_week"] == 3
    assert draft.copied_from is None


def test_the_check_page_shows_the_review_first_with_change_links(clinician_client, first_visit):
    first = first_visit()
    clinician_client.post(review_url(first), REVIEW_POST)
    draft = Consultation.objects.get(review_of=first)
    page = clinician_client.get(step_url(draft, "check")).content.decode()
    review = page.index("Since the last visit")
    assert review < page.index("1. Patient")
    assert f'href="{review_url(first)}#id_review_response_0"' in page
    assert "Tried: not enough response" in page  # the TCI, under "Treatments tried"


@pytest.mark.parametrize(
    ("answers", "tci"),
    [
        ({"review_response": "better"}, "helped"),
        ({"review_response": "clear"}, "helped"),
        ({"review_response": "worse"}, "inadequate_response"),
        ({"review_side_effects": "stopped", "review_response": "better"}, "not_tolerated"),
        ({"review_followed": "partly"}, "not_tried"),
        ({"review_followed": "no", "review_response": "worse"}, "not_tried"),
    ],
)
def test_the_tci_is_recorded_as_the_review_says(clinician_client, first_visit, answers, tci):
    first = first_visit()
    clinician_client.post(review_url(first), {**REVIEW_POST, **answers})
    draft = Consultation.objects.get(review_of=first)
    assert draft.answers["tried"]["tci"] == tci
    assert draft.answers["tried"]["wet_wraps"] == "not_tried"


def test_changing_the_review_changes_the_same_draft(clinician_client, first_visit):
    first = first_visit()
    clinician_client.post(review_url(first), REVIEW_POST)
    page = clinician_client.get(review_url(first)).content.decode()
    assert checked(page, "id_review_response_2")  # no change
    clinician_client.post(review_url(first), {**REVIEW_POST, "review_response": "better"})
    draft = Consultation.objects.get(review_of=first)
    assert draft.answers["tried"]["tci"] == "helped"
    # Back to "partly followed": the TCI's outcome returns to what the last visit recorded.
    clinician_client.post(review_url(first), {**REVIEW_POST, "review_followed": "partly"})
    draft.refresh_from_db()
    assert draft.answers["tried"]["tci"] == "not_tried"
    assert Consultation.objects.filter(review_of=first).count() == 1


def test_a_missing_answer_is_explained_and_nothing_is_stored(clinician_client, first_visit):
    first = first_visit()
    post = {key: value for key, value in REVIEW_POST.items() if key != "review_response"}
    response = clinician_client.post(review_url(first), {**post, "severity": "severe"}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose how the eczema has responded" in page
    assert checked(page, "id_severity_2")  # severe: kept
    assert not Consultation.objects.filter(review_of=first).exists()


def test_the_poem_panel_is_redrawn_live(clinician_client, first_visit):
    first = first_visit()
    response = clinician_client.post(
        review_url(first),
        {**poem_post([1, 1, 1, 1, 1, 1, 1]), "_preview": "poem"},
        headers={"HX-Request": "true"},
    )
    assert "POEM 7 of 28" in response.content.decode()
    assert not Consultation.objects.filter(review_of=first).exists()


def test_completing_the_review_stores_its_visit(clinician_client, first_visit, review):
    first = first_visit()
    second = review(first, **poem_post([2, 2, 2, 2, 2, 2, 2]))
    visit = Visit.objects.get(pk=second.pk)
    assert (visit.followed, visit.response, visit.side_effects) == ("yes", "no_change", "none")
    assert visit.reviewed_step_code == "START_TCI"
    assert visit.interval_days == 14
    assert visit.poem_total == 14
    assert second.review_of == first
    result = clinician_client.get(reverse("consultation_result", args=[second.pk]))
    assert "a review of" in result.content.decode()


def test_a_review_starts_from_the_latest_visit(clinician_client, first_visit, review):
    first = first_visit()
    second = review(first)
    response = clinician_client.get(review_url(first))
    assert response.status_code == 302
    assert response["Location"] == review_url(second)


@pytest.mark.parametrize("method", ["get", "post"])
def test_only_the_clinician_of_the_visit_may_review_it(
    client, other_clinician, first_visit, method, django_user_model
):
    first = first_visit()
    reviewer = django_user_model.objects.create_user(username="reviewer", is_staff=True)
    # Another clinician: not theirs (404); a reviewer: not a clinician at all (403).
    for user, status in ((other_clinician, 404), (reviewer, 403)):
        client.force_login(user)
        response = getattr(client, method)(review_url(first), REVIEW_POST)
        assert response.status_code == status
    assert not Consultation.objects.filter(review_of=first).exists()


def test_a_draft_cannot_be_reviewed(clinician_client):
    draft = enter(clinician_client, make_input())
    assert clinician_client.get(review_url(draft)).status_code == 404


def test_the_fhir_questionnaire_does_not_ask_the_review_questions():
    resource = fhir_questionnaire().model_dump_json()
    assert "review_" not in resource


def test_a_step_offering_several_treatments_asks_which_was_used(clinician_client, clinician):
    face = make_input(sites=["face"], tried={"tci": "not_tolerated"})
    first = visit(clinician, "PT-7", 28, face)
    assert first.next_step_code == "NEWER_TOPICAL"
    assert len(first.engine_output["next_step"]["products"]) > 1
    page = clinician_client.get(review_url(first)).content.decode()
    assert "The record does not say which was used" in page
    clinician_client.post(review_url(first), {**REVIEW_POST, "sites": ["face"]})
    draft = Consultation.objects.get(review_of=first)
    assert draft.answers["tried"] == first.answers["tried"]


def test_one_review_draft_per_visit_even_when_the_page_is_posted_twice(first_visit):
    first = first_visit()
    form = ReviewForm(REVIEW_POST, answers=followup.base_answers(first))
    assert form.is_valid()
    made = followup.save_review(first, first.created_by, form)
    # A second post of the same page that looked for a draft before the first one saved.
    with mock.patch.object(followup, "review_in_progress", side_effect=[None, made]):
        again = followup.save_review(first, first.created_by, form)
    assert again.pk == made.pk
    assert Consultation.objects.filter(review_of=first).count() == 1


def test_a_page_with_errors_comes_back_by_its_get_with_what_was_typed(
    clinician_client, first_visit
):
    first = first_visit()
    response = clinician_client.post(review_url(first), {"severity": "severe"})
    assert response.status_code == 302 and response["Location"] == review_url(first)
    page = clinician_client.get(review_url(first)).content.decode()
    assert "Choose how the eczema has responded" in page
    assert checked(page, "id_severity_2")
