"""The handout content (`instructions`): plain words, the patient's sites, FTUs for the age."""

from __future__ import annotations

import pytest

from decision.engine.handout import fingertip_amounts
from tests.helpers import make_input


def amounts(age: int, sites: list[str]) -> dict[str, tuple[float, int]]:
    return {a["region"]: (a["ftu"], a["count"]) for a in fingertip_amounts(age, sites)}


@pytest.mark.parametrize(
    ("age", "sites", "expected"),
    [
        (84, ["flexures", "arms", "legs"], {"arm_hand": (2.5, 2), "leg_foot": (4.5, 2)}),
        (
            6,
            ["face", "trunk"],
            {"face_neck": (1, 1), "trunk_front": (1, 1), "trunk_back": (1.5, 1)},
        ),
        (24, ["neck", "scalp", "genitals"], {"face_neck": (1.5, 1), "genitals": (0.5, 1)}),
        (48, ["hands"], {"arm_hand": (2, 2)}),
        (300, ["hands"], {"hand": (1, 2)}),
        (300, ["feet"], {"foot": (2, 2)}),
        (300, ["hands", "arms"], {"arm_hand": (4, 2)}),
        (132, ["legs", "trunk"], {"leg_foot": (8, 2), "trunk_front": (7, 1), "trunk_back": (7, 1)}),
    ],
)
def test_fingertip_amounts_follow_the_age_row_and_sites(age, sites, expected):
    assert amounts(age, sites) == expected


def test_child_handout_says_your_child(run):
    text = run(make_input(age_months=191))["instructions"]
    assert text["audience"] == "child"
    assert "your child" in text["get_help_same_day"]["items"][1]


def test_adult_handout_speaks_to_the_patient(run):
    text = run(make_input(age_months=192))["instructions"]
    assert text["audience"] == "adult"
    assert "your child" not in str(text)
    assert text["emollients"]["amount_per_week"] == "at least 500 g a week"


def texts(items: list[dict]) -> list[str]:
    return [item["text"] for item in items]


def test_handout_lists_each_product_of_the_next_step(run):
    result = run(make_input())
    handout = result["instructions"]
    assert [p["id"] for p in handout["products"]] == [
        p["id"] for p in result["next_step"]["products"]
    ]
    tacrolimus = handout["products"][0]
    assert tacrolimus["kind"] == "tci"
    assert tacrolimus["how_often"].startswith("Twice a day")
    assert "skin creases" in tacrolimus["where"]
    assert tacrolimus["how_much"] == "About 4 fingertip units each time, in all."
    assert any("1 in 4 children" in line for line in texts(tacrolimus["expect"]))
    safety = " ".join(texts(tacrolimus["safety"]))
    assert "bandages" in safety and "never over this medicine" in safety
    assert "out of the eyes" in safety
    assert "alcohol" not in safety  # a 7-year-old's page
    assert tacrolimus["availability"] == "Licensed in the US, the UK and the EU."
    assert handout["emollients"]["amount_per_week"] == "250 to 500 g a week"
    assert "fire" in handout["emollients"]["fire_warning"].lower()


def test_same_day_and_soon_signs_are_always_there(run):
    for changes in ({}, {"red_flags": {"herpeticum_signs": True}}, {"current_tcs": {"weeks": 1}}):
        handout = run(make_input(**changes))["instructions"]
        assert "blisters" in handout["get_help_same_day"]["items"][0]
        assert any("weeping" in item for item in handout["get_help_soon"]["items"])


def test_wet_wrap_steps_only_when_wet_wraps_are_the_step(run):
    wraps = run(make_input(age_months=18))["instructions"]
    assert wraps["step_code"] == "WET_WRAP_THERAPY" and len(wraps["wet_wraps"]["steps"]) >= 5
    assert run(make_input())["instructions"]["wet_wraps"] is None


def test_diet_paragraph_only_when_the_family_asked(run):
    assert run(make_input())["instructions"]["diet"] is None
    assert "confirmed" in run(make_input(elimination_diet_requested=True))["instructions"]["diet"]


def test_under_three_months_note(run):
    def note(age):
        changes = {"age_months": age, "sites": ["face"], "current_tcs": {"potency": "low"}}
        return run(make_input(**changes))["instructions"]["how_much"]["under_3_months_note"]

    assert note(2) and note(3) is None


def test_review_line_matches_follow_up(run):
    result = run(make_input())
    assert result["instructions"]["review"] == "Come back for a check in 14 days."
    urgent = run(make_input(bsa_percent=95))["instructions"]
    assert urgent["urgent"] and urgent["review_after_days"] == 0


def test_adult_same_day_sign_is_grammatical(run):
    items = run(make_input(age_months=300))["instructions"]["get_help_same_day"]["items"]
    assert items[1] == "A fever, or you feel very unwell"
