"""Small security helpers that settings.py names by dotted path."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.middleware import (
    LoginRequiredMiddleware as DjangoLoginRequiredMiddleware,
)
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.defaults import bad_request
from django_htmx.http import HttpResponseClientRedirect

logger = logging.getLogger("django.request")


def client_ip_address(request: HttpRequest) -> str | None:
    """The client's address for django-axes lockouts.

    Directly exposed, that is REMOTE_ADDR. Behind DJANGO_PROXY_COUNT trusted proxies, each of
    which appends the address it saw to X-Forwarded-For, the client is the entry the outermost
    proxy appended: counted from the right, so a client cannot choose it by sending its own
    X-Forwarded-For header.
    """
    remote_addr = request.META.get("REMOTE_ADDR")
    if not getattr(settings, "BEHIND_PROXY", False):
        return remote_addr
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    count = max(1, getattr(settings, "PROXY_COUNT", 1))
    if len(forwarded) >= count:
        return forwarded[-count]
    return remote_addr


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, which also sends htmx requests to the sign-in page.

    When the session has expired, htmx would follow the plain redirect and swap the sign-in page
    into a panel. Instead the whole page goes to sign-in, with `next` set to the page the
    clinician was on, so they land back on the same step afterwards.
    """

    def handle_no_permission(self, request: HttpRequest, view_func: Any) -> HttpResponse:
        if request.headers.get("HX-Request") != "true":
            return super().handle_no_permission(request, view_func)
        next_path = request.get_full_path()
        current = request.headers.get("HX-Current-URL", "")
        if current and url_has_allowed_host_and_scheme(
            current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            parts = urlsplit(current)
            next_path = parts.path + (f"?{parts.query}" if parts.query else "")
        login = redirect_to_login(
            next_path,
            resolve_url(self.get_login_url(view_func)),
            self.get_redirect_field_name(view_func),
        )
        return HttpResponseClientRedirect(login["Location"])


class InvalidInputMiddleware:
    """A ValidationError that escapes a view came from input that did not fit a model field (a
    malformed id in a URL or query string): answer 400 with templates/400.html, not 500.

    Django 5.2's own admin "view on site" shortcut does this with a malformed UUID
    (https://code.djangoproject.com/ticket/36267, fixed in Django 6.0 only).
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ValidationError):
            return None
        logger.warning(
            "Bad request (invalid input): %s: %s", request.path, exception, exc_info=exception
        )
        return bad_request(request, exception)


class PrivatePagesMiddleware:
    """Pages for a signed-in clinician hold clinical records: no cache may keep them, and the
    browser's Back button after signing out on a shared computer must not show them again."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            add_never_cache_headers(response)
        return response
