"""Table-driven cases for every rule of clinical/README.md § 3 and each boundary.

Each row: an id, changes to a baseline (7-year-old, moderate, flexures/arms/legs, medium TCS
twice daily for 3 weeks, good adherence: an adequate trial → START_TCI), and the skeleton
fields that must hold. Expected values are worked out by hand from the spec.
"""

from __future__ import annotations

import pytest

from tests.engine.contract import skeleton
from tests.helpers import make_input

STANDING = [
    ["ELIMINATION_DIET", None],
    ["ROUTINE_ORAL_ANTIHISTAMINES", None],
    ["ROUTINE_TOPICAL_ANTIMICROBIALS", None],
    ["SYSTEMIC_CORTICOSTEROIDS", None],
]
ADEQUATE_SEVERE_ADULT = {
    "age_months": 360,
    "severity": "severe",
    "sites": ["trunk", "arms", "legs"],
    "current_tcs": {"potency": "high"},
}

CASES: list[tuple[str, dict, dict]] = [
    # ------------------------------------------------------------------ baseline
    (
        "baseline-start-tci",
        {},
        {
            "next_step": "START_TCI",
            "products": ["tacrolimus-0.03", "pimecrolimus-1"],
            "after": None,
            "alternatives": ["WET_WRAP_THERAPY", "NEWER_TOPICAL"],
            "avoid": STANDING,
            "referrals": {},
            "alerts": [],
            "adequacy_reasons": [],
            "expected_grams_per_week": 26.3,
            "ftu_per_application": 3.8,
            "quantity_basis": "bsa",
            "also_do": ["MAINTENANCE_PLAN"],
            "review_after_days": 14,
        },
    ),
    # ------------------------------------------------------------------ stage A
    (
        "A1-herpeticum",
        {"red_flags": {"herpeticum_signs": True}},
        {
            "next_step": "URGENT_REFERRAL",
            "after": None,
            "alternatives": [],
            "referrals": {"DERMATOLOGY": "same_day"},
            "alerts": ["ECZEMA_HERPETICUM"],
            "review_after_days": 0,
        },
    ),
    (
        "A1-herpeticum-eyelids-adds-ophthalmology",
        {"red_flags": {"herpeticum_signs": True}, "sites": ["eyelids", "face"]},
        {"referrals": {"DERMATOLOGY": "same_day", "OPHTHALMOLOGY": "same_day"}},
    ),
    (
        "A1-herpeticum-with-infection-stays-urgent",
        {"red_flags": {"herpeticum_signs": True, "infection_signs": True}},
        {
            "next_step": "URGENT_REFERRAL",
            "after": None,
            "alerts": ["ECZEMA_HERPETICUM", "INFECTED_ECZEMA"],
        },
    ),
    (
        "A2-bsa-90-erythroderma",
        {"bsa_percent": 90},
        {
            "next_step": "URGENT_REFERRAL",
            "referrals": {"EMERGENCY": "same_day"},
            "alerts": ["ERYTHRODERMA"],
            "review_after_days": 0,
        },
    ),
    ("A2-bsa-89-9-is-not", {"bsa_percent": 89.9}, {"next_step": "START_TCI", "alerts": []}),
    ("A2-bsa-89-is-not", {"bsa_percent": 89}, {"next_step": "START_TCI", "alerts": []}),
    ("A2-bsa-unknown-is-not", {"bsa_percent": None}, {"next_step": "START_TCI"}),
    (
        "A2-erythroderma-with-infection-stays-urgent",
        {"bsa_percent": 95, "red_flags": {"infection_signs": True}},
        {"next_step": "URGENT_REFERRAL", "alerts": ["ERYTHRODERMA", "INFECTED_ECZEMA"]},
    ),
    (
        "A3-unwell-alone-urgent",
        {"red_flags": {"systemically_unwell": True}},
        {
            "next_step": "URGENT_REFERRAL",
            "after": None,
            "referrals": {"EMERGENCY": "same_day"},
            "alerts": ["SYSTEMICALLY_UNWELL"],
        },
    ),
    (
        "A3-unwell-with-infection-is-still-urgent",
        {"red_flags": {"systemically_unwell": True, "infection_signs": True}},
        {
            "next_step": "URGENT_REFERRAL",
            "after": None,
            "alternatives": [],
            "referrals": {"EMERGENCY": "same_day"},
            "alerts": ["INFECTED_ECZEMA", "SYSTEMICALLY_UNWELL"],
            "review_after_days": 0,
        },
    ),
    (
        "A3-unwell-with-infection-pregnant-adult-is-still-urgent",
        {
            "age_months": 336,
            "pregnant_or_breastfeeding": True,
            "red_flags": {"systemically_unwell": True, "infection_signs": True},
        },
        {"next_step": "URGENT_REFERRAL", "referrals": {"EMERGENCY": "same_day"}},
    ),
    (
        "A4-infection",
        {"red_flags": {"infection_signs": True}},
        {
            "next_step": "TREAT_INFECTION",
            "after": "START_TCI",
            "after_products": ["tacrolimus-0.03", "pimecrolimus-1"],
            "alternatives": [],
            "referrals": {},
            "alerts": ["INFECTED_ECZEMA"],
            "review_after_days": 7,
        },
    ),
    (
        "A4-infection-after-wet-wraps-as-if-treated",
        {**ADEQUATE_SEVERE_ADULT, "red_flags": {"infection_signs": True}},
        {
            "next_step": "TREAT_INFECTION",
            "after": "WET_WRAP_THERAPY",
            "referrals": {"DERMATOLOGY": "within_2_weeks"},
        },
    ),
    (
        "A4-infection-inadequate-trial-after-optimise",
        {"red_flags": {"infection_signs": True}, "current_tcs": {"weeks": 1}},
        {"next_step": "TREAT_INFECTION", "after": "OPTIMIZE_TCS", "after_products": []},
    ),
    (
        "A5-unresponsive-infection-alone-is-not-an-infection-sign",
        {"red_flags": {"infection_unresponsive": True}},
        {
            "next_step": "START_TCI",
            "alerts": [],
            "referrals": {"DERMATOLOGY": "within_2_weeks"},
        },
    ),
    # ------------------------------------------------------------------ stage B
    (
        "B1-diagnostic-doubt",
        {"diagnostic_doubt": True},
        {
            "next_step": "REEVALUATE_DIAGNOSIS",
            "after": "START_TCI",
            "alternatives": [],
            "referrals": {"DERMATOLOGY": "routine"},
            "also_do": ["MAINTENANCE_PLAN"],
            "review_after_days": 14,
        },
    ),
    (
        "B1-doubt-with-inadequate-trial-after-optimise",
        {"diagnostic_doubt": True, "current_tcs": {"adherence": "poor"}},
        {"next_step": "REEVALUATE_DIAGNOSIS", "after": "OPTIMIZE_TCS"},
    ),
    (
        "B1-doubt-under-stage-a-goes-to-also-do",
        {"diagnostic_doubt": True, "red_flags": {"infection_signs": True}},
        {
            "next_step": "TREAT_INFECTION",
            "also_do": ["MAINTENANCE_PLAN", "REEVALUATE_DIAGNOSIS"],
            "referrals": {"DERMATOLOGY": "routine"},
        },
    ),
    (
        "B1-doubt-under-urgent-referral-goes-to-also-do",
        {"diagnostic_doubt": True, "red_flags": {"herpeticum_signs": True}},
        {
            "next_step": "URGENT_REFERRAL",
            "after": None,
            "also_do": ["MAINTENANCE_PLAN", "REEVALUATE_DIAGNOSIS"],
            "referrals": {"DERMATOLOGY": "same_day"},
        },
    ),
    # ------------------------------------------------------------------ stage C
    (
        "C-tcs-not-used-is-the-only-reason",
        {
            "current_tcs": {
                "potency": "none",
                "applications_per_day": 0,
                "weeks": 0,
                "adherence": "poor",
            }
        },
        {
            "next_step": "OPTIMIZE_TCS",
            "after": "START_TCI",
            "adequacy_reasons": ["TCS_NOT_USED"],
            "expected_grams_per_week": None,
            "review_after_days": 14,
        },
    ),
    (
        "C-zero-applications-frequency-and-no-grams",
        {"current_tcs": {"applications_per_day": 0}},
        {"adequacy_reasons": ["FREQUENCY_TOO_LOW"], "expected_grams_per_week": None},
    ),
    (
        "C-once-daily-low-too-rare",
        {"current_tcs": {"potency": "low", "applications_per_day": 1}, "severity": "mild"},
        {"adequacy_reasons": ["FREQUENCY_TOO_LOW"], "expected_grams_per_week": 13.1},
    ),
    (
        "C-twice-daily-low-enough",
        {"current_tcs": {"potency": "low", "applications_per_day": 2}, "severity": "mild"},
        {"adequacy_reasons": []},
    ),
    (
        "C-zero-applications-low-too-rare",
        {"current_tcs": {"potency": "low", "applications_per_day": 0}, "severity": "mild"},
        {"adequacy_reasons": ["FREQUENCY_TOO_LOW"], "quantity_basis": None},
    ),
    (
        "C-once-daily-medium-enough",
        {"current_tcs": {"applications_per_day": 1}},
        {"adequacy_reasons": [], "next_step": "START_TCI"},
    ),
    (
        "C-once-daily-high-enough",
        {"current_tcs": {"potency": "high", "applications_per_day": 1}},
        {"adequacy_reasons": [], "next_step": "START_TCI", "expected_grams_per_week": 13.1},
    ),
    (
        "C-zero-applications-high-too-rare",
        {"current_tcs": {"potency": "high", "applications_per_day": 0}},
        {"adequacy_reasons": ["FREQUENCY_TOO_LOW"], "next_step": "OPTIMIZE_TCS"},
    ),
    (
        "C-once-daily-very-high-enough",
        {"current_tcs": {"potency": "very_high", "applications_per_day": 1}},
        {"adequacy_reasons": [], "next_step": "START_TCI"},
    ),
    (
        "C-zero-applications-very-high-too-rare",
        {"current_tcs": {"potency": "very_high", "applications_per_day": 0}},
        {"adequacy_reasons": ["FREQUENCY_TOO_LOW"]},
    ),
    ("C-two-weeks-is-enough", {"current_tcs": {"weeks": 2}}, {"adequacy_reasons": []}),
    (
        "C-just-under-two-weeks",
        {"current_tcs": {"weeks": 1.99}},
        {"adequacy_reasons": ["DURATION_TOO_SHORT"], "next_step": "OPTIMIZE_TCS"},
    ),
    (
        "C-partial-adherence",
        {"current_tcs": {"adherence": "partial"}},
        {"adequacy_reasons": ["ADHERENCE_POOR"]},
    ),
    (
        "C-low-potency-moderate-body-site",
        {"current_tcs": {"potency": "low"}, "sites": ["trunk"]},
        {"adequacy_reasons": ["POTENCY_TOO_LOW"], "next_step": "OPTIMIZE_TCS"},
    ),
    (
        "C-low-potency-mild-body-site-is-fine",
        {"current_tcs": {"potency": "low"}, "sites": ["trunk"], "severity": "mild"},
        {"adequacy_reasons": []},
    ),
    (
        "C-low-potency-moderate-sensitive-sites-only-is-fine",
        {"current_tcs": {"potency": "low"}, "sites": ["face", "flexures", "genitals"]},
        {"adequacy_reasons": []},
    ),
    (
        "C-medium-severe-body-at-12-months-too-low",
        {"age_months": 12, "severity": "severe", "sites": ["legs"]},
        {"adequacy_reasons": ["POTENCY_TOO_LOW"], "next_step": "OPTIMIZE_TCS"},
    ),
    (
        "C-medium-severe-body-at-11-months-adequate-reaches-stage-d",
        {"age_months": 11, "severity": "severe", "sites": ["legs"]},
        {
            "adequacy_reasons": [],
            "next_step": "WET_WRAP_THERAPY",
            "alternatives": [],
            "avoid": [*STANDING, ["TCI", "AGE_UNDER_2"]],
            "alerts": ["TCI_OFF_LABEL_UNDER_2"],
            "referrals": {"DERMATOLOGY": "within_2_weeks"},
            # 9 FTU whole body × 15 % = 1.35 (the legs' 3 FTU is more): 1.4 FTU, 9.45 -> 9.5 g
            "ftu_per_application": 1.4,
            "expected_grams_per_week": 9.5,
        },
    ),
    (
        "C-low-severe-body-at-3-months-too-low",
        {
            "age_months": 3,
            "severity": "severe",
            "sites": ["trunk"],
            "current_tcs": {"potency": "low"},
        },
        {"adequacy_reasons": ["POTENCY_TOO_LOW"], "expected_grams_per_week": 9.5},
    ),
    (
        "C-every-reason-in-table-order",
        {
            "sites": ["trunk"],
            "current_tcs": {
                "potency": "low",
                "applications_per_day": 1,
                "weeks": 1,
                "adherence": "poor",
            },
        },
        {
            "adequacy_reasons": [
                "POTENCY_TOO_LOW",
                "FREQUENCY_TOO_LOW",
                "DURATION_TOO_SHORT",
                "ADHERENCE_POOR",
            ]
        },
    ),
    (
        "C-grams-round-half-up",
        {
            "age_months": 12,
            "sites": ["face"],
            "current_tcs": {"potency": "high", "applications_per_day": 1},
        },
        {"expected_grams_per_week": 5.3},
    ),
    (
        "C-genitals-half-fingertip-unit",
        {"sites": ["genitals"], "current_tcs": {"potency": "low"}},
        {"expected_grams_per_week": 3.5, "adequacy_reasons": []},
    ),
    (
        "C-regions-counted-once",
        {
            "sites": ["face", "eyelids", "neck", "scalp", "flexures", "arms", "hands"],
            "bsa_percent": None,
        },
        # face & neck 2 + both arms 5 + both legs (flexures) 9 = 16 FTU
        {"ftu_per_application": 16.0, "expected_grams_per_week": 112.0},
    ),
    # ------------------------------------------------------------------ stage C: amount by extent
    # 7-year-old: whole body 25 FTU; flexures, arms, legs = 14 FTU if affected whole.
    (
        "C-bsa-15-below-the-regions",
        {"bsa_percent": 15},
        {"ftu_per_application": 3.8, "expected_grams_per_week": 26.3, "quantity_basis": "bsa"},
    ),
    (
        "C-bsa-that-caps-at-the-regions",
        {"bsa_percent": 60},  # 25 × 60 % = 15 > 14: the regions' 14 FTU, still "about"
        {"ftu_per_application": 14.0, "expected_grams_per_week": 98.0, "quantity_basis": "bsa"},
    ),
    (
        "C-bsa-exactly-at-the-regions",
        {"bsa_percent": 56},  # 25 × 56 % = 14
        {"ftu_per_application": 14.0, "quantity_basis": "bsa"},
    ),
    (
        "C-bsa-unknown-is-an-upper-bound",
        {"bsa_percent": None},
        {"ftu_per_application": 14.0, "expected_grams_per_week": 98.0, "quantity_basis": "regions"},
    ),
    (
        "C-bsa-0-counts-as-not-estimated",
        {"bsa_percent": 0},
        {"ftu_per_application": 14.0, "expected_grams_per_week": 98.0, "quantity_basis": "regions"},
    ),
    (
        "C-decimal-2-55-rounds-up-not-down",
        {"bsa_percent": 10.2},  # 25 × 10.2 / 100 = 2.55 exactly (2.5499… as a binary float)
        {"ftu_per_application": 2.6, "expected_grams_per_week": 17.9, "quantity_basis": "bsa"},
    ),
    (
        "C-decimal-68-25-rounds-up",
        {
            "age_months": 36,
            "sites": ["legs", "genitals"],
            "bsa_percent": None,
            "current_tcs": {"applications_per_day": 3},
        },  # (2 × 3 + 0.5) FTU × 0.5 g × 3 × 7 = 68.25 g
        {"ftu_per_application": 6.5, "expected_grams_per_week": 68.3},
    ),
    (
        "C-grams-from-the-unrounded-ftu",
        {"age_months": 300, "bsa_percent": 4, "sites": ["hands"]},  # 41 × 4 % = 1.64 FTU
        {"ftu_per_application": 1.6, "expected_grams_per_week": 11.5},  # 11.48, not 11.2
    ),
    (
        "C-no-amount-without-applications",
        {"current_tcs": {"applications_per_day": 0}},
        {"ftu_per_application": None, "expected_grams_per_week": None, "quantity_basis": None},
    ),
    (
        "C-low-quantity-below-half",
        {"current_tcs": {"grams_per_week": 13.1}},  # half of 26.3 is 13.15
        {"alerts": ["LOW_QUANTITY"], "next_step": "START_TCI"},
    ),
    ("C-half-is-not-low", {"current_tcs": {"grams_per_week": 13.15}}, {"alerts": []}),
    (
        "C-low-quantity-never-on-an-upper-bound",
        {"bsa_percent": None, "current_tcs": {"grams_per_week": 1}},
        {"alerts": [], "quantity_basis": "regions"},
    ),
    (
        "C-low-quantity-never-when-bsa-is-0",
        {"bsa_percent": 0, "current_tcs": {"grams_per_week": 1}},
        {"alerts": []},
    ),
    # ------------------------------------------------------------------ stage C: potent amounts
    (
        "C-high-potency-51-g-at-144-months",
        {"age_months": 144, "current_tcs": {"potency": "high", "grams_per_week": 51}},
        {"alerts": ["HIGH_POTENCY_QUANTITY"]},
    ),
    (
        "C-high-potency-50-g-is-not-more-than-50",
        {"age_months": 144, "current_tcs": {"potency": "high", "grams_per_week": 50}},
        {"alerts": []},
    ),
    (
        "C-high-potency-51-g-at-143-months-no-ceiling-for-children",
        {"age_months": 143, "current_tcs": {"potency": "high", "grams_per_week": 51}},
        {"alerts": []},
    ),
    (
        "C-very-high-potency-51-g-adult",
        {"age_months": 300, "current_tcs": {"potency": "very_high", "grams_per_week": 51}},
        {"alerts": ["HIGH_POTENCY_QUANTITY"]},
    ),
    (
        "C-medium-potency-any-amount-no-ceiling",
        {"age_months": 300, "current_tcs": {"grams_per_week": 500}},
        {"alerts": []},
    ),
    (
        "C-uk-potent-agent-of-engine-medium-no-ceiling",
        {
            "age_months": 300,
            "current_tcs": {"grams_per_week": 80, "agent": "betamethasone-valerate-0.1-cream"},
        },
        {"alerts": []},
    ),
    (
        "C-high-potency-estimate-over-50-g-on-bsa",
        {"age_months": 300, "bsa_percent": 30, "current_tcs": {"potency": "high"}},
        # 41 × 30 % = 12.3 FTU × 7 = 86.1 g a week
        {"alerts": ["HIGH_POTENCY_QUANTITY"], "expected_grams_per_week": 86.1},
    ),
    (
        "C-high-potency-estimate-never-on-an-upper-bound",
        {"age_months": 300, "bsa_percent": None, "current_tcs": {"potency": "high"}},
        {"alerts": [], "expected_grams_per_week": 168.0},
    ),
    (
        "C-high-potency-grams-given-beat-the-estimate",
        {
            "age_months": 300,
            "bsa_percent": 30,
            "current_tcs": {"potency": "high", "grams_per_week": 45},
        },
        {"alerts": []},
    ),
    # FTU age rows, trunk only, twice daily, extent not estimated: (front + back) × 0.5 × 2 × 7
    (
        "ftu-0-months",
        {"age_months": 0, "sites": ["trunk"], "bsa_percent": None},
        {"expected_grams_per_week": 17.5},
    ),
    (
        "ftu-11-months",
        {"age_months": 11, "sites": ["trunk"], "bsa_percent": None},
        {"expected_grams_per_week": 17.5},
    ),
    (
        "ftu-12-months",
        {"age_months": 12, "sites": ["trunk"], "bsa_percent": None},
        {"expected_grams_per_week": 35.0},
    ),
    (
        "ftu-35-months",
        {"age_months": 35, "sites": ["trunk"], "bsa_percent": None},
        {"expected_grams_per_week": 35.0},
    ),
    (
        "ftu-36-months",
        {"age_months": 36, "sites": ["trunk"], "bsa_percent": None},
        {"expected_grams_per_week": 45.5},
    ),
    (
        "ftu-71-months",
        {"age_months": 71, "sites": ["trunk"], "bsa_percent": None},
        {"expected_grams_per_week": 45.5},
    ),
    (
        "ftu-72-months",
        {"age_months": 72, "sites": ["trunk"], "bsa_percent": None},
        {"expected_grams_per_week": 59.5},
    ),
    (
        "ftu-131-months",
        {"age_months": 131, "sites": ["trunk"], "bsa_percent": None},
        {"expected_grams_per_week": 59.5},
    ),
    (
        "ftu-132-months",
        {"age_months": 132, "sites": ["trunk"], "bsa_percent": None},
        {"expected_grams_per_week": 98.0},
    ),
    (
        "ftu-1440-months",
        {"age_months": 1440, "sites": ["trunk"], "bsa_percent": None},
        {"expected_grams_per_week": 98.0},
    ),
    # ------------------------------------------------------------------ stage D: TCI
    (
        "D-age-23-months-no-tci",
        {"age_months": 23},
        {
            "next_step": "WET_WRAP_THERAPY",
            "alternatives": ["NEWER_TOPICAL"],
            "avoid": [*STANDING, ["TCI", "AGE_UNDER_2"]],
            "alerts": ["TCI_OFF_LABEL_UNDER_2"],
            "referrals": {"DERMATOLOGY": "routine"},
            "review_after_days": 7,
        },
    ),
    (
        "D-age-24-months-tci",
        {"age_months": 24},
        {"next_step": "START_TCI", "products": ["tacrolimus-0.03", "pimecrolimus-1"]},
    ),
    (
        "D-age-191-months-tacrolimus-0-03",
        {"age_months": 191},
        {"products": ["tacrolimus-0.03", "pimecrolimus-1"]},
    ),
    (
        "D-age-192-months-tacrolimus-0-1",
        {"age_months": 192},
        {"products": ["tacrolimus-0.1", "pimecrolimus-1"]},
    ),
    (
        "D-mild-adult-pimecrolimus-first",
        {"age_months": 300, "severity": "mild"},
        {
            "next_step": "START_TCI",
            "products": ["pimecrolimus-1", "tacrolimus-0.03"],
            "alternatives": ["NEWER_TOPICAL"],
        },
    ),
    (
        "D-severe-face-only-tacrolimus-alone",
        {
            "age_months": 120,
            "severity": "severe",
            "sites": ["face", "neck"],
            "current_tcs": {"potency": "low"},
        },
        {
            "next_step": "START_TCI",
            "products": ["tacrolimus-0.03"],
            "alternatives": [],
            "referrals": {"DERMATOLOGY": "within_2_weeks"},
        },
    ),
    (
        "D-every-tci-blocker-in-order",
        {
            "age_months": 18,
            "immunocompromised": True,
            "on_phototherapy": True,
            "barrier_disorder": True,
            "tried": {"tci": "not_tolerated"},
        },
        {
            "avoid": [
                *STANDING,
                ["TCI", "AGE_UNDER_2"],
                ["TCI", "ALREADY_FAILED"],
                ["TCI", "BARRIER_DISORDER"],
                ["TCI", "IMMUNOCOMPROMISED"],
                ["TCI", "ON_PHOTOTHERAPY"],
            ],
            "alerts": ["TCI_OFF_LABEL_UNDER_2"],
        },
    ),
    (
        "D-tci-blockers-given-under-urgent-referral",
        {"age_months": 18, "red_flags": {"herpeticum_signs": True}},
        {
            "next_step": "URGENT_REFERRAL",
            "avoid": [*STANDING, ["TCI", "AGE_UNDER_2"]],
            "alerts": ["ECZEMA_HERPETICUM", "TCI_OFF_LABEL_UNDER_2"],
            "referrals": {"DERMATOLOGY": "same_day"},
        },
    ),
    (
        "D-tci-helped-before-is-still-possible",
        {"tried": {"tci": "helped"}},
        {"next_step": "START_TCI"},
    ),
    # ------------------------------------------------------------------ stage D: wet wraps
    (
        "D1-severe-wraps-first-tci-alternative",
        ADEQUATE_SEVERE_ADULT,
        {
            "next_step": "WET_WRAP_THERAPY",
            "alternatives": ["START_TCI"],
            "referrals": {"DERMATOLOGY": "within_2_weeks"},
            "review_after_days": 7,
        },
    ),
    (
        "D-wraps-not-for-flexures-hands-feet-alone",
        {"sites": ["flexures", "hands", "feet"], "immunocompromised": True},
        {"next_step": "NEWER_TOPICAL", "alternatives": []},
    ),
    (
        "D-wraps-not-for-mild",
        {"severity": "mild", "immunocompromised": True},
        {"next_step": "NEWER_TOPICAL"},
    ),
    (
        "D3-wraps-when-tci-unsuitable",
        {"on_phototherapy": True},
        {"next_step": "WET_WRAP_THERAPY", "alternatives": ["NEWER_TOPICAL"]},
    ),
    (
        "D-wraps-failed-skipped",
        {"tried": {"wet_wraps": "inadequate_response"}},
        {"next_step": "START_TCI", "alternatives": ["NEWER_TOPICAL"]},
    ),
    # ------------------------------------------------------------------ stage D: newer topicals
    (
        "D4-newer-topicals-order-7-years",
        {"tried": {"tci": "inadequate_response", "wet_wraps": "not_tolerated"}},
        {
            "next_step": "NEWER_TOPICAL",
            "products": ["ruxolitinib-1.5", "crisaborole-2", "tapinarof-1", "roflumilast-0.15"],
            "review_after_days": 28,
        },
    ),
    (
        "D4-roflumilast-0-05-at-2-to-5-years",
        {"age_months": 71, "tried": {"tci": "inadequate_response", "wet_wraps": "not_tolerated"}},
        {"products": ["ruxolitinib-1.5", "crisaborole-2", "tapinarof-1", "roflumilast-0.05"]},
    ),
    (
        "D4-roflumilast-0-15-from-72-months",
        {"age_months": 72, "tried": {"tci": "inadequate_response", "wet_wraps": "not_tolerated"}},
        {"products": ["ruxolitinib-1.5", "crisaborole-2", "tapinarof-1", "roflumilast-0.15"]},
    ),
    (
        "D4-under-2-only-crisaborole",
        {"age_months": 12, "sites": ["face"], "current_tcs": {"potency": "low"}},
        {"next_step": "NEWER_TOPICAL", "products": ["crisaborole-2"]},
    ),
    (
        "D4-crisaborole-from-3-months",
        {"age_months": 3, "sites": ["face"], "current_tcs": {"potency": "low"}},
        {"next_step": "NEWER_TOPICAL", "products": ["crisaborole-2"]},
    ),
    (
        "D5-at-2-months-nothing-topical-left",
        {"age_months": 2, "sites": ["face"], "current_tcs": {"potency": "low"}},
        {
            "next_step": "SPECIALIST_ESCALATION",
            "referrals": {"DERMATOLOGY": "routine"},
            "review_after_days": 14,
        },
    ),
    (
        "D4-ruxolitinib-bsa-20-ok",
        {"bsa_percent": 20, "tried": {"tci": "inadequate_response", "wet_wraps": "not_tolerated"}},
        {"products": ["ruxolitinib-1.5", "crisaborole-2", "tapinarof-1", "roflumilast-0.15"]},
    ),
    (
        "D4-ruxolitinib-bsa-21-excluded",
        {"bsa_percent": 21, "tried": {"tci": "inadequate_response", "wet_wraps": "not_tolerated"}},
        {"products": ["crisaborole-2", "tapinarof-1", "roflumilast-0.15"]},
    ),
    (
        "D4-ruxolitinib-not-when-immunocompromised",
        {"immunocompromised": True, "tried": {"wet_wraps": "not_tolerated"}},
        {
            "next_step": "NEWER_TOPICAL",
            "products": ["crisaborole-2", "tapinarof-1", "roflumilast-0.15"],
        },
    ),
    (
        "D4-liver-impairment-no-roflumilast",
        {
            "liver_impairment": True,
            "tried": {"tci": "inadequate_response", "wet_wraps": "not_tolerated"},
        },
        {"products": ["ruxolitinib-1.5", "crisaborole-2", "tapinarof-1"]},
    ),
    (
        "D4-failed-products-skipped",
        {
            "tried": {
                "tci": "inadequate_response",
                "wet_wraps": "not_tolerated",
                "ruxolitinib": "not_tolerated",
                "crisaborole": "inadequate_response",
            }
        },
        {"products": ["tapinarof-1", "roflumilast-0.15"]},
    ),
    (
        "D5-pregnant-no-newer-topicals",
        {
            "age_months": 336,
            "pregnant_or_breastfeeding": True,
            "tried": {"tci": "not_tolerated", "wet_wraps": "not_tolerated"},
        },
        {
            "next_step": "SPECIALIST_ESCALATION",
            "alternatives": [],
            "referrals": {"DERMATOLOGY": "routine"},
        },
    ),
    (
        "D5-severe-newer-topicals-do-not-apply",
        {
            **ADEQUATE_SEVERE_ADULT,
            "tried": {"tci": "inadequate_response", "wet_wraps": "not_tolerated"},
        },
        {
            "next_step": "SPECIALIST_ESCALATION",
            "alternatives": [],
            "referrals": {"DERMATOLOGY": "within_2_weeks"},
        },
    ),
    # ------------------------------------------------------------------ stage-D referrals
    (
        "D-referrals-only-when-trial-adequate",
        {**ADEQUATE_SEVERE_ADULT, "current_tcs": {"potency": "high", "weeks": 1}},
        {"next_step": "OPTIMIZE_TCS", "after": "WET_WRAP_THERAPY", "referrals": {}},
    ),
    (
        "D-under-2-inadequate-trial-no-referral",
        {"age_months": 18, "current_tcs": {"weeks": 1}},
        {"next_step": "OPTIMIZE_TCS", "after": "WET_WRAP_THERAPY", "referrals": {}},
    ),
    (
        "D-face-tci-failed-refers-even-if-inadequate",
        {"sites": ["face"], "tried": {"tci": "not_tolerated"}, "current_tcs": {"weeks": 1}},
        {"next_step": "OPTIMIZE_TCS", "referrals": {"DERMATOLOGY": "routine"}},
    ),
    (
        "D-eyelids-tci-failed-refers",
        {"sites": ["eyelids", "legs"], "tried": {"tci": "inadequate_response"}},
        {"referrals": {"DERMATOLOGY": "routine"}},
    ),
    # ------------------------------------------------------------------ stage E
    (
        "E-contact-dermatitis",
        {"suspected_contact_dermatitis": True},
        {
            "also_do": ["MAINTENANCE_PLAN", "PATCH_TESTING"],
            "referrals": {"PATCH_TESTING": "routine"},
        },
    ),
    ("E-food-allergy", {"documented_food_allergy": True}, {"referrals": {"ALLERGY": "routine"}}),
    ("E-sleep-4-nights-no-referral", {"sleep_loss_nights_per_week": 4}, {"referrals": {}}),
    (
        "E-sleep-5-nights-referral",
        {"sleep_loss_nights_per_week": 5},
        {"referrals": {"DERMATOLOGY": "routine"}},
    ),
    (
        "E-major-life-impact-referral",
        {"major_life_impact": True},
        {"referrals": {"DERMATOLOGY": "routine"}},
    ),
    (
        "E-no-daily-emollients",
        {"emollients_daily": False},
        {"also_do": ["EMOLLIENT_REGIMEN", "MAINTENANCE_PLAN"]},
    ),
    (
        "E-steroid-concerns",
        {"steroid_concerns": True},
        {"also_do": ["ADDRESS_STEROID_CONCERNS", "MAINTENANCE_PLAN"]},
    ),
    (
        "E-referrals-merge-to-most-urgent",
        {**ADEQUATE_SEVERE_ADULT, "sleep_loss_nights_per_week": 7, "diagnostic_doubt": True},
        {"next_step": "REEVALUATE_DIAGNOSIS", "referrals": {"DERMATOLOGY": "within_2_weeks"}},
    ),
]


