"""Shared fixtures for every test package (keep additions small and additive)."""

from __future__ import annotations

import pytest


@pytest.fixture
def clinician(django_user_model):
    return django_user_model.objects.create_user(username="clinician", password="not-used-1234")


@pytest.fixture
def other_clinician(django_user_model):
    return django_user_model.objects.create_user(username="other", password="not-used-1234")


@pytest.fixture
def clinician_client(client, clinician):
    # force_login: django-axes needs a request to authenticate, and these tests are not about it.
    client.force_login(clinician)
    return client
