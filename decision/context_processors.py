from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from decision.engine import RULESET_VERSION


def site(request: HttpRequest) -> dict[str, str]:
    """Clinic name and rule-set version for every page (the footer shows both)."""
    return {"CLINIC_NAME": settings.CLINIC_NAME, "RULESET_VERSION": RULESET_VERSION}