@pytest.mark.parametrize(("changes", "expect"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_table(changes, expect, run):
    got = skeleton(run(make_input(**changes)))
    for key, value in expect.items():
        assert got[key] == value, key


def test_case_ids_are_unique():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))


def test_fired_rules_name_the_stages_that_acted(run):
    assert run(make_input())["fired_rules"] == ["C", "D2", "E"]
    herpes = run(make_input(red_flags={"herpeticum_signs": True, "infection_unresponsive": True}))
    assert herpes["fired_rules"][:2] == ["A1", "A5"]


def test_stage_d_choice_keeps_infection_condition_under_urgent_referral(run):
    # Herpeticum + infection: wraps are impossible on infected skin, so the hidden stage-D
    # choice is the TCI (D2); under TREAT_INFECTION alone the wraps (D1) would be chosen.
    urgent = run(
        make_input(
            **ADEQUATE_SEVERE_ADULT,
            red_flags={"herpeticum_signs": True, "infection_signs": True},
        )
    )
    assert "D2" in urgent["fired_rules"]
    treat = run(make_input(**ADEQUATE_SEVERE_ADULT, red_flags={"infection_signs": True}))
    assert "D1" in treat["fired_rules"]


def test_specialist_options_follow_age_and_failures(run):
    failed_all = {"tci": "inadequate_response", "wet_wraps": "not_tolerated"}
    base = {"severity": "severe", "sites": ["flexures"], "current_tcs": {"potency": "high"}}

    def options(age: int, **tried: str) -> list[str]:
        result = run(make_input(**base, age_months=age, tried={**failed_all, **tried}))
        assert result["next_step"]["code"] == "SPECIALIST_ESCALATION"
        return [o["code"] for o in result["next_step"]["options"]]

    assert options(5) == ["PHOTOTHERAPY", "CONVENTIONAL_SYSTEMIC"]
    assert options(6) == ["PHOTOTHERAPY", "DUPILUMAB", "CONVENTIONAL_SYSTEMIC"]
    assert options(143) == ["PHOTOTHERAPY", "DUPILUMAB", "CONVENTIONAL_SYSTEMIC"]
    assert options(144) == [
        "PHOTOTHERAPY",
        "DUPILUMAB",
        "TRALOKINUMAB",
        "LEBRIKIZUMAB",
        "NEMOLIZUMAB",
        "ORAL_JAK_INHIBITOR",
        "CONVENTIONAL_SYSTEMIC",
    ]
    assert options(144, dupilumab="inadequate_response", phototherapy="not_tolerated") == [
        "TRALOKINUMAB",
        "LEBRIKIZUMAB",
        "NEMOLIZUMAB",
        "ORAL_JAK_INHIBITOR",
        "CONVENTIONAL_SYSTEMIC",
    ]
    assert options(144, other_systemic="inadequate_response") == ["PHOTOTHERAPY", "DUPILUMAB"]


