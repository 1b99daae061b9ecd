"""Stage A alone (the emergency fast path; contract.md's addition): parsing and evaluation."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from decision.engine import (
    PATIENT_FLAGS,
    RED_FLAGS,
    SITES,
    STAGE_A_KEYS,
    AssessmentError,
    evaluate,
    evaluate_stage_a,
    parse_assessment,
    parse_stage_a,
)
from tests.helpers import make_input


def stage_a(**data) -> dict:
    return evaluate_stage_a(parse_stage_a(data)).to_dict()


def errors_for(data) -> list[str]:
    with pytest.raises(AssessmentError) as info:
        parse_stage_a(data)
    return [str(e) for e in info.value.errors]


# ---------------------------------------------------------------------------------- parsing


def test_age_and_red_flags_are_enough():
    facts = parse_stage_a({"age_months": 36, "red_flags": {"herpeticum_signs": True}})
    assert facts.age_months == 36 and facts.red_flags.herpeticum_signs
    assert facts.sites == () and facts.bsa_percent is None
    assert parse_stage_a(facts.to_dict()) == facts


def test_sites_may_be_given_empty_or_left_out():
    assert parse_stage_a({"age_months": 36, "sites": []}).sites == ()
    assert parse_stage_a({"age_months": 36, "sites": ["trunk", "eyelids"]}).sites == (
        "eyelids",
        "trunk",
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, "age_months: is required"),
        ({"age_months": -1}, "age_months: must be between 0 and 1440"),
        (
            {"age_months": 36, "immunocompromised": "yes"},
            "immunocompromised: must be true or false",
        ),
        ({"age_months": 36, "red_flags": {"rash": True}}, "red_flags.rash: unknown field"),
        (
            {"age_months": 36, "red_flags": {"herpeticum_signs": 1}},
            "red_flags.herpeticum_signs: must be true or false",
        ),
        ({"age_months": 36, "sites": ["elbow"]}, "sites[0]: must be one of:"),
        ({"age_months": 36, "sites": ["face", "face"]}, "sites[1]: repeats 'face'"),
        ({"age_months": 36, "bsa_percent": 101}, "bsa_percent: must be between 0 and 100"),
        ({"age_months": 36, "severity": "severe"}, "severity: unknown field"),
        ({"age_months": 36, "current_tcs": {}}, "current_tcs: unknown field"),
    ],
)
def test_invalid_partial_input_gives_the_same_field_errors(data, expected):
    errors = errors_for(data)
    assert any(e.startswith(expected) for e in errors), errors


def test_every_problem_is_reported_with_the_prefix():
    with pytest.raises(AssessmentError) as info:
        parse_stage_a({"age_months": "x", "sites": "face", "oops": 1}, prefix="[2].")
    assert sorted(str(e).split(":")[0] for e in info.value.errors) == [
        "[2].age_months",
        "[2].oops",
        "[2].sites",
    ]
    assert errors_for([]) == ["input: must be a JSON object"]


def test_stage_a_keys_are_the_full_contracts_stage_a_facts():
    assert set(STAGE_A_KEYS) == {"age_months", *PATIENT_FLAGS, "red_flags", "sites", "bsa_percent"}
    full = make_input(red_flags={"herpeticum_signs": True})
    partial = {key: full[key] for key in STAGE_A_KEYS if key in full}
    assert parse_stage_a(partial).sites == parse_assessment(full).sites


# ------------------------------------------------------------------------------- evaluation


def test_herpeticum_with_eyelids_gives_both_same_day_referrals_and_nothing_else():
    result = stage_a(age_months=36, red_flags={"herpeticum_signs": True}, sites=["eyelids"])
    assert result["stage_a_only"] is True
    assert result["contract"] == 1 and result["ruleset_version"] == "2026.12"
    assert set(result) == {
        "contract",
        "ruleset_version",
        "stage_a_only",
        "next_step",
        "referrals",
        "alerts",
        "instructions",
        "fired_rules",
        "input",
    }
    assert result["next_step"]["code"] == "URGENT_REFERRAL"
    assert {r["code"]: r["urgency"] for r in result["referrals"]} == {
        "DERMATOLOGY": "same_day",
        "OPHTHALMOLOGY": "same_day",
    }
    assert [a["code"] for a in result["alerts"]] == ["ECZEMA_HERPETICUM"]
    assert result["fired_rules"] == ["A1"]
    handout = result["instructions"]
    assert handout["urgent"] is True
    assert handout["urgent_reason_codes"] == ["HERPETICUM", "HERPETICUM_EYES"]
    assert handout["get_help_today"]["title"] == "Get help today"
    assert "blisters" in handout["get_help_same_day"]["items"][0]
    assert handout["review_after_days"] == 0


def test_without_sites_herpeticum_refers_to_dermatology_only():
    result = stage_a(age_months=36, red_flags={"herpeticum_signs": True})
    assert {r["code"] for r in result["referrals"]} == {"DERMATOLOGY"}


@pytest.mark.parametrize(("bsa", "urgent"), [(90, True), (89.9, False), (None, False)])
def test_erythroderma_needs_the_bsa(bsa, urgent):
    result = stage_a(age_months=300, bsa_percent=bsa)
    assert result["instructions"]["urgent"] is urgent
    assert ("ERYTHRODERMA" in [a["code"] for a in result["alerts"]]) is urgent


@pytest.mark.parametrize("infection", [False, True])
def test_systemically_unwell_is_urgent_with_or_without_infection(infection):
    result = stage_a(
        age_months=72, red_flags={"systemically_unwell": True, "infection_signs": infection}
    )
    assert result["next_step"]["code"] == "URGENT_REFERRAL"
    assert result["instructions"]["urgent_reason_codes"] == ["UNWELL"]
    assert result["instructions"]["infection"] is None


def test_infection_alone_is_not_urgent_and_uses_the_pregnancy_variant():
    result = stage_a(
        age_months=336, pregnant_or_breastfeeding=True, red_flags={"infection_signs": True}
    )
    assert result["next_step"]["code"] == "TREAT_INFECTION"
    assert "erythromycin" in result["next_step"]["rationale"]
    handout = result["instructions"]
    assert handout["urgent"] is False and handout["get_help_today"] is None
    assert handout["infection"]["items"][0]["code"] == "antibiotic"
    assert handout["review_after_days"] == 7


def test_no_red_flag_gives_an_empty_stage_a():
    result = stage_a(age_months=84)
    assert result["next_step"] is None and result["referrals"] == [] and result["alerts"] == []
    assert result["instructions"]["urgent"] is False
    assert result["instructions"]["step_code"] is None
    assert result["instructions"]["review_after_days"] is None


def test_unresponsive_infection_refers_within_2_weeks():
    result = stage_a(age_months=84, red_flags={"infection_unresponsive": True})
    assert {r["code"]: r["urgency"] for r in result["referrals"]} == {
        "DERMATOLOGY": "within_2_weeks"
    }
    assert result["instructions"]["urgent"] is False


def test_the_result_is_deterministic_json():
    a = stage_a(age_months=36, red_flags={"herpeticum_signs": True}, sites=["eyelids"])
    facts = parse_stage_a(a["input"])
    assert evaluate_stage_a(facts).to_json() == evaluate_stage_a(facts).to_json()
    assert json.loads(evaluate_stage_a(facts).to_json()) == a


full_cases = st.fixed_dictionaries(
    {
        "age_months": st.integers(0, 1440),
        "severity": st.sampled_from(["mild", "moderate", "severe"]),
        "sites": st.lists(st.sampled_from(SITES), min_size=1, max_size=4, unique=True),
        "current_tcs": st.just(
            {"potency": "medium", "applications_per_day": 2, "weeks": 3, "adherence": "good"}
        ),
        "red_flags": st.fixed_dictionaries({k: st.booleans() for k in RED_FLAGS}),
    },
    optional={
        "bsa_percent": st.one_of(st.none(), st.integers(0, 100)),
        **{flag: st.booleans() for flag in PATIENT_FLAGS},
    },
)


@settings(max_examples=200, deadline=None)
@given(full_cases)
def test_stage_a_alone_agrees_with_stage_a_of_the_full_evaluation(data):
    """What stage A alone says is what the full evaluation says of stage A."""
    full = evaluate(parse_assessment(data)).to_dict()
    partial = stage_a(**{key: data[key] for key in STAGE_A_KEYS if key in data})
    stage_a_codes = {"ECZEMA_HERPETICUM", "ERYTHRODERMA", "SYSTEMICALLY_UNWELL", "INFECTED_ECZEMA"}
    assert [a for a in full["alerts"] if a["code"] in stage_a_codes] == partial["alerts"]

    def same_day(result: dict) -> set[str]:
        return {r["code"] for r in result["referrals"] if r["urgency"] == "same_day"}

    assert same_day(full) == same_day(partial)
    if partial["next_step"] is not None:
        assert full["next_step"] == partial["next_step"]
    for key in ("urgent", "urgent_reasons", "get_help_today", "get_help_same_day", "audience"):
        assert full["instructions"][key] == partial["instructions"][key]
