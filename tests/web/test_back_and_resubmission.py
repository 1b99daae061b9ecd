"""Back and resubmission: the first save is idempotent, and a step with errors is a GET page."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from decision.models import Consultation
from tests.helpers import make_input
from tests.web.journey import eczema_post, patient_post, step_url, versioned

pytestmark = pytest.mark.django_db
NEW = reverse("consultation_new")


def test_new_consultation_gets_a_one_time_token_in_its_url(clinician_client):
    response = clinician_client.get(NEW)

    assert response.status_code == 302
    token = response["Location"].removeprefix(f"{NEW}?draft=")
    assert uuid.UUID(token)
    page = clinician_client.get(response["Location"]).content.decode()
    assert f'action="{NEW}?draft={token}"' in page
    assert Consultation.objects.count() == 0


def test_posting_the_new_page_twice_makes_one_draft_with_the_last_answers(clinician_client):
    url = f"{NEW}?draft={uuid.uuid4()}"

    first = clinician_client.post(url, patient_post(make_input(), "TWICE-1"))
    again = clinician_client.post(url, patient_post(make_input(age_months=90), "TWICE-2"))

    consultation = Consultation.objects.get()
    assert first["Location"] == again["Location"] == step_url(consultation, "safety")
    assert consultation.patient_reference == "TWICE-2"
    assert consultation.age_months == 90


def test_back_to_the_new_page_after_its_first_save_shows_the_saved_draft(clinician_client):
    url = f"{NEW}?draft={uuid.uuid4()}"
    clinician_client.post(url, patient_post(make_input(), "BACK-1"))
    consultation = Consultation.objects.get()

    response = clinician_client.get(url, follow=True)

    assert response.redirect_chain == [(step_url(consultation, "patient"), 302)]
    assert 'value="BACK-1"' in response.content.decode()


def test_another_clinicians_token_is_not_theirs_to_reuse(clinician_client, client, other_clinician):
    url = f"{NEW}?draft={uuid.uuid4()}"
    clinician_client.post(url, patient_post(make_input(), "MINE-1"))
    client.force_login(other_clinician)

    client.post(url, patient_post(make_input(), "THEIRS-1"))

    assert Consultation.objects.count() == 2
    assert Consultation.objects.get(patient_reference="MINE-1").created_by.username == "clinician"


def test_a_step_with_errors_redirects_to_its_own_page_which_keeps_what_was_typed(
    clinician_client,
):
    clinician_client.post(NEW, patient_post(make_input(), "PRG-1"))
    consultation = Consultation.objects.get()
    clinician_client.post(step_url(consultation, "safety"), versioned(consultation, {}))
    url = step_url(consultation, "eczema")
    bad = {**eczema_post(make_input()), "bsa_percent": "150"}

    response = clinician_client.post(url, versioned(consultation, bad))

    assert response.status_code == 302
    assert response["Location"] == url
    page = clinician_client.get(url).content.decode()
    assert "There is a problem" in page
    assert 'value="150"' in page
    assert 'data-unsaved="true"' in page
    # Shown again on a reload, until the step is saved.
    assert 'value="150"' in clinician_client.get(url).content.decode()
    consultation.refresh_from_db()
    assert "severity" not in consultation.answers

    clinician_client.post(url, versioned(consultation, eczema_post(make_input())))

    page = clinician_client.get(url).content.decode()
    assert "There is a problem" not in page
    assert 'value="150"' not in page


def test_an_invalid_new_page_comes_back_with_its_errors_and_makes_no_draft(clinician_client):
    url = f"{NEW}?draft={uuid.uuid4()}"
    post = {**patient_post(make_input()), "patient_reference": "BAD 7", "age_years": "abc"}

    response = clinician_client.post(url, post, follow=True)

    assert response.redirect_chain == [(url, 302)]
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'value="BAD 7"' in html and 'value="abc"' in html
    assert Consultation.objects.count() == 0
