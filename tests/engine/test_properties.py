"""Property-based tests: invariants that must hold for every valid assessment."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from decision.engine import (
    ADHERENCE,
    POTENCIES,
    RED_FLAGS,
    SEVERITIES,
    SITES,
    TRIED_KEYS,
    TRIED_OUTCOMES,
    evaluate,
    parse_assessment,
)
from decision.engine.amounts import region_ftu
from decision.engine.assessment import SENSITIVE_SITES
from decision.engine.knowledge import products, source_keys, tcs_agent_map

URGENCY_RANK = {"same_day": 0, "within_2_weeks": 1, "routine": 2}
STANDING = {
    "SYSTEMIC_CORTICOSTEROIDS",
    "ELIMINATION_DIET",
    "ROUTINE_ORAL_ANTIHISTAMINES",
    "ROUTINE_TOPICAL_ANTIMICROBIALS",
}
TCI_IDS = {"tacrolimus-0.03", "tacrolimus-0.1", "pimecrolimus-1"}

ages = st.one_of(
    st.integers(0, 1440),
    st.sampled_from([0, 2, 3, 5, 6, 11, 12, 23, 24, 35, 36, 71, 72, 131, 132, 143, 144, 191, 192]),
)
bsa = st.one_of(
    st.none(),
    st.integers(0, 100),
    st.floats(0, 100, allow_nan=False),
    st.decimals(0, 100, places=1).map(float),  # the numbers clinicians type: 10.2, 2.5
)
AGENTS_BY_POTENCY = {
    potency: sorted(a.id for a in tcs_agent_map().values() if a.potency == potency)
    for potency in POTENCIES
}


@st.composite
def current_tcs(draw):
    """A course, with an agent of the same potency (or none) as current_tcs.agent."""
    tcs = draw(
        st.fixed_dictionaries(
            {
                "potency": st.sampled_from(POTENCIES),
                "applications_per_day": st.integers(0, 4),
                "weeks": st.one_of(st.integers(0, 520), st.floats(0, 520, allow_nan=False)),
                "adherence": st.sampled_from(ADHERENCE),
            },
            optional={"grams_per_week": st.one_of(st.none(), st.floats(0, 2000, allow_nan=False))},
        )
    )
    agents = AGENTS_BY_POTENCY[tcs["potency"]]
    if agents and draw(st.booleans()):
        tcs["agent"] = draw(st.sampled_from(agents))
    return tcs


assessments = st.fixed_dictionaries(
    {
        "age_months": ages,
        "severity": st.sampled_from(SEVERITIES),
        "sites": st.lists(st.sampled_from(SITES), min_size=1, max_size=len(SITES), unique=True),
        "current_tcs": current_tcs(),
    },
    optional={
        "immunocompromised": st.booleans(),
        "pregnant_or_breastfeeding": st.booleans(),
        "barrier_disorder": st.booleans(),
        "on_phototherapy": st.booleans(),
        "liver_impairment": st.booleans(),
        "red_flags": st.fixed_dictionaries({}, optional={k: st.booleans() for k in RED_FLAGS}),
        "bsa_percent": bsa,
        "sleep_loss_nights_per_week": st.integers(0, 7),
        "major_life_impact": st.booleans(),
        "emollients_daily": st.booleans(),
        "steroid_concerns": st.booleans(),
        "tried": st.fixed_dictionaries(
            {}, optional={k: st.sampled_from(TRIED_OUTCOMES) for k in TRIED_KEYS}
        ),
        "suspected_contact_dermatitis": st.booleans(),
        "diagnostic_doubt": st.booleans(),
        "documented_food_allergy": st.booleans(),
        "elimination_diet_requested": st.booleans(),
    },
)


def shown_product_ids(result: dict) -> set[str]:
    steps = [result["next_step"], *result["alternatives"]]
    if result["after"]:
        steps.append(result["after"])
    return {p["id"] for s in steps for p in s["products"]}


@settings(max_examples=400, deadline=None)
@given(assessments)
def test_invariants_hold_for_every_valid_assessment(data):
    a = parse_assessment(data)
    result = evaluate(a).to_dict()
    flags = a.red_flags
    erythroderma = a.bsa_percent is not None and a.bsa_percent >= 90
    referrals = {r["code"]: r["urgency"] for r in result["referrals"]}
    alerts = {al["code"] for al in result["alerts"]}
    ids = shown_product_ids(result)

    # A stage-A escalation is never lost.
    if flags.herpeticum_signs or erythroderma or flags.systemically_unwell:
        assert result["next_step"]["code"] == "URGENT_REFERRAL"
        assert result["after"] is None
    elif flags.infection_signs:
        assert result["next_step"]["code"] == "TREAT_INFECTION"
    if flags.herpeticum_signs:
        assert "ECZEMA_HERPETICUM" in alerts and referrals["DERMATOLOGY"] == "same_day"
        if "eyelids" in a.sites:
            assert referrals["OPHTHALMOLOGY"] == "same_day"
    if erythroderma or flags.systemically_unwell:
        assert referrals["EMERGENCY"] == "same_day"
    if flags.infection_unresponsive and not flags.herpeticum_signs:
        assert referrals["DERMATOLOGY"] in ("same_day", "within_2_weeks")

    # Licensing by age and contraindications.
    if a.age_months < 24:
        assert not ids & TCI_IDS
    if a.age_months < 192:
        assert "tacrolimus-0.1" not in ids
    if (
        a.immunocompromised
        or a.pregnant_or_breastfeeding
        or (a.bsa_percent is not None and a.bsa_percent > 20)
    ):
        assert "ruxolitinib-1.5" not in ids
    for pid in ids:
        row = products()[pid]
        assert a.age_months >= row["min_age_months"]
        assert a.age_months <= row.get("max_age_months", 1440)

    # One referral per code, carrying the most urgent urgency; the four standing avoid items.
    codes = [r["code"] for r in result["referrals"]]
    assert len(codes) == len(set(codes))
    ranks = [URGENCY_RANK[r["urgency"]] for r in result["referrals"]]
    assert ranks == sorted(ranks)
    assert {item["code"] for item in result["avoid"]} >= STANDING
    assert result["also_do"][-1]["code"] == "MAINTENANCE_PLAN"

    # Shape rules for after / alternatives.
    code = result["next_step"]["code"]
    if code in (
        "URGENT_REFERRAL",
        "START_TCI",
        "WET_WRAP_THERAPY",
        "NEWER_TOPICAL",
        "SPECIALIST_ESCALATION",
    ):
        assert result["after"] is None
    if code not in ("START_TCI", "WET_WRAP_THERAPY", "NEWER_TOPICAL", "SPECIALIST_ESCALATION"):
        assert result["alternatives"] == []
    assert code not in [s["code"] for s in result["alternatives"]]

    # Every output item is traceable to a source, and every source has a readable citation.
    steps = [result["next_step"], *result["alternatives"]]
    if result["after"]:
        steps.append(result["after"])
    items = [
        *steps,
        *(p for s in steps for p in s["products"]),
        *(o for s in steps for o in s["options"]),
        *(c for s in steps for c in s["corrections"]),
        *result["also_do"],
        *result["avoid"],
        *result["referrals"],
        *result["alerts"],
        *result["adequacy"]["cautions"],
        *result["follow_up"]["refer_if"],
    ]
    for item in items:
        assert item["sources"], item
    cited = {key for item in items for key in item["sources"]}
    cited |= set(result["adequacy"]["sources"]) | set(result["instructions"]["sources"])
    assert cited <= source_keys(), cited - source_keys()

    # The handout: urgent exactly when some referral is same-day, with reasons then.
    handout = result["instructions"]
    same_day = any(r["urgency"] == "same_day" for r in result["referrals"])
    assert handout["urgent"] is same_day
    assert bool(handout["urgent_reasons"]) is same_day
    assert (handout["get_help_today"] is not None) is same_day

    # The amount each time: null exactly without an FTU figure, never above the regions' FTUs.
    amount = handout["amount"]
    assert (amount is None) is (result["adequacy"]["ftu_per_application"] is None)
    limit = float(region_ftu(a.age_months, a.sites))
    assert handout["how_much"]["ftu_each_time"] <= limit
    if amount is not None:
        assert amount["ftu_each_time"] <= limit
        assert amount["ftu_each_time"] * 2 == int(amount["ftu_each_time"] * 2)
        assert amount["basis"] == result["adequacy"]["quantity_basis"]
        assert abs(amount["ftu_each_time"] - result["adequacy"]["ftu_per_application"]) <= 0.25

    # Maintenance: never a medium steroid for sensitive sites only or under 12 months.
    if a.age_months < 12 or set(a.sites) <= SENSITIVE_SITES:
        assert "medium" not in handout["maintenance"]["text"]
        assert "medium" not in result["also_do"][-1]["text"]

    # JSON round-trips, deterministically; the input echo parses back to the same assessment.
    text = evaluate(a).to_json()
    assert json.loads(text) == json.loads(json.dumps(result))
    assert evaluate(parse_assessment(data)).to_json() == text
    assert parse_assessment(result["input"]) == a


@settings(max_examples=200, deadline=None)
@given(assessments)
def test_urgent_referral_reasons_keep_the_most_urgent_urgency(data):
    """Adding red flags can only raise urgency: never lower any referral that was there."""
    base = evaluate(parse_assessment(data)).to_dict()
    flagged = dict(data, red_flags={"herpeticum_signs": True, "systemically_unwell": True})
    raised = evaluate(parse_assessment(flagged)).to_dict()
    before = {r["code"]: URGENCY_RANK[r["urgency"]] for r in base["referrals"]}
    after = {r["code"]: URGENCY_RANK[r["urgency"]] for r in raised["referrals"]}
    for code, rank in before.items():
        assert after[code] <= rank
    assert raised["next_step"]["code"] == "URGENT_REFERRAL"