def test_ruxolitinib_with_unknown_bsa_carries_the_caution(run):
    result = run(
        make_input(
            bsa_percent=None, tried={"tci": "inadequate_response", "wet_wraps": "not_tolerated"}
        )
    )
    rux = result["next_step"]["products"][0]
    assert rux["id"] == "ruxolitinib-1.5"
    assert any("20 %" in note for note in rux["notes"])
    assert any("20 %" in c for c in result["next_step"]["cautions"])


def test_elimination_diet_reason_changes_with_documented_food_allergy(run):
    plain = {a["code"]: a for a in run(make_input())["avoid"]}
    allergy = {a["code"]: a for a in run(make_input(documented_food_allergy=True))["avoid"]}
    assert "confirmed food" in allergy["ELIMINATION_DIET"]["reason"]
    assert plain["ELIMINATION_DIET"]["reason"] != allergy["ELIMINATION_DIET"]["reason"]


def test_optimise_gives_a_concrete_correction_per_reason(run):
    result = run(
        make_input(
            sites=["trunk", "face"],
            current_tcs={
                "potency": "low",
                "applications_per_day": 1,
                "weeks": 1,
                "adherence": "poor",
            },
        )
    )
    corrections = result["next_step"]["corrections"]
    assert [c["reason"] for c in corrections] == [
        "POTENCY_TOO_LOW",
        "FREQUENCY_TOO_LOW",
        "DURATION_TOO_SHORT",
        "ADHERENCE_POOR",
        "QUANTITY",
    ]
    potency = corrections[0]["text"]
    assert "Medium potency" in potency and "Low potency on the face" in potency
    assert "6.5 FTU" not in corrections[-1]["text"]  # 7-year-old row: trunk 8.5, face 2
    assert "8.5 FTU" in corrections[-1]["text"] and "2 FTU" in corrections[-1]["text"]


