"""Bad input everywhere gets a 4xx with a plain page, never a 500; errors are logged; no stack
trace, exception detail or setting reaches the browser."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.test import Client, override_settings
from django.urls import reverse

from decision.models import Consultation
from tests.helpers import make_input
from tests.security.error_urls import SECRET_DETAIL
from tests.security.pages import assert_security_headers
from tests.security.urls import MACHINE, all_routes
from tests.web.journey import enter, patient_post

pytestmark = pytest.mark.django_db

ROUTES = all_routes()
OWN_ROUTES = [route for route in ROUTES if not route.is_admin]
OBJECT_ROUTES = [route for route in OWN_ROUTES if route.is_object_url]

MALFORMED_IDS = [
    "not-a-uuid",
    "1",
    "00000000-0000-0000-0000-00000000000g",
    "00000000-0000-0000-0000-0000000000001",
    "%27%20OR%201%3D1%20--",
    "%00",
    "..%2F..%2Fetc%2Fpasswd",
    "a" * 5000,
]


def assert_plain_error_page(response, status: int, heading: str) -> None:
    html = response.content.decode()
    assert response.status_code == status
    assert heading in html
    for leak in ("Traceback", SECRET_DETAIL, settings.SECRET_KEY, "DJANGO_", "settings.py"):
        assert leak not in html
    assert_security_headers(response)


@pytest.fixture
def draft(client_a) -> Consultation:
    return enter(client_a, make_input())


# Malformed ids ---------------------------------------------------------------------------


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=[r.label for r in OBJECT_ROUTES])
def test_malformed_ids_are_404(route, client_a, draft):
    good = route.object_url(draft.pk)

    for bad in MALFORMED_IDS:
        url = good.replace(str(draft.pk), bad)
        for method in ("get", "post"):
            response = getattr(client_a, method)(url)
            assert response.status_code == 404, (method, url[:80])
    assert_plain_error_page(response, 404, "Page not found")


def test_malformed_ids_in_the_admin_are_never_a_500(django_user_model, draft):
    admin = django_user_model.objects.create_superuser("root", password="root-password-2026")
    client = Client()
    client.force_login(admin)
    content_type = ContentType.objects.get_for_model(Consultation)

    for bad in MALFORMED_IDS[:4]:
        change = client.get(f"/admin/decision/consultation/{bad}/change/")
        assert change.status_code == 302  # the admin says "doesn't exist" and lists the rest
        # Django 5.2's "view on site" shortcut raises on a malformed UUID (ticket #36267).
        shortcut = client.get(f"/admin/r/{content_type.pk}/{bad}/")
        assert shortcut.status_code in (400, 404), (bad, shortcut.status_code)


def test_an_unknown_address_is_a_plain_404(client_a, caplog):
    with caplog.at_level(logging.WARNING):
        response = client_a.get("/no/such/page/")

    assert_plain_error_page(response, 404, "Page not found")
    assert any(r.name == "django.request" and "Not Found" in r.getMessage() for r in caplog.records)


# Oversized posts -------------------------------------------------------------------------


@pytest.mark.parametrize("enforce_csrf", [False, True], ids=["view", "csrf-middleware"])
def test_an_oversized_post_is_a_400_and_saves_nothing(clinician_a, enforce_csrf, caplog):
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(clinician_a)
    client.get(reverse("consultation_new"), follow=True)
    data = {
        **patient_post(make_input()),
        "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        "padding": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
    }

    with caplog.at_level(logging.WARNING):
        response = client.post(reverse("consultation_new"), data)

    assert_plain_error_page(response, 400, "The request could not be understood")
    assert Consultation.objects.count() == 0
    assert any(r.name == "django.security.RequestDataTooBig" for r in caplog.records)


def test_too_many_fields_is_a_400(client_a):
    data = {f"field{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}

    response = client_a.post(reverse("consultation_new"), data)

    assert_plain_error_page(response, 400, "The request could not be understood")


def test_an_oversized_sign_in_is_a_400(client):
    response = client.post(
        reverse("login"),
        {"username": "x", "password": "y" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)},
    )

    assert response.status_code == 400


def test_a_step_post_within_the_limit_is_accepted(client_a):
    response = client_a.post(reverse("consultation_new"), patient_post(make_input()))

    assert response.status_code == 302
    assert Consultation.objects.count() == 1


# Wrong methods ---------------------------------------------------------------------------


@pytest.mark.parametrize("route", OWN_ROUTES, ids=[r.label for r in OWN_ROUTES])
def test_unsupported_methods_are_refused(route, client_a, draft):
    url = route.object_url(draft.pk) if route.is_object_url else route.url()
    before = Consultation.objects.get().answers

    for method in ("put", "patch", "delete"):
        response = getattr(client_a, method)(url, data="x=1", content_type="text/plain")
        assert 400 <= response.status_code < 500, (method, url, response.status_code)
    assert Consultation.objects.get().answers == before


def test_signing_out_needs_a_post(client_a):
    assert client_a.get(reverse("logout")).status_code == 405
    assert client_a.get(reverse("home")).status_code == 200


def test_copying_a_consultation_needs_a_post(client_a, draft):
    response = client_a.get(reverse("consultation_copy", args=[draft.pk]))

    assert response.status_code == 405
    assert Consultation.objects.count() == 1


# Missing CSRF token -----------------------------------------------------------------------


@pytest.fixture
def csrf_client(clinician_a) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(clinician_a)
    return client


@pytest.mark.parametrize("route", OWN_ROUTES, ids=[r.label for r in OWN_ROUTES])
def test_a_post_without_the_csrf_token_is_refused(route, csrf_client, draft, caplog):
    url = route.object_url(draft.pk) if route.is_object_url else route.url()
    before = list(Consultation.objects.values_list("pk", "answers", "status"))

    with caplog.at_level(logging.WARNING):
        response = csrf_client.post(url, patient_post(make_input()))

    if route.name in MACHINE:
        # No session is accepted there at all: without a token the request gets nowhere.
        assert response.status_code in (401, 405), response.status_code
    elif route.is_public:
        # Sign-in pages and the health probe: no session to protect, but still no CSRF bypass.
        assert response.status_code in (403, 405), response.status_code
    else:
        assert_plain_error_page(response, 403, "This form has expired")
        assert any(r.name == "django.security.csrf" for r in caplog.records)
    assert list(Consultation.objects.values_list("pk", "answers", "status")) == before


def test_the_sign_in_form_needs_its_csrf_token(clinician_a):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": "clinician-a", "password": "x"})

    assert_plain_error_page(response, 403, "This form has expired")


def test_a_post_with_the_csrf_token_is_accepted(csrf_client):
    csrf_client.get(reverse("consultation_new"), follow=True)
    token = csrf_client.cookies["csrftoken"].value

    response = csrf_client.post(
        reverse("consultation_new"), {**patient_post(make_input()), "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302


# Error pages ------------------------------------------------------------------------------


@pytest.fixture
def failing_site():
    with override_settings(ROOT_URLCONF="tests.security.error_urls"):
        yield


def test_a_crash_is_a_plain_500_page_and_is_logged(failing_site, clinician_a, caplog):
    client = Client(raise_request_exception=False)
    client.force_login(clinician_a)

    with caplog.at_level(logging.ERROR):
        response = client.get("/test-errors/boom/")

    assert_plain_error_page(response, 500, "Something went wrong")
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert SECRET_DETAIL in str(record.exc_info[1])


def test_permission_denied_is_a_plain_403_page(failing_site, client_a, caplog):
    with caplog.at_level(logging.WARNING):
        response = client_a.get("/test-errors/forbidden/")

    assert_plain_error_page(response, 403, "You are not allowed to do that")
    assert any(r.name == "django.request" for r in caplog.records)


def test_a_suspicious_request_is_a_plain_400_page(failing_site, client_a, caplog):
    with caplog.at_level(logging.WARNING):
        response = client_a.get("/test-errors/suspicious/")

    assert_plain_error_page(response, 400, "The request could not be understood")
    assert any(r.name.startswith("django.security") for r in caplog.records)


def test_an_unknown_host_is_a_plain_400_page(client, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.get(reverse("login"), headers={"host": "evil.example"})

    assert response.status_code == 400
    assert "The request could not be understood" in response.content.decode()
    assert any(r.name == "django.security.DisallowedHost" for r in caplog.records)


def test_the_500_page_renders_without_a_request():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")

    assert "Something went wrong" in html
