"""Review dashboard benchmark: the dashboard's figures over 100,000 completed consultations.

    .venv/bin/python bench/dashboard.py [--rows 100000] [--repeat 5]

Builds a throw-away SQLite database in a temporary directory (or uses DATABASE_URL when set: point
it at an empty PostgreSQL database), bulk-creates the rows spread over the last 60 days with
feedback on four in five, then times `dashboard.build()` for the default period (last 30 days)
and for the whole range, and counts its queries. Issue 5: the page must stay fast with 100,000
consultations, with a constant number of queries.

Measured on the 2-core development container, SQLite, 100,000 rows (2026-11-21), while other
test suites kept the load average near 8:
    last 30 days (49,202 rows):  median 0.76 s, 2 queries
    all 60 days (100,000 rows):  median 1.19 s, 2 queries
PostgreSQL 15 (scripts/pg-test-server.sh), same data and load:
    last 30 days (49,210 rows):  median 0.29 s, 2 queries
    all 60 days (100,000 rows):  median 0.34 s, 2 queries
One grouped query (values + annotate + Count, over covering indexes) gives every figure; the
second fetches the 50 most recent red-flag cases. The count does not grow with the rows.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STEPS = (
    "URGENT_REFERRAL",
    "TREAT_INFECTION",
    "REEVALUATE_DIAGNOSIS",
    "OPTIMIZE_TCS",
    "START_TCI",
    "WET_WRAP_THERAPY",
    "NEWER_TOPICAL",
    "SPECIALIST_ESCALATION",
)
URGENCIES = (None, None, "routine", "within_2_weeks", "same_day")
OUTCOMES = ("followed", "followed", "modified", "not_followed", None)
REASONS = (
    "patient_preference",
    "contraindication_not_captured",
    "specialist_advice",
    "not_available",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="dashboard-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eczema_site.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from decision import dashboard
    from decision.models import Consultation, Feedback

    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench")
    rng = random.Random(2026)
    now = timezone.now()
    started = time.perf_counter()
    for offset in range(0, args.rows, 10_000):
        batch = [
            Consultation(
                created_by=user,
                patient_reference=f"B{offset + index}",
                status=Consultation.Status.COMPLETED,
                next_step_code=rng.choice(STEPS),
                most_urgent_referral=rng.choice(URGENCIES),
                has_red_flags=rng.random() < 0.1,
                ruleset_version="bench",
                engine_output={},
                completed_at=now - timedelta(minutes=rng.randint(0, 60 * 24 * 60)),
            )
            for index in range(min(10_000, args.rows - offset))
        ]
        Consultation.objects.bulk_create(batch, batch_size=2_000)
        feedback = []
        for case in batch:
            outcome = rng.choice(OUTCOMES)
            if outcome is not None:
                reason = "" if outcome == "followed" else rng.choice(REASONS)
                feedback.append(
                    Feedback(consultation=case, outcome=outcome, reason=reason, recorded_by=user)
                )
        Feedback.objects.bulk_create(feedback, batch_size=2_000)
    print(f"{args.rows:,} consultations created in {time.perf_counter() - started:.1f} s")
    connection.cursor().execute("ANALYZE")

    today = timezone.localdate()
    periods = {
        "last 30 days": (today - timedelta(days=29), today),
        "all 60 days": (today - timedelta(days=61), today),
    }
    for label, (start, end) in periods.items():
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                report = dashboard.build(start, end)
                times.append(time.perf_counter() - began)
        print(
            f"{label} ({report.total:,} rows): median {statistics.median(times):.2f} s, "
            f"{len(queries)} queries"
        )


if __name__ == "__main__":
    main()
