"""Input validation per contract.md: every problem as `field.path: message`."""

from __future__ import annotations

import pytest

from decision.engine import AssessmentError, parse_assessment
from tests.helpers import make_input


def errors_for(data) -> list[str]:
    with pytest.raises(AssessmentError) as info:
        parse_assessment(data)
    return [str(e) for e in info.value.errors]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"age_months": "84"}, "age_months: must be a whole number"),
        ({"age_months": 84.5}, "age_months: must be a whole number"),
        ({"age_months": True}, "age_months: must be a whole number"),
        ({"age_months": -1}, "age_months: must be between 0 and 1440"),
        ({"age_months": 1441}, "age_months: must be between 0 and 1440"),
        ({"immunocompromised": "yes"}, "immunocompromised: must be true or false"),
        ({"immunocompromised": 1}, "immunocompromised: must be true or false"),
        ({"immunocompromised": None}, "immunocompromised: must be true or false"),
        ({"severity": "very severe"}, "severity: must be one of: mild, moderate, severe"),
        ({"severity": None}, "severity: must be one of: mild, moderate, severe"),
        ({"sites": []}, "sites: must name at least one site"),
        ({"sites": "face"}, "sites: must be a list of sites"),
        ({"sites": ["face", "elbow"]}, "sites[1]: must be one of:"),
        ({"sites": ["face", "face"]}, "sites[1]: repeats 'face'"),
        ({"sites": [3]}, "sites[0]: must be one of:"),
        ({"bsa_percent": 101}, "bsa_percent: must be between 0 and 100"),
        ({"bsa_percent": -0.1}, "bsa_percent: must be between 0 and 100"),
        ({"bsa_percent": "12"}, "bsa_percent: must be a number or null"),
        ({"sleep_loss_nights_per_week": 8}, "sleep_loss_nights_per_week: must be between 0 and 7"),
        ({"sleep_loss_nights_per_week": 2.5}, "sleep_loss_nights_per_week: must be a whole number"),
        ({"current_tcs": {"potency": "strong"}}, "current_tcs.potency: must be one of:"),
        (
            {"current_tcs": {"applications_per_day": 5}},
            "current_tcs.applications_per_day: must be between 0 and 4",
        ),
        ({"current_tcs": {"weeks": 521}}, "current_tcs.weeks: must be between 0 and 520"),
        ({"current_tcs": {"weeks": None}}, "current_tcs.weeks: must be a number"),
        (
            {"current_tcs": {"adherence": "ok"}},
            "current_tcs.adherence: must be one of: good, partial, poor",
        ),
        (
            {"current_tcs": {"grams_per_week": 2001}},
            "current_tcs.grams_per_week: must be between 0 and 2000",
        ),
        ({"current_tcs": {"brand": "x"}}, "current_tcs.brand: unknown field"),
        ({"current_tcs": []}, "current_tcs: must be an object"),
        ({"red_flags": {"rash": True}}, "red_flags.rash: unknown field"),
        (
            {"red_flags": {"infection_signs": "no"}},
            "red_flags.infection_signs: must be true or false",
        ),
        ({"red_flags": None}, "red_flags: must be an object"),
        (
            {"tried": {"tci": "failed"}},
            "tried.tci: must be one of: not_tried, helped, inadequate_response, not_tolerated",
        ),
        ({"tried": {"steroids": "helped"}}, "tried.steroids: unknown field"),
        ({"name": "Jane"}, "name: unknown field"),
        ({"date_of_birth": "2020-01-01"}, "date_of_birth: unknown field"),
    ],
)
def test_invalid_input_gives_the_listed_error(changes, expected):
    errors = errors_for(make_input(**changes))
    assert any(e.startswith(expected) for e in errors), errors


@pytest.mark.parametrize("field", ["age_months", "severity", "sites", "current_tcs"])
def test_required_fields_are_reported_missing(field):
    data = make_input()
    del data[field]
    assert f"{field}: is required" in errors_for(data)