def test_optimise_never_advises_potent_tcs_under_12_months(run):
    result = run(
        make_input(age_months=8, severity="severe", sites=["trunk"], current_tcs={"potency": "low"})
    )
    text = result["next_step"]["corrections"][0]["text"]
    assert "never use a potent TCS" in text
    assert "High potency for severe" not in text


def test_severe_child_potency_advice_limits_to_14_days(run):
    result = run(make_input(age_months=60, severity="severe", sites=["legs"]))
    assert "no more than 14 days" in result["next_step"]["corrections"][0]["text"]


def test_follow_up_lists_every_refer_if_trigger(run):
    codes = [r["code"] for r in run(make_input())["follow_up"]["refer_if"]]
    assert codes == [
        "HERPETICUM_SIGNS",
        "INFECTION_NOT_RESPONDING",
        "NO_IMPROVEMENT",
        "WORSE",
        "SYSTEMIC_NEEDED",
    ]
    optimise = run(make_input(current_tcs={"weeks": 1}))["follow_up"]["refer_if"][2]["text"]
    assert "Start a topical calcineurin inhibitor" in optimise


@pytest.mark.parametrize(
    ("changes", "days"),
    [
        ({"red_flags": {"herpeticum_signs": True}}, 0),
        ({"red_flags": {"infection_signs": True}}, 7),
        ({"diagnostic_doubt": True}, 14),
        ({"current_tcs": {"weeks": 1}}, 14),
        ({}, 14),
        ({"on_phototherapy": True}, 7),
        ({"immunocompromised": True, "tried": {"wet_wraps": "not_tolerated"}}, 28),
        (
            {
                "pregnant_or_breastfeeding": True,
                "immunocompromised": True,
                "tried": {"wet_wraps": "not_tolerated"},
            },
            14,
        ),
    ],
)
def test_review_interval_per_next_step(changes, days, run):
    assert run(make_input(age_months=300, **changes))["follow_up"]["review_after_days"] == days


