"""Who may do what: the clinician and reviewer groups and site administrators.

- clinician: creates consultations and sees only their own (the questionnaire views enforce it);
  nobody else creates or changes one, except a site administrator (403 otherwise).
- reviewer: a staff user in the reviewer group; reads every completed consultation, the admin
  (view-only permissions) and the review dashboard; changes nothing.
- admin: a site administrator (is_staff and is_superuser).

The groups and their permissions are created by migration 0003_roles.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import Group
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CLINICIAN = "clinician"
REVIEWER = "reviewer"
ADMIN = "admin"
ROLES = (CLINICIAN, REVIEWER, ADMIN)


def can_review(user: Any) -> bool:
    """Reviewers and site administrators: may read every completed consultation and the dashboard.

    Both are staff (grant_role makes a reviewer staff as it adds them to the group; the group's
    view-only permissions are what a reviewer may see in the admin). Checking the flags, not the
    group, costs no query: the questionnaire's pages ask on every request.
    """
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_staff or user.is_superuser)
    )


def can_consult(user: Any) -> bool:
    """Clinicians and site administrators: may create consultations and change their own drafts.

    One query for anyone but a site administrator (the group membership), asked only on the
    questionnaire's pages.
    """
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    return user.is_superuser or user.groups.filter(name=CLINICIAN).exists()


def clinician_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view that creates or changes consultations: anyone without the clinician role (or site
    administrator) gets 403 with a page saying why."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_consult(request.user):
            return render(request, "decision/403_role.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def grant(user: Any, role: str) -> None:
    """Give a user a role. Reviewers also get is_staff, so they can open the (view-only) admin."""
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")
    if role == ADMIN:
        user.is_staff = True
        user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
        return
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    if role == REVIEWER and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
