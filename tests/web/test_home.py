"""The home page: the signed-in clinician's own consultations, drafts first."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from decision.models import Consultation
from tests.helpers import make_input
from tests.web.journey import complete, enter

pytestmark = pytest.mark.django_db


def test_the_home_page_has_a_new_consultation_button(clinician_client):
    response = clinician_client.get(reverse("home"))

    assert response.status_code == 200
    assert f'href="{reverse("consultation_new")}"'.encode() in response.content
    assert b"No drafts." in response.content


def test_the_home_page_lists_drafts_first_with_resume_then_completed(clinician_client):
    done = enter(clinician_client, make_input(), reference="DONE-1")
    complete(clinician_client, done)
    draft = enter(clinician_client, make_input(), reference="DRAFT-1")

    html = clinician_client.get(reverse("home")).content.decode()

    assert html.index("DRAFT-1") < html.index("Completed") < html.index("DONE-1")
    assert f'href="{reverse("consultation_resume", args=[draft.pk])}"' in html
    assert f'href="{reverse("consultation_result", args=[done.pk])}"' in html
    assert "Start a TCI" in html  # the completed one's next step


def test_the_home_page_lists_only_my_consultations(clinician_client, other_clinician):
    other = Client()
    other.force_login(other_clinician)
    enter(other, make_input(), reference="NOT-MINE")
    enter(clinician_client, make_input(), reference="MINE")

    html = clinician_client.get(reverse("home")).content.decode()

    assert "MINE" in html
    assert "NOT-MINE" not in html
    assert Consultation.objects.count() == 2


def test_a_draft_with_a_red_flag_is_marked_on_the_home_page(clinician_client):
    enter(clinician_client, make_input(red_flags={"infection_signs": True}), reference="RF-1")

    html = clinician_client.get(reverse("home")).content.decode()

    assert "Red flag" in html
