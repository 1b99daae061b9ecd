"""The vignette skeleton of contract.md § Worked cases, with the fields rule set 2026.12 adds."""

from __future__ import annotations

from typing import Any

from tests.helpers import skeleton as base_skeleton


def skeleton(result: dict[str, Any]) -> dict[str, Any]:
    """tests.helpers.skeleton plus `ftu_per_application` and `quantity_basis` (2026.12)."""
    got = base_skeleton(result)
    for key in ("ftu_per_application", "quantity_basis"):
        got.setdefault(key, result["adequacy"][key])
    return got
