"""The review's answers → the `tried` outcome of the last step's treatment (decision.followup)."""

from __future__ import annotations

from itertools import product

import pytest

from decision import followup
from decision.models import Consultation, Prescription

FOLLOWED = ("yes", "partly", "no")
RESPONSES = ("clear", "better", "no_change", "worse")
SIDE_EFFECTS = ("none", "tolerated", "stopped")

# Written out by hand, one line per answer: (followed, side effects, response) → outcome.
# None: the outcome stays as the last visit recorded it.
EXPECTED = {
    **{(f, "stopped", r): "not_tolerated" for f in FOLLOWED for r in RESPONSES},
    ("yes", "none", "clear"): "helped",
    ("yes", "none", "better"): "helped",
    ("yes", "none", "no_change"): "inadequate_response",
    ("yes", "none", "worse"): "inadequate_response",
    ("yes", "tolerated", "clear"): "helped",
    ("yes", "tolerated", "better"): "helped",
    ("yes", "tolerated", "no_change"): "inadequate_response",
    ("yes", "tolerated", "worse"): "inadequate_response",
    **{(f, s, r): None for f in ("partly", "no") for s in ("none", "tolerated") for r in RESPONSES},
}


def test_the_table_covers_every_answer_once():
    assert set(EXPECTED) == set(product(FOLLOWED, SIDE_EFFECTS, RESPONSES))
    for answers in EXPECTED:
        covering = [rule for rule in followup.MAPPING if rule.covers(*answers)]
        assert len(covering) == 1, answers


@pytest.mark.parametrize(("answers", "outcome"), sorted(EXPECTED.items(), key=str))
def test_each_answer_records_the_outcome_worked_out_by_hand(answers, outcome):
    followed, side_effects, response = answers
    assert followup.tried_outcome(followed, response, side_effects) == outcome


def test_helped_only_when_clear_or_better():
    helped = {answers for answers, outcome in EXPECTED.items() if outcome == "helped"}
    assert {response for _, _, response in helped} == {"clear", "better"}


def test_the_page_shows_the_mapping_in_words():
    rows = followup.mapping_rows()
    assert rows[0] == {
        "followed": "Any",
        "side_effects": "Stopped for side effects",
        "response": "Any",
        "outcome": "Tried: not tolerated",
    }
    assert rows[1] == {
        "followed": "Yes",
        "side_effects": "None, or some (continued)",
        "response": "Clear or almost clear, or better",
        "outcome": "Tried: it helped",
    }
    assert rows[-1]["outcome"] == "Left as it was"


def _completed(code: str, products: list[str]) -> Consultation:
    return Consultation(
        engine_output={"next_step": {"code": code, "products": [{"id": p} for p in products]}}
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "products", "keys"),
    [
        ("START_TCI", ["tacrolimus-0.03", "pimecrolimus-1"], ("tci",)),
        ("START_TCI", ["tacrolimus-0.1"], ("tci",)),
        ("WET_WRAP_THERAPY", [], ("wet_wraps",)),
        # Several treatments offered: the record cannot tell which was used.
        ("NEWER_TOPICAL", ["ruxolitinib-1.5", "crisaborole-2", "tapinarof-1"], ()),
        ("NEWER_TOPICAL", ["crisaborole-2"], ("crisaborole",)),
        ("OPTIMIZE_TCS", [], ()),
        ("TREAT_INFECTION", [], ()),
        ("SPECIALIST_ESCALATION", [], ()),
        ("URGENT_REFERRAL", [], ()),
        ("REEVALUATE_DIAGNOSIS", [], ()),
    ],
)
def test_the_step_says_which_treatments_were_started(code, products, keys):
    assert followup.step_treatments(_completed(code, products)) == keys


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "offered", "prescribed", "keys"),
    [
        (
            "NEWER_TOPICAL",
            ["ruxolitinib-1.5", "crisaborole-2"],
            ["crisaborole-2"],
            ("crisaborole",),
        ),
        ("NEWER_TOPICAL", ["ruxolitinib-1.5", "crisaborole-2"], [], ()),
        ("START_TCI", ["tacrolimus-0.03", "pimecrolimus-1"], ["pimecrolimus-1"], ("tci",)),
        # Nothing of the step prescribed: nothing of it was tried.
        ("START_TCI", ["tacrolimus-0.03", "pimecrolimus-1"], [], ()),
        ("WET_WRAP_THERAPY", [], [], ("wet_wraps",)),
    ],
)
def test_a_recorded_prescription_says_what_was_used(clinician, code, offered, prescribed, keys):
    consultation = _completed(code, offered)
    consultation.prescription = Prescription(products=prescribed, recorded_by=clinician)
    assert followup.step_treatments(consultation) == keys
