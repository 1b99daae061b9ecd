"""`python manage.py recommend PATH` as a user runs it (a real subprocess, no env needed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.engine.contract import skeleton
from tests.helpers import make_input, vignettes

ROOT = Path(__file__).resolve().parents[2]


def recommend(arg: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", "recommend", arg],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_it_prints_contract_json_for_a_file(tmp_path):
    case = vignettes()[0]
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case["input"]))
    out = recommend(str(path))
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["contract"] == 1 and result["ruleset_version"] == "2026.12"
    for key, value in case["expect"].items():
        assert skeleton(result)[key] == value


def test_batch_returns_a_list_in_order_from_stdin():
    cases = vignettes()
    out = recommend("-", json.dumps([c["input"] for c in cases]))
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)
    assert [skeleton(r) for r in results] == [
        {**skeleton(r), **c["expect"]} for r, c in zip(results, cases, strict=True)
    ]


def test_output_is_byte_identical_between_runs():
    text = json.dumps(make_input())
    assert recommend("-", text).stdout == recommend("-", text).stdout


def test_invalid_input_lists_every_problem_on_stderr_and_nothing_on_stdout():
    out = recommend("-", json.dumps(make_input(age_months=-1, sites=[], extra=1)))
    assert out.returncode != 0
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert "age_months: must be between 0 and 1440" in lines
    assert "sites: must name at least one site" in lines
    assert "extra: unknown field" in lines
    assert "Traceback" not in out.stderr


def test_one_invalid_batch_item_fails_the_whole_call_with_prefixed_paths():
    out = recommend("-", json.dumps([make_input(), make_input(severity="x"), 7]))
    assert out.returncode != 0 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert lines[0].startswith("[1].severity: must be one of")
    assert "[2]: must be a JSON object" in lines


@pytest.mark.parametrize(
    ("arg", "stdin", "message"),
    [
        ("-", "{not json", "input: not valid JSON"),
        ("/no/such/file.json", None, "input: cannot read"),
    ],
)
def test_unreadable_input_is_a_clean_error(arg, stdin, message):
    out = recommend(arg, stdin)
    assert out.returncode != 0 and out.stdout == ""
    assert out.stderr.startswith(message)
    assert "Traceback" not in out.stderr
