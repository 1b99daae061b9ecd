"""Sign-in protection: django-axes locks a username + address out after repeated failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import RequestFactory, override_settings
from django.urls import reverse

from eczema_site.security import client_ip_address
from tests.security.conftest import PASSWORD
from tests.security.pages import assert_security_headers

pytestmark = pytest.mark.django_db


def sign_in(client, username: str, password: str, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def fail_until_locked(client, username: str):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, username, "wrong-password")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    return sign_in(client, username, "wrong-password")


def test_repeated_failures_lock_the_account_with_a_clear_message(client, clinician_a):
    response = fail_until_locked(client, clinician_a.username)

    assert response.status_code == 429
    assert "registration/lockout.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Sign-in paused" in html
    assert "Too many failed sign-in attempts" in html
    assert f"paused for {settings.AXES_COOLOFF_TIME.seconds // 60} minutes" in html
    assert_security_headers(response)
    assert AccessAttempt.objects.filter(username=clinician_a.username).exists()


def test_the_right_password_is_refused_until_the_cool_off_has_passed(client, clinician_a):
    fail_until_locked(client, clinician_a.username)

    response = sign_in(client, clinician_a.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302

    # The cool-off has passed.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time
        - settings.AXES_COOLOFF_TIME
        - timedelta(seconds=1)
    )
    response = sign_in(client, clinician_a.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_a_lockout_does_not_lock_other_clinicians_out(client, clinician_a, clinician_b):
    fail_until_locked(client, clinician_a.username)

    response = sign_in(client, clinician_b.username, PASSWORD)

    assert response.status_code == 302


def test_a_successful_sign_in_resets_the_failure_count(client, clinician_a):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, clinician_a.username, "wrong-password")
    assert sign_in(client, clinician_a.username, PASSWORD).status_code == 302
    client.logout()

    response = sign_in(client, clinician_a.username, "wrong-password")

    assert response.status_code == 200


@pytest.mark.parametrize(
    "password",
    ["short-1", "password1234", "123456789012345", "clinician-a-2026"],
    ids=["too-short", "common", "numeric", "like-username"],
)
def test_weak_passwords_are_refused(password, clinician_a):
    with pytest.raises(ValidationError):
        validate_password(password, user=clinician_a)


def test_a_long_passphrase_is_accepted(clinician_a):
    validate_password("plum-harbour-lantern-42", user=clinician_a)


def test_lockouts_use_the_connecting_address_when_not_behind_a_proxy():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.5"
    )

    assert client_ip_address(request) == "198.51.100.7"


@override_settings(BEHIND_PROXY=True, PROXY_COUNT=1)
def test_behind_a_proxy_lockouts_use_the_address_the_proxy_saw():
    # A client's own X-Forwarded-For entries come first; the proxy appends what it saw.
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5"
    )
    assert client_ip_address(request) == "203.0.113.5"

    no_header = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")
    assert client_ip_address(no_header) == "10.0.0.2"
