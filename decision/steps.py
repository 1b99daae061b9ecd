"""Walking the questionnaire on the site: the steps in order, their URLs and the answers table.

The steps themselves are declared in decision/questionnaire.py (clinical/README.md § 1). This
module sits below both the step views and the printed documents: both read the answers table and
step URLs from here.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse

from decision import questionnaire
from decision.questionnaire import STEPS, Step

FIRST = STEPS[0]
CHECK = STEPS[-1]
_BY_SLUG = {step.slug: step for step in STEPS}

__all__ = ["CHECK", "FIRST", "STEPS", "Step"]


def get_step(slug: str) -> Step:
    try:
        return _BY_SLUG[slug]
    except KeyError:
        raise Http404("No such step") from None


def question_steps(answers: dict[str, Any] | None = None) -> list[Step]:
    """The steps with questions, in order."""
    return [step for step in STEPS if step.has_questions]


def first_unanswered(answers: dict[str, Any]) -> Step:
    """Where a resumed consultation continues: the first step not answered, else the check."""
    for step in question_steps(answers):
        if not step.is_answered(answers):
            return step
    return CHECK


def unanswered(answers: dict[str, Any]) -> list[Step]:
    return [step for step in question_steps(answers) if not step.is_answered(answers)]


def next_after(step: Step, answers: dict[str, Any]) -> Step:
    later = [s for s in question_steps(answers) if s.number > step.number]
    return later[0] if later else CHECK


def previous_before(step: Step, answers: dict[str, Any]) -> Step | None:
    earlier = [s for s in question_steps(answers) if s.number < step.number]
    return earlier[-1] if earlier else None


def step_for_path(path: str) -> Step:
    """The step that asks about an engine field path such as ``current_tcs.weeks``."""
    key = path.split(".")[0].split("[")[0]
    for step in question_steps():
        if key in step.answer_keys:
            return step
    return CHECK


def step_url(consultation: Any, step: Step) -> str:
    if consultation is None:
        return reverse("consultation_new")
    return reverse("consultation_step", args=[consultation.pk, step.slug])


def answer_sections(consultation: Any, change_links: bool) -> list[dict[str, Any]]:
    """The answers given, one section per step with questions, as the check-answers page, the
    result page and the clinician summary show them (Change links only on a draft's)."""
    answers = consultation.answers
    columns = questionnaire.columns_of(consultation)
    sections = []
    if getattr(consultation, "review_of_id", None):
        # A review visit: what changed since the last visit comes first (its own page).
        url = reverse("consultation_review", args=[consultation.review_of_id])
        rows = questionnaire.summary_rows(questionnaire.REVIEW, answers, columns)
        sections.append(
            {
                "step": questionnaire.REVIEW,
                "answered": True,
                "url": url,
                "rows": [
                    {
                        "label": row.label,
                        "value": row.value,
                        "change_url": f"{url}#{row.anchor}" if change_links else "",
                    }
                    for row in rows
                ],
            }
        )
    for step in question_steps(answers):
        answered = step.is_answered(answers)
        rows = questionnaire.summary_rows(step, answers, columns) if answered else []
        url = step_url(consultation, step)
        sections.append(
            {
                "step": step,
                "answered": answered,
                "url": f"{url}?return=check",
                "rows": [
                    {
                        "label": row.label,
                        "value": row.value,
                        "change_url": f"{url}?return=check#{row.anchor}" if change_links else "",
                    }
                    for row in rows
                ],
            }
        )
    return sections
