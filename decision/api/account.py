"""The account page: the signed-in user's API tokens — create (shown once) and revoke."""

from __future__ import annotations

from typing import Any

from crispy_forms.layout import Hidden
from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from decision.api import tokens
from decision.models import ApiToken
from eczema_site.form_helpers import form_helper, submit


class TokenForm(forms.Form):
    name = forms.CharField(
        label="What is the token for?",
        max_length=60,
        help_text="For example “audit script” or “EHR test”. Shown in the list below.",
        error_messages={"required": "Name the token, so you can tell it apart later."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            "account",
            Hidden("action", "create"),
            "name",
            submit("Create a token"),
            css_class="mb-4",
        )

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


class RevokeForm(forms.Form):
    token = forms.IntegerField(min_value=1)


@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    form = TokenForm()
    new_token = ""
    if request.method == "POST" and request.POST.get("action") == "revoke":
        revoke = RevokeForm(request.POST)
        if revoke.is_valid() and tokens.revoke(request.user, revoke.cleaned_data["token"]):
            messages.success(request, "The token is revoked: it no longer works.")
        else:
            messages.error(request, "No such active token.")
        return redirect("account")
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                _, new_token = tokens.create_token(request.user, form.cleaned_data["name"])
            except tokens.TooManyTokens as exc:
                form.add_error("name", str(exc))
            else:
                # Shown in this response only (no redirect): the token is stored nowhere in a
                # form anyone can read back, not even in a message cookie.
                form = TokenForm()
    return render(
        request,
        "account/account.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": ApiToken.objects.filter(user=request.user),
        },
    )
