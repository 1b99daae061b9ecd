"""Shared test helpers: building engine inputs and reducing results to contract skeletons."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"

BASE_INPUT: dict[str, Any] = {
    "age_months": 84,
    "severity": "moderate",
    "sites": ["flexures", "arms", "legs"],
    "bsa_percent": 15,
    "current_tcs": {
        "potency": "medium",
        "applications_per_day": 2,
        "weeks": 3,
        "adherence": "good",
    },
    "emollients_daily": True,
}


def vignettes() -> list[dict[str, Any]]:
    return json.loads((DATA / "vignettes.json").read_text(encoding="utf-8"))


def make_input(**changes: Any) -> dict[str, Any]:
    """BASE_INPUT with changes; nested dicts (current_tcs, red_flags, tried) are merged."""
    data = copy.deepcopy(BASE_INPUT)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return data


def skeleton(result: dict[str, Any]) -> dict[str, Any]:
    """The vignette skeleton of a contract result (contract.md § Worked cases)."""
    after = result["after"]
    return {
        "next_step": result["next_step"]["code"],
        "products": [p["id"] for p in result["next_step"]["products"]],
        "after": after["code"] if after else None,
        "after_products": [p["id"] for p in after["products"]] if after else [],
        "alternatives": [s["code"] for s in result["alternatives"]],
        "avoid": sorted(
            ([a["code"], a["reason_code"]] for a in result["avoid"]),
            key=lambda pair: (pair[0], pair[1] is not None, pair[1] or ""),
        ),
        "referrals": {r["code"]: r["urgency"] for r in result["referrals"]},
        "alerts": sorted(a["code"] for a in result["alerts"]),
        "adequacy_reasons": result["adequacy"]["reasons"],
        "expected_grams_per_week": result["adequacy"]["expected_grams_per_week"],
        "also_do": sorted(a["code"] for a in result["also_do"]),
        "review_after_days": result["follow_up"]["review_after_days"],
    }
