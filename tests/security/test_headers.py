"""Security headers and cookies on real responses, in test settings and in production."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.security.conftest import (
    PASSWORD,
    PRODUCTION_HOST,
    production_env,
    settings_under,
)
from tests.security.pages import (
    assert_no_inline_code,
    assert_permissions_policy,
    assert_security_headers,
    inline_code,
)

pytestmark = pytest.mark.django_db


def test_the_sign_in_page_carries_the_security_headers(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert_security_headers(response)
    assert_no_inline_code(response)
    # No HSTS over plain HTTP in tests; production is tested below.
    assert "Strict-Transport-Security" not in response.headers


def test_a_signed_in_page_carries_the_security_headers(client_a):
    response = client_a.get(reverse("home"))

    assert response.status_code == 200
    assert_security_headers(response)
    assert_no_inline_code(response)


def test_signed_in_pages_are_never_cached(client_a):
    response = client_a.get(reverse("home"))

    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache_control


def test_static_files_stay_cacheable_for_a_signed_in_clinician(client_a):
    response = client_a.get("/static/css/app.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_static_files_carry_the_resource_and_permissions_policies(client):
    response = client.get("/static/css/app.css")

    assert response.status_code == 200
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert_permissions_policy(response)


def test_the_permissions_policy_turns_off_every_powerful_feature(client):
    policy = client.get(reverse("login"))["Permissions-Policy"]

    features = dict(part.strip().split("=", 1) for part in policy.split(","))
    assert len(features) >= 15
    assert set(features.values()) == {"()"}


def test_signing_out_clears_the_browsers_cache_and_storage_for_the_site(client_a):
    response = client_a.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert client_a.get(reverse("home")).status_code == 302  # signed out


def test_a_sign_out_by_get_is_refused_and_clears_nothing(client_a):
    response = client_a.get(reverse("logout"))

    assert response.status_code == 405
    assert "Clear-Site-Data" not in response


def test_csrf_cookie_is_httponly_and_same_site(client):
    response = client.get(reverse("login"))

    cookie = response.cookies["csrftoken"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_htmx_is_configured_for_the_strict_csp(client):
    html = client.get(reverse("login")).content.decode()

    # htmx 2 would otherwise inject an inline <style> for its indicators, which the CSP blocks.
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in html


def test_the_inline_finder_finds_inline_code():
    html = (
        '<script>alert(1)</script><script src="/static/x.js"></script>'
        '<script type="application/json">{}</script><style>p{}</style>'
        '<p style="color:red" onclick="x()"><a href="javascript:x()">x</a></p>'
    )

    assert len(inline_code(html)) == 5


@pytest.fixture
def production(production_security_settings):
    """This process's settings overridden with the security settings production computes, and
    a client that talks to the production host."""
    with override_settings(**production_security_settings):
        yield Client(SERVER_NAME=PRODUCTION_HOST)


def test_production_settings_are_strict(production_security_settings):
    values = production_security_settings

    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["CSRF_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert values["CSRF_COOKIE_NAME"] == "__Host-csrftoken"


@pytest.mark.parametrize(
    "change", [{"DJANGO_HTTPS": "0"}, {"DJANGO_DEBUG": "1"}], ids=["plain-http", "debug"]
)
def test_cookie_names_have_no_host_prefix_over_plain_http(change):
    """The browser refuses a __Host- cookie that is not Secure: sign-in would silently fail."""
    values = settings_under(production_env(**change), "SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME")

    assert values == {"SESSION_COOKIE_NAME": "sessionid", "CSRF_COOKIE_NAME": "csrftoken"}


def test_production_redirects_plain_http_to_https(production):
    response = production.get(reverse("login"))

    assert response.status_code == 301
    assert response["Location"] == f"https://{PRODUCTION_HOST}{reverse('login')}"


def test_production_sends_hsts_and_secure_cookies_on_the_sign_in_page(production):
    response = production.get(reverse("login"), secure=True)

    assert response.status_code == 200
    assert_security_headers(response)
    assert (
        response.headers["Strict-Transport-Security"]
        == "max-age=31536000; includeSubDomains; preload"
    )
    csrf = response.cookies["__Host-csrftoken"]
    assert (csrf["secure"], csrf["path"], csrf["domain"]) == (True, "/", "")
    assert csrf["httponly"] is True
    assert csrf["samesite"] == "Lax"


def test_production_signs_in_with_a_secure_httponly_session_cookie(production, clinician_a):
    production.get(reverse("login"), secure=True)
    response = production.post(
        reverse("login"),
        {"username": clinician_a.username, "password": PASSWORD},
        secure=True,
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    session = response.cookies["__Host-sessionid"]
    assert (session["secure"], session["path"], session["domain"]) == (True, "/", "")
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"

    home = production.get(reverse("home"), secure=True)
    assert home.status_code == 200
    assert "Strict-Transport-Security" in home.headers
    assert_security_headers(home)
