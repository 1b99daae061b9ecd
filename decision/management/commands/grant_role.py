"""Add a user to a role: `python manage.py grant_role USERNAME clinician|reviewer|admin`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from decision import roles


class Command(BaseCommand):
    help = (
        "Give a user a role: clinician (own consultations), reviewer (reads every consultation, "
        "the dashboard and the view-only admin) or admin (site administrator)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=roles.ROLES)

    def handle(self, *args: Any, **options: Any) -> None:
        username, role = options["username"], options["role"]
        try:
            user = get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user called {username!r}.") from None
        roles.grant(user, role)
        self.stdout.write(self.style.SUCCESS(f"{username} is now a {role}."))