def test_site_order_does_not_change_the_result(run):
    forward = run(make_input(sites=["trunk", "face", "hands"]))
    backward = run(make_input(sites=["hands", "face", "trunk"]))
    assert forward == backward
    assert forward["input"]["sites"] == ["face", "hands", "trunk"]


SENSITIVE = "MEDIUM_OR_STRONGER_ON_SENSITIVE_SITES"


@pytest.mark.parametrize(
    ("age", "sites", "potency", "agent", "codes"),
    [
        (143, ["trunk"], "very_high", None, ["VERY_POTENT_IN_CHILD"]),
        (143, ["trunk"], "very_high", "clobetasol-0.05", ["VERY_POTENT_IN_CHILD"]),
        (144, ["trunk"], "very_high", None, []),
        (143, ["trunk"], "high", "mometasone-0.1-ointment", []),
        (11, ["legs"], "high", None, ["POTENT_UNDER_12_MONTHS"]),
        (12, ["legs"], "high", None, []),
        # Engine medium, UK potent: the UK group raises the under-12-months caution.
        (11, ["legs"], "medium", "betamethasone-valerate-0.1-cream", ["POTENT_UNDER_12_MONTHS"]),
        (11, ["legs"], "medium", "clobetasone-0.05", []),  # UK moderate
        (11, ["legs"], "medium", None, []),
        (300, ["face"], "medium", None, [SENSITIVE]),
        (300, ["eyelids"], "medium", None, [SENSITIVE]),
        (300, ["neck"], "high", None, [SENSITIVE]),
        (300, ["genitals"], "very_high", None, [SENSITIVE]),
        (300, ["flexures"], "medium", None, []),
        (300, ["face"], "low", None, []),
        (300, ["face"], "low", "hydrocortisone-1", []),
        (300, ["face"], "low", "hydrocortisone", []),
        # Engine low, UK moderate: the UK group raises the sensitive-site caution.
        (300, ["face"], "low", "alclometasone-0.05", [SENSITIVE]),
        (
            8,
            ["genitals"],
            "very_high",
            None,
            ["VERY_POTENT_IN_CHILD", "POTENT_UNDER_12_MONTHS", SENSITIVE],
        ),
    ],
)
def test_potency_cautions_advise_without_changing_the_verdict(
    age, sites, potency, agent, codes, run
):
    tcs = {"potency": potency, "agent": agent}
    result = run(make_input(age_months=age, sites=sites, current_tcs=tcs))
    assert [c["code"] for c in result["adequacy"]["cautions"]] == codes
    assert all(c["sources"] for c in result["adequacy"]["cautions"])
    without = run(make_input(age_months=age, sites=sites, current_tcs={"potency": potency}))
    assert result["adequacy"]["adequate"] == without["adequacy"]["adequate"]
    assert result["adequacy"]["reasons"] == without["adequacy"]["reasons"]


