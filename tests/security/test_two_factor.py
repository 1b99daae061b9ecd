"""Two-step sign-in (django-otp TOTP): voluntary enrolment with a server-drawn QR code, the code
after the password, and the setting that requires it of reviewers and admins."""

from __future__ import annotations

import time

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from decision import roles
from eczema_site.two_factor import SESSION_KEY
from tests.security.conftest import PASSWORD, make_clinician
from tests.security.pages import assert_no_inline_code, assert_security_headers

pytestmark = pytest.mark.django_db

ENROL = reverse("two_factor")
VERIFY = reverse("two_factor_verify")


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The app's code now (or the next one: the site accepts one step either side, once each)."""
    value = totp(device.bin_key, device.step, device.t0, device.digits, drift=steps_ahead)
    return f"{value:06d}"


def sign_in(client: Client, username: str) -> None:
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code


def enrol(client: Client, user, steps_ahead: int = 0) -> TOTPDevice:
    assert client.get(ENROL).status_code == 200
    device = TOTPDevice.objects.get(user=user)
    response = client.post(ENROL, {"token": code(device, steps_ahead)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


@pytest.fixture
def enrolled(clinician_a):
    """Clinician A with a confirmed authenticator, signed out. Enrolled with the previous code,
    so that the tests have the current and the next one (each code works once)."""
    client = Client()
    client.force_login(clinician_a)
    device = enrol(client, clinician_a, steps_ahead=-1)
    # django-otp followed the app's apparent clock (drift -1): the app's clock is right.
    TOTPDevice.objects.filter(pk=device.pk).update(drift=0)
    device.refresh_from_db()
    return clinician_a, device


# Enrolment ---------------------------------------------------------------------------------


def test_a_clinician_can_turn_it_on_with_a_qr_code_drawn_on_the_server(client_a, clinician_a):
    response = client_a.get(ENROL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'src="data:image/svg+xml' in html  # no script, no CDN: an image the CSP allows
    assert_no_inline_code(response)
    assert_security_headers(response)
    assert "no-store" in response["Cache-Control"]
    device = TOTPDevice.objects.get(user=clinician_a, confirmed=False)
    assert response.context["key"].replace(" ", "") in device.config_url
    assert "issuer=Eczema%20Step-Up" in device.config_url

    wrong = client_a.post(ENROL, {"token": "000000" if code(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.get(user=clinician_a).confirmed

    time.sleep(1.1)  # django-otp's pause after a wrong code
    right = client_a.post(ENROL, {"token": code(device, steps_ahead=1)})
    assert (right.status_code, right["Location"]) == (302, ENROL)
    assert TOTPDevice.objects.get(user=clinician_a).confirmed
    assert client_a.session[DEVICE_ID_SESSION_KEY]
    assert "Two-step sign-in is on" in client_a.get(ENROL).content.decode()


def test_visiting_the_page_twice_keeps_one_pending_key(client_a, clinician_a):
    first = client_a.get(ENROL).context["key"]

    assert client_a.get(ENROL).context["key"] == first
    assert TOTPDevice.objects.filter(user=clinician_a).count() == 1


@pytest.mark.parametrize("token", ["", "12345", "abcdef", "1234567", "12 34 5x", "١٢٣٤٥٦"])
def test_a_malformed_code_is_a_message_next_to_the_field_keeping_what_was_typed(client_a, token):
    client_a.get(ENROL)

    response = client_a.post(ENROL, {"token": token})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert "Enter the 6 digits the app shows." in html
    assert not token or f'value="{token}"' in html


def test_a_code_typed_in_two_groups_is_accepted(client_a, clinician_a):
    client_a.get(ENROL)
    device = TOTPDevice.objects.get(user=clinician_a)
    value = code(device)

    response = client_a.post(ENROL, {"token": f"{value[:3]} {value[3:]}"})

    assert response.status_code == 302


def test_a_clinician_can_turn_it_off_with_a_current_code(enrolled):
    user, device = enrolled
    client = Client()
    sign_in(client, user.username)
    client.post(VERIFY, {"token": code(device)})

    response = client.post(ENROL, {"token": code(device, steps_ahead=1)})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    client.logout()
    sign_in(client, user.username)
    assert client.get(reverse("home")).status_code == 200  # password alone again


# Signing in with it ------------------------------------------------------------------------


def test_after_the_password_every_page_waits_for_the_code(enrolled):
    user, device = enrolled
    client = Client()
    sign_in(client, user.username)

    for name in ("home", "consultation_new", "account", "review_dashboard"):
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(f"{VERIFY}?next=")
    htmx = client.get(reverse("home"), headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"].startswith(VERIFY)
    assert client.get(reverse("healthz")).status_code == 200  # public pages stay open

    page = client.get(VERIFY)
    assert page.status_code == 200
    assert_no_inline_code(page)
    wrong = client.post(VERIFY, {"token": "999999" if code(device) != "999999" else "888888"})
    assert "That code is not right" in wrong.content.decode()
    time.sleep(1.1)  # django-otp's pause after a wrong code
    right = client.post(VERIFY, {"token": code(device), "next": reverse("consultation_new")})
    assert (right.status_code, right["Location"]) == (302, reverse("consultation_new"))
    assert client.get(reverse("home")).status_code == 200
    assert SESSION_KEY not in client.session


def test_a_code_is_accepted_once_only(enrolled):
    user, device = enrolled
    used = code(device, steps_ahead=1)
    first = Client()
    sign_in(first, user.username)
    assert first.post(VERIFY, {"token": used}).status_code == 302

    second = Client()
    sign_in(second, user.username)
    response = second.post(VERIFY, {"token": used})

    assert response.status_code == 200
    assert second.get(reverse("home")).status_code == 302


def test_wrong_codes_in_a_row_are_slowed_down(enrolled):
    user, device = enrolled
    client = Client()
    sign_in(client, user.username)
    right = code(device)
    wrong = "000000" if right != "000000" else "111111"

    client.post(VERIFY, {"token": wrong})
    response = client.post(VERIFY, {"token": right})  # right, but too soon after a wrong one

    assert "Too many wrong codes" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_someone_waiting_for_the_code_can_sign_out(enrolled):
    user, _device = enrolled
    client = Client()
    sign_in(client, user.username)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_next_address_after_the_code_stays_on_the_site(enrolled):
    user, device = enrolled
    client = Client()
    sign_in(client, user.username)

    response = client.post(VERIFY, {"token": code(device), "next": "https://evil.example/"})

    assert response["Location"] == reverse("home")


def test_the_admin_sign_in_address_uses_the_sites_sign_in_page(client):
    response = client.get(reverse("admin:login"), {"next": "/admin/decision/"})

    assert response["Location"] == f"{reverse('login')}?next=/admin/decision/"


# Required of reviewers and admins ----------------------------------------------------------


@pytest.fixture
def reviewer(django_user_model):
    user = make_clinician(django_user_model, "reviewer-r")
    roles.grant(user, roles.REVIEWER)
    return user


@override_settings(TWO_FACTOR_REQUIRED_FOR_STAFF=True)
def test_when_required_a_reviewer_must_set_it_up_before_any_page(reviewer):
    client = Client()
    sign_in(client, reviewer.username)

    for url in (reverse("home"), reverse("admin:index"), reverse("review_dashboard")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{ENROL}?next=")
    page = client.get(ENROL)
    assert "Your clinic requires two-step sign-in" in page.content.decode()

    device = TOTPDevice.objects.get(user=reviewer)
    done = client.post(ENROL, {"token": code(device), "next": reverse("admin:index")})
    assert (done.status_code, done["Location"]) == (302, reverse("admin:index"))
    assert client.get(reverse("admin:index")).status_code == 200

    # It cannot be turned off while required.
    refused = client.post(ENROL, {"token": code(device, steps_ahead=1)})
    assert refused.status_code == 200
    assert TOTPDevice.objects.filter(user=reviewer, confirmed=True).exists()


@override_settings(TWO_FACTOR_REQUIRED_FOR_STAFF=True)
def test_when_required_an_admin_enters_the_code_at_each_sign_in(django_user_model):
    admin = django_user_model.objects.create_superuser("root", password=PASSWORD)
    client = Client()
    sign_in(client, admin.username)
    device = enrol(client, admin)
    client.logout()

    sign_in(client, admin.username)
    assert client.get(reverse("admin:index"))["Location"].startswith(VERIFY)
    client.post(VERIFY, {"token": code(device, steps_ahead=1)})
    assert client.get(reverse("admin:index")).status_code == 200


@override_settings(TWO_FACTOR_REQUIRED_FOR_STAFF=True)
def test_when_required_for_staff_a_clinician_still_signs_in_with_the_password(clinician_a):
    client = Client()
    sign_in(client, clinician_a.username)

    assert client.get(reverse("home")).status_code == 200


def test_by_default_nobody_is_required_to_use_it(reviewer):
    client = Client()
    sign_in(client, reviewer.username)

    assert client.get(reverse("review_dashboard")).status_code == 200


def test_an_administrator_can_remove_a_lost_authenticator_but_never_read_its_key(
    enrolled, django_user_model
):
    _user, device = enrolled
    admin = django_user_model.objects.create_superuser("root", password=PASSWORD)
    client = Client()
    client.force_login(admin)

    change = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert change.status_code == 200
    assert device.key not in change.content.decode()
    delete = client.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )
    assert delete.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
