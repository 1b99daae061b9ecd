"""Create the demo clinician and reviewer (idempotently) so a fresh checkout can sign in at once."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from decision import roles

USERNAME = "demo"
PASSWORD = "eczema-demo-2026"
# A reviewer too (issue 5): reads every consultation, the review dashboard and the admin.
REVIEWER_USERNAME = "demo-reviewer"
REVIEWER_PASSWORD = "review-demo-2026"


class Command(BaseCommand):
    help = (
        "Create the demo clinician and reviewer accounts (development only) and print their "
        "sign-in details."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Create the account even when DEBUG is off (never on a real deployment).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # A known password must never appear on a production site by accident.
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to create the demo user with DEBUG off. Set DJANGO_DEBUG=1 for local "
                "use, or pass --force if you really mean it."
            )
        for username, password, role in (
            (USERNAME, PASSWORD, roles.CLINICIAN),
            (REVIEWER_USERNAME, REVIEWER_PASSWORD, roles.REVIEWER),
        ):
            user, created = get_user_model().objects.get_or_create(
                username=username, defaults={"first_name": "Demo", "last_name": role.title()}
            )
            if created or not user.check_password(password) or not user.is_active:
                user.set_password(password)
                user.is_active = True
                user.save()
            roles.grant(user, role)
            verb = "Created" if created else f"Demo {role} ready"
            self.stdout.write(
                self.style.SUCCESS(f"{verb}: sign in as '{username}' with password '{password}'.")
            )
