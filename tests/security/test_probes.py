"""The proxy's probes: /healthz never touches the database or the session (even with a session
cookie, even with the database down); /readyz checks the database and answers 503 without it."""

from __future__ import annotations

import json
import logging

import pytest
from django.conf import settings
from django.db import DatabaseError
from django.urls import reverse

from tests.security.conftest import PRODUCTION_HOST, production_env, run_python
from tests.security.pages import assert_security_headers

pytestmark = pytest.mark.django_db


def test_healthz_with_a_session_cookie_makes_no_query_and_sets_no_cookie(
    client_a, django_assert_num_queries
):
    assert settings.SESSION_COOKIE_NAME in client_a.cookies

    with django_assert_num_queries(0):
        response = client_a.get(reverse("healthz"))

    assert (response.status_code, response.content) == (200, b"ok")
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    assert_security_headers(response)


def test_readyz_answers_ready_when_the_database_answers(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(reverse("readyz"))

    assert (response.status_code, response.content) == (200, b"ready")
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]
    assert_security_headers(response)


def test_readyz_answers_503_and_logs_one_line_when_the_database_fails(client, caplog, monkeypatch):
    def refuse(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", refuse)

    with caplog.at_level(logging.WARNING):
        response = client.get(reverse("readyz"))

    assert (response.status_code, response.content) == (503, b"database unavailable")
    [record] = [r for r in caplog.records if r.name == "decision.views_health"]
    assert "connection refused" in record.getMessage()


def test_the_probes_only_answer_reads(client):
    for name in ("healthz", "readyz"):
        assert client.post(reverse(name)).status_code == 405


PROBE_WITHOUT_DATABASE = """
import json
from django.test import Client
import eczema_site.wsgi  # noqa: F401  (production start-up checks)

client = Client(SERVER_NAME="example.org")
client.cookies["__Host-sessionid"] = "a" * 32  # a stale session: must not be looked up
health = client.get("/healthz")
ready = client.get("/readyz")
print(json.dumps({
    "health": [health.status_code, health.content.decode()],
    "ready": [ready.status_code, ready.content.decode()],
}))
"""


@pytest.mark.parametrize(
    "database_url",
    ["postgres://nobody:x@127.0.0.1:9/none", "sqlite:////nonexistent-directory/db.sqlite3"],
    ids=["postgres-refused", "sqlite-unopenable"],
)
def test_with_the_database_down_healthz_is_ok_and_readyz_is_503(database_url):
    env = production_env(DATABASE_URL=database_url, DJANGO_ALLOWED_HOSTS=PRODUCTION_HOST)

    done = run_python(["-c", PROBE_WITHOUT_DATABASE], env)

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"health": [200, "ok"], "ready": [503, "database unavailable"]}
    assert "Not ready: the database does not answer" in done.stderr
