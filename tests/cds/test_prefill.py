"""The card's link: a signed, short-lived token; opening it shows what the EHR sent, and "Start"
makes a draft for the signed-in clinician with those answers, every step still to be answered."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.urls import reverse

from decision.cds import prefill
from decision.models import Consultation
from tests.cds.conftest import SERVICE, agent_for, patient_view
from tests.helpers import make_input

pytestmark = pytest.mark.django_db
URL = "/consultations/from-ehr/"


@pytest.fixture
def link(ehr) -> str:
    card = ehr.post(SERVICE, patient_view(make_input())).json()["cards"][0]
    url = urlsplit(card["links"][0]["url"])
    assert url.path == URL
    return f"{url.path}?{url.query}"


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["data"][0]


def test_the_link_shows_what_the_ehr_sent_and_changes_nothing(clinician_client, link):
    before = Consultation.objects.count()

    response = clinician_client.get(link)

    html = response.content.decode()
    assert response.status_code == 200
    assert "7 years" in html and "Moderate" in html and "Start the consultation" in html
    assert Consultation.objects.count() == before


def test_start_makes_a_draft_with_those_answers_for_the_clinician(
    clinician_client, clinician, link
):
    response = clinician_client.post(URL, {"data": token_of(link)})

    draft = Consultation.objects.get(created_by=clinician)
    assert response.status_code == 302
    assert response["Location"] == reverse("consultation_resume", args=[draft.pk])
    assert not draft.is_completed
    assert draft.answers["age_months"] == 84
    assert draft.answers["severity"] == "moderate"
    assert draft.answers["sites"] == ["flexures", "arms", "legs"]
    assert draft.answers["current_tcs"] == {
        "potency": "medium", "applications_per_day": 2, "weeks": 3.0,
    }  # fmt: skip
    assert draft.extras["tcs_agent"] == agent_for("medium")
    # Every step is still asked: the first is the patient step, age filled in.
    step = clinician_client.get(response["Location"], follow=True)
    assert step.request["PATH_INFO"].endswith("/steps/patient/")
    assert step.context["form"].initial["age_years"] == 7


def test_a_later_step_shows_the_ehrs_answers(clinician_client, clinician, link):
    clinician_client.post(URL, {"data": token_of(link)})
    draft = Consultation.objects.get(created_by=clinician)

    eczema = clinician_client.get(reverse("consultation_step", args=[draft.pk, "eczema"]))
    treatment = clinician_client.get(reverse("consultation_step", args=[draft.pk, "treatment"]))

    assert eczema.context["form"].initial["severity"] == "moderate"
    initial = treatment.context["form"].initial
    assert (initial["tcs_agent"], initial["applications_per_day"]) == (agent_for("medium"), 2)
    assert "adherence" not in initial


def test_the_link_needs_sign_in(client, link):
    response = client.get(link)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_changed_or_expired_link_cannot_be_used(clinician_client, link, settings, method):
    token = token_of(link)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    forged = signing.dumps({"age_months": 1}, salt="another-salt")
    settings_max_age = settings.CDS_PREFILL_MAX_AGE

    for bad in (tampered, forged, ""):
        call = getattr(clinician_client, method)
        response = call(URL, {"data": bad})
        assert response.status_code == 400
        assert "cannot be used" in response.content.decode()
    settings.CDS_PREFILL_MAX_AGE = -1
    assert getattr(clinician_client, method)(URL, {"data": token}).status_code == 400
    settings.CDS_PREFILL_MAX_AGE = settings_max_age
    assert not Consultation.objects.filter(status="draft").exists()


def test_the_token_carries_only_engine_shaped_answers():
    token = signing.dumps({"name": "Pat"}, salt=prefill.SALT, compress=True)

    assert prefill.read_token(token) is None
