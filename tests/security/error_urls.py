"""The site's URLs plus views that fail on purpose, for the error-page tests."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import include, path

SECRET_DETAIL = "internal-detail-4c1f9e"


def boom(request):
    raise RuntimeError(f"something broke: {SECRET_DETAIL}")


def forbidden(request):
    raise PermissionDenied(SECRET_DETAIL)


def suspicious(request):
    raise SuspiciousOperation(SECRET_DETAIL)


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/forbidden/", forbidden),
    path("test-errors/suspicious/", suspicious),
    path("", include("eczema_site.urls")),
]
