"""Plain-language labels for the engine's codes, for forms and pages.

Display words only: nothing here decides anything clinical. The engine's own output carries the
clinical sentences (titles, reasons, actions); these name the codes around them.
"""

from __future__ import annotations

from decision.engine import potency_label

SITES = {
    "face": "Face",
    "eyelids": "Eyelids",
    "neck": "Neck",
    "scalp": "Scalp",
    "flexures": "Flexures (elbow and knee creases, skin folds)",
    "hands": "Hands",
    "feet": "Feet",
    "arms": "Arms",
    "legs": "Legs",
    "trunk": "Trunk (chest, tummy, back)",
    "genitals": "Genital area",
}

SEVERITIES = {"mild": "Mild", "moderate": "Moderate", "severe": "Severe"}

# The engine's own labels: they name US classes only, as a UK group belongs to an agent, never to
# a level (UK moderate and UK potent agents both fall in "medium": knowledge.md § potency).
POTENCIES = {
    "none": "None: no topical steroid is being used",
    **{level: potency_label(level) for level in ("low", "medium", "high", "very_high")},
}
POTENCIES_SHORT = {
    "none": "None",
    "low": "Low",
    "medium": "Medium",
    "high": "High",
    "very_high": "Very high",
}

ADHERENCE = {
    "good": "Good: used as agreed",
    "partial": "Partial: some applications missed or too little used",
    "poor": "Poor: rarely used",
}

PATIENT_FLAGS = {
    "immunocompromised": "Immunocompromised (immunodeficiency or immunosuppressive treatment)",
    "pregnant_or_breastfeeding": "Pregnant or breastfeeding",
    "barrier_disorder": "Netherton syndrome or another generalised skin-barrier disorder",
    "on_phototherapy": "Currently receiving phototherapy",
    "liver_impairment": "Moderate or severe liver impairment",
}

RED_FLAGS = {
    "herpeticum_signs": "Signs of eczema herpeticum",
    "infection_signs": "Signs of bacterial infection",
    "systemically_unwell": "Systemically unwell",
    "infection_unresponsive": "Infection already treated without response",
}
# From knowledge.md § Red flags, so the clinician knows what each box means.
RED_FLAG_HINTS = {
    "herpeticum_signs": (
        "Rapidly worsening, painful eczema; clustered blisters; punched-out erosions 1–3 mm; "
        "possibly fever or lethargy (fever is often absent)."
    ),
    "infection_signs": "Weeping, crusts, pustules, rapid worsening, fever or malaise.",
    "systemically_unwell": "Fever, lethargy, looks ill.",
    "infection_unresponsive": (
        "A course of treatment for infected eczema has already been given and has not worked. "
        "On its own this is not a sign of infection."
    ),
}

TRIED = {
    "wet_wraps": "Wet-wrap therapy",
    "tci": "Topical calcineurin inhibitor (tacrolimus or pimecrolimus)",
    "crisaborole": "Crisaborole ointment",
    "ruxolitinib": "Ruxolitinib cream",
    "tapinarof": "Tapinarof cream",
    "roflumilast": "Roflumilast cream",
    "phototherapy": "Phototherapy",
    "dupilumab": "Dupilumab",
    "other_systemic": (
        "Another systemic treatment (e.g. ciclosporin, methotrexate, a JAK inhibitor)"
    ),
}
TRIED_OUTCOMES = {
    "not_tried": "Not tried",
    "helped": "Tried: it helped",
    "inadequate_response": "Tried: not enough response",
    "not_tolerated": "Tried: not tolerated",
}

OTHER_FACTORS = {
    "suspected_contact_dermatitis": "Suspected allergic contact dermatitis",
    "diagnostic_doubt": "Doubt about the diagnosis",
    "documented_food_allergy": "Documented food allergy (immediate reactions)",
    "elimination_diet_requested": "The family is asking about an elimination diet",
}
OTHER_FACTOR_HINTS = {
    "suspected_contact_dermatitis": (
        "Eczema at sites of contact with a product, worsening despite treatment, or an unusual "
        "distribution."
    ),
    "diagnostic_doubt": "Adult onset, or an atypical distribution or appearance.",
    "documented_food_allergy": "Confirmed immediate reactions to a food, not suspicion alone.",
    "elimination_diet_requested": "",
}

STEP_CODES = {
    "URGENT_REFERRAL": "Urgent referral",
    "TREAT_INFECTION": "Treat the infection",
    "REEVALUATE_DIAGNOSIS": "Re-evaluate the diagnosis",
    "OPTIMIZE_TCS": "Optimise the steroid trial",
    "START_TCI": "Start a TCI",
    "WET_WRAP_THERAPY": "Wet-wrap therapy",
    "NEWER_TOPICAL": "Newer non-steroidal topical",
    "SPECIALIST_ESCALATION": "Specialist escalation",
}

REFERRALS = {
    "EMERGENCY": "Emergency assessment",
    "DERMATOLOGY": "Dermatology",
    "OPHTHALMOLOGY": "Ophthalmology",
    "ALLERGY": "Allergy clinic",
    "PATCH_TESTING": "Patch testing",
}

URGENCIES = {
    "same_day": "Same day",
    "within_2_weeks": "Within 2 weeks",
    "routine": "Routine",
}

ALERT_LEVELS = {"critical": "Urgent", "warning": "Warning", "info": "Note"}

ADEQUACY_REASONS = {
    "TCS_NOT_USED": "No topical steroid in use",
    "POTENCY_TOO_LOW": "Potency too low for the sites and severity",
    "FREQUENCY_TOO_LOW": "Applied too rarely",
    "DURATION_TOO_SHORT": "Used for under 2 weeks",
    "ADHERENCE_POOR": "Not used as agreed",
}

AVOID = {
    "SYSTEMIC_CORTICOSTEROIDS": "Systemic corticosteroids",
    "ELIMINATION_DIET": "Elimination diets",
    "ROUTINE_ORAL_ANTIHISTAMINES": "Routine oral antihistamines",
    "ROUTINE_TOPICAL_ANTIMICROBIALS": "Routine topical antimicrobials",
    "TCI": "Topical calcineurin inhibitors",
}

ALL = {
    **SITES,
    **SEVERITIES,
    **STEP_CODES,
    **REFERRALS,
    **URGENCIES,
    **ADEQUACY_REASONS,
    **AVOID,
}


def label(code: str | None) -> str:
    """The label for a code, or the code itself (never an empty cell for an unknown code)."""
    if code is None:
        return ""
    return ALL.get(code, code)
