"""Authentication for the JSON API: a personal API token as `Authorization: Bearer …`, nothing
else. No session, so no cookie can act for the caller and the API needs no CSRF exemption that
a browser could use."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from decision.api import tokens
from decision.models import ApiToken


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = tokens.authenticate(token)
        if api_token is None:
            return None
        # The token's user, not the session's: history rows and the rate limit name them.
        request.user = api_token.user
        return api_token
