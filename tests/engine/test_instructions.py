"""`instructions` (the handout's content): contract.md's named fields and README § 4's rules.

Baseline (tests.helpers.make_input): a 7-year-old, moderate, flexures/arms/legs, 15 % BSA,
medium TCS twice daily for 3 weeks → START_TCI; 25 FTU whole body × 15 % = 3.75 → 3.8 FTU.
"""

from __future__ import annotations

import pytest

from tests.helpers import make_input


def instructions(run, **changes) -> dict:
    return run(make_input(**changes))["instructions"]


def all_text(node) -> str:
    if isinstance(node, dict):
        return " ".join(all_text(v) for k, v in node.items() if k not in ("sources", "voice"))
    if isinstance(node, list):
        return " ".join(all_text(item) for item in node)
    return node if isinstance(node, str) else ""


# ------------------------------------------------------------------------ urgent, get help today


@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        ({"red_flags": {"herpeticum_signs": True}}, ["HERPETICUM"]),
        (
            {"red_flags": {"herpeticum_signs": True}, "sites": ["eyelids", "face"]},
            ["HERPETICUM", "HERPETICUM_EYES"],
        ),
        ({"bsa_percent": 95}, ["ERYTHRODERMA"]),
        ({"red_flags": {"systemically_unwell": True}}, ["UNWELL"]),
        ({"red_flags": {"systemically_unwell": True, "infection_signs": True}}, ["UNWELL"]),
        # A routine reason merged into the same-day dermatology referral is not a reason today.
        ({"red_flags": {"herpeticum_signs": True}, "diagnostic_doubt": True}, ["HERPETICUM"]),
    ],
)
def test_any_same_day_referral_makes_the_handout_urgent_with_plain_reasons(changes, codes, run):
    result = run(make_input(**changes))
    handout = result["instructions"]
    assert any(r["urgency"] == "same_day" for r in result["referrals"])
    assert handout["urgent"] is True
    assert handout["urgent_reason_codes"] == codes
    assert len(handout["urgent_reasons"]) == len(codes) and all(handout["urgent_reasons"])
    box = handout["get_help_today"]
    assert box["title"] == "Get help today" and box["reasons"] == handout["urgent_reasons"]
    assert box["where"] == "Where to go today:"


@pytest.mark.parametrize(
    "changes",
    [{}, {"red_flags": {"infection_signs": True}}, {"red_flags": {"infection_unresponsive": True}}],
)
def test_without_a_same_day_referral_there_is_no_get_help_today_box(changes, run):
    handout = instructions(run, **changes)
    assert handout["urgent"] is False and handout["urgent_reasons"] == []
    assert handout["get_help_today"] is None


def test_urgent_reasons_speak_to_the_audience(run):
    flags = {"systemically_unwell": True}
    child = instructions(run, red_flags=flags)["urgent_reasons"][0]
    adult = instructions(run, age_months=300, red_flags=flags)["urgent_reasons"][0]
    assert child.startswith("Your child seems very unwell")
    assert adult.startswith("You feel very unwell")


# ------------------------------------------------------------------------------------ amount


@pytest.mark.parametrize(
    ("changes", "amount", "text"),
    [
        ({}, {"ftu_each_time": 4.0, "basis": "bsa"}, "About 4 fingertip units each time, in all."),
        # 41 × 9 % = 3.69 → 3.7 → 3.5
        (
            {"age_months": 300, "bsa_percent": 9},
            {"ftu_each_time": 3.5, "basis": "bsa"},
            "About 3.5 fingertip units each time, in all.",
        ),
        # 25 × 4.8 % = 1.2 → 1.0
        (
            {"bsa_percent": 4.8},
            {"ftu_each_time": 1.0, "basis": "bsa"},
            "About 1 fingertip unit each time, in all.",
        ),
        # 25 × 2 % = 0.5
        (
            {"bsa_percent": 2},
            {"ftu_each_time": 0.5, "basis": "bsa"},
            "About half a fingertip unit each time, in all.",
        ),
        # 41 × 0.1 % = 0.041 → 0.0
        (
            {"age_months": 300, "bsa_percent": 0.1},
            {"ftu_each_time": 0.0, "basis": "bsa"},
            "Less than half a fingertip unit each time, in all.",
        ),
        (
            {"bsa_percent": None},
            {"ftu_each_time": 14.0, "basis": "regions"},
            "Up to 14 fingertip units each time, in all.",
        ),
        (
            {"bsa_percent": 0},
            {"ftu_each_time": 14.0, "basis": "regions"},
            "Up to 14 fingertip units each time, in all.",
        ),
        # 25 × 10.2 % = 2.55 → 2.6 → 2.5
        (
            {"bsa_percent": 10.2},
            {"ftu_each_time": 2.5, "basis": "bsa"},
            "About 2.5 fingertip units each time, in all.",
        ),
    ],
)
def test_amount_is_the_one_decimal_figure_to_the_nearest_half_unit(changes, amount, text, run):
    result = run(make_input(**changes))
    assert result["instructions"]["amount"] == amount
    assert result["instructions"]["amount"]["basis"] == result["adequacy"]["quantity_basis"]
    how_much = result["instructions"]["how_much"]
    assert how_much["text"] == text
    assert how_much["ftu_each_time"] == amount["ftu_each_time"]
    assert all(p["how_much"] == text for p in result["instructions"]["products"])


