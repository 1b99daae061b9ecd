"""Stages A–E of the decision procedure (clinical/README.md § 3).

Each stage is a small function that adds coded, sourced items to a `_Draft`. Clinical words and
numbers come from the knowledge files; this module holds only the logic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from decision.engine import knowledge
from decision.engine.amounts import (
    application_ftu,
    dec,
    grams_per_week,
    region_ftus,
    round_tenth,
)
from decision.engine.assessment import (
    BODY_SITES,
    Assessment,
    CurrentTCS,
    RedFlags,
    StageAFacts,
    StageAInput,
)
from decision.engine.handout import build_instructions, build_stage_a_instructions
from decision.engine.plans import (
    MaintenancePart,
    join_words,
    maintenance_parts,
    potency_plan,
)
from decision.engine.result import (
    Action,
    Adequacy,
    Alert,
    Avoid,
    Correction,
    FollowUp,
    Option,
    Product,
    Recommendation,
    ReferIf,
    Referral,
    StageAResult,
    Step,
)

STANDING_AVOID: tuple[str, ...] = (
    "SYSTEMIC_CORTICOSTEROIDS",
    "ELIMINATION_DIET",
    "ROUTINE_ORAL_ANTIHISTAMINES",
    "ROUTINE_TOPICAL_ANTIMICROBIALS",
)
ADEQUACY_REASONS: tuple[str, ...] = (
    "TCS_NOT_USED",
    "POTENCY_TOO_LOW",
    "FREQUENCY_TOO_LOW",
    "DURATION_TOO_SHORT",
    "ADHERENCE_POOR",
)
STAGE_D_STEPS: frozenset[str] = frozenset(
    {"START_TCI", "WET_WRAP_THERAPY", "NEWER_TOPICAL", "SPECIALIST_ESCALATION"}
)


def _union(*groups: Iterable[str]) -> tuple[str, ...]:
    """Sources in first-seen order, without repeats."""
    seen: dict[str, None] = {}
    for group in groups:
        for item in group:
            seen.setdefault(item, None)
    return tuple(seen)


# ---------------------------------------------------------------------------------- stage C

# Potency cautions look at these sites (knowledge.md site rules; README § 3 C).
CAUTION_SITES: frozenset[str] = frozenset({"face", "eyelids", "neck", "genitals"})
POTENCY_LEVEL = {"none": 0, "low": 1, "medium": 2, "high": 3, "very_high": 4}
QUANTITY_ALERT_LEVEL = {"LOW_QUANTITY": "info", "HIGH_POTENCY_QUANTITY": "warning"}


def check_adequacy(
    age_months: int,
    severity: str,
    sites: Sequence[str],
    tcs: CurrentTCS,
    bsa_percent: float | None = None,
) -> Adequacy:
    """Stage C: is the current TCS trial adequate? (SEED-TCS step 1; NICE TA82); with the amount
    for the extent and the potency cautions, which advise and never change the verdict."""
    policy = knowledge.policy()["stage_c"]
    reasons: list[str] = []
    if tcs.potency == "none":
        reasons.append("TCS_NOT_USED")  # then it is the only reason
    else:
        body = any(site in BODY_SITES for site in sites)
        low_for_severity = tcs.potency == "low" and severity in ("moderate", "severe")
        low_or_medium_severe = (
            tcs.potency in ("low", "medium")
            and severity == "severe"
            and age_months >= policy["potent_min_age_months"]
        )
        if body and (low_for_severity or low_or_medium_severe):
            reasons.append("POTENCY_TOO_LOW")
        if tcs.applications_per_day == 0 or (
            tcs.applications_per_day == 1 and tcs.potency not in policy["once_daily_ok"]
        ):
            reasons.append("FREQUENCY_TOO_LOW")
        if tcs.weeks < policy["min_weeks"]:
            reasons.append("DURATION_TOO_SHORT")
        if tcs.adherence in ("partial", "poor"):
            reasons.append("ADHERENCE_POOR")
    ftu: float | None = None
    grams: float | None = None
    basis: str | None = None
    if tcs.potency != "none" and tcs.applications_per_day > 0:
        exact, basis = application_ftu(age_months, sites, bsa_percent)
        ftu = round_tenth(exact)
        grams = round_tenth(grams_per_week(exact, tcs.applications_per_day))
    texts = knowledge.texts()["adequacy_reason"]
    return Adequacy(
        adequate=not reasons,
        reasons=tuple(reasons),
        expected_grams_per_week=grams,
        ftu_per_application=ftu,
        quantity_basis=basis,
        reason_texts=tuple(texts[r] for r in reasons),
        sources=("SEED-TCS", "NICE TA82", "Long & Finlay 1991"),
        cautions=potency_cautions(age_months, sites, tcs),
    )


def potency_cautions(age_months: int, sites: Sequence[str], tcs: CurrentTCS) -> tuple[Action, ...]:
    """Site and age cautions on the steroid in use (README § 3 C; NICE CG57; AAFP 2021).

    Each is raised by the engine potency or by the agent's own UK group, either one being
    enough; when only the UK group raises it, the text says so.
    """
    entries = knowledge.texts()["potency_caution"]
    agent = knowledge.tcs_agent_map().get(tcs.agent or "")
    level = POTENCY_LEVEL[tcs.potency]
    checks = (
        # (code, applies, engine level that raises it, UK group that raises it)
        ("VERY_POTENT_IN_CHILD", age_months < 144, POTENCY_LEVEL["very_high"], "very potent"),
        ("POTENT_UNDER_12_MONTHS", age_months < 12, POTENCY_LEVEL["high"], "potent"),
        (
            "MEDIUM_OR_STRONGER_ON_SENSITIVE_SITES",
            any(site in CAUTION_SITES for site in sites),
            POTENCY_LEVEL["medium"],
            "moderate",
        ),
    )
    cautions: list[Action] = []
    for code, applies, min_level, uk_group in checks:
        by_potency = level >= min_level
        by_uk_group = agent is not None and agent.uk_at_least(uk_group)
        if not applies or not (by_potency or by_uk_group):
            continue
        text = entries[code]["text"]
        if not by_potency:
            assert agent is not None
            text += " " + entries["uk_group_note"].format(agent=agent.label, group=agent.uk_group)
        cautions.append(Action(code, text, tuple(entries[code]["sources"])))
    return tuple(cautions)


def quantity_alerts(age_months: int, tcs: CurrentTCS, adequacy: Adequacy) -> list[tuple[str, dict]]:
    """LOW_QUANTITY and HIGH_POTENCY_QUANTITY (README § 3 C), as (code, text fields)."""
    policy = knowledge.policy()["stage_c"]
    expected = adequacy.expected_grams_per_week
    used = tcs.grams_per_week
    alerts: list[tuple[str, dict]] = []
    if (
        adequacy.quantity_basis == "bsa"
        and expected is not None
        and used is not None
        and dec(used) < dec(expected) * dec(policy["low_quantity_fraction"])
    ):
        alerts.append(
            ("LOW_QUANTITY", {"grams_used": _fmt(used), "grams_expected": _fmt(expected)})
        )
    weekly = used if used is not None else (expected if adequacy.quantity_basis == "bsa" else None)
    if (
        tcs.potency in ("high", "very_high")
        and age_months >= policy["high_potency_quantity_min_months"]
        and weekly is not None
        and dec(weekly) > dec(policy["high_potency_quantity_grams"])
    ):
        words = knowledge.texts()["alert"]["HIGH_POTENCY_QUANTITY"]
        how = words["used"] if used is not None else words["estimated"]
        alerts.append(("HIGH_POTENCY_QUANTITY", {"amount": how.format(grams=_fmt(weekly))}))
    return alerts


# ---------------------------------------------------------------------------------- drafting


@dataclass
class _Draft:
    """What the stages have decided so far."""

    next_step: Step | None = None
    next_rule: str = ""
    alerts: list[Alert] = field(default_factory=list)
    # (reason key, referral code, urgency, reason text, sources)
    referrals: list[tuple[str, str, str, str, tuple[str, ...]]] = field(default_factory=list)
    also_do: list[str] = field(default_factory=list)
    avoid: list[Avoid] = field(default_factory=list)
    fired: list[str] = field(default_factory=list)

    def alert(self, code: str, level: str, rule: str, **fmt: Any) -> None:
        item = knowledge.texts()["alert"][code]
        text = item["text"].format(**fmt) if fmt else item["text"]
        self.alerts.append(Alert(code, level, text, tuple(item["sources"]), rule))

    def refer(self, reason_key: str, urgency: str | None = None) -> None:
        item = knowledge.texts()["referral_reason"][reason_key]
        self.referrals.append(
            (
                reason_key,
                item["code"],
                urgency or item["urgency"],
                item["text"],
                tuple(item["sources"]),
            )
        )

    def fire(self, rule: str) -> None:
        if rule not in self.fired:
            self.fired.append(rule)


def _product(pid: str, notes: Sequence[str] = (), drop_sources: Sequence[str] = ()) -> Product:
    row = knowledge.products()[pid]
    return Product(
        id=pid,
        name=row["name"],
        strength=row["strength"],
        form=row["form"],
        frequency=row["frequency"],
        min_age_months=row["min_age_months"],
        cautions=tuple(row["cautions"]),
        sources=tuple(src for src in row["sources"] if src not in drop_sources),
        notes=tuple(notes),
        availability=row["availability"],
    )


def _caution(code: str) -> tuple[str, tuple[str, ...]]:
    """A step-level caution sentence and its sources (texts.toml [caution])."""
    texts = knowledge.texts()
    return texts["caution"][code], tuple(texts["caution_sources"].get(code, ()))


def _step(code: str, rule: str, variant: str | None = None, **extra: Any) -> Step:
    entry = knowledge.texts()["step"][code]
    if variant is not None:
        entry = entry[variant]
    products: tuple[Product, ...] = extra.pop("products", ())
    sources = _union(entry["sources"], *(p.sources for p in products))
    return Step(
        code=code,
        title=entry["title"],
        summary=entry["summary"],
        rationale=extra.pop("rationale", entry["rationale"]),
        sources=_union(sources, extra.pop("extra_sources", ())),
        rule=rule,
        products=products,
        **extra,
    )


# ---------------------------------------------------------------------------------- stage A


def _stage_a(d: _Draft, a: StageAFacts) -> None:
    """Stage A (README § 3 A): needs only the facts of StageAFacts, so it also runs alone."""
    flags = a.red_flags
    causes: list[tuple[str, str]] = []  # (variant, rule) behind URGENT_REFERRAL
    if flags.herpeticum_signs:
        d.fire("A1")
        d.alert("ECZEMA_HERPETICUM", "critical", "A1")
        d.refer("HERPETICUM")
        if "eyelids" in a.sites:
            d.refer("HERPETICUM_EYES")
        causes.append(("HERPETICUM", "A1"))
    threshold = knowledge.policy()["stage_a"]["erythroderma_bsa_percent"]
    if a.bsa_percent is not None and a.bsa_percent >= threshold:
        d.fire("A2")
        d.alert("ERYTHRODERMA", "critical", "A2")
        d.refer("ERYTHRODERMA")
        causes.append(("ERYTHRODERMA", "A2"))
    if flags.systemically_unwell:
        # 2026.12: urgent with or without infection signs (an antibiotic must not delay it).
        d.fire("A3")
        d.alert("SYSTEMICALLY_UNWELL", "critical", "A3")
        d.refer("UNWELL")
        causes.append(("UNWELL", "A3"))
    if causes:
        if flags.infection_signs:
            causes.append(("INFECTED", causes[0][1]))
        d.next_step = _urgent_step(causes)
        d.next_rule = causes[0][1]
    if flags.infection_signs:
        d.fire("A4")
        d.alert("INFECTED_ECZEMA", "warning", "A4")
        if d.next_step is None:
            variant = "PREGNANT" if a.pregnant_or_breastfeeding else "DEFAULT"
            d.next_step = _step("TREAT_INFECTION", "A4", variant)
            d.next_rule = "A4"
    if flags.infection_unresponsive:
        d.fire("A5")
        d.refer("INFECTION_UNRESPONSIVE")


def _urgent_step(causes: Sequence[tuple[str, str]]) -> Step:
    steps = knowledge.texts()["step"]["URGENT_REFERRAL"]
    first = steps[causes[0][0]]  # the "INFECTED" addition is never first
    return Step(
        code="URGENT_REFERRAL",
        title=first["title"],
        summary=first["summary"],
        rationale=" ".join(steps[variant]["rationale"] for variant, _ in causes),
        sources=_union(*(steps[variant]["sources"] for variant, _ in causes)),
        rule=causes[0][1],
    )


# ---------------------------------------------------------------------------------- stage B


def _stage_b(d: _Draft, a: Assessment) -> None:
    if not a.diagnostic_doubt:
        return
    d.fire("B1")
    d.refer("DIAGNOSTIC_DOUBT")
    if d.next_step is None:
        d.next_step = _step("REEVALUATE_DIAGNOSIS", "B1")
        d.next_rule = "B1"
    else:
        d.also_do.append("REEVALUATE_DIAGNOSIS")


# ---------------------------------------------------------------------------------- stage C step


def _optimize_step(a: Assessment, adequacy: Adequacy) -> Step:
    texts = knowledge.texts()["correction"]
    corrections: list[Correction] = []
    for reason in adequacy.reasons:
        entry = texts[reason]
        text = entry["text"]
        if reason in ("TCS_NOT_USED", "POTENCY_TOO_LOW"):
            text = " ".join([text, *_potency_advice(a)])
        corrections.append(Correction(reason, text, tuple(entry["sources"])))
    per_day = a.current_tcs.applications_per_day
    if "FREQUENCY_TOO_LOW" in adequacy.reasons or "TCS_NOT_USED" in adequacy.reasons:
        per_day = 2  # once–twice daily; twice for a low-potency steroid
    exact, basis = application_ftu(a.age_months, a.sites, a.bsa_percent)
    quantity = texts["QUANTITY"]
    corrections.append(
        Correction(
            "QUANTITY",
            quantity[basis].format(
                ftu=_fmt(round_tenth(exact)),
                bsa=_fmt(a.bsa_percent or 0),
                ftu_summary=_ftu_summary(region_ftus(a.age_months, a.sites)),
                grams=_fmt(round_tenth(grams_per_week(exact, per_day))),
                applications=per_day,
            ),
            tuple(quantity["sources"]),
        )
    )
    return _step(
        "OPTIMIZE_TCS",
        "C",
        corrections=tuple(corrections),
        extra_sources=_union(*(c.sources for c in corrections)),
    )


_REGION_NAMES = {
    "face_neck": "the face and neck",
    "arms": "both arms and hands",
    "legs": "both legs and feet",
    "trunk": "the front and back of the trunk",
    "genitals": "the genital area",
}


def _fmt(value: float) -> str:
    return f"{value:g}"


def _ftu_summary(regions: dict[str, float]) -> str:
    return ", ".join(f"{_fmt(ftu)} FTU for {_REGION_NAMES[r]}" for r, ftu in regions.items())


def _potency_advice(a: Assessment) -> list[str]:
    """Potency by site (NICE CG57; AAFP 2021): the sentence for each part of the plan."""
    words = knowledge.texts()["correction"]["POTENCY_TOO_LOW"]
    return [words[part] for part in potency_plan(a)]


# ---------------------------------------------------------------------------------- stage D


@dataclass(frozen=True)
class StageD:
    rule: str
    code: str
    tci_blockers: tuple[str, ...]
    tci_products: tuple[str, ...]
    wet_wraps_possible: bool
    newer_products: tuple[str, ...]
    ruxolitinib_bsa_unknown: bool

    @property
    def tci_possible(self) -> bool:
        return not self.tci_blockers

    mild_or_moderate: bool

    @property
    def newer_topical_applies(self) -> bool:
        return bool(self.newer_products) and self.mild_or_moderate


def _tci_blockers(a: Assessment) -> tuple[str, ...]:
    blockers: list[str] = []
    if a.age_months < knowledge.policy()["stage_d"]["tci_min_age_months"]:
        blockers.append("AGE_UNDER_2")
    if a.immunocompromised:
        blockers.append("IMMUNOCOMPROMISED")
    if a.on_phototherapy:
        blockers.append("ON_PHOTOTHERAPY")
    if a.barrier_disorder:
        blockers.append("BARRIER_DISORDER")
    if a.failed("tci"):
        blockers.append("ALREADY_FAILED")
    return tuple(blockers)


def _tci_products(a: Assessment) -> tuple[str, ...]:
    """Mild: pimecrolimus then tacrolimus 0.03 %; moderate: tacrolimus then pimecrolimus;
    severe: tacrolimus alone (pimecrolimus is licensed for mild–moderate only)."""
    high = knowledge.policy()["stage_d"]["tacrolimus_high_strength_min_months"]
    tacrolimus = "tacrolimus-0.1" if a.age_months >= high else "tacrolimus-0.03"
    if a.severity == "mild":
        return ("pimecrolimus-1", "tacrolimus-0.03")
    if a.severity == "moderate":
        return (tacrolimus, "pimecrolimus-1")
    return (tacrolimus,)


def _newer_products(a: Assessment) -> tuple[tuple[str, ...], bool]:
    """Eligible newer topicals in order of preference, and whether ruxolitinib needs the BSA
    caution (BSA unknown)."""
    if a.pregnant_or_breastfeeding:
        return (), False  # insufficient data for every newer topical
    policy = knowledge.policy()["stage_d"]
    eligible: list[str] = []
    bsa_unknown = False
    for pid in policy["newer_topical_order"]:
        row = knowledge.products()[pid]
        if a.failed(row["tried_key"]):
            continue
        if a.age_months < row["min_age_months"]:
            continue
        if "max_age_months" in row and a.age_months > row["max_age_months"]:
            continue
        if a.severity not in row["severities"]:
            continue
        if pid == "ruxolitinib-1.5":
            if a.immunocompromised:
                continue
            if a.bsa_percent is None:
                bsa_unknown = True
            elif a.bsa_percent > policy["ruxolitinib_max_bsa_percent"]:
                continue
        if pid.startswith("roflumilast") and a.liver_impairment:
            continue
        eligible.append(pid)
    return tuple(eligible), bsa_unknown


def stage_d_choice(a: Assessment, *, infection_treated: bool = False) -> StageD:
    """The one stage-D choice for an assessment. `infection_treated` drops the no-infection
    condition on wet wraps (only when next_step is TREAT_INFECTION)."""
    policy = knowledge.policy()["stage_d"]
    blockers = _tci_blockers(a)
    wet = (
        a.severity in policy["wet_wrap_severities"]
        and any(site in policy["wet_wrap_sites"] for site in a.sites)
        and (infection_treated or not a.red_flags.infection_signs)
        and not a.failed("wet_wraps")
    )
    newer, bsa_unknown = _newer_products(a)
    mild_or_moderate = a.severity in ("mild", "moderate")
    if a.severity == "severe" and wet:
        rule, code = "D1", "WET_WRAP_THERAPY"
    elif not blockers:
        rule, code = "D2", "START_TCI"
    elif wet:
        rule, code = "D3", "WET_WRAP_THERAPY"
    elif mild_or_moderate and newer:
        rule, code = "D4", "NEWER_TOPICAL"
    else:
        rule, code = "D5", "SPECIALIST_ESCALATION"
    return StageD(
        rule=rule,
        code=code,
        tci_blockers=blockers,
        tci_products=_tci_products(a) if not blockers else (),
        wet_wraps_possible=wet,
        newer_products=newer,
        ruxolitinib_bsa_unknown=bsa_unknown,
        mild_or_moderate=mild_or_moderate,
    )


def _d_step(a: Assessment, choice: StageD, code: str, rule: str, *, alternative: bool) -> Step:
    if code == "START_TCI":
        # Mild disease is cited to AAD 2023 and SEED-PED, never to NICE TA82 (README § 3 D).
        mild = a.severity == "mild"
        drop = ("NICE TA82",) if mild else ()
        notes: tuple[str, ...] = ()
        cautions: tuple[str, ...] = ()
        extra: tuple[str, ...] = ()
        if a.pregnant_or_breastfeeding:
            text, extra = _caution("TCI_PREGNANCY")
            notes = cautions = (text,)
        return _step(
            "START_TCI",
            rule,
            "MILD" if mild else "DEFAULT",
            products=tuple(_product(p, notes, drop) for p in choice.tci_products),
            cautions=cautions,
            extra_sources=extra,
        )
    if code == "WET_WRAP_THERAPY":
        variant = "ALT" if alternative else ("D1" if a.severity == "severe" else "D3")
        return _step("WET_WRAP_THERAPY", rule, variant)
    if code == "NEWER_TOPICAL":
        caution = knowledge.texts()["caution"]["RUXOLITINIB_CONFIRM_BSA"]
        products = tuple(
            _product(
                p, (caution,) if p == "ruxolitinib-1.5" and choice.ruxolitinib_bsa_unknown else ()
            )
            for p in choice.newer_products
        )
        cautions = (
            (caution,)
            if "ruxolitinib-1.5" in choice.newer_products and (choice.ruxolitinib_bsa_unknown)
            else ()
        )
        return _step("NEWER_TOPICAL", rule, products=products, cautions=cautions)
    return _specialist_step(a, rule)


def _specialist_step(a: Assessment, rule: str) -> Step:
    """D5: the options licensed for the age and not already failed, each with its screening line;
    pregnancy leaves out the contraindicated ones; immunosuppression adds a caution."""
    pregnant = a.pregnant_or_breastfeeding
    immune_caution, immune_sources = _caution("SYSTEMIC_IMMUNOCOMPROMISED")
    options: list[Option] = []
    for row in knowledge.policy()["specialist_option"]:
        if a.age_months < row["min_age_months"] or a.failed(row["tried_key"]):
            continue
        if pregnant and row.get("pregnancy") == "exclude":
            continue
        text = row.get("text_pregnancy", row["text"]) if pregnant else row["text"]
        sources = tuple(row["sources"])
        if pregnant and "text_pregnancy" in row:
            sources = _union(sources, ("ETFAD 2019",))
        cautions: tuple[str, ...] = ()
        if a.immunocompromised and row["systemic"]:
            cautions = (immune_caution,)
            sources = _union(sources, immune_sources)
        options.append(Option(row["code"], text, sources, row["screening"], cautions))
    step_cautions: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    if pregnant:
        text, extra = _caution("SYSTEMIC_PREGNANCY")
        step_cautions = (text,)
    return _step(
        "SPECIALIST_ESCALATION",
        rule,
        options=tuple(options),
        cautions=step_cautions,
        extra_sources=_union(extra, *(o.sources for o in options)),
    )


def _alternatives(a: Assessment, choice: StageD, next_code: str) -> tuple[Step, ...]:
    """D1–D4 steps whose full condition holds, in the order wet wraps, TCI, newer topical."""
    candidates: list[tuple[str, str]] = []
    if choice.wet_wraps_possible:
        candidates.append(("WET_WRAP_THERAPY", "D1" if a.severity == "severe" else "D3"))
    if choice.tci_possible:
        candidates.append(("START_TCI", "D2"))
    if choice.newer_topical_applies:
        candidates.append(("NEWER_TOPICAL", "D4"))
    return tuple(
        _d_step(a, choice, code, rule, alternative=True)
        for code, rule in candidates
        if code != next_code
    )


def _tci_avoid_and_alert(d: _Draft, choice: StageD) -> None:
    texts = knowledge.texts()["avoid"]["TCI"]
    for reason in choice.tci_blockers:
        d.avoid.append(Avoid("TCI", texts[reason], tuple(texts["sources"]), reason))
    if "AGE_UNDER_2" in choice.tci_blockers:
        d.alert("TCI_OFF_LABEL_UNDER_2", "info", "D")


def _stage_d_referrals(d: _Draft, a: Assessment, choice: StageD, adequacy: Adequacy) -> None:
    if adequacy.adequate:
        if a.severity == "severe":
            d.refer("SEVERE_NOT_RESPONDING")
        if choice.code == "SPECIALIST_ESCALATION":
            d.refer(
                "SPECIALIST_ESCALATION",
                "within_2_weeks" if a.severity == "severe" else "routine",
            )
        if a.age_months < knowledge.policy()["stage_d"]["tci_min_age_months"]:
            d.refer("UNDER_2")
    if any(site in ("face", "eyelids") for site in a.sites) and a.failed("tci"):
        d.refer("FACIAL_TCI_FAILED")


# ---------------------------------------------------------------------------------- stage E


def _maintenance_text(parts: Sequence[MaintenancePart]) -> str:
    texts = knowledge.texts()
    names = texts["site_name"]
    sentences = [
        texts["maintenance_part"][part.kind].format(
            sites=join_words([names[site] for site in part.sites])
        )
        for part in parts
    ]
    return texts["also_do"]["MAINTENANCE_PLAN"]["text"].format(parts="; ".join(sentences))


def _stage_e(d: _Draft, a: Assessment, adequacy: Adequacy) -> None:
    d.fire("E")
    texts = knowledge.texts()["avoid"]
    antihistamine_from = knowledge.policy()["stage_e"]["antihistamine_course_from_months"]
    standing: list[Avoid] = []
    for code in STANDING_AVOID:
        entry = texts[code]
        reason = entry["reason"]
        if code == "ELIMINATION_DIET" and a.documented_food_allergy:
            reason = entry["reason_food_allergy"]
        if code == "ROUTINE_ORAL_ANTIHISTAMINES" and a.age_months < antihistamine_from:
            reason = entry["reason_under_6_months"]  # no sedating course under 6 months (CG57)
        standing.append(Avoid(code, reason, tuple(entry["sources"])))
    d.avoid[:0] = standing
    if a.suspected_contact_dermatitis:
        d.also_do.append("PATCH_TESTING")
        d.refer("PATCH_TESTING")
    if a.documented_food_allergy:
        d.refer("FOOD_ALLERGY")
    elif (
        a.age_months < knowledge.policy()["stage_e"]["food_allergy_prompt_under_months"]
        and a.severity in ("moderate", "severe")
        and adequacy.adequate
    ):
        d.also_do.append("CONSIDER_FOOD_ALLERGY")
    nights = knowledge.policy()["stage_e"]["sleep_loss_referral_nights"]
    if a.sleep_loss_nights_per_week >= nights or a.major_life_impact:
        d.refer("PSYCHOSOCIAL")
    if not a.emollients_daily:
        d.also_do.append("EMOLLIENT_REGIMEN")
    if a.steroid_concerns:
        d.also_do.append("ADDRESS_STEROID_CONCERNS")
    d.also_do.append("MAINTENANCE_PLAN")


def _merge_referrals(
    items: Sequence[tuple[str, str, str, str, tuple[str, ...]]],
) -> tuple[Referral, ...]:
    """One entry per code: the most urgent urgency and every reason."""
    rank = knowledge.policy()["urgency_rank"]
    merged: dict[str, tuple[str, list[str], list[str], list[str]]] = {}
    for key, code, urgency, reason, sources in items:
        best, reasons, keys, srcs = merged.get(code, (urgency, [], [], []))
        if rank[urgency] < rank[best]:
            best = urgency
        if reason not in reasons:
            reasons.append(reason)
            keys.append(key)
        srcs.extend(s for s in sources if s not in srcs)
        merged[code] = (best, reasons, keys, srcs)
    ordered = sorted(merged.items(), key=lambda kv: (rank[kv[1][0]], kv[0]))
    return tuple(
        Referral(code, urgency, tuple(reasons), tuple(srcs), tuple(keys))
        for code, (urgency, reasons, keys, srcs) in ordered
    )


def _follow_up(next_step: Step, after: Step | None) -> FollowUp:
    texts = knowledge.texts()["refer_if"]
    items: list[ReferIf] = []
    for code in (
        "HERPETICUM_SIGNS",
        "INFECTION_NOT_RESPONDING",
        "NO_IMPROVEMENT",
        "WORSE",
        "SYSTEMIC_NEEDED",
    ):
        entry = texts[code]
        text = entry["text"]
        if code == "NO_IMPROVEMENT":
            then = entry["then_after"].format(after=after.title) if after else entry["then_refer"]
            text = text.format(then=then)
        items.append(ReferIf(code, text, tuple(entry["sources"])))
    days = knowledge.policy()["review_after_days"][next_step.code]
    return FollowUp(review_after_days=days, refer_if=tuple(items))


# ---------------------------------------------------------------------------------- evaluate


def red_flag_actions(
    red_flags: RedFlags, sites: Sequence[str] = (), bsa_percent: float | None = None
) -> tuple[Alert, ...]:
    """Stage A alerts with their urgent actions, for the live safety-screen panel."""
    d = _Draft()
    facts = StageAInput(
        age_months=0, red_flags=red_flags, sites=tuple(sites), bsa_percent=bsa_percent
    )
    _stage_a(d, facts)
    alerts = list(d.alerts)
    if red_flags.infection_unresponsive:
        item = knowledge.texts()["referral_reason"]["INFECTION_UNRESPONSIVE"]
        alerts.append(
            Alert(
                "INFECTION_UNRESPONSIVE",
                "warning",
                item["text"] + " Refer to dermatology within 2 weeks.",
                tuple(item["sources"]),
                "A5",
            )
        )
    return _sorted_alerts(alerts)


def _sorted_alerts(alerts: Iterable[Alert]) -> tuple[Alert, ...]:
    rank = knowledge.policy()["alert_level_rank"]
    return tuple(sorted(alerts, key=lambda al: (rank[al.level], al.code)))


def evaluate(assessment: Assessment) -> Recommendation:
    """Run stages A → E in order and return the full recommendation."""
    a = assessment
    d = _Draft()
    _stage_a(d, a)
    _stage_b(d, a)

    adequacy = check_adequacy(a.age_months, a.severity, a.sites, a.current_tcs, a.bsa_percent)
    d.fire("C")
    for code, fields in quantity_alerts(a.age_months, a.current_tcs, adequacy):
        d.alert(code, QUANTITY_ALERT_LEVEL[code], "C", **fields)

    set_before_c = d.next_step is not None
    optimize = None if adequacy.adequate else _optimize_step(a, adequacy)
    if d.next_step is None and optimize is not None:
        d.next_step = optimize
        d.next_rule = "C"

    treating_infection = d.next_step is not None and d.next_step.code == "TREAT_INFECTION"
    choice = stage_d_choice(a, infection_treated=treating_infection)
    d.fire(choice.rule)
    d_step = _d_step(a, choice, choice.code, choice.rule, alternative=False)
    _tci_avoid_and_alert(d, choice)
    _stage_d_referrals(d, a, choice, adequacy)

    after: Step | None = None
    alternatives: tuple[Step, ...] = ()
    if d.next_step is None:
        d.next_step = d_step
        d.next_rule = choice.rule
        alternatives = _alternatives(a, choice, choice.code)
    elif d.next_step.code == "OPTIMIZE_TCS" and not set_before_c:
        after = d_step
    elif d.next_step.code != "URGENT_REFERRAL":
        after = optimize or d_step

    _stage_e(d, a, adequacy)
    next_step = d.next_step
    also_texts = knowledge.texts()["also_do"]
    maintenance = maintenance_parts(a, choice.tci_possible)
    also_do = tuple(
        Action(
            code,
            _maintenance_text(maintenance)
            if code == "MAINTENANCE_PLAN"
            else also_texts[code]["text"],
            tuple(also_texts[code]["sources"]),
        )
        for code in d.also_do
    )
    referrals = _merge_referrals(d.referrals)
    alerts = _sorted_alerts(d.alerts)
    follow_up = _follow_up(next_step, after)
    instructions = build_instructions(a, next_step, adequacy, follow_up, referrals, maintenance)
    return Recommendation(
        ruleset_version=knowledge.RULESET_VERSION,
        next_step=next_step,
        after=after,
        alternatives=alternatives,
        also_do=also_do,
        avoid=tuple(d.avoid),
        referrals=referrals,
        alerts=alerts,
        adequacy=adequacy,
        follow_up=follow_up,
        instructions=instructions,
        fired_rules=tuple(d.fired),
        input=a.to_dict(),
    )


def evaluate_stage_a(facts: StageAInput) -> StageAResult:
    """Stage A on its own, for the emergency fast path (contract.md, the addition at its end).

    Only what stage A gives: its alerts, referrals and next step (URGENT_REFERRAL, or
    TREAT_INFECTION, or none), and handout content with `urgent`, `urgent_reasons` and the
    same-day signs. Nothing of stages B–E is evaluated or implied.
    """
    d = _Draft()
    _stage_a(d, facts)
    referrals = _merge_referrals(d.referrals)
    return StageAResult(
        ruleset_version=knowledge.RULESET_VERSION,
        next_step=d.next_step,
        referrals=referrals,
        alerts=_sorted_alerts(d.alerts),
        instructions=build_stage_a_instructions(facts, d.next_step, referrals),
        fired_rules=tuple(d.fired),
        input=facts.to_dict(),
    )
