"""Small security helpers that settings.py names by dotted path."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from urllib.parse import unquote_plus, urlsplit

from django.conf import settings
from django.contrib.auth.middleware import (
    LoginRequiredMiddleware as DjangoLoginRequiredMiddleware,
)
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import parse_header_parameters, url_has_allowed_host_and_scheme
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

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        # Django asks who the user is first, which loads the session even for a public view
        # (/healthz with a session cookie): ask the view first.
        if not getattr(view_func, "login_required", True):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

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


class UnreadableRequest(SuspiciousOperation):
    """Answered with templates/400.html and logged as django.security.UnreadableRequest."""


# Form posts are UTF-8 (every page is), and Django reads a form post in UTF-8 only, spelt so.
ACCEPTED_CHARSET = "utf-8"


# The bodies Django parses itself into request.POST. Other bodies (JSON for the API) are read
# only by views that enforce their own size limit and decoding.
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/")


def refuse_unreadable_request(request: HttpRequest) -> None:
    """Raise a SuspiciousOperation (a 400 page and a django.security log line) for a request the
    site will not read. Checked before any view or middleware parses the body:

    - a form body larger than DATA_UPLOAD_MAX_MEMORY_SIZE, by its Content-Length: Django applies
      that limit to form fields only, and would spool a multipart "file" of any size to disk (the
      site has no uploads);
    - a form body in a charset other than UTF-8 (`charset=utf-16` got gunicorn's bare error page);
    - a NUL character in the query string or a header: PostgreSQL refuses NUL in text, so an
      admin filter or a sign-in record built from it would fail with a 500. (A NUL in the path
      matches no URL pattern: 404.)
    """
    content_type, params = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
    if content_type.startswith(FORM_CONTENT_TYPES):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise UnreadableRequest("malformed Content-Length") from None
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            raise RequestDataTooBig(f"form body of {length} bytes refused (limit {limit})")
        charset = params.get("charset")
        if charset is not None and charset.lower() != ACCEPTED_CHARSET:
            raise UnreadableRequest(f"unsupported charset {charset[:40]!r}")
    if "\0" in unquote_plus(request.META.get("QUERY_STRING", "")):
        raise UnreadableRequest("NUL character in the query string")
    if any(key.startswith("HTTP_") and "\0" in str(value) for key, value in request.META.items()):
        raise UnreadableRequest("NUL character in a header")


class RefuseUnreadableRequestsMiddleware:
    """Answer 400 to a request the site cannot read safely (refuse_unreadable_request)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refuse_unreadable_request(request)
        return self.get_response(request)


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
    browser's Back button after signing out on a shared computer must not show them again.

    Only a request that used its session can be signed in (every page that needs sign-in asks
    who the user is): one that did not, such as /healthz, is answered without loading it."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or "Cache-Control" in response:
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class CrossOriginResourcePolicyMiddleware:
    """Cross-Origin-Resource-Policy on every response (settings.CROSS_ORIGIN_RESOURCE_POLICY)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault(
            "Cross-Origin-Resource-Policy", settings.CROSS_ORIGIN_RESOURCE_POLICY
        )
        return response


class SessionStore(DatabaseSessionStore):
    """The database session store (SESSION_ENGINE = "eczema_site.security"), remembering the
    stored expiry of the session it loaded, for SessionRefreshMiddleware."""

    stored_expire_date = None

    def _validate_session_key(self, key: str | None) -> bool:
        # Django's own keys are 32 lowercase letters and digits; anything else in the cookie
        # (a NUL, which PostgreSQL refuses in a lookup) is no session, never a query.
        return bool(super()._validate_session_key(key)) and key.isascii() and key.isalnum()

    def _get_session_from_db(self) -> Any:
        stored = super()._get_session_from_db()
        self.stored_expire_date = stored.expire_date if stored is not None else None
        return stored


class SessionRefreshMiddleware:
    """Idle expiry without a session write on every request. A request renews a session's expiry
    (SESSION_COOKIE_AGE ahead, in the store and in the cookie) only when it was last renewed
    SESSION_REFRESH_SECONDS or more ago, so a session expires between SESSION_COOKIE_AGE minus
    SESSION_REFRESH_SECONDS and SESSION_COOKIE_AGE after the last request. Listed after
    SessionMiddleware, so that its response step, which does the saving, runs after this one."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a stored session the request used (every signed-in page does): never create one,
        # never load one just to refresh it, and leave one already being saved alone.
        if session is None or not session.accessed or session.modified or session.is_empty():
            return response
        stored = getattr(session, "stored_expire_date", None)
        if stored is None:
            # Another session engine: renew on every request, as SESSION_SAVE_EVERY_REQUEST did.
            session.modified = True
            return response
        renewed_ago = timedelta(seconds=settings.SESSION_COOKIE_AGE) - (stored - timezone.now())
        if renewed_ago >= timedelta(seconds=settings.SESSION_REFRESH_SECONDS):
            session.modified = True
        return response
