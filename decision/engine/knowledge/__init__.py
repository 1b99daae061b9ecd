"""Loads the clinical tables (TOML files beside this module), once, into typed records.

The files are the reviewable source of truth; this module only reads and shapes them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

RULESET_VERSION = "2026.12"

_DIR = Path(__file__).resolve().parent


@cache
def load(name: str) -> dict[str, Any]:
    with (_DIR / f"{name}.toml").open("rb") as fh:
        return tomllib.load(fh)


UK_GROUP_LEVEL = {"mild": 0, "moderate": 1, "potent": 2, "very potent": 3}


@dataclass(frozen=True)
class TcsAgent:
    """One steroid agent of knowledge.md § potency: engine potency plus its own UK group."""

    id: str
    label: str
    us_class: str
    uk_group: str  # "" when the agent has no UK (BNF) group
    potency: str
    sources: tuple[str, ...]
    legacy: bool = False  # accepted for old records, never offered as a choice

    @property
    def uk_label(self) -> str:
        """ "UK potent", or "" when the agent has no UK group (shown beside the agent)."""
        return f"UK {self.uk_group}" if self.uk_group else ""

    def uk_at_least(self, group: str) -> bool:
        """True when the agent's UK group is `group` or stronger (False without a UK group)."""
        return bool(self.uk_group) and UK_GROUP_LEVEL[self.uk_group] >= UK_GROUP_LEVEL[group]


@cache
def _all_tcs_agents() -> tuple[TcsAgent, ...]:
    return tuple(
        TcsAgent(**{**row, "sources": tuple(row["sources"])}) for row in load("tcs_agents")["agent"]
    )


@cache
def tcs_agents() -> tuple[TcsAgent, ...]:
    """The agents a clinician can choose, in table order (legacy ids left out)."""
    return tuple(agent for agent in _all_tcs_agents() if not agent.legacy)


@cache
def tcs_agent_map() -> dict[str, TcsAgent]:
    """Every accepted `current_tcs.agent` id, the legacy `hydrocortisone` included."""
    return {agent.id: agent for agent in _all_tcs_agents()}


def potency_label(potency: str) -> str:
    """The engine-level potency label, naming US classes only ("Medium (US class 4–5)")."""
    return load("tcs_agents")["potency_label"][potency]


@dataclass(frozen=True)
class Citation:
    """A source as people see it: the display text, its year and, where public, its address."""

    key: str
    text: str
    year: str
    url: str

    def to_dict(self) -> dict[str, str]:
        return {"key": self.key, "text": self.text, "year": self.year, "url": self.url}


@cache
def _sources() -> dict[str, Citation]:
    return {
        row["key"]: Citation(row["key"], row["display"], row["year"], row["url"])
        for row in load("sources")["source"]
    }


def source_keys() -> frozenset[str]:
    return frozenset(_sources())


def citation(key: str) -> Citation:
    """The readable citation for a source key. A key missing from sources.toml (a test makes
    sure the engine cites none) is shown as itself rather than failing a page."""
    return _sources().get(key) or Citation(key, key, "", "")


def citations(keys: Iterable[str]) -> list[Citation]:
    """Citations for source keys, in the given order, without repeats: what a page prints."""
    return [citation(key) for key in dict.fromkeys(keys)]


@dataclass(frozen=True)
class FtuRow:
    label: str
    min_months: int
    max_months: int
    face_neck: float
    arm_hand: float
    leg_foot: float
    trunk_front: float
    trunk_back: float
    source: str


@cache
def ftu_rows() -> tuple[FtuRow, ...]:
    return tuple(FtuRow(**row) for row in load("ftu")["row"])


def ftu_row(age_months: int) -> FtuRow:
    for row in ftu_rows():
        if row.min_months <= age_months <= row.max_months:
            return row
    # Ages above the table are adults; the contract caps age at 1440 months anyway.
    return ftu_rows()[-1]


def ftu_settings() -> dict[str, Any]:
    return load("ftu")


@cache
def products() -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in load("products")["product"]}


def severity_aids() -> dict[str, Any]:
    return load("severity_aids")


def poem_band(score: int) -> dict[str, Any]:
    """The POEM band (Charman 2013) for a total score 0–28."""
    for band in load("severity_aids")["poem"]["band"]:
        if band["min"] <= score <= band["max"]:
            return band
    raise ValueError(f"POEM score out of range: {score}")


def texts() -> dict[str, Any]:
    """Every clinical sentence the engine emits, keyed by code (texts.toml)."""
    return load("texts")


def policy() -> dict[str, Any]:
    """Thresholds, review intervals and referral options (policy.toml)."""
    return load("policy")


def handout() -> dict[str, Any]:
    """Plain-language patient handout content (handout.toml)."""
    return load("handout")
