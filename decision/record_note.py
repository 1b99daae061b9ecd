"""The note a clinician pastes into the patient's record (issue 11, item 3).

Plain text, at most MAX_LINES lines, one fact a line: the next step, what was prescribed, the
steroid-trial verdict, the referrals with their urgency, the review date and the rule set. Built
from the stored result and the prescription only, so it says what the result page and the
documents say. The result page shows it with a Copy button; the clinician summary prints it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone

from decision import labels
from decision.documents import review_date
from decision.models import Consultation
from decision.prescription import Prescribed, prescribed_for, product_name

MAX_LINES = 12
SPACES = re.compile(r"\s+")


def _line(text: str) -> str:
    """One line whatever the stored text holds (a newline in a stored sentence would add one)."""
    return SPACES.sub(" ", text).strip()


def _next_step(step: dict[str, Any] | None) -> str:
    if not step:
        return "Next step: none set by the urgent rules."
    return f"Next step: {step['title']}. {step['summary']}"


def _prescribed(step: dict[str, Any] | None, prescribed: Prescribed | None) -> str:
    if prescribed is not None:
        return f"Prescribed: {prescribed.sentence}."
    products = [product_name(p) for p in (step or {}).get("products") or []]
    if products:
        return f"Prescribed: not recorded (the step's products: {' or '.join(products)})."
    return "Prescribed: not recorded."


def _adequacy(adequacy: dict[str, Any] | None) -> str:
    if not adequacy:
        return "Steroid trial: not assessed (urgent rules only)."
    if adequacy.get("adequate"):
        return "Steroid trial: adequate."
    return "Steroid trial: not adequate. " + " ".join(adequacy.get("reason_texts") or [])


def _referrals(referrals: list[dict[str, Any]]) -> str:
    if not referrals:
        return "Referrals: none."
    listed = [
        f"{labels.REFERRALS.get(r['code'], r['code'])} "
        f"({labels.URGENCIES.get(r['urgency'], r['urgency']).lower()})"
        for r in referrals
    ]
    return f"Referrals: {'; '.join(listed)}."


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _review(days: int | None, completed_on: dt.date) -> str:
    if days is None:
        return "Review: as the referral decides."
    if days == 0:
        return f"Review: today, {_date(completed_on)}: act on the urgent referral now."
    return f"Review: by {_date(review_date(completed_on, days))} (in {days} days)."


def record_note(
    output: dict[str, Any], completed_on: dt.date, prescribed: Prescribed | None
) -> str:
    """The note, from a stored result (full or stage A only) and what was prescribed."""
    step = output.get("next_step")
    follow_up = output.get("follow_up") or {}
    # The stage-A-only result has no follow_up; its handout part carries the review.
    instructions = output.get("instructions") or {}
    days = follow_up.get("review_after_days", instructions.get("review_after_days"))
    referrals = output.get("referrals") or []
    lines = [
        f"Eczema step-up decision support, {_date(completed_on)}.",
        _next_step(step),
        # Stage A alone (the emergency fast path) has nothing to prescribe.
        *([] if output.get("stage_a_only") else [_prescribed(step, prescribed)]),
        _adequacy(output.get("adequacy")),
        _referrals(referrals),
        _review(days, completed_on),
        f"Rule set {output.get('ruleset_version', '')}; advisory only, clinical judgement applies.",
    ]
    return "\n".join(_line(line) for line in lines)


def for_consultation(consultation: Consultation) -> str:
    return record_note(
        consultation.engine_output or {},
        timezone.localdate(consultation.completed_at),
        prescribed_for(consultation),
    )
