"""Stages A–E of the decision procedure (clinical/README.md § 3). Implementation in progress."""

from __future__ import annotations

from collections.abc import Sequence

from decision.engine.assessment import Assessment, CurrentTCS, RedFlags
from decision.engine.result import Adequacy, Alert, Recommendation


def check_adequacy(
    age_months: int, severity: str, sites: Sequence[str], tcs: CurrentTCS
) -> Adequacy:
    """Stage C: is the current TCS trial adequate? Reasons in table order + expected g/week."""
    raise NotImplementedError


def red_flag_actions(
    red_flags: RedFlags, sites: Sequence[str] = (), bsa_percent: float | None = None
) -> tuple[Alert, ...]:
    """Stage A alerts with their urgent actions, for the live safety-screen panel."""
    raise NotImplementedError


def evaluate(assessment: Assessment) -> Recommendation:
    """Run stages A → E and return the full recommendation."""
    raise NotImplementedError
