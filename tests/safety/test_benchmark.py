"""The reliability benchmark (bench/concurrency.py) in miniature: the same races and clinicians
against gunicorn on a throw-away SQLite file, checked against the database. Not timed: it
asserts only what the benchmark gates on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _table(output: str) -> dict[str, str]:
    rows = [line.strip("|").split("|") for line in output.splitlines() if line.startswith("| ")]
    return {measure.strip().strip("*"): value.strip().strip("*") for measure, value in rows}


def test_a_small_run_of_the_reliability_benchmark_finds_no_error_lost_update_or_violation():
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}

    done = subprocess.run(
        [sys.executable, "bench/concurrency.py", "--clinicians", "2", "--seconds", "2",
         "--races", "2", "--pause", "0.1", "--race-share", "0.5"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip

    assert done.returncode == 0, done.stdout + done.stderr
    table = _table(done.stdout)
    for measure in (
        "5xx",
        "Other unexpected responses (4xx, none, a post not saved)",
        "Lost updates",
        "Un-completed records",
        "Stale snapshots",
        "Version inconsistencies",
        "Race outcomes other than one saved, one conflict page",
    ):
        assert table[measure] == "0", (measure, done.stdout)
    # Two trials of each race, each with one tab saved and the other shown the conflict page (no
    # "other" outcome); each clinician finished the consultation under way at the deadline.
    races = [value for measure, value in table.items() if measure.startswith("Race (")]
    assert len(races) == 2
    assert all(value.startswith("2 (") and value.endswith(" / 0)") for value in races), races
    assert int(table["Consultations completed"]) >= 2
    assert done.stdout.rstrip().endswith("concurrency: passed")
