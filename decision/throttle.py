"""Request-rate limits for the machine interfaces outside the JSON API (FHIR, CDS Hooks).

The JSON API throttles through django-ninja; these views are plain Django, so they ask the same
throttle class directly. A FHIR call spends the caller's API budget (`API_RATE_LIMIT`: one budget
per user whichever interface they call); a CDS Hooks call spends its EHR's (`CDS_RATE_LIMIT`, per
JWT issuer: the clinicians behind one EHR share it).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle, UserRateThrottle


class IssuerRateThrottle(SimpleRateThrottle):
    scope = "cds"

    def __init__(self, issuer: str) -> None:
        super().__init__(settings.CDS_RATE_LIMIT)
        self.issuer = issuer

    def get_cache_key(self, request: HttpRequest) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.issuer}


def _wait(throttle: SimpleRateThrottle, request: HttpRequest) -> int | None:
    """None when the request may go ahead, else whole seconds to wait (for Retry-After)."""
    if throttle.allow_request(request):
        return None
    # ninja gives None when its history is already over the limit: a full period then.
    return max(1, round(throttle.wait() or throttle.duration or 1))


def user_wait(request: HttpRequest) -> int | None:
    """The signed-in or token user's shared API budget (a new throttle each call: it keeps
    per-request state)."""
    return _wait(UserRateThrottle(settings.API_RATE_LIMIT), request)


def issuer_wait(request: HttpRequest, issuer: str) -> int | None:
    return _wait(IssuerRateThrottle(issuer), request)
