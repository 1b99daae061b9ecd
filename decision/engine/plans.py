"""Decisions that the clinician text and the patient's plain words are both built from.

Each function returns codes (never words), so the two texts cannot disagree: the clinician
sentences come from texts.toml and the handout's from handout.toml, keyed by the same codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from decision.engine import knowledge
from decision.engine.assessment import BODY_SITES, SENSITIVE_SITES, Assessment

CHILD_UNDER_MONTHS = 192  # paediatric limits and "your child" under 16 years
# Steroid strength by site: mild only on these (knowledge.md site rules; README § 4).
MILD_ONLY_SITES: frozenset[str] = frozenset({"face", "eyelids", "neck", "genitals"})


def potency_plan(a: Assessment) -> tuple[str, ...]:
    """Which potency goes where (README § 3 C's correction; NICE CG57; AAFP 2021), as the parts
    that apply: "sensitive", then one of "under_12_months", "mild_body", "moderate_body",
    "severe_body_child", "severe_body_adult" when a body site is affected."""
    parts: list[str] = []
    if any(site in MILD_ONLY_SITES for site in a.sites):
        parts.append("sensitive")
    if any(site in BODY_SITES for site in a.sites):
        if a.age_months < knowledge.policy()["stage_c"]["potent_min_age_months"]:
            parts.append("under_12_months")
        elif a.severity == "mild":
            parts.append("mild_body")
        elif a.severity == "severe":
            parts.append(
                "severe_body_child" if a.age_months < CHILD_UNDER_MONTHS else "severe_body_adult"
            )
        else:
            parts.append("moderate_body")
    return tuple(parts)


@dataclass(frozen=True)
class MaintenancePart:
    """One part of the maintenance plan: what goes on which of the patient's own sites.

    kind: "body_medium", "body_medium_or_tci", "body_low", "sensitive_tci" or "sensitive_low"
    (texts.toml [maintenance_part]; handout.toml [maintenance.part]).
    """

    kind: str
    sites: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "sites": list(self.sites)}


def maintenance_parts(a: Assessment, tci_possible: bool) -> tuple[MaintenancePart, ...]:
    """README § 3 E: body sites -> a medium-potency TCS (low under 12 months), or the TCI if that
    controlled it; face, eyelids, neck, flexures, genitals -> a TCI when TCIs are possible for
    this patient, otherwise a low-potency TCS. The one decision behind both texts."""
    body = tuple(site for site in a.sites if site in BODY_SITES)
    sensitive = tuple(site for site in a.sites if site in SENSITIVE_SITES)
    parts: list[MaintenancePart] = []
    if body:
        if a.age_months < knowledge.policy()["stage_c"]["potent_min_age_months"]:
            kind = "body_low"
        else:
            # Conservative: "the TCI if that is what controlled it" only when a TCI is possible.
            kind = "body_medium_or_tci" if tci_possible else "body_medium"
        parts.append(MaintenancePart(kind, body))
    if sensitive:
        parts.append(
            MaintenancePart("sensitive_tci" if tci_possible else "sensitive_low", sensitive)
        )
    return tuple(parts)


def join_words(words: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