@pytest.mark.parametrize("field", ["potency", "applications_per_day", "weeks", "adherence"])
def test_required_current_tcs_fields_are_reported_missing(field):
    data = make_input()
    del data["current_tcs"][field]
    assert f"current_tcs.{field}: is required" in errors_for(data)


def test_every_problem_is_reported_not_just_the_first():
    errors = errors_for(
        {"age_months": -5, "severity": "x", "sites": [], "current_tcs": {}, "oops": 1}
    )
    assert len(errors) >= 8


@pytest.mark.parametrize("document", [[], "text", 42, None, True])
def test_a_non_object_document_is_rejected(document):
    assert errors_for(document) == ["input: must be a JSON object"]


def test_defaults_follow_the_contract():
    a = parse_assessment(
        {
            "age_months": 30,
            "severity": "mild",
            "sites": ["face"],
            "current_tcs": {
                "potency": "low",
                "applications_per_day": 2,
                "weeks": 2,
                "adherence": "good",
            },
        }
    )
    assert a.emollients_daily is True
    assert a.steroid_concerns is False
    assert a.bsa_percent is None
    assert a.sleep_loss_nights_per_week == 0
    assert a.current_tcs.grams_per_week is None
    assert set(a.tried.values()) == {"not_tried"}
    assert not any(vars(a.red_flags).values())


def test_integral_float_is_accepted_as_a_whole_number():
    assert parse_assessment(make_input(age_months=84.0)).age_months == 84


def test_boundaries_are_inclusive():
    a = parse_assessment(
        make_input(
            age_months=1440,
            bsa_percent=100,
            sleep_loss_nights_per_week=7,
            current_tcs={"applications_per_day": 4, "weeks": 520, "grams_per_week": 2000},
        )
    )
    assert (a.age_months, a.bsa_percent, a.current_tcs.weeks) == (1440, 100, 520)


@pytest.mark.parametrize(
    ("potency", "agent"),
    [
        ("medium", "mometasone-0.1-cream"),
        ("high", "betamethasone-valerate-0.1-ointment"),
        ("low", "hydrocortisone-2.5"),
        ("low", "hydrocortisone"),  # legacy id of records made before 2026.12
        ("medium", None),
    ],
)
def test_an_agent_of_the_same_potency_is_accepted(potency, agent):
    a = parse_assessment(make_input(current_tcs={"potency": potency, "agent": agent}))
    assert a.current_tcs.agent == agent
    assert parse_assessment(a.to_dict()) == a


def test_the_agent_defaults_to_null():
    assert parse_assessment(make_input()).current_tcs.agent is None


@pytest.mark.parametrize(
    ("potency", "agent", "expected"),
    [
        (
            "medium",
            "clobetasol-0.05",
            "current_tcs.agent: clobetasol propionate 0.05 % is very_high "
            "(Very high (US class 1)), but current_tcs.potency is medium",
        ),
        ("none", "hydrocortisone-1", "current_tcs.agent: hydrocortisone 1 % is low"),
        ("high", "betamethasone-valerate-0.1-cream", "current_tcs.agent: betamethasone valerate"),
        ("medium", "mometasone", "current_tcs.agent: must be null or an agent id"),
        ("medium", 3, "current_tcs.agent: must be null or an agent id"),
        ("medium", "", "current_tcs.agent: must be null or an agent id"),
    ],
)
def test_an_agent_that_does_not_match_is_an_error_on_the_agent(potency, agent, expected):
    errors = errors_for(make_input(current_tcs={"potency": potency, "agent": agent}))
    assert len(errors) == 1 and errors[0].startswith(expected), errors


def test_an_invalid_potency_is_reported_once_not_as_an_agent_mismatch():
    errors = errors_for(make_input(current_tcs={"potency": "strong", "agent": "clobetasol-0.05"}))
    assert [e.split(":")[0] for e in errors] == ["current_tcs.potency"]
