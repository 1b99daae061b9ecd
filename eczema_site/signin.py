"""Signing in and out: Django's views with the site's form and headers, and the lockout policy."""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse

from eczema_site.form_helpers import NEXT, form_helper, submit


class SignInThrottle(AxesDatabaseHandler):
    """django-axes' database handler with two limits instead of one (settings.AXES_*):

    - failures for one user name from one address: locked at AXES_FAILURE_LIMIT;
    - failures from one address over any user names (guessing across accounts, 160 failures
      over 40 names were never slowed): locked at the higher AXES_ADDRESS_FAILURE_LIMIT.

    Attempts during a lock are not recorded (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT),
    so a lock ends AXES_COOLOFF_TIME after the failure that caused it, however many attempts
    follow. A successful sign-in clears that user name's failures from that address only: an
    account of one's own cannot wipe the address's count for everyone else's names.
    """

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        user_and_address, address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        request.axes_address_locked = address >= settings.AXES_ADDRESS_FAILURE_LIMIT
        if request.axes_address_locked:
            return max(user_and_address, settings.AXES_FAILURE_LIMIT)
        return user_and_address

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        user_and_address = self.filter_user_attempts(request, credentials)[0]
        count, _ = user_and_address.delete()
        return count


class SignInForm(AuthenticationForm):
    """Django's sign-in form, which also enforces the user name's length.

    AuthenticationForm sets the field's max_length after the field is built, so no validator
    checks it: a 300-character name reached authenticate() and django-axes' failure record
    (255 characters), a 500 on PostgreSQL. Now it is a message next to the field.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))
        if self.is_bound:
            # Shown again only with a problem: the error summary above takes the focus.
            username.widget.attrs.pop("autofocus", None)
        self.helper = form_helper("login", "username", "password", NEXT, submit("Sign in"))


class SignInView(auth_views.LoginView):
    authentication_form = SignInForm
    # Django's form views would answer PUT as POST; sign-in takes GET and POST only.
    http_method_names = ["get", "post", "head", "options"]


class SignOutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        # On a shared computer, the browser drops what it cached of the clinical pages (the Back
        # button shows nothing) and any site storage. Not "cookies": that would reach every site
        # of the registrable domain; Django already deletes the session cookie.
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
