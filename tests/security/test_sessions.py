"""Sessions expire after an idle time; a clinician whose session expired mid-consultation signs
in again and lands back on the same step, with everything saved so far intact."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from decision.models import Consultation
from eczema_site import security
from tests.helpers import make_input
from tests.security.conftest import PASSWORD
from tests.web.journey import eczema_post, patient_post, safety_post, step_url, versioned

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, next_url: str = "") -> object:
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


@pytest.fixture
def signed_in(clinician_a) -> Client:
    """Signed in through the sign-in form, as a clinician would be."""
    client = Client()
    assert sign_in(client, clinician_a.username).status_code == 302
    return client


@pytest.fixture
def half_done(signed_in) -> Consultation:
    """A draft with the first two steps saved by Continue."""
    data = make_input()
    assert signed_in.post(reverse("consultation_new"), patient_post(data)).status_code == 302
    consultation = Consultation.objects.get()
    assert (
        signed_in.post(
            step_url(consultation, "safety"), versioned(consultation, safety_post(data))
        ).status_code
        == 302
    )
    consultation.refresh_from_db()
    assert {"age_months", "red_flags"} <= set(consultation.answers)
    return consultation


def expire_sessions() -> None:
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))


def login_redirect_next(response) -> str:
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("login")
    return parse_qs(location.query)["next"][0]


def renewed_ago(seconds: int) -> None:
    """Make the stored session look as if it was last renewed this many seconds ago."""
    left = settings.SESSION_COOKIE_AGE - seconds
    Session.objects.update(expire_date=timezone.now() + timedelta(seconds=left))


def test_the_idle_time_is_the_session_lifetime_and_a_request_renews_it(signed_in):
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert 0 < settings.SESSION_REFRESH_SECONDS <= 60
    renewed_ago(settings.SESSION_COOKIE_AGE - 5)

    assert signed_in.get(reverse("home")).status_code == 200

    renewed = Session.objects.get().expire_date - timezone.now()
    assert renewed > timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    assert signed_in.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE


def test_the_session_is_written_at_most_once_every_refresh_interval(signed_in):
    every = settings.SESSION_REFRESH_SECONDS

    def get_home():
        response = signed_in.get(reverse("home"))
        assert response.status_code == 200
        return response

    # Renewed less than the interval ago: no write, no new cookie, the expiry stays.
    for seconds in (0, every - 2):
        renewed_ago(seconds)
        before = Session.objects.get().expire_date
        assert "sessionid" not in get_home().cookies
        assert Session.objects.get().expire_date == before

    # Once the interval has passed: written again, and the idle clock restarts.
    renewed_ago(every + 1)
    response = get_home()
    assert response.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE
    left = Session.objects.get().expire_date - timezone.now()
    assert left > timedelta(seconds=settings.SESSION_COOKIE_AGE - 5)

    # And not again straight after.
    assert "sessionid" not in get_home().cookies


def test_sessions_are_stored_in_the_database_store(signed_in):
    assert settings.SESSION_ENGINE == "eczema_site.security"
    assert issubclass(security.SessionStore, DatabaseSessionStore)
    assert Session.objects.count() == 1


def test_a_recently_renewed_session_still_expires_after_the_idle_time(signed_in):
    renewed_ago(0)
    assert signed_in.get(reverse("home")).status_code == 200
    expire_sessions()

    assert login_redirect_next(signed_in.get(reverse("home"))) == reverse("home")


def test_signed_out_requests_create_no_session(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert not Session.objects.exists()


def test_an_idle_session_expires(signed_in):
    expire_sessions()

    response = signed_in.get(reverse("home"))

    assert login_redirect_next(response) == reverse("home")


def test_after_expiry_signing_in_again_returns_to_the_step_with_the_draft_intact(
    signed_in, half_done, clinician_a
):
    saved = dict(half_done.answers)
    step = step_url(half_done, "eczema")
    expire_sessions()

    next_url = login_redirect_next(signed_in.get(step))
    assert next_url == step
    login_page = signed_in.get(reverse("login") + "?next=" + next_url)
    assert f'name="next" value="{step}"' in login_page.content.decode()
    back = sign_in(signed_in, clinician_a.username, next_url)

    assert back.status_code == 302
    assert back["Location"] == step
    page = signed_in.get(step)
    assert page.status_code == 200
    half_done.refresh_from_db()
    assert half_done.answers == saved
    assert half_done.status == Consultation.Status.DRAFT


def test_a_step_posted_after_expiry_is_not_saved_and_the_clinician_returns_to_it(
    signed_in, half_done, clinician_a
):
    saved = dict(half_done.answers)
    step = step_url(half_done, "eczema")
    expire_sessions()

    response = signed_in.post(step, versioned(half_done, eczema_post(make_input())))

    assert login_redirect_next(response) == step
    half_done.refresh_from_db()
    assert half_done.answers == saved
    back = sign_in(signed_in, clinician_a.username, step)
    assert back["Location"] == step
    # Continue again: now it saves.
    assert signed_in.post(step, versioned(half_done, eczema_post(make_input()))).status_code == 302
    half_done.refresh_from_db()
    assert half_done.answers["severity"] == "moderate"


def test_an_htmx_request_after_expiry_sends_the_whole_page_to_sign_in(signed_in, half_done):
    step = step_url(half_done, "eczema")
    expire_sessions()

    response = signed_in.post(
        step,
        {**eczema_post(make_input()), "_preview": "poem"},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{step}"},
    )

    # Not a redirect htmx would follow into a panel, but a whole-page redirect.
    assert response.status_code == 200
    location = urlsplit(response["HX-Redirect"])
    assert location.path == reverse("login")
    assert parse_qs(location.query)["next"] == [step]


def test_an_htmx_request_from_another_site_is_not_used_as_next(signed_in, half_done):
    step = step_url(half_done, "eczema")
    expire_sessions()

    response = signed_in.post(
        step, {}, headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/x"}
    )

    assert parse_qs(urlsplit(response["HX-Redirect"]).query)["next"] == [step]


def test_next_never_leads_off_the_site(client, clinician_a):
    response = sign_in(client, clinician_a.username, "https://evil.example/phish")

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_signing_out_ends_the_session(signed_in):
    assert signed_in.post(reverse("logout")).status_code == 302

    assert Session.objects.count() == 0
    assert login_redirect_next(signed_in.get(reverse("home"))) == reverse("home")