def test_a_caution_raised_only_by_the_uk_group_says_so(run):
    tcs = {"potency": "low", "agent": "alclometasone-0.05"}
    caution = run(make_input(age_months=300, sites=["face"], current_tcs=tcs))["adequacy"][
        "cautions"
    ][0]
    assert caution["text"].startswith("Face, eyelids, neck or genitals affected")
    assert caution["text"].endswith("(alclometasone dipropionate 0.05 % is UK moderate.)")
    plain = run(make_input(age_months=300, sites=["face"], current_tcs={"potency": "medium"}))
    assert "UK" not in plain["adequacy"]["cautions"][0]["text"]


def test_high_potency_quantity_names_the_amount_and_its_sources(run):
    used = run(make_input(age_months=300, current_tcs={"potency": "high", "grams_per_week": 80}))
    alert = next(a for a in used["alerts"] if a["code"] == "HIGH_POTENCY_QUANTITY")
    assert alert["level"] == "warning" and "80 g a week used" in alert["text"]
    assert "adrenal suppression" in alert["text"] and alert["sources"]
    estimated = run(make_input(age_months=300, bsa_percent=30, current_tcs={"potency": "high"}))
    alert = next(a for a in estimated["alerts"] if a["code"] == "HIGH_POTENCY_QUANTITY")
    assert "about 86.1 g a week for this extent" in alert["text"]


def test_optimise_quantity_says_about_with_bsa_and_up_to_without(run):
    def quantity(**changes):
        result = run(make_input(current_tcs={"weeks": 1}, **changes))
        return result["next_step"]["corrections"][-1]["text"]

    assert "about 3.8 FTU per application in all for 15 % of the body" in quantity()
    assert "about 26.3 g a week at 2 application(s) a day" in quantity()
    upper = quantity(bsa_percent=None)
    assert "up to 14 FTU per application" in upper and "up to 98 g a week" in upper
