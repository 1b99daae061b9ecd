"""Engine benchmark: evaluations per second in-process, and the wall time of
`manage.py recommend` on a batch of 1,000 generated cases (start-up included).

    .venv/bin/python bench/engine.py [--cases 1000] [--seconds 3]

Target (issue 2): the batch of 1,000 in under 2 s wall time on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from decision.engine import (  # noqa: E402
    ADHERENCE,
    POTENCIES,
    SEVERITIES,
    SITES,
    TRIED_KEYS,
    TRIED_OUTCOMES,
    evaluate,
    parse_assessment,
)
from decision.engine.knowledge import tcs_agents  # noqa: E402


def generate(n: int, seed: int = 2026) -> list[dict]:
    """Deterministic, valid, varied assessments (all rules reachable)."""
    rng = random.Random(seed)
    agents: dict[str, list[str]] = {}
    for agent in tcs_agents():
        agents.setdefault(agent.potency, []).append(agent.id)
    cases = []
    for _ in range(n):
        case = {
            "age_months": rng.choice([rng.randint(0, 1440), rng.randint(0, 200)]),
            "severity": rng.choice(SEVERITIES),
            "sites": rng.sample(SITES, rng.randint(1, 5)),
            "bsa_percent": rng.choice([None, rng.randint(1, 100), rng.randint(1, 999) / 10]),
            "current_tcs": {
                "potency": rng.choice(POTENCIES),
                "applications_per_day": rng.randint(0, 3),
                "weeks": rng.choice([1, 2, 3, 4, 8]),
                "adherence": rng.choice(ADHERENCE),
                "grams_per_week": rng.choice([None, rng.randint(5, 300)]),
            },
            "red_flags": {
                "herpeticum_signs": rng.random() < 0.05,
                "infection_signs": rng.random() < 0.1,
                "systemically_unwell": rng.random() < 0.05,
                "infection_unresponsive": rng.random() < 0.05,
            },
            "immunocompromised": rng.random() < 0.1,
            "pregnant_or_breastfeeding": rng.random() < 0.05,
            "emollients_daily": rng.random() < 0.8,
            "steroid_concerns": rng.random() < 0.2,
            "diagnostic_doubt": rng.random() < 0.05,
            "tried": {k: rng.choice(TRIED_OUTCOMES) for k in rng.sample(TRIED_KEYS, 3)},
        }
        potency = case["current_tcs"]["potency"]
        if potency in agents and rng.random() < 0.5:
            case["current_tcs"]["agent"] = rng.choice(agents[potency])
        cases.append(case)
    return cases


def in_process(cases: list[dict], seconds: float) -> float:
    parsed = [parse_assessment(c) for c in cases]
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for a in parsed:
            evaluate(a).to_dict()
        done += len(parsed)
    return done / (time.perf_counter() - start)


def cli_batch(cases: list[dict], repeats: int = 5) -> list[float]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(cases, fh)
        path = fh.name
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "manage.py", "recommend", path],
            cwd=ROOT,
            capture_output=True,
            env=env,
            check=True,
        )
        times.append(time.perf_counter() - start)
        assert len(json.loads(out.stdout)) == len(cases)
    os.unlink(path)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    cases = generate(args.cases)
    rate = in_process(cases, args.seconds)
    times = cli_batch(cases)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    print(f"in-process: {rate:,.0f} evaluations/s (parse once, evaluate + to_dict)")
    print(
        f"manage.py recommend, batch of {len(cases)}: median {statistics.median(times):.2f} s, "
        f"min {min(times):.2f} s, max {max(times):.2f} s over {len(times)} runs (target < 2 s)"
    )


if __name__ == "__main__":
    main()
