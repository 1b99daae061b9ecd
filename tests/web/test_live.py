"""Live panels and redrawn regions: htmx gets a partial, a browser without JavaScript the page.

A preview never saves anything.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from decision.engine import CurrentTCS, RedFlags, check_adequacy, red_flag_actions
from decision.engine.knowledge import poem_band
from decision.models import Consultation
from tests.helpers import make_input
from tests.web.journey import eczema_post, patient_post, step_url, treatment_post, versioned

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _unchanged(consultation):
    before = (consultation.answers, consultation.updated_at)
    consultation.refresh_from_db()
    return (consultation.answers, consultation.updated_at) == before


def test_ticking_a_red_flag_shows_its_urgent_action_at_once(answered, clinician_client):
    post = {"herpeticum_signs": "on", "_preview": "red_flags"}

    response = clinician_client.post(
        step_url(answered, "safety"), versioned(answered, post), **HTMX
    )

    html = response.content.decode()
    expected = red_flag_actions(RedFlags(herpeticum_signs=True), sites=("flexures", "arms", "legs"))
    assert response.status_code == 200
    assert "<html" not in html
    assert expected[0].text in html
    assert "Urgent:" in html
    assert _unchanged(answered)


def test_the_red_flag_panel_names_the_eyelid_referral_when_eyelids_are_affected(
    make_answered, clinician_client
):
    consultation = make_answered(sites=["face", "eyelids"])
    post = {"herpeticum_signs": "on", "_preview": "red_flags"}

    html = clinician_client.post(
        step_url(consultation, "safety"), versioned(consultation, post), **HTMX
    ).content.decode()

    for alert in red_flag_actions(RedFlags(herpeticum_signs=True), sites=("face", "eyelids")):
        assert alert.text in html


def test_no_red_flags_ticked_says_so(answered, clinician_client):
    response = clinician_client.post(
        step_url(answered, "safety"), {"_preview": "red_flags"}, **HTMX
    )

    assert "No red flags ticked." in response.content.decode()


def test_without_javascript_a_red_flag_preview_shows_the_page_and_saves_nothing(
    answered, clinician_client
):
    post = {"infection_signs": "on", "_preview": "red_flags"}

    response = clinician_client.post(step_url(answered, "safety"), versioned(answered, post))

    html = response.content.decode()
    assert "<html" in html
    assert red_flag_actions(RedFlags(infection_signs=True))[0].text in html
    assert re.search(r'name="infection_signs"[^>]*checked', html)
    assert "There is a problem" not in html
    assert _unchanged(answered)


def test_saved_red_flags_stay_in_view_on_every_later_step(make_answered, clinician_client):
    consultation = make_answered(red_flags={"systemically_unwell": True})
    alert = red_flag_actions(RedFlags(systemically_unwell=True))[0]

    for slug in ("eczema", "treatment", "tried", "other", "check"):
        html = clinician_client.get(step_url(consultation, slug)).content.decode()
        assert "Red flags raised" in html
        assert alert.text in html


def test_the_poem_calculator_scores_live_and_suggests_a_band(answered, clinician_client):
    post = {**{f"poem_{n}": "3" for n in range(1, 8)}, "_preview": "poem"}

    response = clinician_client.post(
        step_url(answered, "eczema"), versioned(answered, post), **HTMX
    )

    html = response.content.decode()
    band = poem_band(21)
    assert "POEM 21 of 28" in html
    assert band["label"].lower() in html
    assert f"suggests <strong>{band['severity']}</strong>" in html
    assert _unchanged(answered)


def test_a_partly_answered_poem_has_no_score_yet(answered, clinician_client):
    post = {"poem_1": "4", "poem_2": "0", "_preview": "poem"}

    html = clinician_client.post(
        step_url(answered, "eczema"), versioned(answered, post), **HTMX
    ).content.decode()

    assert "2 of 7 questions answered" in html
    assert "of 28" not in html


def test_without_javascript_the_poem_score_shows_on_the_page_and_saves_nothing(
    answered, clinician_client
):
    post = {**eczema_post(make_input()), **{f"poem_{n}": "1" for n in range(1, 8)}}
    post["_preview"] = "poem"

    html = clinician_client.post(
        step_url(answered, "eczema"), versioned(answered, post)
    ).content.decode()

    assert "POEM 7 of 28" in html
    assert "<html" in html
    assert _unchanged(answered)


def test_choosing_an_agent_fills_in_its_potency_live(answered, clinician_client):
    post = {**treatment_post(make_input()), "tcs_agent": "clobetasol-0.05", "_preview": "potency"}

    response = clinician_client.post(
        step_url(answered, "treatment"), versioned(answered, post), **HTMX
    )

    html = response.content.decode()
    assert re.search(r'value="very_high"[^>]*checked', html)
    assert 'id="potency-field"' in html
    assert 'id="tcs-course"' in html and 'hx-swap-oob="true"' in html
    assert "tcs-updated" in response["HX-Trigger-After-Settle"]
    assert _unchanged(answered)


def test_choosing_a_potency_by_hand_clears_a_different_agent(answered, clinician_client):
    post = {**treatment_post(make_input()), "tcs_agent": "clobetasol-0.05", "potency": "low"}
    post["_preview"] = "course"

    response = clinician_client.post(
        step_url(answered, "treatment"), versioned(answered, post), **HTMX
    )

    html = response.content.decode()
    assert 'id="agent-field"' in html
    assert not re.search(r'value="clobetasol-0.05"[^>]*selected', html)


def test_no_steroid_hides_the_course_questions_live(answered, clinician_client):
    post = {**treatment_post(make_input()), "potency": "none", "_preview": "course"}

    html = clinician_client.post(
        step_url(answered, "treatment"), versioned(answered, post), **HTMX
    ).content.decode()

    assert re.search(r'<fieldset id="tcs-course"[^>]*hidden', html)


def test_the_adequacy_panel_lists_the_reasons_as_the_clinician_types(answered, clinician_client):
    post = {
        **treatment_post(make_input()),
        "potency": "low",
        "applications_per_day": "1",
        "weeks": "1",
        "adherence": "poor",
        "_preview": "adequacy",
    }

    response = clinician_client.post(
        step_url(answered, "treatment"), versioned(answered, post), **HTMX
    )

    html = response.content.decode()
    adequacy = check_adequacy(
        84,
        "moderate",
        ("flexures", "arms", "legs"),
        CurrentTCS("low", 1, 1, "poor", None),
        bsa_percent=15,  # the step-3 answer: the amount follows the extent
    )
    assert not adequacy.adequate
    assert "Not yet an adequate trial" in html
    for text in adequacy.reason_texts:
        assert text in html
    assert f"about {adequacy.expected_grams_per_week:g} g a week" in html
    assert _unchanged(answered)


def test_the_adequacy_panel_confirms_an_adequate_trial(answered, clinician_client):
    post = {**treatment_post(make_input()), "_preview": "adequacy"}

    html = clinician_client.post(
        step_url(answered, "treatment"), versioned(answered, post), **HTMX
    ).content.decode()

    assert "Adequate trial." in html
    # 15 % of a 7-year-old's 25 FTU whole body (3.75 FTU) twice daily, not the whole regions.
    assert "Expected use: about 26.3 g a week (about 3.8 fingertip units each application" in html


def test_the_adequacy_panel_gives_an_upper_bound_when_the_extent_is_unknown(
    make_answered, clinician_client
):
    draft = make_answered(bsa_percent=None)
    post = {**treatment_post(make_input()), "_preview": "adequacy"}

    html = clinician_client.post(step_url(draft, "treatment"), post, **HTMX).content.decode()

    # Both arms (2 × 2.5) and both legs (2 × 4.5) for 6–10 years: 14 FTU, twice daily.
    assert "Expected use: up to 98 g a week (up to 14 fingertip units each application" in html


def test_the_adequacy_panel_shows_the_potency_cautions(make_answered, clinician_client):
    draft = make_answered(sites=["face", "arms"])
    post = {**treatment_post(make_input(sites=["face", "arms"])), "_preview": "adequacy"}

    html = clinician_client.post(step_url(draft, "treatment"), post, **HTMX).content.decode()

    # A medium-potency steroid with the face affected (README § 3 C).
    assert "Advice on the steroid in use" in html
    assert "mild potency on these sites" in html


def test_the_adequacy_panel_says_what_it_still_needs(answered, clinician_client):
    post = {"potency": "medium", "weeks": "", "_preview": "adequacy"}

    html = clinician_client.post(
        step_url(answered, "treatment"), versioned(answered, post), **HTMX
    ).content.decode()

    assert "To check the trial, give applications per day, weeks of the course, adherence" in html


def test_the_adequacy_panel_waits_for_the_age_and_sites(clinician_client):
    response = clinician_client.post(reverse("consultation_new"), patient_post(make_input()))
    url = response["Location"].replace("/safety/", "/treatment/")

    html = clinician_client.post(url, {**treatment_post(make_input()), "_preview": "adequacy"},
                                 **HTMX).content.decode()  # fmt: skip

    assert "the severity and sites (step 3)" in html


def test_the_age_redraws_the_questions_that_apply(clinician_client):
    post = {**patient_post(make_input()), "age_years": "30", "_preview": "conditional"}

    response = clinician_client.post(reverse("consultation_new"), post, **HTMX)

    html = response.content.decode()
    assert html.strip().startswith('<div id="conditional-questions">')
    assert 'name="pregnant_or_breastfeeding"' in html
    assert 'name="asked" value="pregnant_or_breastfeeding"' in html

    post["age_years"] = "1"
    html = clinician_client.post(reverse("consultation_new"), post, **HTMX).content.decode()
    assert 'name="pregnant_or_breastfeeding"' not in html
    assert 'name="liver_impairment"' not in html


def test_a_preview_on_a_new_consultation_creates_nothing(clinician_client):
    post = {**patient_post(make_input()), "_preview": "conditional"}

    clinician_client.post(reverse("consultation_new"), post, **HTMX)
    clinician_client.post(reverse("consultation_new"), post)

    assert not Consultation.objects.exists()


def test_an_unknown_preview_is_an_ordinary_submit(answered, clinician_client):
    post = {**eczema_post(make_input()), "_preview": "something-else"}

    response = clinician_client.post(step_url(answered, "eczema"), versioned(answered, post))

    assert response.status_code == 302
