"""The engine's output dataclasses and their JSON form (contract.md, version 1)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

CONTRACT_VERSION = 1


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    strength: str
    form: str
    frequency: str
    min_age_months: int
    cautions: tuple[str, ...]
    sources: tuple[str, ...]
    notes: tuple[str, ...] = ()
    # Where it is licensed (knowledge.md § Availability): a note beside the product, never a rule.
    availability: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "availability": self.availability,
            "name": self.name,
            "strength": self.strength,
            "form": self.form,
            "frequency": self.frequency,
            "min_age_months": self.min_age_months,
            "cautions": list(self.cautions),
            "notes": list(self.notes),
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class Correction:
    """One concrete OPTIMIZE_TCS correction, tied to the adequacy reason it fixes."""

    reason: str
    text: str
    sources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "text": self.text, "sources": list(self.sources)}


@dataclass(frozen=True)
class Option:
    """A specialist option listed (never prescribed) under SPECIALIST_ESCALATION, with its
    one-line pre-treatment screening and any caution for this patient."""

    code: str
    text: str
    sources: tuple[str, ...]
    screening: str = ""
    cautions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "text": self.text,
            "screening": self.screening,
            "cautions": list(self.cautions),
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class Step:
    code: str
    title: str
    summary: str
    rationale: str
    sources: tuple[str, ...]
    rule: str
    products: tuple[Product, ...] = ()
    corrections: tuple[Correction, ...] = ()
    options: tuple[Option, ...] = ()
    cautions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "summary": self.summary,
            "rationale": self.rationale,
            "rule": self.rule,
            "products": [p.to_dict() for p in self.products],
            "corrections": [c.to_dict() for c in self.corrections],
            "options": [o.to_dict() for o in self.options],
            "cautions": list(self.cautions),
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class Action:
    code: str
    text: str
    sources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "text": self.text, "sources": list(self.sources)}


@dataclass(frozen=True)
class Avoid:
    code: str
    reason: str
    sources: tuple[str, ...]
    reason_code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "reason_code": self.reason_code,
            "reason": self.reason,
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class Referral:
    code: str
    urgency: str
    reasons: tuple[str, ...]
    sources: tuple[str, ...]
    # The key of each reason (texts.toml [referral_reason]), in the order of `reasons`.
    reason_codes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "urgency": self.urgency,
            "reasons": list(self.reasons),
            "reason_codes": list(self.reason_codes),
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class Alert:
    code: str
    level: str
    text: str
    sources: tuple[str, ...]
    rule: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "level": self.level,
            "text": self.text,
            "rule": self.rule,
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class Adequacy:
    adequate: bool
    reasons: tuple[str, ...]
    expected_grams_per_week: float | None
    # FTU per application for the extent (one decimal) and its basis: "bsa" (about) or
    # "regions" (an upper bound); both None with expected_grams_per_week (README § 3 C).
    ftu_per_application: float | None = None
    quantity_basis: str | None = None
    reason_texts: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    # Potency cautions (README § 3 C): advice beside the verdict, never a change to it.
    cautions: tuple[Action, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "adequate": self.adequate,
            "reasons": list(self.reasons),
            "reason_texts": list(self.reason_texts),
            "cautions": [c.to_dict() for c in self.cautions],
            "expected_grams_per_week": self.expected_grams_per_week,
            "ftu_per_application": self.ftu_per_application,
            "quantity_basis": self.quantity_basis,
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class ReferIf:
    code: str
    text: str
    sources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "text": self.text, "sources": list(self.sources)}


@dataclass(frozen=True)
class FollowUp:
    review_after_days: int
    refer_if: tuple[ReferIf, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "review_after_days": self.review_after_days,
            "refer_if": [r.to_dict() for r in self.refer_if],
        }


@dataclass(frozen=True)
class Recommendation:
    ruleset_version: str
    next_step: Step
    after: Step | None
    alternatives: tuple[Step, ...]
    also_do: tuple[Action, ...]
    avoid: tuple[Avoid, ...]
    referrals: tuple[Referral, ...]
    alerts: tuple[Alert, ...]
    adequacy: Adequacy
    follow_up: FollowUp
    instructions: dict[str, Any]
    fired_rules: tuple[str, ...]
    input: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "contract": CONTRACT_VERSION,
            "ruleset_version": self.ruleset_version,
            "next_step": self.next_step.to_dict(),
            "after": self.after.to_dict() if self.after else None,
            "alternatives": [s.to_dict() for s in self.alternatives],
            "also_do": [a.to_dict() for a in self.also_do],
            "avoid": [a.to_dict() for a in self.avoid],
            "referrals": [r.to_dict() for r in self.referrals],
            "alerts": [a.to_dict() for a in self.alerts],
            "adequacy": self.adequacy.to_dict(),
            "follow_up": self.follow_up.to_dict(),
            "instructions": self.instructions,
            "fired_rules": list(self.fired_rules),
            "input": self.input,
        }

    def to_json(self) -> str:
        return dumps(self.to_dict())


def dumps(data: Any) -> str:
    """Deterministic JSON: the same input always gives byte-identical output."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)


@dataclass(frozen=True)
class StageAResult:
    """Stage A alone (the emergency fast path; contract.md's addition): only what stage A gives.

    `next_step` is URGENT_REFERRAL, TREAT_INFECTION or None; `instructions` holds the handout's
    urgent part (see decision.engine.handout.build_stage_a_instructions).
    """

    ruleset_version: str
    next_step: Step | None
    referrals: tuple[Referral, ...]
    alerts: tuple[Alert, ...]
    instructions: dict[str, Any]
    fired_rules: tuple[str, ...]
    input: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "contract": CONTRACT_VERSION,
            "ruleset_version": self.ruleset_version,
            "stage_a_only": True,
            "next_step": self.next_step.to_dict() if self.next_step else None,
            "referrals": [r.to_dict() for r in self.referrals],
            "alerts": [a.to_dict() for a in self.alerts],
            "instructions": self.instructions,
            "fired_rules": list(self.fired_rules),
            "input": self.input,
        }

    def to_json(self) -> str:
        return dumps(self.to_dict())
