"""The emergency fast path: "Refer now" on the safety step when a red flag needs same-day action.

The consultation is completed with what is known by then, evaluated by stage A alone
(decision.engine.evaluate_stage_a; docs/clinical/contract.md, the addition at its end): the age
and patient flags of step 1, the red flags of step 2, and the one fact the urgent rules still
need there, whether the skin around the eyes is affected when eczema herpeticum is ticked (rule
A1: ophthalmology the same day). Nothing of stages B–E is asked, evaluated or shown.
"""

from __future__ import annotations

from typing import Any

from decision.engine import (
    PATIENT_FLAGS,
    RED_FLAGS,
    AssessmentError,
    StageAInput,
    evaluate_stage_a,
    parse_stage_a,
)
from decision.engine.result import StageAResult

ACTION = "refer"
# The eyes question: a checkbox of the Refer now block, sent with the step's form.
EYELIDS = "fast_eyelids"


def facts(answers: dict[str, Any], red_flags: dict[str, Any], eyelids: bool) -> dict[str, Any]:
    """Stage A's input from the saved answers, this step's red flags and the eyes question."""
    known = {key: answers[key] for key in ("age_months", *PATIENT_FLAGS) if key in answers}
    # Conservative: the eyes count as affected only when ticked (like every red flag here), and
    # the question sits beside the Refer now button as soon as herpeticum is ticked.
    sites = ["eyelids"] if eyelids and red_flags.get("herpeticum_signs") else []
    return {
        **known,
        "red_flags": {name: bool(red_flags.get(name)) for name in RED_FLAGS},
        "sites": sites,
    }


def evaluate(
    answers: dict[str, Any], red_flags: dict[str, Any], eyelids: bool
) -> tuple[StageAInput, StageAResult] | None:
    """Stage A for these answers, or None when they are not enough (no age saved yet)."""
    try:
        stage_a_input = parse_stage_a(facts(answers, red_flags, eyelids))
    except AssessmentError:
        return None
    return stage_a_input, evaluate_stage_a(stage_a_input)


def needs_same_day(result: StageAResult) -> bool:
    return any(referral.urgency == "same_day" for referral in result.referrals)


def offer(answers: dict[str, Any], red_flags: dict[str, Any], eyelids: bool) -> dict | None:
    """What the Refer now block shows, or None: it is offered only for a same-day referral."""
    evaluated = evaluate(answers, red_flags, eyelids)
    if evaluated is None or not needs_same_day(evaluated[1]):
        return None
    return {"asks_eyelids": bool(red_flags.get("herpeticum_signs")), "eyelids": eyelids}


def posted_eyelids(data: Any) -> bool:
    return data.get(EYELIDS) == "on"


def shown_sections(consultation: Any, sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The answers to show: the fast path asked only the first steps, so the others are left
    out rather than listed as not answered."""
    if not consultation.fast_path:
        return sections
    return [section for section in sections if section["answered"]]