def test_no_amount_without_a_figure_but_the_handout_still_says_how_much(run):
    result = run(make_input(current_tcs={"potency": "none", "applications_per_day": 0, "weeks": 0}))
    handout = result["instructions"]
    assert result["adequacy"]["ftu_per_application"] is None
    assert handout["amount"] is None
    assert handout["how_much"]["text"] == "About 4 fingertip units each time, in all."
    assert handout["products"][0]["how_much"] == handout["how_much"]["text"]


def test_the_region_table_is_headed_if_the_whole_area_is_affected(run):
    how_much = instructions(run)["how_much"]
    assert how_much["table_title"] == "If the whole area is affected"
    assert {row["region"]: row["ftu"] for row in how_much["rows"]} == {
        "arm_hand": 2.5,
        "leg_foot": 4.5,
    }
    assert "two flat adult hands" in how_much["hand_size"]
    assert "0.5 g" in how_much["grams"]


def test_an_adults_hands_and_feet_alone_get_the_per_hand_and_per_foot_rows(run):
    rows = instructions(run, age_months=300, sites=["hands", "feet"])["how_much"]["rows"]
    assert [(r["label"], r["ftu"], r["count"]) for r in rows] == [
        ("Each hand", 1, 2),
        ("Each foot", 2, 2),
    ]


# ------------------------------------------------------------------------------- maintenance


def test_maintenance_text_is_the_plain_version_of_the_clinicians_plan(run):
    result = run(make_input(sites=["face", "flexures", "trunk"]))
    maintenance = result["instructions"]["maintenance"]
    assert [p["kind"] for p in maintenance["parts"]] == ["body_medium_or_tci", "sensitive_tci"]
    assert maintenance["text"].startswith("Keep the eczema away: once the skin is clear")
    assert (
        "on the body (chest, tummy and back), a medium-strength steroid cream"
        in (maintenance["text"])
    )
    assert (
        "on the face and skin creases (inside the elbows, behind the knees), a non-steroid"
        in (maintenance["text"])
    )
    clinician = result["also_do"][-1]["text"]
    assert "on the trunk, a medium-potency TCS" in clinician
    assert "on the face and flexures, a TCI" in clinician


@pytest.mark.parametrize(
    "changes",
    [
        {"age_months": 8, "sites": ["face"], "current_tcs": {"potency": "low"}},
        {"age_months": 8, "sites": ["trunk", "face"]},
        {"age_months": 300, "sites": ["face", "neck"], "current_tcs": {"potency": "low"}},
    ],
)
def test_no_medium_steroid_in_maintenance_for_infants_or_sensitive_sites_only(changes, run):
    result = run(make_input(**changes))
    assert "medium" not in result["instructions"]["maintenance"]["text"]
    assert "medium" not in result["also_do"][-1]["text"]


# ---------------------------------------------------------------------------------- audience


def test_an_adults_handout_never_speaks_of_children_or_babies(run):
    for changes in ({}, {"severity": "mild"}, {"tried": {"tci": "not_tolerated"}}):
        text = all_text(instructions(run, age_months=300, sites=["genitals", "trunk"], **changes))
        assert "child" not in text and "bab" not in text.lower()


def test_tci_burning_is_said_for_the_audience(run):
    def expect(age):
        products = instructions(run, age_months=age)["products"]
        return " ".join(item["text"] for item in products[0]["expect"])

    assert "in up to about 1 in 4 children" in expect(191)
    assert "in many people" in expect(192) and "children" not in expect(192)


