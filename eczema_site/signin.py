"""Signing in and out: Django's views with the site's form and headers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest, HttpResponse


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
