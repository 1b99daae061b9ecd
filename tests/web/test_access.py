"""Sign-in is required everywhere but the sign-in page; a clinician sees only their own cases."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from decision.models import Consultation
from tests.helpers import make_input
from tests.web.journey import complete, enter, step_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_client(other_clinician) -> Client:
    other = Client()
    other.force_login(other_clinician)
    return other


@pytest.fixture
def someone_elses(other_client) -> Consultation:
    return enter(other_client, make_input(), reference="THEIRS")


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/consultations/new/",
        "/consultations/00000000-0000-0000-0000-000000000001/",
        "/consultations/00000000-0000-0000-0000-000000000001/steps/eczema/",
        "/consultations/00000000-0000-0000-0000-000000000001/result/",
    ],
)
def test_anonymous_users_are_sent_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_anonymous_post_saves_nothing_and_is_sent_to_sign_in(client):
    response = client.post(reverse("consultation_new"), {"patient_reference": "X1"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Consultation.objects.exists()


def test_the_sign_in_page_needs_no_login(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert b'name="username"' in response.content


@pytest.mark.parametrize("slug", ["patient", "safety", "eczema", "treatment", "tried", "other"])
def test_it_rejects_other_clinicians_case_at_every_step(clinician_client, someone_elses, slug):
    url = step_url(someone_elses, slug)

    assert clinician_client.get(url).status_code == 404
    assert clinician_client.post(url, {"severity": "severe"}).status_code == 404
    someone_elses.refresh_from_db()
    assert someone_elses.answers["severity"] == "moderate"


def test_it_rejects_other_clinicians_case_everywhere_else(clinician_client, someone_elses):
    pk = someone_elses.pk
    assert clinician_client.get(f"/consultations/{pk}/").status_code == 404
    assert clinician_client.get(f"/consultations/{pk}/steps/check/").status_code == 404
    assert clinician_client.post(f"/consultations/{pk}/steps/check/").status_code == 404
    assert clinician_client.get(f"/consultations/{pk}/result/").status_code == 404
    assert clinician_client.post(f"/consultations/{pk}/copy/").status_code == 404
    assert Consultation.objects.count() == 1
    someone_elses.refresh_from_db()
    assert someone_elses.status == Consultation.Status.DRAFT


def test_it_rejects_other_clinicians_completed_case(clinician_client, other_client, someone_elses):
    complete(other_client, someone_elses)

    response = clinician_client.get(f"/consultations/{someone_elses.pk}/result/")

    assert response.status_code == 404


def test_the_demo_user_command_creates_the_demo_clinician_once(settings, capsys):
    settings.DEBUG = True

    call_command("ensure_demo_user")
    call_command("ensure_demo_user")

    users = get_user_model().objects.filter(username="demo")
    assert users.count() == 1
    assert users.get().check_password("eczema-demo-2026")
    output = capsys.readouterr().out
    assert output.count("'demo'") == 2
    assert output.count("eczema-demo-2026") == 2


def test_the_demo_user_command_restores_a_changed_password(settings):
    settings.DEBUG = True
    call_command("ensure_demo_user")
    user = get_user_model().objects.get(username="demo")
    user.set_password("something-else-entirely")
    user.save()

    call_command("ensure_demo_user")

    user.refresh_from_db()
    assert user.check_password("eczema-demo-2026")


def test_the_demo_user_command_refuses_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("ensure_demo_user")

    assert not get_user_model().objects.filter(username="demo").exists()


def test_the_demo_user_command_runs_with_debug_off_when_forced(settings):
    settings.DEBUG = False

    call_command("ensure_demo_user", "--force")

    assert get_user_model().objects.filter(username="demo").exists()
