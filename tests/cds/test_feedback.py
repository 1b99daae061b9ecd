"""POST /cds-services/eczema-step-up/feedback: the specification's feedback examples, sent for
our card, are stored in the site's Feedback model and show on the review dashboard; feedback for
cards we did not give this EHR is ignored."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from decision import roles
from decision.models import Feedback
from tests.cds.conftest import FEEDBACK, ISSUER, SERVICE, patient_view, sign, spec
from tests.helpers import make_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(ehr) -> dict:
    return ehr.post(SERVICE, patient_view(make_input())).json()["cards"][0]


def example(name: str, card: dict) -> dict:
    """The specification's example, about our card."""
    body = spec(name)
    body["feedback"][0]["card"] = card["uuid"]
    return body


def test_accepted_is_stored_as_followed(ehr, card):
    body = example("feedback-accepted.json", card)
    body["feedback"][0]["acceptedSuggestions"] = [{"id": card["suggestions"][0]["uuid"]}]

    response = ehr.post(FEEDBACK, body)

    feedback = Feedback.objects.get()
    assert response.status_code == 200
    assert (feedback.outcome, feedback.reason, feedback.comment) == ("followed", "", "")
    assert str(feedback.consultation_id) == card["uuid"]
    assert feedback.recorded_by.username == settings.CDS_SERVICE_USERNAME


def test_overridden_with_one_of_our_reasons_is_stored_with_that_reason(ehr, card):
    body = example("feedback-overridden-with-reason.json", card)
    body["feedback"][0]["overrideReason"]["reason"] = card["overrideReasons"][0]

    ehr.post(FEEDBACK, body)

    feedback = Feedback.objects.get()
    assert (feedback.outcome, feedback.reason) == (
        "not_followed",
        card["overrideReasons"][0]["code"],
    )
    assert feedback.comment == "A comment entered by the clinician."


def test_overridden_with_the_ehrs_own_reason_is_other_with_that_comment(ehr, card):
    ehr.post(FEEDBACK, example("feedback-overridden-with-reason.json", card))

    feedback = Feedback.objects.get()
    assert (feedback.outcome, feedback.reason) == ("not_followed", "other")
    assert feedback.comment == "A comment entered by the clinician."


def test_overridden_without_a_reason_is_other_saying_so(ehr, card):
    ehr.post(FEEDBACK, example("feedback-overridden.json", card))

    feedback = Feedback.objects.get()
    assert (feedback.outcome, feedback.reason) == ("not_followed", "other")
    assert feedback.comment == "Overridden in the EHR without a reason."


def test_later_feedback_replaces_earlier_feedback_with_history(ehr, card):
    ehr.post(FEEDBACK, example("feedback-overridden.json", card))
    body = example("feedback-accepted.json", card)

    ehr.post(FEEDBACK, body)

    feedback = Feedback.objects.get()
    assert feedback.outcome == "followed"
    assert feedback.history.count() == 2


def test_the_feedback_shows_on_the_review_dashboard(ehr, card, client, django_user_model):
    body = example("feedback-overridden-with-reason.json", card)
    body["feedback"][0]["overrideReason"]["reason"] = card["overrideReasons"][0]
    ehr.post(FEEDBACK, body)
    reviewer = django_user_model.objects.create_user("reviewer")
    roles.grant(reviewer, roles.REVIEWER)
    client.force_login(reviewer)

    response = client.get(reverse("review_dashboard"))

    report = response.context["report"]
    assert (report.total, report.feedback_total, report.overridden) == (1, 1, 1)
    assert report.override_rate == 100.0
    reasons = {row.code: row.count for row in report.override_reasons}
    assert reasons[card["overrideReasons"][0]["code"]] == 1


def test_feedback_for_an_unknown_card_is_ignored(ehr, card):
    response = ehr.post(FEEDBACK, spec("feedback-overridden.json"))  # the example's own uuid

    assert response.status_code == 200
    assert not Feedback.objects.exists()


def test_feedback_from_another_ehr_for_our_card_is_ignored(ehr, card, settings):
    settings.CDS_CLIENTS = {
        **settings.CDS_CLIENTS,
        "https://other-ehr.example/": settings.CDS_CLIENTS[ISSUER],
    }
    token = sign(FEEDBACK, iss="https://other-ehr.example/")

    response = ehr.post(FEEDBACK, example("feedback-overridden.json", card), token=token)

    assert response.status_code == 200
    assert not Feedback.objects.exists()


def test_feedback_may_name_the_service_as_its_audience(ehr, card):
    token = sign(FEEDBACK, aud=f"https://cds.example.org{SERVICE}")

    ehr.post(FEEDBACK, example("feedback-overridden.json", card), token=token)

    assert Feedback.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda item: item.update(outcome="ignored"), "feedback[0].outcome"),
        (lambda item: item.pop("outcomeTimestamp"), "feedback[0].outcomeTimestamp"),
        (lambda item: item.pop("card"), "feedback[0].card"),
    ],
)
def test_feedback_that_does_not_follow_the_specification_gets_400(ehr, card, change, path):
    body = example("feedback-overridden.json", card)
    change(body["feedback"][0])

    response = ehr.post(FEEDBACK, body)

    assert response.status_code == 400
    assert path in [e["path"] for e in response.json()["errors"]]
    assert not Feedback.objects.exists()