@pytest.mark.parametrize(("age", "said"), [(60, False), (119, False), (120, True), (300, True)])
def test_breastfeeding_is_never_printed_for_a_child_under_10(age, said, run):
    tried = {"tci": "inadequate_response", "wet_wraps": "not_tolerated"}
    handout = instructions(run, age_months=age, tried=tried)
    assert handout["products"][0]["id"] == "ruxolitinib-1.5"
    assert ("breastfeeding" in all_text(handout)) is said


def test_the_tci_pregnancy_line_is_for_a_pregnant_patient_only(run):
    plain = instructions(run, age_months=300)
    pregnant = instructions(run, age_months=300, pregnant_or_breastfeeding=True)
    assert "pregnant" not in all_text(plain)
    line = next(
        item["text"] for item in pregnant["products"][0]["safety"] if item["code"] == "pregnancy"
    )
    assert line.startswith("If you are pregnant or breastfeeding")


@pytest.mark.parametrize(("age", "said"), [(143, False), (144, True)])
def test_the_tacrolimus_alcohol_line_from_12_years(age, said, run):
    tacrolimus = instructions(run, age_months=age)["products"][0]
    assert tacrolimus["id"].startswith("tacrolimus")
    assert any(item["code"] == "alcohol" for item in tacrolimus["safety"]) is said


@pytest.mark.parametrize(("age", "nappy"), [(35, True), (36, False)])
def test_the_nappy_area_only_for_the_youngest(age, nappy, run):
    where = instructions(run, age_months=age, sites=["genitals", "trunk"])["products"][0]["where"]
    assert ("nappy" in where) is nappy


# ------------------------------------------------------------------------------- the steroid


def steroid(run, **changes) -> dict:
    handout = instructions(run, **changes)
    block = handout["products"][0]
    assert block["id"] == "tcs" and block["kind"] == "steroid"
    return block


def test_the_steroid_is_named_by_agent_when_its_potency_stays(run):
    block = steroid(
        run, sites=["face", "trunk"], current_tcs={"weeks": 1, "agent": "mometasone-0.1-cream"}
    )
    assert block["name"] == "mometasone furoate 0.1 % cream"
    assert block["agent"] == "mometasone-0.1-cream" and block["potency"] == "medium"
    assert [s["code"] for s in block["strengths"]] == ["keep", "sensitive"]
    assert (
        "mometasone furoate 0.1 % cream (medium-strength steroid)" in block["strengths"][0]["text"]
    )
    assert block["strengths"][1]["text"].startswith("On the face, eyelids, neck and private area")


def test_a_stronger_steroid_follows_the_same_plan_as_the_clinicians_correction(run):
    result = run(make_input(sites=["face", "trunk"], current_tcs={"potency": "low"}))
    block = result["instructions"]["products"][0]
    assert block["potency"] is None and block["name"].startswith("Steroid cream")
    assert [s["code"] for s in block["strengths"]] == ["sensitive", "moderate_body"]
    correction = result["next_step"]["corrections"][0]["text"]
    assert "Low potency on the face" in correction and "Medium potency for moderate" in correction


def test_once_a_day_low_potency_is_stepped_up_to_twice_a_day_on_the_handout(run):
    block = steroid(run, severity="mild", current_tcs={"potency": "low", "applications_per_day": 1})
    assert block["how_often"].startswith("Twice a day")


def test_one_wet_wrap_instruction_never_at_least_2_weeks(run):
    handout = instructions(run, age_months=18)
    assert handout["step_code"] == "WET_WRAP_THERAPY"
    block = handout["products"][0]
    assert block["how_long"].startswith("Only while using the wet wraps: 3 to 7 days")
    assert "never more than 14" in block["how_long"]
    assert "at least 2 weeks" not in all_text(handout)
    assert any("over tacrolimus or pimecrolimus" in line for line in handout["wet_wraps"]["safety"])


def test_wet_wraps_on_the_face_only_if_a_specialist_says_so(run):
    block = steroid(run, age_months=18, sites=["face", "trunk"])
    assert [s["code"] for s in block["strengths"]] == ["wraps", "wraps_face"]


# ------------------------------------------------------------------------------- infection


def test_infection_handout_assumes_no_antibiotic_and_asks_for_new_tubs(run):
    handout = instructions(run, red_flags={"infection_signs": True})
    assert handout["step_code"] == "TREAT_INFECTION"
    items = {item["code"]: item["text"] for item in handout["infection"]["items"]}
    assert "may or may not prescribe an antibiotic" in items["antibiotic"]
    assert "new, unopened tubs" in items["new_tubs"]
    assert "Keep using" in items["keep_going"]
    assert "treat the infection first" not in all_text(handout)
    assert instructions(run)["infection"] is None
