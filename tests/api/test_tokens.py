"""API tokens: created on the account page and shown once, stored hashed, revoked there; the API
refuses every request without a valid token (a session cookie is not one), and the site's pages
ignore tokens."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.test import Client
from django.urls import reverse

from decision.api import tokens
from decision.models import ApiToken
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db
URL = "/api/v1/consultations"


def create_on_account_page(client: Client, name: str = "audit script") -> str:
    response = client.post(reverse("account"), {"action": "create", "name": name})
    assert response.status_code == 200
    match = re.search(r'value="(esu_[0-9a-f]+_[\w-]+)"', response.content.decode())
    assert match, "the new token is shown"
    return match.group(1)


def test_a_signed_in_user_creates_a_token_that_is_shown_once_and_stored_hashed(
    clinician_client, clinician
):
    text = create_on_account_page(clinician_client)

    stored = ApiToken.objects.get()
    prefix, secret = text.removeprefix("esu_").split("_", 1)
    assert (stored.user, stored.name, stored.prefix) == (clinician, "audit script", prefix)
    assert stored.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.values().get())
    assert len(secret) >= 43  # 32 random bytes
    page = clinician_client.get(reverse("account")).content.decode()
    assert "audit script" in page and f"esu_{prefix}_" in page and secret not in page


def test_the_new_token_works_on_the_api_and_records_when_it_was_last_used(clinician_client):
    text = create_on_account_page(clinician_client)
    assert ApiToken.objects.get().last_used_at is None

    response = ApiClient(Client(), text).get(URL)

    assert response.status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


def test_a_token_needs_a_name(clinician_client):
    response = clinician_client.post(reverse("account"), {"action": "create", "name": "  "})

    assert response.status_code == 200
    assert "Name the token" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_user_holds_at_most_ten_active_tokens(clinician_client, clinician):
    for number in range(tokens.MAX_ACTIVE_TOKENS):
        tokens.create_token(clinician, f"t{number}")

    response = clinician_client.post(reverse("account"), {"action": "create", "name": "one more"})

    assert "at most 10 active tokens" in response.content.decode()
    assert ApiToken.objects.count() == tokens.MAX_ACTIVE_TOKENS


def test_a_revoked_token_is_refused_and_stays_listed_as_revoked(clinician_client):
    text = create_on_account_page(clinician_client)
    stored = ApiToken.objects.get()

    response = clinician_client.post(reverse("account"), {"action": "revoke", "token": stored.pk})

    assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.revoked_at is not None
    assert ApiClient(Client(), text).get(URL).status_code == 401
    assert "Revoked" in clinician_client.get(reverse("account")).content.decode()


def test_nobody_revokes_another_users_token(client, other_clinician, clinician):
    stored, text = tokens.create_token(clinician, "mine")
    client.force_login(other_clinician)

    client.post(reverse("account"), {"action": "revoke", "token": stored.pk})

    stored.refresh_from_db()
    assert stored.revoked_at is None
    assert ApiClient(Client(), text).get(URL).status_code == 200


def test_another_users_tokens_are_not_listed(client, other_clinician, clinician):
    tokens.create_token(clinician, "secret project")
    client.force_login(other_clinician)

    assert "secret project" not in client.get(reverse("account")).content.decode()


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer esu_",
        "Bearer esu_abc_def",
        "Token {token}",
        "Basic {token}",
        "Bearer {token}x",
        "Bearer {wrong_prefix}",
        "Bearer " + "a" * 5000,
    ],
)
def test_requests_without_a_valid_token_get_401(api, token, header):
    headers = {}
    if header is not None:
        wrong_prefix = "esu_000000000000_" + token.split("_", 2)[2]
        headers["HTTP_AUTHORIZATION"] = header.format(token=token, wrong_prefix=wrong_prefix)

    response = api.client.get(URL, **headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["errors"][0]["path"] == "Authorization"


def test_a_session_cookie_alone_gets_401(clinician_client):
    response = clinician_client.get(URL)
    posted = clinician_client.post("/api/v1/recommend", data="{}", content_type="application/json")

    assert (response.status_code, posted.status_code) == (401, 401)


def test_an_inactive_users_token_gets_401(api, clinician):
    clinician.is_active = False
    clinician.save()

    assert api.get(URL).status_code == 401


def test_the_sites_pages_ignore_a_bearer_token(api):
    for path in ("/", reverse("account"), reverse("consultation_new")):
        response = api.get(path)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_account_page_needs_sign_in_and_csrf(clinician):
    client = Client(enforce_csrf_checks=True)
    assert client.get(reverse("account")).status_code == 302
    client.force_login(clinician)

    response = client.post(reverse("account"), {"action": "create", "name": "x"})

    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_the_api_needs_no_csrf_token_with_a_bearer_token(api, clinician):
    api.client = Client(enforce_csrf_checks=True)
    api.client.force_login(clinician)  # a session too: still only the token counts

    response = api.post("/api/v1/recommend", [])

    assert response.status_code == 200


def test_the_rate_limit_answers_429(api):
    from decision.api.api import api as ninja_api

    throttle = ninja_api.throttle[0]
    limit = throttle.num_requests
    throttle.num_requests = 3
    try:
        statuses = [api.get(URL).status_code for _ in range(4)]
    finally:
        throttle.num_requests = limit

    assert statuses == [200, 200, 200, 429]
