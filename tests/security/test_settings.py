"""Production settings come from the environment, and the site refuses an unsafe start."""

from __future__ import annotations

import pytest

from eczema_site.settings import DEV_SECRET_KEY, secret_key_is_insecure
from tests.security.conftest import (
    PRODUCTION_HOST,
    manage,
    production_env,
    run_python,
    settings_under,
)

pytestmark = pytest.mark.filterwarnings("ignore")

WSGI_IMPORT = ["-c", "import eczema_site.wsgi"]


def test_check_deploy_is_clean_under_production_settings():
    done = manage("check", "--deploy", "--fail-level", "DEBUG", env=production_env())

    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout
    assert "WARNINGS" not in done.stderr


def test_production_is_the_default():
    values = settings_under(
        production_env(),
        "DEBUG",
        "ALLOWED_HOSTS",
        "SECRET_KEY_IS_INSECURE",
        "SECURE_SSL_REDIRECT",
        "STORAGES",
    )

    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == [PRODUCTION_HOST]
    assert values["SECRET_KEY_IS_INSECURE"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["STORAGES"]["staticfiles"]["BACKEND"].endswith(
        "CompressedManifestStaticFilesStorage"
    )


@pytest.mark.parametrize(("value", "debug"), [("1", True), ("0", False), ("", False)])
def test_debug_only_when_explicitly_on(value, debug):
    assert settings_under(production_env(DJANGO_DEBUG=value), "DEBUG")["DEBUG"] is debug


def test_hosts_origins_database_and_idle_time_come_from_the_environment():
    env = production_env(
        DJANGO_ALLOWED_HOSTS="clinic.example.org, www.clinic.example.org",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://clinic.example.org",
        DATABASE_URL="postgres://eczema:secret@db.internal:5432/eczema",
        SESSION_IDLE_SECONDS="600",
    )

    values = settings_under(
        env,
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "DATABASES",
        "SESSION_COOKIE_AGE",
        "SESSION_SAVE_EVERY_REQUEST",
        "SESSION_REFRESH_SECONDS",
    )

    assert values["ALLOWED_HOSTS"] == ["clinic.example.org", "www.clinic.example.org"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://clinic.example.org"]
    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.internal", 5432, "eczema")
    assert values["SESSION_COOKIE_AGE"] == 600
    assert values["SESSION_SAVE_EVERY_REQUEST"] is False
    assert values["SESSION_REFRESH_SECONDS"] == 60


def test_behind_a_proxy_https_is_taken_from_x_forwarded_proto():
    assert settings_under(production_env(), "SECURE_PROXY_SSL_HEADER") == {
        "SECURE_PROXY_SSL_HEADER": None
    }
    values = settings_under(production_env(DJANGO_BEHIND_PROXY="1"), "SECURE_PROXY_SSL_HEADER")
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.parametrize(
    ("secret", "insecure"),
    [
        ("", True),
        (DEV_SECRET_KEY, True),
        ("too-short-0123456789", True),
        ("django-insecure-" + "kq7Zx0-Lw3" * 5, True),
        ("a" * 60, True),
        ("abcd" * 20, True),
        ("q8Zr-3vN_x0LwT7bYc2Hf9Ks4dMj6PaUe1GoRi5VnXyQlBtCzEhWs", False),
    ],
)
def test_weak_secret_keys_are_recognised(secret, insecure):
    assert secret_key_is_insecure(secret) is insecure


@pytest.mark.parametrize("secret", [None, DEV_SECRET_KEY], ids=["missing", "dev-default"])
def test_it_refuses_to_run_with_a_missing_or_default_secret(secret):
    env = production_env(DJANGO_SECRET_KEY=secret)

    check = manage("check", env=env)
    assert check.returncode != 0
    assert "decision.E001" in check.stderr

    migrate = manage("migrate", "--plan", env=env)
    assert migrate.returncode != 0
    assert "decision.E001" in migrate.stderr

    wsgi = run_python(WSGI_IMPORT, env)
    assert wsgi.returncode != 0
    assert "ImproperlyConfigured" in wsgi.stderr
    assert "DJANGO_SECRET_KEY" in wsgi.stderr


def test_wsgi_refuses_to_start_without_allowed_hosts():
    wsgi = run_python(WSGI_IMPORT, production_env(DJANGO_ALLOWED_HOSTS=None))

    assert wsgi.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in wsgi.stderr


def test_wsgi_starts_with_production_settings():
    wsgi = run_python(WSGI_IMPORT, production_env())

    assert wsgi.returncode == 0, wsgi.stderr


def test_development_mode_runs_with_the_development_key():
    env = production_env(DJANGO_SECRET_KEY=None, DJANGO_ALLOWED_HOSTS=None, DJANGO_DEBUG="1")

    assert manage("check", env=env).returncode == 0
    assert run_python(WSGI_IMPORT, env).returncode == 0


def test_offline_commands_need_no_environment_at_all():
    env = production_env(DJANGO_SECRET_KEY=None, DJANGO_ALLOWED_HOSTS=None)
    env.pop("DJANGO_SETTINGS_MODULE")

    done = manage("help", "recommend", env=env)

    assert done.returncode == 0, done.stderr
    assert "decision.E001" not in done.stderr
