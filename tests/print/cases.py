"""Test data for the printed documents: the public vignettes, harder synthetic cases, and an
independent copy of knowledge.md § Fingertip units (the oracle for the handout's amounts)."""

from __future__ import annotations

from typing import Any

from decision.engine import SITES
from tests.helpers import make_input, vignettes

VIGNETTES = vignettes()
VIGNETTE_IDS = [v["id"] for v in VIGNETTES]
ALL_SITES = list(SITES)
FAILED = {"tci": "inadequate_response", "wet_wraps": "inadequate_response"}
# The longest handouts the rules can produce: every site, a diet question, and the most products.
STRESS: dict[str, dict[str, Any]] = {
    "newer-topicals-every-site": make_input(
        sites=ALL_SITES, tried=FAILED, elimination_diet_requested=True
    ),
    "newer-topicals-age-2": make_input(
        age_months=30, sites=ALL_SITES, tried=FAILED, elimination_diet_requested=True
    ),
    "wet-wraps-every-site": make_input(
        severity="severe",
        sites=ALL_SITES,
        bsa_percent=40,
        current_tcs={"potency": "high"},
        elimination_diet_requested=True,
    ),
    "wet-wraps-infant-2-months": make_input(
        age_months=2,
        severity="severe",
        sites=["face", "trunk", "genitals"],
        elimination_diet_requested=True,
    ),
    "optimise-every-site": make_input(
        sites=ALL_SITES,
        current_tcs={"potency": "low", "applications_per_day": 1, "weeks": 1, "adherence": "poor"},
        elimination_diet_requested=True,
    ),
    "tci-every-site-adult": make_input(
        age_months=400, sites=ALL_SITES, elimination_diet_requested=True
    ),
    "tci-adult-hands-and-feet": make_input(age_months=400, sites=["hands", "feet"]),
}
# The examples of issue 10 ("Why"), in rule set 2026.12: each must now read correctly on the
# result page, the summary and the handout (tests/print/test_why.py).
WHY: dict[str, dict[str, Any]] = {
    # 15 % of a 5-year-old: the amount follows the extent, not every region whole.
    "why-five-year-15-percent": make_input(
        age_months=60, sites=["face", "arms", "legs", "trunk"], bsa_percent=15
    ),
    # The same child with the extent left blank: an upper bound, "up to".
    "why-five-year-extent-unknown": make_input(
        age_months=60, sites=["face", "arms", "legs", "trunk"], bsa_percent=None
    ),
    # Systemically unwell with infected eczema: same day, never "come back in 7 days".
    "why-unwell-infected-child": make_input(
        age_months=72, red_flags={"infection_signs": True, "systemically_unwell": True}
    ),
    # An infant with eczema on the face only: no medium-strength steroid anywhere in the plan.
    "why-infant-face-only": make_input(
        age_months=8,
        severity="mild",
        sites=["face"],
        bsa_percent=3,
        current_tcs={"potency": "low", "agent": "hydrocortisone-1"},
    ),
    # Betamethasone valerate 0.1 % cream: US class 5 (medium) but UK potent; on the face.
    "why-betamethasone-valerate": make_input(
        age_months=360,
        sites=["face", "arms"],
        bsa_percent=8,
        current_tcs={"potency": "medium", "agent": "betamethasone-valerate-0.1-cream"},
    ),
    # Pregnant, topical options exhausted: no oral JAK inhibitor.
    "why-pregnant-specialist": make_input(
        age_months=336,
        pregnant_or_breastfeeding=True,
        severity="severe",
        sites=["trunk", "arms", "legs"],
        bsa_percent=40,
        current_tcs={"potency": "high", "agent": "mometasone-0.1-ointment"},
        tried={"wet_wraps": "inadequate_response", "tci": "not_tolerated"},
    ),
    # Pregnant with infected eczema: erythromycin, not clarithromycin; no antibiotic assumed.
    "why-pregnant-infected": make_input(
        age_months=336, pregnant_or_breastfeeding=True, red_flags={"infection_signs": True}
    ),
}
CASES = {**{v["id"]: v["input"] for v in VIGNETTES}, **STRESS, **WHY}

# knowledge.md § Fingertip units, copied by hand (not read from the engine's ftu.toml): FTUs for
# one application by age row (max completed months): face & neck, one arm & hand, one leg & foot,
# front of trunk, back & buttocks.
FTU_ROWS = [
    (11, {"face_neck": 1, "arm_hand": 1, "leg_foot": 1.5, "trunk_front": 1, "trunk_back": 1.5}),
    (35, {"face_neck": 1.5, "arm_hand": 1.5, "leg_foot": 2, "trunk_front": 2, "trunk_back": 3}),
    (71, {"face_neck": 1.5, "arm_hand": 2, "leg_foot": 3, "trunk_front": 3, "trunk_back": 3.5}),
    (131, {"face_neck": 2, "arm_hand": 2.5, "leg_foot": 4.5, "trunk_front": 3.5, "trunk_back": 5}),
    (1440, {"face_neck": 2.5, "arm_hand": 4, "leg_foot": 8, "trunk_front": 7, "trunk_back": 7}),
]
AGE_ROW_LABELS = ["3–11 months", "1–2 years", "3–5 years", "6–10 years", "11 years and over"]


def expected_fingertip_units(age_months: int, sites: list[str]) -> dict[str, float]:
    """Region → FTUs for the handout (knowledge.md: each region once; genitals 0.5; an adult's
    hands alone 1 per hand and feet alone 2 per foot)."""
    row = next(values for limit, values in FTU_ROWS if age_months <= limit)
    adult = age_months >= 132
    site_set = set(sites)
    amounts: dict[str, float] = {}
    if site_set & {"face", "eyelids", "neck", "scalp"}:
        amounts["face_neck"] = row["face_neck"]
    if site_set & {"arms", "flexures"} or ("hands" in site_set and not adult):
        amounts["arm_hand"] = row["arm_hand"]
    elif "hands" in site_set:
        amounts["hand"] = 1
    if site_set & {"legs", "flexures"} or ("feet" in site_set and not adult):
        amounts["leg_foot"] = row["leg_foot"]
    elif "feet" in site_set:
        amounts["foot"] = 2
    if "trunk" in site_set:
        amounts["trunk_front"] = row["trunk_front"]
        amounts["trunk_back"] = row["trunk_back"]
    if "genitals" in site_set:
        amounts["genitals"] = 0.5
    return amounts


def age_row_label(age_months: int) -> str:
    index = next(i for i, (limit, _) in enumerate(FTU_ROWS) if age_months <= limit)
    return AGE_ROW_LABELS[index]


def as_fraction(value: float) -> str:
    whole = int(value)
    if value - whole:
        return f"{whole}½" if whole else "½"
    return str(whole)
