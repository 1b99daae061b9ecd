"""The patient handout content (`instructions`), built from the result and the knowledge files.

Plain language (reading age about 11), "your child" under 16 years (README § 4). Every
conditional line carries a code beside its English text, so a page that translates the
handout (decision/handout_text.py) picks the same lines the engine picked.

Shape of `instructions` (contract.md names `urgent`, `urgent_reasons`, `amount` and
`maintenance.text`; the rest is this project's):

- ``audience``: "child" (under 16 years: "your child") or "adult"; ``voice``: the placeholder
  words for that audience (who, Who, whose, who_is, Who_seems, is_unwell).
- ``step_code``, ``headline``, ``text``: the next step in plain words.
- ``urgent``: true exactly when some referral is same_day. ``urgent_reasons``: the plain reasons
  (non-empty when urgent), ``urgent_reason_codes`` the referral reasons behind them.
  ``get_help_today``: null, or ``{title, text, where, reasons}``, the box that opens the handout
  when urgent ("where" is the label beside which the clinic writes, or prints, where to go).
- ``amount``: null when ``adequacy.ftu_per_application`` is null, else
  ``{"ftu_each_time": N, "basis": "bsa" | "regions"}`` (N to the nearest half unit).
- ``how_much``: how much each time, for any step that puts a cream on: ``{ftu_each_time, basis,
  text ("About N …" / "Up to N …"), table_title ("If the whole area is affected"), rows (the age
  row's FTUs for the patient's regions: region, label, ftu, count, grams), fingertip_unit,
  grams, hand_size, under_3_months_note, age_row}``. Its figure is ``amount``'s whenever that is
  not null; it is also given when the current steroid gives no amount (none used yet).
- ``products``: one block per product of the step, the steroid first when the step uses one:
  ``{id ("tcs" for the steroid), kind ("steroid", "tci", "ruxolitinib", "crisaborole",
  "tapinarof", "roflumilast"), name, what, where, how_much (the text line), how_often, how_long,
  expect, safety (lists of {code, text}), availability, notes}``; the steroid block adds
  ``agent`` (id or null), ``potency`` (the engine level it speaks of, or null) and ``strengths``
  ({code, text}: which strength goes where).
- ``wet_wraps``: null, or ``{steps, safety}`` when the step is WET_WRAP_THERAPY (one
  instruction: 3–7 days, never more than 14).
- ``infection``: null, or ``{title, items: [{code, text}]}`` when the step is TREAT_INFECTION (no
  antibiotic assumed; new tubs).
- ``emollients``: ``{title, amount_per_week, how, fire_warning}``.
- ``maintenance``: ``{title, text, parts: [{kind, sites, text}]}``; ``text`` is the site- and
  age-aware plain text, from the same parts as the clinician's MAINTENANCE_PLAN.
- ``diet``: the paragraph when the family asked about an elimination diet, else null.
- ``get_help_same_day``, ``get_help_soon``: ``{title, items}``.
- ``review_after_days``, ``review``; ``sources``: source keys of the handout's own wording.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from decision.engine import knowledge
from decision.engine.amounts import application_ftu, nearest_half, round_tenth
from decision.engine.assessment import BODY_SITES, Assessment, StageAInput
from decision.engine.plans import MILD_ONLY_SITES, MaintenancePart, join_words, potency_plan
from decision.engine.result import Adequacy, FollowUp, Referral, Step

CHILD_UNDER_MONTHS = 192
ADULT_ROW_FROM_MONTHS = 132
NAPPY_UNDER_MONTHS = 36
BREASTFEEDING_WORD_FROM_MONTHS = 120  # no "breastfeeding" on the page of a child under 10
ALCOHOL_LINE_FROM_MONTHS = 144  # Conservative: the tacrolimus-and-alcohol line from 12 years
STEROID_STEPS = ("OPTIMIZE_TCS", "WET_WRAP_THERAPY")
TCI_IDS = ("tacrolimus", "pimecrolimus")


def voice(age_months: int) -> dict[str, str]:
    if age_months < CHILD_UNDER_MONTHS:
        return {
            "who": "your child",
            "Who": "Your child",
            "whose": "your child's",
            "who_is": "your child is",
            "Who_seems": "Your child seems",
            "is_unwell": "your child seems very unwell",
        }
    # Adults are addressed directly; "you seems" would be wrong, so verb phrases are voiced too.
    return {
        "who": "you",
        "Who": "You",
        "whose": "your",
        "who_is": "you are",
        "Who_seems": "You feel",
        "is_unwell": "you feel very unwell",
    }


def _say(text: str, words: dict[str, str], **extra: str) -> str:
    return text.format(**words, **extra)


def _item(code: str, text: str) -> dict[str, str]:
    return {"code": code, "text": text}


def _site_word(site: str, age_months: int) -> str:
    sites = knowledge.handout()["sites"]
    if site == "genitals" and age_months < NAPPY_UNDER_MONTHS:
        return sites["genitals_nappy"]
    return sites[site]


def fingertip_amounts(age_months: int, sites: Sequence[str]) -> list[dict[str, Any]]:
    """FTUs per body region for one application if the whole region is affected, for the
    patient's own sites and age row (the "If the whole area is affected" table).

    Regions follow knowledge.md § Fingertip units; an adult with hands or feet but not the arms
    or legs gets the rows "each hand 1" and "each foot 2" (README § 4).
    """
    words = knowledge.handout()["regions"]
    ftu = knowledge.handout()["how_much"]
    row = knowledge.ftu_row(age_months)
    site_set = set(sites)
    adult = age_months >= ADULT_ROW_FROM_MONTHS
    grams_per_ftu = knowledge.ftu_settings()["grams_per_ftu"]
    amounts: list[dict[str, Any]] = []

    def add(region: str, value: float, count: int = 1) -> None:
        amounts.append(
            {
                "region": region,
                "label": words[region],
                "ftu": value,
                "count": count,
                "grams": round(value * grams_per_ftu, 2),
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


def contract_amount(adequacy: Adequacy) -> dict[str, Any] | None:
    """contract.md `instructions.amount`: null without an FTU figure, else N to the nearest half."""
    if adequacy.ftu_per_application is None:
        return None
    return {
        "ftu_each_time": nearest_half(adequacy.ftu_per_application),
        "basis": adequacy.quantity_basis,
    }


def _amount_words(n: float) -> str:
    words = knowledge.handout()["how_much"]
    if n == 0.5:
        return words["half"]
    if n == 1:
        return words["one"]
    return words["many"].format(n=f"{n:g}")


def _how_much(a: Assessment, adequacy: Adequacy) -> dict[str, Any]:
    amount = contract_amount(adequacy)
    if amount is None:
        # No figure from the current steroid (none used, or 0 a day): the same arithmetic for
        # the cream the step starts, so the page still says how much.
        exact, basis = application_ftu(a.age_months, a.sites, a.bsa_percent)
        amount = {"ftu_each_time": nearest_half(round_tenth(exact)), "basis": basis}
    words = knowledge.handout()["how_much"]
    line = words["about" if amount["basis"] == "bsa" else "up_to"]
    if amount["ftu_each_time"] == 0:
        line = words["tiny"]  # a very small extent: "about 0" would read wrongly
    under_3 = a.age_months < knowledge.ftu_settings()["smaller_amount_under_months"]
    return {
        **amount,
        "text": line.format(amount=_amount_words(amount["ftu_each_time"])),
        "table_title": words["table_title"],
        "rows": fingertip_amounts(a.age_months, a.sites),
        "age_row": knowledge.ftu_row(a.age_months).label,
        "fingertip_unit": words["fingertip_unit"],
        "grams": words["grams"],
        "hand_size": words["hand_size"],
        "under_3_months_note": words["under_3_months"] if under_3 else None,
    }


def _where(a: Assessment, words: dict[str, str]) -> str:
    listed = join_words([_site_word(site, a.age_months) for site in a.sites])
    return f"On the eczema on {words['whose']} {listed}."


def _product_block(
    product: dict[str, Any], a: Assessment, words: dict[str, str], how_much: str
) -> dict[str, Any]:
    content = knowledge.handout()
    name = product["id"].split("-")[0]
    kind = "tci" if name in TCI_IDS else name
    text = content["product"][kind]
    expect = dict(text["expect"])
    safety = dict(text["safety"])
    if kind == "tci":
        expect.pop("burning_adult" if a.age_months < CHILD_UNDER_MONTHS else "burning_child")
        if name != "tacrolimus" or a.age_months < ALCOHOL_LINE_FROM_MONTHS:
            safety.pop("alcohol")
        if not a.pregnant_or_breastfeeding or a.age_months < BREASTFEEDING_WORD_FROM_MONTHS:
            safety.pop("pregnancy")
    if kind == "ruxolitinib" and a.age_months < BREASTFEEDING_WORD_FROM_MONTHS:
        safety.pop("breastfeeding")
    return {
        "id": product["id"],
        "kind": kind,
        "name": f"{product['name']} {product['strength']} {product['form']}",
        "what": _say(text["what"], words, form=product["form"]),
        "where": _where(a, words),
        "how_much": how_much,
        "how_often": content["frequency"][product["frequency"]],
        "how_long": _say(text["how_long"], words),
        "expect": [_item(code, _say(line, words)) for code, line in expect.items()],
        "safety": [_item(code, _say(line, words)) for code, line in safety.items()],
        "availability": product["availability"],
        "notes": list(product["notes"]),
    }


def _steroid_block(
    a: Assessment, code: str, adequacy: Adequacy, words: dict[str, str], how_much: str
) -> dict[str, Any]:
    """The steroid of OPTIMIZE_TCS or WET_WRAP_THERAPY: its strength in plain words and where
    each strength goes, by agent name when the agent is known and its potency stays."""
    text = knowledge.handout()["steroid"]
    where = text["where"]
    strength_word = text["strength_word"]
    agent = knowledge.tcs_agent_map().get(a.current_tcs.agent or "")
    potency = a.current_tcs.potency
    name = text["name"]
    strengths: list[dict[str, str]] = []
    if code == "WET_WRAP_THERAPY":
        what, how_often, how_long = (
            text["wraps_what"],
            text["wraps_how_often"],
            text["wraps_how_long"],
        )
        strengths.append(_item("wraps", where["wraps"]))
        if any(site in ("face", "eyelids", "neck") for site in a.sites):
            strengths.append(_item("wraps_face", where["wraps_face"]))
        potency = "medium"
        if agent is not None and agent.potency == "medium":
            name = agent.label
    else:
        what, how_long = text["what"], text["how_long"]
        changes = {"TCS_NOT_USED", "POTENCY_TOO_LOW"} & set(adequacy.reasons)
        how_often = (
            text["how_often_twice"]
            if "FREQUENCY_TOO_LOW" in adequacy.reasons
            else text["how_often"]
        )
        if changes:
            # A new or stronger steroid: which strength goes where (the correction's own plan).
            potency = None
            strengths.extend(_item(part, where[part]) for part in potency_plan(a))
        else:
            if agent is not None:
                name = agent.label
            keep = text["keep"].format(
                agent=agent.label if agent else "the steroid you have",
                strength=strength_word[potency],
            )
            if any(site in BODY_SITES for site in a.sites):
                strengths.append(_item("keep", keep))
            if any(site in MILD_ONLY_SITES for site in a.sites):
                strengths.append(_item("sensitive", where["sensitive"]))
    return {
        "id": "tcs",
        "kind": "steroid",
        "name": name,
        "agent": agent.id if agent else None,
        "potency": potency,
        "what": what,
        "where": _where(a, words),
        "strengths": strengths,
        "how_much": how_much,
        "how_often": how_often,
        "how_long": how_long,
        "expect": [_item("settle", text["expect"])],
        "safety": [],
        "availability": "",
        "notes": [],
    }


def _urgent(referrals: Sequence[Referral], words: dict[str, str]) -> dict[str, Any]:
    """`urgent` exactly when some referral is same_day, with its plain reasons."""
    plain = knowledge.handout()["get_help_today"]
    # A merged referral may also carry routine reasons: only the same-day ones are said here.
    reason_table = knowledge.texts()["referral_reason"]
    codes = [
        code
        for referral in referrals
        if referral.urgency == "same_day"
        for code in referral.reason_codes
        if reason_table[code]["urgency"] == "same_day"
    ]
    codes = list(dict.fromkeys(codes))
    reasons = [_say(plain["reason"][code], words) for code in codes]
    urgent = any(referral.urgency == "same_day" for referral in referrals)
    box = (
        {
            "title": plain["title"],
            "text": _say(plain["text"], words),
            "where": plain["where"],
            "reasons": reasons,
        }
        if urgent
        else None
    )
    return {
        "urgent": urgent,
        "urgent_reasons": reasons,
        "urgent_reason_codes": codes,
        "get_help_today": box,
    }


def _get_help(words: dict[str, str]) -> dict[str, Any]:
    content = knowledge.handout()["get_help"]
    return {
        "get_help_same_day": {
            "title": content["same_day_title"],
            "items": [_say(t, words) for t in content["same_day"]],
        },
        "get_help_soon": {
            "title": content["soon_title"],
            "items": [_say(t, words) for t in content["soon"]],
        },
    }


def _review(days: int) -> dict[str, Any]:
    content = knowledge.handout()["review"]
    text = content["today"] if days == 0 else content["days"].format(days=days)
    return {"review_after_days": days, "review": text}


def _headline(code: str | None, words: dict[str, str]) -> dict[str, Any]:
    if code is None:
        return {"step_code": None, "headline": None, "text": None}
    entry = knowledge.handout()["step"][code]
    return {
        "step_code": code,
        "headline": _say(entry["headline"], words),
        "text": _say(entry["text"], words),
    }


def maintenance_block(a: Assessment, parts: Sequence[MaintenancePart]) -> dict[str, Any]:
    content = knowledge.handout()["maintenance"]
    rendered = [
        {
            "kind": part.kind,
            "sites": list(part.sites),
            "text": content["part"][part.kind].format(
                sites=join_words([_site_word(site, a.age_months) for site in part.sites])
            ),
        }
        for part in parts
    ]
    return {
        "title": content["title"],
        "text": content["text"].format(parts="; ".join(p["text"] for p in rendered)),
        "parts": rendered,
    }


def _infection(code: str | None) -> dict[str, Any] | None:
    if code != "TREAT_INFECTION":
        return None
    infection = knowledge.handout()["infection"]
    return {
        "title": infection["title"],
        "items": [
            _item(key, infection[key])
            for key in ("antibiotic", "keep_going", "new_tubs", "no_cover")
        ],
    }


def build_stage_a_instructions(
    facts: StageAInput, next_step: Step | None, referrals: Sequence[Referral]
) -> dict[str, Any]:
    """The handout's part that stage A alone can give (the emergency fast path): audience and
    voice, the step's headline, urgent / urgent_reasons / get_help_today, the infection block,
    the same-day and soon signs, and the review. The keys mean what they mean in the full
    `instructions`; `step_code`, `headline`, `text`, `review_after_days` and `review` are null
    when stage A sets no next step."""
    words = voice(facts.age_months)
    code = next_step.code if next_step else None
    days = knowledge.policy()["review_after_days"][code] if code else None
    return {
        "audience": "child" if facts.age_months < CHILD_UNDER_MONTHS else "adult",
        "voice": words,
        **_headline(code, words),
        **_urgent(referrals, words),
        "infection": _infection(code),
        **_get_help(words),
        **(_review(days) if days is not None else {"review_after_days": None, "review": None}),
        "sources": list(knowledge.handout()["sources"]),
    }


def build_instructions(
    a: Assessment,
    next_step: Step,
    adequacy: Adequacy,
    follow_up: FollowUp,
    referrals: Sequence[Referral],
    maintenance: Sequence[MaintenancePart],
) -> dict[str, Any]:
    """The full handout content for a recommendation (shape in the module docstring)."""
    content = knowledge.handout()
    words = voice(a.age_months)
    code = next_step.code
    how_much = _how_much(a, adequacy)

    products: list[dict[str, Any]] = []
    if code in STEROID_STEPS:
        products.append(_steroid_block(a, code, adequacy, words, how_much["text"]))
    if code in ("START_TCI", "NEWER_TOPICAL"):
        products.extend(
            _product_block(p.to_dict(), a, words, how_much["text"]) for p in next_step.products
        )

    emollients = content["emollients"]
    child = a.age_months < CHILD_UNDER_MONTHS
    return {
        "audience": "child" if child else "adult",
        "voice": words,
        **_headline(code, words),
        **_urgent(referrals, words),
        "amount": contract_amount(adequacy),
        "how_much": how_much,
        "products": products,
        "wet_wraps": (
            {
                "steps": list(content["wet_wraps"]["steps"]),
                "safety": list(content["wet_wraps"]["safety"]),
            }
            if code == "WET_WRAP_THERAPY"
            else None
        ),
        "infection": _infection(code),
        "emollients": {
            "title": emollients["title"],
            "amount_per_week": emollients["amount_child"] if child else emollients["amount_adult"],
            "how": list(emollients["how"]),
            "fire_warning": emollients["fire"],
        },
        "maintenance": maintenance_block(a, maintenance),
        "diet": content["diet"]["text"] if a.elimination_diet_requested else None,
        **_get_help(words),
        **_review(follow_up.review_after_days),
        "sources": list(content["sources"]),
    }
