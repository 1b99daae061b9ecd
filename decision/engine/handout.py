"""The patient handout content (`instructions`), built from the result and the knowledge files.

Plain language (reading age about 11), "your child" under 16 years. For each product of the next
step: what it is, where (the patient's own sites), how much (fingertip units per region for the
age), how often, how long, what to expect, safety. Then emollients, wet-wrap steps when that is
the step, the maintenance plan, get-help signs and the review.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from decision.engine import knowledge
from decision.engine.assessment import Assessment
from decision.engine.result import Adequacy, FollowUp, Step

CHILD_UNDER_MONTHS = 192
ADULT_ROW_FROM_MONTHS = 132
SENSITIVE_FOR_STEROID = ("face", "eyelids", "genitals")


def _voice(age_months: int) -> dict[str, str]:
    if age_months < CHILD_UNDER_MONTHS:
        return {
            "who": "your child",
            "Who": "Your child",
            "whose": "your child's",
            "is_unwell": "your child seems very unwell",
        }
    # Adults are addressed directly; "you seems" would be wrong, so the verb phrase is voiced too.
    return {"who": "you", "Who": "You", "whose": "your", "is_unwell": "you feel very unwell"}


def _say(text: str, voice: dict[str, str]) -> str:
    return text.format(**voice)


def fingertip_amounts(age_months: int, sites: Sequence[str]) -> list[dict[str, Any]]:
    """FTUs per body region for one application, for the patient's own sites and age row.

    Regions follow knowledge.md § Fingertip units; an adult's hands or feet alone are shown per
    hand (1 FTU) and per foot (2 FTU), as that section allows for the handout.
    """
    words = knowledge.handout()["regions"]
    ftu = knowledge.handout()["fingertip_unit"]
    row = knowledge.ftu_row(age_months)
    site_set = set(sites)
    adult = age_months >= ADULT_ROW_FROM_MONTHS
    amounts: list[dict[str, Any]] = []

    def add(region: str, value: float, count: int = 1) -> None:
        amounts.append(
            {
                "region": region,
                "label": words[region],
                "ftu": value,
                "count": count,
                "grams": round(value * knowledge.ftu_settings()["grams_per_ftu"], 2),
            }
        )

    if site_set & {"face", "eyelids", "neck", "scalp"}:
        add("face_neck", row.face_neck)
    whole_arms = bool(site_set & {"arms", "flexures"})
    if whole_arms or ("hands" in site_set and not adult):
        add("arm_hand", row.arm_hand, 2)
    elif "hands" in site_set:
        add("hand", ftu["adult_hand_ftu"], 2)
    whole_legs = bool(site_set & {"legs", "flexures"})
    if whole_legs or ("feet" in site_set and not adult):
        add("leg_foot", row.leg_foot, 2)
    elif "feet" in site_set:
        add("foot", ftu["adult_foot_ftu"], 2)
    if "trunk" in site_set:
        add("trunk_front", row.trunk_front)
        add("trunk_back", row.trunk_back)
    if "genitals" in site_set:
        add("genitals", knowledge.ftu_settings()["genitals_ftu"])
    return amounts


def _where(sites: Sequence[str], voice: dict[str, str]) -> str:
    names = [knowledge.handout()["sites"][s] for s in sites]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"On the eczema on {voice['whose']} {listed}."


def _product_block(product: dict[str, Any], a: Assessment, voice: dict[str, str]) -> dict[str, Any]:
    content = knowledge.handout()
    kind = (
        "tci"
        if product["id"].split("-")[0] in ("tacrolimus", "pimecrolimus")
        else (product["id"].split("-")[0])
    )
    words = content["product"][kind]
    return {
        "id": product["id"],
        "name": f"{product['name']} {product['strength']} {product['form']}",
        "what": _say(words["what"].format(form=product["form"], **voice), voice),
        "where": _where(a.sites, voice),
        "how_much": fingertip_amounts(a.age_months, a.sites),
        "how_often": content["frequency"][product["frequency"]],
        "how_long": _say(words["how_long"], voice),
        "expect": [_say(t, voice) for t in words["expect"]],
        "safety": [_say(t, voice) for t in words["safety"]],
        "notes": list(product.get("notes", [])),
    }


def _steroid_block(a: Assessment, voice: dict[str, str]) -> dict[str, Any]:
    words = knowledge.handout()["steroid"]
    safety = list(words["safety"])
    if any(site in SENSITIVE_FOR_STEROID for site in a.sites):
        safety.insert(0, words["sensitive"])
    return {
        "id": "tcs",
        "name": words["name"],
        "what": words["what"],
        "where": _where(a.sites, voice),
        "how_much": fingertip_amounts(a.age_months, a.sites),
        "how_often": words["how_often"],
        "how_long": words["how_long"],
        "expect": list(words["expect"]),
        "safety": safety,
        "notes": [],
    }


def build_instructions(
    a: Assessment,
    next_step: Step,
    after: Step | None,
    adequacy: Adequacy,
    follow_up: FollowUp,
) -> dict[str, Any]:
    content = knowledge.handout()
    voice = _voice(a.age_months)
    code = next_step.code
    headline = content["step"][code]

    products: list[dict[str, Any]] = []
    if code in ("START_TCI", "NEWER_TOPICAL"):
        products = [_product_block(p.to_dict(), a, voice) for p in next_step.products]
    elif code in ("OPTIMIZE_TCS", "WET_WRAP_THERAPY"):
        products = [_steroid_block(a, voice)]

    emollients = content["emollients"]
    child = a.age_months < CHILD_UNDER_MONTHS
    review_days = follow_up.review_after_days
    review = (
        content["review"]["today"]
        if review_days == 0
        else content["review"]["days"].format(days=review_days)
    )
    return {
        "audience": "child" if child else "adult",
        "voice": voice,
        "step_code": code,
        "headline": _say(headline["headline"], voice),
        "text": _say(headline["text"], voice),
        "urgent": code == "URGENT_REFERRAL",
        "age_row": knowledge.ftu_row(a.age_months).label,
        "fingertip_unit": content["fingertip_unit"]["text"],
        "under_3_months_note": (
            content["fingertip_unit"]["under_3_months"]
            if a.age_months < knowledge.ftu_settings()["smaller_amount_under_months"]
            else None
        ),
        "products": products,
        "wet_wraps": (
            {
                "steps": list(content["wet_wraps"]["steps"]),
                "safety": list(content["wet_wraps"]["safety"]),
            }
            if code == "WET_WRAP_THERAPY"
            else None
        ),
        "emollients": {
            "title": emollients["title"],
            "amount_per_week": emollients["amount_child"] if child else emollients["amount_adult"],
            "how": list(emollients["how"]),
            "fire_warning": emollients["fire"],
        },
        "maintenance": dict(content["maintenance"]),
        "diet": content["diet"]["text"] if a.elimination_diet_requested else None,
        "get_help_same_day": {
            "title": content["get_help"]["same_day_title"],
            "items": [_say(t, voice) for t in content["get_help"]["same_day"]],
        },
        "get_help_soon": {
            "title": content["get_help"]["soon_title"],
            "items": [_say(t, voice) for t in content["get_help"]["soon"]],
        },
        "review_after_days": review_days,
        "review": review,
        "sources": list(content["sources"]),
    }
