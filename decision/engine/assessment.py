"""The engine's input: frozen dataclasses plus parsing/validation into field errors.

Validation follows contract.md exactly: unknown keys, wrong types, out-of-range numbers and
unknown enum values are errors, each reported as ``field.path: message``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SEVERITIES: tuple[str, ...] = ("mild", "moderate", "severe")
SITES: tuple[str, ...] = (
    "face",
    "eyelids",
    "neck",
    "scalp",
    "flexures",
    "hands",
    "feet",
    "arms",
    "legs",
    "trunk",
    "genitals",
)
# Stage C: body sites need more than low potency; sensitive sites do not.
BODY_SITES: frozenset[str] = frozenset({"trunk", "arms", "legs", "hands", "feet", "scalp"})
SENSITIVE_SITES: frozenset[str] = frozenset({"face", "eyelids", "neck", "flexures", "genitals"})
POTENCIES: tuple[str, ...] = ("none", "low", "medium", "high", "very_high")
ADHERENCE: tuple[str, ...] = ("good", "partial", "poor")
TRIED_KEYS: tuple[str, ...] = (
    "wet_wraps",
    "tci",
    "crisaborole",
    "ruxolitinib",
    "tapinarof",
    "roflumilast",
    "phototherapy",
    "dupilumab",
    "other_systemic",
)
TRIED_OUTCOMES: tuple[str, ...] = ("not_tried", "helped", "inadequate_response", "not_tolerated")
FAILED_OUTCOMES: frozenset[str] = frozenset({"inadequate_response", "not_tolerated"})

PATIENT_FLAGS: tuple[str, ...] = (
    "immunocompromised",
    "pregnant_or_breastfeeding",
    "barrier_disorder",
    "on_phototherapy",
    "liver_impairment",
)
RED_FLAGS: tuple[str, ...] = (
    "herpeticum_signs",
    "infection_signs",
    "systemically_unwell",
    "infection_unresponsive",
)
OTHER_FACTORS: tuple[str, ...] = (
    "suspected_contact_dermatitis",
    "diagnostic_doubt",
    "documented_food_allergy",
    "elimination_diet_requested",
)

AGE_MONTHS_MAX = 1440
WEEKS_MAX = 520
GRAMS_PER_WEEK_MAX = 2000
APPLICATIONS_PER_DAY_MAX = 4


@dataclass(frozen=True)
class FieldError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class AssessmentError(ValueError):
    """Raised with every problem found, never just the first."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors: list[FieldError] = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


@dataclass(frozen=True)
class RedFlags:
    herpeticum_signs: bool = False
    infection_signs: bool = False
    systemically_unwell: bool = False
    infection_unresponsive: bool = False


@dataclass(frozen=True)
class CurrentTCS:
    potency: str
    applications_per_day: int
    weeks: float
    adherence: str
    grams_per_week: float | None = None


def _all_not_tried() -> dict[str, str]:
    return {key: "not_tried" for key in TRIED_KEYS}


@dataclass(frozen=True)
class Assessment:
    age_months: int
    severity: str
    sites: tuple[str, ...]
    current_tcs: CurrentTCS
    immunocompromised: bool = False
    pregnant_or_breastfeeding: bool = False
    barrier_disorder: bool = False
    on_phototherapy: bool = False
    liver_impairment: bool = False
    red_flags: RedFlags = field(default_factory=RedFlags)
    bsa_percent: float | None = None
    sleep_loss_nights_per_week: int = 0
    major_life_impact: bool = False
    emollients_daily: bool = True
    steroid_concerns: bool = False
    # Always holds every key of TRIED_KEYS (missing ones are "not_tried").
    tried: Mapping[str, str] = field(default_factory=_all_not_tried)
    suspected_contact_dermatitis: bool = False
    diagnostic_doubt: bool = False
    documented_food_allergy: bool = False
    elimination_diet_requested: bool = False

    def failed(self, treatment: str) -> bool:
        """True when `treatment` was already tried with an inadequate response or not tolerated."""
        return self.tried.get(treatment, "not_tried") in FAILED_OUTCOMES

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON form (every field explicit), which parses back to an equal value."""
        raise NotImplementedError


def parse_assessment(data: Any, prefix: str = "") -> Assessment:
    """Validate a JSON-like object against contract.md and build an Assessment.

    Raises AssessmentError listing every problem as ``field.path: message`` (paths prefixed by
    `prefix`, e.g. ``[3].`` for batch item 3).
    """
    raise NotImplementedError
