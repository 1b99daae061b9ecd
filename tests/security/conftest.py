"""Helpers for the security tests: clinicians with a real password, and production settings.

pytest runs with development defaults (settings.TESTING), so production behaviour is tested in
subprocesses given an explicit production environment, or by overriding the security settings
in-process with the values production computes (`production_security_settings`).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from decision import roles

BASE_DIR = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery-staple-7"
# 64 random characters: passes decision.E001 and Django's security.W009.
PRODUCTION_SECRET_KEY = secrets.token_urlsafe(48)
PRODUCTION_HOST = "example.org"

# The settings that make a response secure: compared and applied by the header tests.
SECURITY_SETTINGS = (
    "DEBUG",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_AGE",
    "SESSION_SAVE_EVERY_REQUEST",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "CONTENT_SECURITY_POLICY",
)

_PROBE = """
import json, sys
import django
django.setup()
from django.conf import settings
print(json.dumps({name: getattr(settings, name, None) for name in sys.argv[1:]}, default=str))
"""


def production_env(**changes: str | None) -> dict[str, str]:
    """The test process's environment without any of the site's settings, plus a production
    configuration; a change of None removes that variable."""
    ours = ("DJANGO_", "DATABASE_", "SESSION_", "AXES_", "CLINIC_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(ours)}
    env.update(
        DJANGO_SETTINGS_MODULE="eczema_site.settings",
        DJANGO_SECRET_KEY=PRODUCTION_SECRET_KEY,
        DJANGO_ALLOWED_HOSTS=PRODUCTION_HOST,
        PYTHONDONTWRITEBYTECODE="1",
    )
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_python(["manage.py", *args], env)


def settings_under(env: dict[str, str], *names: str) -> dict[str, Any]:
    """The values settings.py computes for `names` in a fresh process with this environment."""
    done = run_python(["-c", _PROBE, *names], env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="session")
def production_security_settings() -> dict[str, Any]:
    values = settings_under(production_env(), *SECURITY_SETTINGS)
    # JSON turned the tuples into lists; django-csp and Django accept either.
    return values


def make_clinician(django_user_model, username: str):
    """A clinician who signs in with PASSWORD."""
    user = django_user_model.objects.create_user(username=username, password=PASSWORD)
    roles.grant(user, roles.CLINICIAN)
    return user


@pytest.fixture
def clinician_a(django_user_model):
    return make_clinician(django_user_model, "clinician-a")


@pytest.fixture
def clinician_b(django_user_model):
    return make_clinician(django_user_model, "clinician-b")


@pytest.fixture
def client_a(clinician_a) -> Client:
    client = Client()
    client.force_login(clinician_a)
    return client


@pytest.fixture
def client_b(clinician_b) -> Client:
    client = Client()
    client.force_login(clinician_b)
    return client
