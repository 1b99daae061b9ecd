"""python manage.py recommend PATH  (PATH '-' reads standard input); contract.md."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from decision.engine.cli import recommend_json


class Command(BaseCommand):
    help = (
        "Evaluate an assessment (or a JSON array of them) and print the recommendation JSON. "
        "PATH '-' reads standard input."
    )
    # Pure engine work: no database, so skip system checks to keep start-up fast.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="JSON file with one assessment or an array; '-' = stdin")

    def handle(self, *args, path: str, **options) -> None:
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self._fail([f"input: cannot read {path}: {exc}"])
            return
        output, errors = recommend_json(text)
        if errors:
            self._fail(errors)
            return
        self.stdout.write(output)

    def _fail(self, errors: list[str]) -> None:
        # Contract: every problem as `field.path: message` on stderr, nothing on stdout.
        self.stderr.write("\n".join(errors))
        sys.exit(1)
