"""Two-step sign-in: a time-based code from an authenticator app (django-otp, TOTP).

- Anyone may turn it on at /accounts/two-step/ (a QR code drawn on the server, no script, no
  CDN; the key in text for typing in); reviewers and admins must, when the setting
  TWO_FACTOR_REQUIRED_FOR_STAFF (env DJANGO_2FA_FOR_STAFF=1) is on.
- After the password, someone with an authenticator enters its current code at
  /accounts/two-step/verify/ before any other page opens; someone who must enrol is sent to
  the enrolment page first. django-otp throttles wrong codes (1 s, 2 s, 4 s, … between tries)
  and refuses a code twice.
- What a session still owes is decided once, at sign-in (`second_factor_due`), and kept in the
  session: the pages of a clinician without two-step sign-in cost no extra query.
"""

from __future__ import annotations

import base64
from typing import Any

import segno
from crispy_forms.bootstrap import StrictButton
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from eczema_site.form_helpers import NEXT, form_helper, submit

# What the session still owes after the password: VERIFY (enter a code) or ENROL (set one up).
SESSION_KEY = "second_factor_due"
VERIFY = "verify"
ENROL = "enrol"
DEVICE_NAME = "Authenticator app"


def second_factor_exempt(view: Any) -> Any:
    """Views a signed-in user may open before the second step (the step's own pages)."""
    view.second_factor_exempt = True
    return view


def required_for(user: Any) -> bool:
    return bool(settings.TWO_FACTOR_REQUIRED_FOR_STAFF and (user.is_staff or user.is_superuser))


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


@receiver(user_logged_in)
def second_factor_due(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    request.session.pop(SESSION_KEY, None)
    if request.session.get(DEVICE_ID_SESSION_KEY):
        return  # this session already passed the second step for this user
    if confirmed_device(user) is not None:
        request.session[SESSION_KEY] = VERIFY
    elif required_for(user):
        request.session[SESSION_KEY] = ENROL


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class SecondFactorMiddleware:
    """Until the second step is done, every page that needs sign-in sends the user to it (after
    LoginRequiredMiddleware and django-otp's OTPMiddleware)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not getattr(view_func, "login_required", True):
            return None
        if getattr(view_func, "second_factor_exempt", False):
            return None
        due = request.session.get(SESSION_KEY)
        if due is None or not request.user.is_authenticated:
            return None
        name = "two_factor_verify" if due == VERIFY else "two_factor"
        target = f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request") == "true":
            return HttpResponseClientRedirect(target)
        return redirect(target)


class CodeForm(forms.Form):
    token = forms.CharField(
        label="Code from your authenticator app",
        # Six digits, perhaps typed as two groups of three ("123 456").
        max_length=7,
        error_messages={
            "required": "Enter the 6 digits the app shows.",
            "max_length": "Enter the 6 digits the app shows.",
        },
        help_text="6 digits; a new one every 30 seconds.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
    )

    def __init__(
        self,
        *args: Any,
        device: TOTPDevice | None = None,
        action: str = "two_factor_verify",
        button: StrictButton | None = None,
        **kwargs: Any,
    ) -> None:
        """`action` and `button`: the page's (turn on, turn off, or continue signing in)."""
        super().__init__(*args, **kwargs)
        self.device = device
        if self.is_bound:
            # Shown again only with a problem: the error summary above takes the focus.
            self.fields["token"].widget.attrs.pop("autofocus", None)
        self.helper = form_helper(action, "token", NEXT, button or submit("Continue"))

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if len(token) != 6 or not token.isascii() or not token.isdigit():
            raise forms.ValidationError("Enter the 6 digits the app shows.")
        if self.device is None:
            raise forms.ValidationError("Set up your authenticator app first.")
        if not self.device.verify_is_allowed()[0]:
            raise forms.ValidationError(
                "Too many wrong codes: wait a few seconds, then enter the current code."
            )
        if not self.device.verify_token(token):
            raise forms.ValidationError(
                "That code is not right (or was already used). Enter the current code."
            )
        return token


def _done(request: HttpRequest, device: TOTPDevice) -> None:
    otp_login(request, device)
    request.session.pop(SESSION_KEY, None)


@second_factor_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    device = confirmed_device(request.user)
    if device is None:
        return redirect("two_factor")
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        _done(request, device)
        return redirect(_safe_next(request))
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": _safe_next(request)},
    )


def _qr_code(device: TOTPDevice) -> str:
    """The otpauth:// address as an SVG picture in a data: URL (the CSP allows data: images)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=4)


def _key_for_typing(device: TOTPDevice) -> str:
    key = base64.b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@second_factor_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Turn two-step sign-in on (scan, then confirm with a code) or, when optional, off."""
    user = request.user
    if request.session.get(SESSION_KEY) == VERIFY:
        return redirect("two_factor_verify")  # the code first, then any change
    device = confirmed_device(user)
    if device is not None:
        return _enrolled(request, device)
    pending, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": DEVICE_NAME}
    )
    form = CodeForm(
        request.POST or None,
        device=pending,
        action="two_factor",
        button=submit("Turn on two-step sign-in"),
    )
    if request.method == "POST" and form.is_valid():
        pending.confirmed = True
        pending.save(update_fields=["confirmed"])
        _done(request, pending)
        messages.success(request, "Two-step sign-in is on: after your password, enter a code.")
        return redirect(_safe_next(request) if request.POST.get("next") else "two_factor")
    context = {
        "form": form,
        "qr_code": _qr_code(pending),
        "key": _key_for_typing(pending),
        "required": required_for(user),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "registration/two_factor.html", context)


def _enrolled(request: HttpRequest, device: TOTPDevice) -> HttpResponse:
    required = required_for(request.user)
    form = CodeForm(
        request.POST or None,
        device=device,
        action="two_factor",
        button=submit("Turn off two-step sign-in", "btn-outline-danger"),
    )
    if request.method == "POST" and not required and form.is_valid():
        TOTPDevice.objects.filter(user=request.user).delete()
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        messages.success(request, "Two-step sign-in is off.")
        return redirect("two_factor")
    return render(
        request,
        "registration/two_factor_on.html",
        {"form": form, "required": required, "device": device},
    )
