"""The admin site: Django's, hardened for every model registered in it (ours and the libraries').

INSTALLED_APPS names `eczema_site.admin_site.AdminConfig` instead of `django.contrib.admin`, so
`admin.site` is the `AdminSite` below. Every ModelAdmin registered with it (decision's, auth's,
axes') gets `RobustModelAdminMixin`:

- A list filter the database cannot apply (`?created_at__year=0`, `?id__in=1,2` on a UUID key,
  `?patient_reference__regex=(` on PostgreSQL, …) is a 400 page, on the list and on its CSV
  export, never a 500. Django's admin checks the lookup's name, not whether the value converts.
- A history page for a malformed id (`/admin/…/abc/history/`) is a 404.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import DataError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator

logger = logging.getLogger(__name__)

# What a filter value that does not fit its column raises: while the lookup is built
# (ValidationError, ValueError), when its SQL is compiled (ValueError: "year 0 is out of range",
# OverflowError) or by the database (DataError: invalid regular expression, invalid UUID).
BAD_VALUE_ERRORS = (
    IncorrectLookupParameters,
    ValidationError,
    ValueError,
    TypeError,
    OverflowError,
    DataError,
)


class BadListFilter(SuspiciousOperation):
    """Django answers a SuspiciousOperation with the 400 page and logs it (django.security)."""


def refuse_bad_patterns(request: HttpRequest) -> None:
    """A `__regex` filter that does not compile. On SQLite Django runs it with Python's re, and a
    failure there is an OperationalError, which also means "database down": check it first."""
    for key, values in request.GET.lists():
        if key.endswith(("__regex", "__iregex")):
            for value in values:
                try:
                    re.compile(value)
                except (re.error, OverflowError) as error:
                    raise BadListFilter(f"Admin list filter not applicable: {error}") from error


class RobustModelAdminMixin:
    def get_changelist_instance(self, request: HttpRequest) -> Any:
        refuse_bad_patterns(request)
        # Building the change list counts its rows, so every filter has run once the list exists.
        # The savepoint keeps a PostgreSQL transaction usable after a refused query.
        try:
            with transaction.atomic():
                return super().get_changelist_instance(request)
        except BAD_VALUE_ERRORS as error:
            raise BadListFilter(f"Admin list filter not applicable: {error}") from error

    def get_export_queryset(self, request: HttpRequest) -> Any:
        """django-import-export's CSV export of the filtered list: the same filters, checked
        the same way before the export starts writing."""
        refuse_bad_patterns(request)
        try:
            with transaction.atomic():
                queryset = super().get_export_queryset(request)
                queryset.exists()
        except BAD_VALUE_ERRORS as error:
            raise BadListFilter(f"Admin export filter not applicable: {error}") from error
        return queryset

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        valid_object_id_or_404(self.model, object_id)
        return super().history_view(request, object_id, extra_context)


def valid_object_id_or_404(model: Any, object_id: str) -> None:
    try:
        model._meta.pk.to_python(unquote(object_id))
    except (ValidationError, ValueError, TypeError) as error:
        raise Http404("No such record.") from error


class AdminSite(admin.AdminSite):
    @method_decorator(login_not_required)
    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """One sign-in page for the whole site (its form, lockout policy and second step)."""
        # Imported here: this module is loaded with the app registry, before any model.
        from django.contrib.auth.views import redirect_to_login

        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        if request.user.is_active and self.has_permission(request):
            return redirect(next_url if next_url.startswith("/") else reverse("admin:index"))
        return redirect_to_login(next_url, resolve_url(settings.LOGIN_URL))

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, RobustModelAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (RobustModelAdminMixin, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)


class AdminConfig(DjangoAdminConfig):
    """The project's own app config (eczema_site is no app of its own)."""

    default_site = "eczema_site.admin_site.AdminSite"

    def ready(self) -> None:
        super().ready()
        # Connects the sign-in receiver that decides whether a session owes a second step.
        from eczema_site import two_factor  # noqa: F401
