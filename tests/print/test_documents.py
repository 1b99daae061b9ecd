"""decision/documents.py: the context builders, tested on engine results (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from decision import documents
from decision.engine import evaluate, parse_assessment
from tests.helpers import make_input
from tests.print.cases import CASES

DAY = dt.date(2026, 11, 21)


def _output(engine_input):
    return evaluate(parse_assessment(engine_input)).to_dict()


@pytest.mark.parametrize(
    ("value", "shown"), [(0.5, "½"), (1, "1"), (1.5, "1½"), (2.0, "2"), (4.5, "4½"), (8, "8")]
)
def test_it_shows_fingertip_units_as_a_parent_reads_them(value, shown):
    assert documents.format_ftu(value) == shown


def test_it_draws_one_fingertip_per_unit_and_a_half_for_a_half():
    assert documents.fingertip_icons(2.5) == ["full", "full", "half"]
    assert documents.fingertip_icons(0.5) == ["half"]
    assert documents.fingertip_icons(3) == ["full"] * 3


def test_it_joins_lists_the_english_way():
    assert documents.join_list(["face"]) == "face"
    assert documents.join_list(["face", "arms"]) == "face and arms"
    assert documents.join_list(["face", "arms", "legs"]) == "face, arms and legs"


@pytest.mark.parametrize(("days", "expected"), [(0, DAY), (7, dt.date(2026, 11, 28))])
def test_review_date_is_completion_date_plus_review_days(days, expected):
    assert documents.review_date(DAY, days) == expected


def test_alternative_tcis_share_their_advice_once():
    handout = documents.handout_context(_output(make_input()), DAY)
    assert [p["id"] for p in handout["products"]] == ["tacrolimus-0.03", "pimecrolimus-1"]
    shared = [fact["key"] for fact in handout["shared_facts"]]
    assert shared == ["how_often", "how_long", "expect", "safety", "availability"]
    for product in handout["products"]:
        assert product["facts"] == []


def test_a_line_only_one_product_has_stays_on_its_card():
    # An adult: tacrolimus alone carries the alcohol line; the other safety lines are shared.
    handout = documents.handout_context(_output(make_input(age_months=400)), DAY)
    tacrolimus, pimecrolimus = handout["products"]
    assert [f["items"] for f in tacrolimus["facts"]] == [
        ["With tacrolimus, the face may go red and hot after drinking alcohol."]
    ]
    assert pimecrolimus["facts"] == []
    safety = next(f for f in handout["shared_facts"] if f["key"] == "safety")
    assert "Keep it out of the eyes." in safety["items"]
    assert not any("alcohol" in item for item in safety["items"])


def test_newer_topicals_keep_their_own_advice_on_their_cards():
    handout = documents.handout_context(_output(CASES["teen-tci-failed"]), DAY)
    assert [fact["key"] for fact in handout["shared_facts"]] == ["how_long", "availability"]
    ruxolitinib = handout["products"][0]
    assert ruxolitinib["id"] == "ruxolitinib-1.5"
    safety = next(f for f in ruxolitinib["facts"] if f["key"] == "safety")
    assert "Use no more than 60 g in a week." in safety["items"]
    assert handout["compact"] is True


def test_a_single_product_keeps_every_fact_on_its_card():
    handout = documents.handout_context(_output(CASES["low-potency-body"]), DAY)
    assert handout["shared_facts"] == []
    (steroid,) = handout["products"]
    assert [f["key"] for f in steroid["facts"]] == ["strengths", "how_often", "how_long", "expect"]


def test_steroid_on_the_face_says_which_strength_goes_where():
    handout = documents.handout_context(
        _output(make_input(sites=["face", "trunk"], current_tcs={"potency": "low"})), DAY
    )
    (steroid,) = handout["products"]
    assert steroid["strengths"] == [
        "On the face, eyelids, neck and private area: only a mild steroid, unless your clinic "
        "says otherwise.",
        "On the body: a medium-strength steroid.",
    ]


def test_urgent_referral_is_reviewed_today():
    output = _output(CASES["herpeticum-eyes"])
    handout = documents.handout_context(output, DAY)
    assert handout["urgent"] is True
    assert handout["review"] == "Your clinic will arrange care today."
    assert handout["review_date"] == DAY
    assert handout["products"] == []


def test_referral_letter_names_the_reason_and_every_treatment_tried():
    output = _output(CASES["everything-failed"])
    summary = documents.summary_context(output, DAY, extras={"tcs_agent": None})
    (referral,) = summary["referrals"]
    letter = " ".join(referral["letter"])
    assert letter.startswith("Referral: Dermatology, within 2 weeks.")
    for reason in referral["reasons"]:
        assert reason in letter
    assert "Wet-wrap therapy: not tolerated" in letter
    assert "Topical calcineurin inhibitor (tacrolimus or pimecrolimus): not enough response" in (
        letter
    )
    assert "Patient: 12 years old. Severe atopic eczema affecting the" in letter
    assert "high-potency topical corticosteroid, 2 applications a day for" in letter
    # Stage D chose specialist escalation: the step's own words are the question.
    assert (
        "Question for the specialist: Specialist escalation. Refer for phototherapy (before "
        "conventional immunosuppressants) or systemic therapy." in letter
    )
    assert "Urgent actions" not in letter


def test_referral_letter_names_the_steroid_agent_when_it_was_chosen():
    output = _output(CASES["seed-tcs-severe"])
    summary = documents.summary_context(
        output, DAY, extras={"tcs_agent": "betamethasone-dipropionate-0.05"}
    )
    letter = " ".join(summary["referrals"][0]["letter"])
    # The agent with its strength, the engine level with its US class, and its own UK group.
    assert "betamethasone dipropionate 0.05 % (high potency, US class 2; UK potent), 2 " in letter


def test_referral_letter_names_pregnancy_immunosuppression_poem_and_lost_sleep():
    engine_input = make_input(
        age_months=336,
        severity="severe",
        pregnant_or_breastfeeding=True,
        immunocompromised=True,
        bsa_percent=None,
        sleep_loss_nights_per_week=5,
    )
    summary = documents.summary_context(
        _output(engine_input), DAY, extras={"poem": [3, 2, 1, 0, 2, 3, 3]}
    )
    letter = " ".join(summary["referrals"][0]["letter"])
    assert "Patient: 28 years old, pregnant or breastfeeding, immunocompromised. " in letter
    assert "(body surface area not estimated)" in letter
    assert "POEM 14 of 28 (moderate)." in letter
    assert "Nights of lost sleep: 5 a week." in letter


def test_referral_letter_leaves_out_what_was_not_given():
    summary = documents.summary_context(
        _output(
            make_input(
                severity="severe", current_tcs={"potency": "high"}, sleep_loss_nights_per_week=0
            )
        ),
        DAY,
        extras={"poem": [3, 2, None, 0, 2, 3, 3]},
    )
    letter = " ".join(summary["referrals"][0]["letter"])
    assert "POEM" not in letter  # not every item was scored
    assert "pregnant" not in letter
    assert "immunocompromised" not in letter
    assert "Nights of lost sleep: 0 a week." in letter


def test_an_urgent_referral_letter_gives_the_urgent_actions_and_the_question():
    output = _output(CASES["herpeticum-eyes"])
    summary = documents.summary_context(output, DAY)
    step = output["next_step"]
    for referral in summary["referrals"]:
        letter = referral["letter"]
        assert f"Urgent actions: {step['summary']}" in letter
        assert f"Question for the specialist: {step['title']}." in letter


def test_alerts_are_listed_urgent_first():
    output = _output(CASES["infected-unwell"])
    output["alerts"] = list(reversed(output["alerts"]))
    summary = documents.summary_context(output, DAY)
    assert [a["level"] for a in summary["alerts"]] == ["critical", "warning"]
    assert summary["urgent_alerts"]
