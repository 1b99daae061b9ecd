"""Fingertip-unit arithmetic (README § 3 C, quantity; knowledge.md § Fingertip units).

Exact decimal arithmetic from the numbers as written, rounded half up only at the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from decision.engine import knowledge

REGION_ORDER: tuple[str, ...] = ("face_neck", "arms", "legs", "trunk", "genitals")
_TENTH = Decimal("0.1")


def dec(value: float | int | Decimal) -> Decimal:
    """The number as written: JSON 10.2 arrives as the float 10.2, whose shortest repr is "10.2",
    so the arithmetic is exact from the written digits, never from the binary float."""
    return value if isinstance(value, Decimal) else Decimal(repr(value))


def round_tenth(value: Decimal) -> float:
    """Half up to one decimal (2.55 -> 2.6, 68.25 -> 68.3), only ever at the end."""
    return float(value.quantize(_TENTH, rounding=ROUND_HALF_UP))


def affected_regions(sites: Sequence[str]) -> tuple[str, ...]:
    """FTU regions for the sites, each counted once, in the table's order."""
    mapping = knowledge.ftu_settings()["site_regions"]
    wanted = {region for site in sites for region in mapping[site]}
    return tuple(r for r in REGION_ORDER if r in wanted)


def _region_table(age_months: int) -> dict[str, Decimal]:
    """FTUs for one application to each whole region (both arms, both legs, front + back)."""
    return _row_table(knowledge.ftu_row(age_months))


@cache
def _row_table(row: knowledge.FtuRow) -> dict[str, Decimal]:
    return {
        "face_neck": dec(row.face_neck),
        "arms": 2 * dec(row.arm_hand),
        "legs": 2 * dec(row.leg_foot),
        "trunk": dec(row.trunk_front) + dec(row.trunk_back),
        "genitals": dec(knowledge.ftu_settings()["genitals_ftu"]),
    }


def region_ftus(age_months: int, sites: Sequence[str]) -> dict[str, float]:
    """FTUs per application for each affected region, if the whole region is affected."""
    table = _region_table(age_months)
    return {region: float(table[region]) for region in affected_regions(sites)}


def region_ftu(age_months: int, sites: Sequence[str]) -> Decimal:
    """The regions' FTUs: the most the patient could need each time (README § 3 C)."""
    table = _region_table(age_months)
    return sum((table[region] for region in affected_regions(sites)), Decimal(0))


def whole_body_ftu(age_months: int) -> Decimal:
    """Every region of the age row, arms and legs twice, + genitals: 9/14/18.5/25/41 FTU."""
    return sum(_region_table(age_months).values(), Decimal(0))


def application_ftu(
    age_months: int, sites: Sequence[str], bsa_percent: float | None
) -> tuple[Decimal, str]:
    """Unrounded FTU per application and its basis (README § 3 C, quantity).

    With a BSA estimate above 0: the smaller of the regions' FTUs and the whole body's share
    ("bsa": "about N"). Without one (null, or 0, which here only means "not estimated"): the
    regions' FTUs, an upper bound ("regions": "up to N").
    """
    regions = region_ftu(age_months, sites)
    if bsa_percent is not None and bsa_percent > 0:
        share = whole_body_ftu(age_months) * dec(bsa_percent) / 100
        return min(regions, share), "bsa"
    return regions, "regions"


def grams_per_week(ftu: Decimal, per_day: int) -> Decimal:
    return ftu * dec(knowledge.ftu_settings()["grams_per_ftu"]) * per_day * 7


def nearest_half(value: float) -> float:
    """A one-decimal FTU figure to the nearest half unit (3.8 -> 4.0, 3.7 -> 3.5, 1.2 -> 1.0);
    one-decimal figures are never exactly between two halves."""
    return float((dec(value) * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 2)
