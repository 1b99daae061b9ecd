"""Fixtures for the API tests: a clinician with a token, and a client that sends it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from decision.api.tokens import create_token


class ApiClient:
    """The test client, sending a bearer token and JSON bodies."""

    def __init__(self, client: Client, token: str) -> None:
        self.client = client
        self.token = token

    def headers(self, token: str | None) -> dict[str, str]:
        token = self.token if token is None else token
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def post(self, path: str, data: Any = None, *, raw: bytes | str | None = None,
             token: str | None = None, **extra: Any):  # fmt: skip
        body = raw if raw is not None else json.dumps(data)
        return self.client.post(
            path, data=body, content_type="application/json", **self.headers(token), **extra
        )

    def get(self, path: str, token: str | None = None, **extra: Any):
        return self.client.get(path, **self.headers(token), **extra)


@pytest.fixture
def token(clinician) -> str:
    return create_token(clinician, "tests")[1]


@pytest.fixture
def api(token) -> ApiClient:
    return ApiClient(Client(), token)
