"""Every step through the test client: valid and invalid posts, back and forward, resume."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from decision.models import Consultation
from tests.helpers import make_input
from tests.web.journey import (
    POSTS,
    complete,
    eczema_post,
    patient_post,
    step_url,
    treatment_post,
    versioned,
)

pytestmark = pytest.mark.django_db

NEXT = {
    "patient": "safety",
    "safety": "eczema",
    "eczema": "treatment",
    "treatment": "tried",
    "tried": "other",
    "other": "check",
}


def _new(client, **changes) -> Consultation:
    response = client.post(reverse("consultation_new"), patient_post(make_input(**changes)))
    assert response.status_code == 302
    return Consultation.objects.latest("created_at")


def test_the_first_step_is_shown_for_a_new_consultation_without_creating_one(clinician_client):
    response = clinician_client.get(reverse("consultation_new"), follow=True)

    assert response.status_code == 200
    assert b'name="patient_reference"' in response.content
    assert b"Step 1 of 7" in response.content
    assert not Consultation.objects.exists()


def test_a_valid_first_step_creates_a_draft_and_goes_to_the_safety_screen(
    clinician_client, clinician
):
    response = clinician_client.post(
        reverse("consultation_new"), patient_post(make_input(age_months=30), reference="AB 12")
    )

    consultation = Consultation.objects.get()
    assert response["Location"] == step_url(consultation, "safety")
    assert consultation.created_by == clinician
    assert consultation.status == Consultation.Status.DRAFT
    assert consultation.patient_reference == "AB 12"
    assert consultation.age_months == 30
    assert consultation.answers["age_months"] == 30
    assert consultation.answers["liver_impairment"] is False


def test_an_invalid_first_step_saves_nothing_and_keeps_what_was_typed(clinician_client):
    post = {**patient_post(make_input()), "patient_reference": "BED-7", "age_years": "abc"}

    response = clinician_client.post(reverse("consultation_new"), post, follow=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert not Consultation.objects.exists()
    assert "There is a problem" in html
    assert 'href="#id_age_years"' in html
    assert html.count("Enter the age in years as a whole number") == 2  # summary + field
    assert 'value="BED-7"' in html
    assert 'value="abc"' in html


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("12/03/2019", "looks like a date"),
        ("2019-03-12", "looks like a date"),
        ("943 476 5919", "looks like an NHS number"),
        ("Jane <Smith>", "letters, numbers"),
        ("", "Enter the clinic reference"),
        ("X" * 31, "at most 30 characters"),
    ],
)
def test_a_reference_that_could_identify_the_patient_is_refused(
    clinician_client, reference, message
):
    post = {**patient_post(make_input()), "patient_reference": reference}

    response = clinician_client.post(reverse("consultation_new"), post, follow=True)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Consultation.objects.exists()


def test_the_pregnancy_question_is_not_asked_under_ten_years(clinician_client):
    consultation = _new(clinician_client, age_months=119)

    html = clinician_client.get(step_url(consultation, "patient")).content.decode()

    assert 'name="pregnant_or_breastfeeding"' not in html
    assert 'name="liver_impairment"' in html


def test_the_liver_question_is_not_asked_under_two_years(clinician_client):
    consultation = _new(clinician_client, age_months=23)

    html = clinician_client.get(step_url(consultation, "patient")).content.decode()

    assert 'name="liver_impairment"' not in html
    assert 'name="pregnant_or_breastfeeding"' not in html
    assert consultation.answers["liver_impairment"] is False


def test_every_question_shows_while_the_age_is_unknown(clinician_client):
    html = clinician_client.get(reverse("consultation_new"), follow=True).content.decode()

    assert 'name="pregnant_or_breastfeeding"' in html
    assert 'name="liver_impairment"' in html


def test_a_question_that_now_applies_is_asked_before_saving(clinician_client):
    consultation = _new(clinician_client, age_months=48)
    post = {**patient_post(make_input(age_months=360)), "asked": ["liver_impairment"]}

    response = clinician_client.post(
        step_url(consultation, "patient"), versioned(consultation, post), follow=True
    )

    assert response.status_code == 200
    assert "This question applies at this age" in response.content.decode()
    assert 'name="pregnant_or_breastfeeding"' in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.age_months == 48

    post["asked"] = ["pregnant_or_breastfeeding", "liver_impairment"]
    post["pregnant_or_breastfeeding"] = "on"
    response = clinician_client.post(
        step_url(consultation, "patient"), versioned(consultation, post)
    )

    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.age_months == 360
    assert consultation.answers["pregnant_or_breastfeeding"] is True


def test_a_ticked_question_that_does_not_apply_at_this_age_is_an_error(clinician_client):
    post = {
        **patient_post(make_input(age_months=48)),
        "asked": ["pregnant_or_breastfeeding", "liver_impairment"],
        "pregnant_or_breastfeeding": "on",
    }

    response = clinician_client.post(reverse("consultation_new"), post, follow=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert "This applies only from 10 years of age" in html
    # Still on the page, so the box can be unticked; the summary links to it.
    assert 'id="id_pregnant_or_breastfeeding"' in html
    assert 'href="#id_pregnant_or_breastfeeding"' in html
    assert not Consultation.objects.exists()


def test_each_step_saves_on_continue_and_moves_to_the_next(clinician_client):
    data = make_input(
        red_flags={"infection_signs": True},
        steroid_concerns=True,
        tried={"tci": "not_tolerated"},
        documented_food_allergy=True,
    )
    consultation = _new(clinician_client, **{k: v for k, v in data.items() if k == "age_months"})

    for slug in ("safety", "eczema", "treatment", "tried", "other"):
        response = clinician_client.post(
            step_url(consultation, slug), versioned(consultation, POSTS[slug](data))
        )
        assert response.status_code == 302, response.content.decode()
        assert response["Location"] == step_url(consultation, NEXT[slug])

    consultation.refresh_from_db()
    answers = consultation.answers
    assert answers["red_flags"]["infection_signs"] is True
    assert consultation.infection_signs and consultation.has_red_flags
    assert answers["sites"] == ["flexures", "arms", "legs"]
    assert answers["bsa_percent"] == 15
    assert answers["current_tcs"] == {
        "potency": "medium",
        "applications_per_day": 2,
        "weeks": 3,
        "adherence": "good",
        "grams_per_week": None,
        "agent": None,
    }
    assert answers["steroid_concerns"] is True
    assert answers["tried"]["tci"] == "not_tolerated"
    assert answers["tried"]["wet_wraps"] == "not_tried"
    assert answers["documented_food_allergy"] is True
    assert consultation.severity == "moderate"


def test_going_back_to_a_step_shows_the_saved_answers(answered, clinician_client):
    html = clinician_client.get(step_url(answered, "eczema")).content.decode()

    assert re.search(r'value="flexures"[^>]*checked', html)
    assert not re.search(r'value="face"[^>]*checked', html)
    assert 'value="15"' in html
    assert "Step 3 of 7" in html


def test_revisiting_the_first_step_shows_the_saved_reference_and_age(answered, clinician_client):
    html = clinician_client.get(step_url(answered, "patient")).content.decode()

    assert 'value="REF-1"' in html
    assert re.search(r'name="age_years" value="7"', html)
    assert re.search(r'name="age_extra_months" value="0"', html)


def test_back_saves_a_valid_page_and_goes_to_the_previous_step(answered, clinician_client):
    post = {**eczema_post(make_input()), "severity": "severe", "_action": "back"}

    response = clinician_client.post(step_url(answered, "eczema"), versioned(answered, post))

    assert response["Location"] == step_url(answered, "safety")
    answered.refresh_from_db()
    assert answered.severity == "severe"


def test_back_from_the_first_step_saves_a_draft_and_goes_home(clinician_client):
    post = {**patient_post(make_input()), "_action": "back"}

    response = clinician_client.post(reverse("consultation_new"), post)

    assert response["Location"] == reverse("home")
    assert Consultation.objects.get().status == Consultation.Status.DRAFT


def test_back_with_errors_saves_nothing_and_offers_to_leave_without_saving(
    answered, clinician_client
):
    post = {**eczema_post(make_input()), "bsa_percent": "150", "_action": "back"}

    response = clinician_client.post(
        step_url(answered, "eczema"), versioned(answered, post), follow=True
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "This page has not been saved" in html
    assert f'href="{step_url(answered, "safety")}"' in html
    assert 'value="150"' in html
    answered.refresh_from_db()
    assert answered.answers["bsa_percent"] == 15


def test_resume_goes_to_the_first_unanswered_step(clinician_client):
    consultation = _new(clinician_client)
    clinician_client.post(step_url(consultation, "safety"), versioned(consultation, {}))

    response = clinician_client.get(reverse("consultation_resume", args=[consultation.pk]))

    assert response["Location"] == step_url(consultation, "eczema")


def test_resume_of_a_fully_answered_draft_goes_to_check_answers(answered, clinician_client):
    response = clinician_client.get(reverse("consultation_resume", args=[answered.pk]))

    assert response["Location"] == step_url(answered, "check")


def test_a_change_from_check_answers_returns_to_check_answers(answered, clinician_client):
    check = clinician_client.get(step_url(answered, "check")).content.decode()
    change_url = step_url(answered, "treatment") + "?return=check"
    assert f'href="{change_url}#id_potency_0"' in check

    response = clinician_client.post(
        change_url, versioned(answered, {**treatment_post(make_input()), "steroid_concerns": "on"})
    )

    assert response["Location"] == step_url(answered, "check")
    answered.refresh_from_db()
    assert answered.answers["steroid_concerns"] is True


INVALID = [
    ("patient", {"age_years": "121"}, "age_years", "Age must be 120 years or less"),
    ("patient", {"age_years": "120", "age_extra_months": "1"}, "age_years", "120 years or less"),
    ("patient", {"age_extra_months": "12"}, "age_extra_months", "from 0 to 11"),
    ("patient", {"age_years": "-1"}, "age_years", "Age cannot be negative"),
    ("eczema", {"severity": "extreme"}, "severity_0", "Select a valid choice"),
    ("eczema", {"severity": ""}, "severity_0", "Choose the severity"),
    ("eczema", {"sites": []}, "sites_0", "Tick at least one affected site"),
    ("eczema", {"sites": ["elbow"]}, "sites_0", "Select a valid choice"),
    ("eczema", {"bsa_percent": "101"}, "bsa_percent", "from 0 to 100"),
    ("eczema", {"bsa_percent": "NaN"}, "bsa_percent", "from 0 to 100"),
    ("eczema", {"sleep_loss_nights_per_week": "8"}, "sleep_loss_nights_per_week", "0 to 7"),
    ("treatment", {"potency": ""}, "potency_0", "Choose the steroid used or its potency"),
    ("treatment", {"applications_per_day": "5"}, "applications_per_day", "from 0 to 4"),
    ("treatment", {"applications_per_day": ""}, "applications_per_day", "times a day"),
    ("treatment", {"weeks": "521"}, "weeks", "from 0 to 520"),
    ("treatment", {"weeks": "-1"}, "weeks", "from 0 to 520"),
    ("treatment", {"adherence": ""}, "adherence_0", "how well the steroid has been used"),
    ("treatment", {"grams_per_week": "2001"}, "grams_per_week", "from 0 to 2000"),
    ("treatment", {"emollients_daily": ""}, "emollients_daily_0", "emollients are used"),
    ("tried", {"tci": "worked_wonders"}, "tci", "Select a valid choice"),
    ("tried", {"tci": ""}, "tci", "Choose an outcome"),
]


@pytest.mark.parametrize(("slug", "change", "anchor", "message"), INVALID)
def test_bad_input_is_shown_next_to_the_field_and_in_the_summary_and_not_saved(
    answered, clinician_client, slug, change, anchor, message
):
    before = dict(answered.answers)
    post = {**POSTS[slug](make_input()), **change}

    response = clinician_client.post(
        step_url(answered, slug), versioned(answered, post), follow=True
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count(message) >= 2, html  # next to the field and in the summary
    assert f'href="#id_{anchor}"' in html
    assert "<title>Error: " in html
    answered.refresh_from_db()
    assert answered.answers == before


def test_choosing_an_agent_fills_in_its_potency_without_javascript(answered, clinician_client):
    post = {**treatment_post(make_input()), "potency": "", "tcs_agent": "clobetasol-0.05"}

    response = clinician_client.post(step_url(answered, "treatment"), versioned(answered, post))

    assert response.status_code == 302
    answered.refresh_from_db()
    assert answered.answers["current_tcs"]["potency"] == "very_high"
    assert answered.answers["current_tcs"]["agent"] == "clobetasol-0.05"  # to the engine


def test_an_agent_with_a_different_potency_is_an_error(answered, clinician_client):
    post = {**treatment_post(make_input()), "potency": "low", "tcs_agent": "clobetasol-0.05"}

    response = clinician_client.post(
        step_url(answered, "treatment"), versioned(answered, post), follow=True
    )

    assert response.status_code == 200
    assert "very high potency: choose that potency, or clear the agent" in response.content.decode()


def test_no_steroid_ignores_the_course_questions(answered, clinician_client):
    post = {
        **treatment_post(make_input()),
        "potency": "none",
        "applications_per_day": "lots",
        "weeks": "",
        "adherence": "",
        "grams_per_week": "9999",
    }

    response = clinician_client.post(step_url(answered, "treatment"), versioned(answered, post))

    assert response.status_code == 302
    answered.refresh_from_db()
    assert answered.answers["current_tcs"] == {
        "potency": "none",
        "applications_per_day": 0,
        "weeks": 0,
        "adherence": "good",
        "grams_per_week": None,
        "agent": None,
    }


def test_weeks_and_grams_keep_one_decimal_place(answered, clinician_client):
    post = {**treatment_post(make_input()), "weeks": "1.5", "grams_per_week": "30.5"}

    clinician_client.post(step_url(answered, "treatment"), versioned(answered, post))

    answered.refresh_from_db()
    assert answered.answers["current_tcs"]["weeks"] == 1.5
    assert answered.answers["current_tcs"]["grams_per_week"] == 30.5


def test_the_poem_answers_are_kept_as_extras_not_engine_input(answered, clinician_client):
    post = {**eczema_post(make_input()), **{f"poem_{n}": "3" for n in range(1, 8)}}

    clinician_client.post(step_url(answered, "eczema"), versioned(answered, post))

    answered.refresh_from_db()
    assert answered.extras["poem"] == [3] * 7
    assert "poem" not in answered.engine_input_from_answers()
    assert "extras" not in answered.engine_input_from_answers()


@pytest.mark.parametrize("slug", ["patient", "safety", "eczema", "treatment", "tried", "other"])
def test_a_completed_consultation_is_read_only(answered, clinician_client, slug):
    page = versioned(answered, POSTS[slug](make_input(age_months=400)))
    complete(clinician_client, answered)
    answered.refresh_from_db()
    before = (answered.answers, answered.engine_output, answered.updated_at)

    get = clinician_client.get(step_url(answered, slug))
    post = clinician_client.post(step_url(answered, slug), page)

    assert get["Location"] == reverse("consultation_result", args=[answered.pk])
    # A save from a page opened before completion: a conflict page, nothing saved.
    assert post.status_code == 409
    assert "was completed in another tab or window" in post.content.decode()
    answered.refresh_from_db()
    assert (answered.answers, answered.engine_output, answered.updated_at) == before


def test_an_unknown_step_is_not_found(answered, clinician_client):
    assert clinician_client.get(step_url(answered, "dosage")).status_code == 404


def test_a_new_consultation_starts_at_the_first_step_only(clinician_client):
    response = clinician_client.get(
        "/consultations/00000000-0000-0000-0000-000000000000/steps/safety/"
    )

    assert response.status_code == 404


def test_every_step_page_has_a_real_form_action_and_buttons(answered, clinician_client):
    for slug in ("patient", "safety", "eczema", "treatment", "tried", "other"):
        html = clinician_client.get(step_url(answered, slug)).content.decode()
        assert f'action="{step_url(answered, slug)}"' in html
        assert 'name="_action" value="continue"' in html
        assert 'name="_action" value="back"' in html
        assert "style=" not in html
        assert "<script>" not in html
