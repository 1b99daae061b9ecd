"""Sign-in protection: django-axes locks a username + address out after repeated failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import F, Sum
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


# The policy (README § Running in production): user name + address, address alone, no restart.


def time_passes(minutes: float) -> None:
    """Move every recorded failure back in time, as if `minutes` had passed since."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def address_failures() -> int:
    return AccessAttempt.objects.aggregate(total=Sum("failures_since_start"))["total"] or 0


def test_guessing_across_many_user_names_from_one_address_is_throttled(client, clinician_a):
    names = [f"guess-{i}" for i in range(40)]
    statuses = [
        sign_in(client, names[i % len(names)], "wrong-password").status_code
        for i in range(settings.AXES_ADDRESS_FAILURE_LIMIT)
    ]
    # No name failed 5 times, yet the 20th failure from the address pauses it.
    assert statuses == [200] * (settings.AXES_ADDRESS_FAILURE_LIMIT - 1) + [429]

    # The address is now paused for every user name, even with the right password...
    response = sign_in(client, clinician_a.username, PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "from this network address" in html and "not counted" in html
    assert "_auth_user_id" not in client.session
    # ...but not for another address.
    other = sign_in(client, clinician_a.username, PASSWORD, REMOTE_ADDR="192.0.2.99")
    assert other.status_code == 302


def test_the_address_limit_is_higher_than_the_user_name_limit():
    assert settings.AXES_ADDRESS_FAILURE_LIMIT == 20 > settings.AXES_FAILURE_LIMIT == 5


def test_attempts_during_a_lockout_do_not_extend_it(client, clinician_a):
    assert fail_until_locked(client, clinician_a.username).status_code == 429
    locked_at = AccessAttempt.objects.get().attempt_time

    for _ in range(3):  # attempts during the lock, wrong and right passwords alike
        time_passes(4)
        assert sign_in(client, clinician_a.username, "wrong-password").status_code == 429
        assert sign_in(client, clinician_a.username, PASSWORD).status_code == 429
    attempt = AccessAttempt.objects.get()
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT
    assert attempt.attempt_time == locked_at - timedelta(minutes=12)

    time_passes(3 + 1 / 60)  # 15 minutes and a second after the failure that locked it
    assert sign_in(client, clinician_a.username, PASSWORD).status_code == 302


def test_one_attempt_every_15_minutes_from_a_shared_address_never_keeps_a_clinician_out(
    client, clinician_a
):
    for _ in range(12):  # three hours of a colleague (or an attacker) mistyping
        assert sign_in(client, clinician_a.username, "wrong-password").status_code == 200
        time_passes(15)
    assert address_failures() <= 1

    assert sign_in(client, clinician_a.username, PASSWORD).status_code == 302


def test_a_lock_from_slower_guessing_ends_15_minutes_after_it_began(client, clinician_a):
    """One wrong attempt every 14 minutes: the fifth locks the name, and attempts during the
    lock do not count; 15 minutes after it the clinician signs in."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, clinician_a.username, "wrong-password").status_code == 200
        time_passes(14)
    assert sign_in(client, clinician_a.username, "wrong-password").status_code == 429
    time_passes(14)
    assert sign_in(client, clinician_a.username, "wrong-password").status_code == 429

    time_passes(1 + 1 / 60)
    assert sign_in(client, clinician_a.username, PASSWORD).status_code == 302


def test_signing_in_clears_only_ones_own_failures_from_the_address(client, clinician_a):
    for i in range(10):
        sign_in(client, f"guess-{i}", "wrong-password")
    for _ in range(3):
        sign_in(client, clinician_a.username, "wrong-password")
    assert address_failures() == 13

    assert sign_in(client, clinician_a.username, PASSWORD).status_code == 302

    assert address_failures() == 10
    assert not AccessAttempt.objects.filter(username=clinician_a.username).exists()
