"""Loads the clinical tables (TOML files beside this module), once, into typed records.

The files are the reviewable source of truth; this module only reads and shapes them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

RULESET_VERSION = "2026.11"

_DIR = Path(__file__).resolve().parent


@cache
def load(name: str) -> dict[str, Any]:
    with (_DIR / f"{name}.toml").open("rb") as fh:
        return tomllib.load(fh)


@dataclass(frozen=True)
class TcsAgent:
    id: str
    label: str
    us_class: str
    uk_group: str
    potency: str
    source: str


@cache
def tcs_agents() -> tuple[TcsAgent, ...]:
    return tuple(TcsAgent(**row) for row in load("tcs_agents")["agent"])


@cache
def tcs_agent_map() -> dict[str, TcsAgent]:
    return {agent.id: agent for agent in tcs_agents()}


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
