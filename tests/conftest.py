"""Shared fixtures for every test package (keep additions small and additive)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from decision import roles

# The run's last line lists the tests a missing system package skipped (tests/system_packages.py).
pytest_plugins = ["tests.system_packages", "pytester"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The rate limits (API, FHIR, CDS) count in the cache, and user ids repeat from test to test.
    cache.clear()
    yield
    cache.clear()


# No password (unusable): tests sign in with force_login, and hashing one costs most of a second.
@pytest.fixture
def clinician(django_user_model):
    user = django_user_model.objects.create_user(username="clinician")
    roles.grant(user, roles.CLINICIAN)
    return user


@pytest.fixture
def other_clinician(django_user_model):
    user = django_user_model.objects.create_user(username="other")
    roles.grant(user, roles.CLINICIAN)
    return user


@pytest.fixture
def reviewer(django_user_model):
    user = django_user_model.objects.create_user(username="reviewer")
    roles.grant(user, roles.REVIEWER)
    return user


@pytest.fixture
def clinician_client(client, clinician):
    # force_login: django-axes needs a request to authenticate, and these tests are not about it.
    client.force_login(clinician)
    return client


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests with a live server last, as pytest-django orders them: each flushes the database
    after it, data migrations included (the roles' groups). pytest's own grouping of tests by
    session-scoped parameters (Playwright's browser name) can otherwise move them first."""
    items.sort(key=lambda item: "live_server" in getattr(item, "fixturenames", ()))
