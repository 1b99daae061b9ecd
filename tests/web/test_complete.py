"""Completing runs the engine once, stores the snapshot and shows the result; never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from decision import views
from decision.engine import AssessmentError, FieldError, evaluate, parse_assessment
from decision.models import Consultation
from tests.helpers import make_input
from tests.web.journey import complete, enter, patient_post, step_url, versioned

pytestmark = pytest.mark.django_db


def test_check_answers_lists_every_answer_with_a_change_link(answered, clinician_client):
    html = clinician_client.get(step_url(answered, "check")).content.decode()

    assert "Check your answers" in html
    for slug in ("patient", "safety", "eczema", "treatment", "tried", "other"):
        assert f'href="{step_url(answered, slug)}?return=check#' in html
    assert html.count(">Change<") >= 30
    assert "Flexures (elbow and knee creases, skin folds), Arms, Legs" in html
    assert "Complete and see the recommendation" in html


def test_completing_stores_the_snapshot_and_shows_the_result(answered, clinician_client):
    response = complete(clinician_client, answered)

    assert response["Location"] == reverse("consultation_result", args=[answered.pk])
    answered.refresh_from_db()
    assessment = parse_assessment(make_input())
    assert answered.status == Consultation.Status.COMPLETED
    assert answered.engine_input == assessment.to_dict()
    assert answered.engine_output == evaluate(assessment).to_dict()
    assert answered.next_step_code == "START_TCI"
    assert answered.most_urgent_referral is None
    page = clinician_client.get(response["Location"]).content.decode()
    for heading in ("Next step", "Alternatives", "Also do", "Avoid", "Steroid trial", "Follow-up"):
        assert heading in page
    assert "Review in <strong>14 days</strong>" in page
    assert "Sources: " in page


def test_completing_an_unfinished_consultation_lists_the_missing_steps(clinician_client):
    clinician_client.post(reverse("consultation_new"), patient_post(make_input()))
    consultation = Consultation.objects.get()

    response = clinician_client.post(
        step_url(consultation, "check"), versioned(consultation, {}), follow=True
    )

    html = response.content.decode()
    # Post/Redirect/Get: the page that says so is a GET (Back never asks to resubmit).
    assert response.redirect_chain == [(step_url(consultation, "check"), 302)]
    assert response.status_code == 200
    assert "Some steps are not answered yet" in html
    assert f'href="{step_url(consultation, "eczema")}?return=check"' in html
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.DRAFT


def test_an_engine_refusal_is_shown_with_links_to_the_steps_never_a_500(
    answered, clinician_client, monkeypatch
):
    def refuse(data):
        raise AssessmentError([FieldError("current_tcs.weeks", "must be at most 520")])

    monkeypatch.setattr(views, "parse_assessment", refuse)

    response = clinician_client.post(
        step_url(answered, "check"), versioned(answered, {}), follow=True
    )

    html = response.content.decode()
    assert response.redirect_chain == [(f"{step_url(answered, 'check')}?refused=1", 302)]
    assert response.status_code == 200
    assert "current_tcs.weeks: must be at most 520" in html
    assert f'href="{step_url(answered, "treatment")}?return=check"' in html
    answered.refresh_from_db()
    assert answered.status == Consultation.Status.DRAFT
    assert answered.engine_output is None


def test_stored_answers_the_engine_refuses_are_reported_not_crashed_on(answered, clinician_client):
    answered.answers = {**answered.answers, "severity": "catastrophic"}
    answered.save()

    response = clinician_client.post(
        step_url(answered, "check"), versioned(answered, {}), follow=True
    )

    assert response.status_code == 200
    assert "severity" in response.content.decode()
    answered.refresh_from_db()
    assert answered.status == Consultation.Status.DRAFT


def test_completing_twice_completes_once(answered, clinician_client):
    # A double click: the same page (the same version) posted twice.
    check = step_url(answered, "check")
    clinician_client.post(check, {"_version": answered.version})
    answered.refresh_from_db()
    first = answered.completed_at

    response = clinician_client.post(check, {"_version": answered.version - 1})

    assert response["Location"] == reverse("consultation_result", args=[answered.pk])
    answered.refresh_from_db()
    assert answered.completed_at == first
    assert answered.history.filter(status="completed").count() == 1


def test_the_result_of_a_draft_sends_the_clinician_back_to_the_questions(
    answered, clinician_client
):
    response = clinician_client.get(reverse("consultation_result", args=[answered.pk]))

    assert response["Location"] == reverse("consultation_resume", args=[answered.pk])


def test_resuming_a_completed_consultation_shows_its_result(answered, clinician_client):
    complete(clinician_client, answered)

    response = clinician_client.get(reverse("consultation_resume", args=[answered.pk]))

    assert response["Location"] == reverse("consultation_result", args=[answered.pk])


def test_a_new_consultation_from_a_completed_one_copies_the_answers(
    answered, clinician_client, clinician
):
    complete(clinician_client, answered)
    answered.refresh_from_db()

    response = clinician_client.post(reverse("consultation_copy", args=[answered.pk]))

    copy = Consultation.objects.exclude(pk=answered.pk).get()
    # Today's red flags are asked again: the copy opens on the safety screen, unanswered.
    assert response["Location"] == step_url(copy, "safety")
    assert copy.status == Consultation.Status.DRAFT
    assert copy.created_by == clinician
    assert copy.copied_from == answered
    assert "red_flags" in answered.answers
    assert copy.answers == {k: v for k, v in answered.answers.items() if k != "red_flags"}
    assert copy.patient_reference == answered.patient_reference
    assert copy.age_months == answered.age_months
    assert copy.engine_output is None and copy.completed_at is None
    answered.refresh_from_db()
    assert answered.status == Consultation.Status.COMPLETED


def test_a_copy_does_not_carry_over_the_red_flags(clinician_client):
    flagged = enter(clinician_client, make_input(red_flags={"herpeticum_signs": True}), "RF-COPY")
    complete(clinician_client, flagged)

    clinician_client.post(reverse("consultation_copy", args=[flagged.pk]))

    copy = Consultation.objects.exclude(pk=flagged.pk).get()
    assert "red_flags" not in copy.answers
    assert not copy.has_red_flags and not copy.herpeticum_signs
    html = clinician_client.get(step_url(copy, "check")).content.decode()
    assert "Some steps are not answered yet" in html
    page = clinician_client.get(step_url(copy, "safety")).content.decode()
    assert "checked" not in page.split('id="step-form"')[1].split("</form>")[0]


def test_copying_needs_a_post(answered, clinician_client):
    response = clinician_client.get(reverse("consultation_copy", args=[answered.pk]))

    assert response.status_code == 405
    assert Consultation.objects.count() == 1


def test_the_result_shows_advice_on_a_very_potent_steroid_in_a_child(
    make_answered, clinician_client
):
    consultation = make_answered(age_months=48, current_tcs={"potency": "very_high"})
    response = complete(clinician_client, consultation)
    page = clinician_client.get(response["Location"]).content.decode()
    assert "Advice on the steroid in use" in page
    assert "Very potent steroids are not used in children without specialist advice." in page
