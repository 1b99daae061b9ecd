"""The questionnaire: seven steps in the order of clinical/README.md § 1 (the checkpoints table)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404

from decision import forms


def _always(answers: dict[str, Any]) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    slug: str
    number: int
    title: str
    # Why the step is asked, shown under the heading (README § 1 "Why" column).
    intro: str
    form_class: type[forms.StepForm] | None
    applies: Callable[[dict[str, Any]], bool] = _always
    # Live panels (decision/panels.py) shown on this step.
    panels: tuple[str, ...] = ()
    # Parts of the form that htmx redraws as answers change (partials in decision/panels.html).
    regions: tuple[str, ...] = ()

    def is_answered(self, answers: dict[str, Any]) -> bool:
        return self.form_class is not None and self.form_class.is_answered(answers)


STEPS: tuple[Step, ...] = (
    Step(
        "patient",
        1,
        "Patient",
        "Age and conditions that change which treatments are licensed or safe.",
        forms.PatientForm,
        regions=("conditional",),
    ),
    Step(
        "safety",
        2,
        "Safety screen",
        "Red flags come first: they override every other step.",
        forms.SafetyForm,
        panels=("red_flags",),
    ),
    Step(
        "eczema",
        3,
        "Eczema today",
        "Severity drives the next step; the sites drive potency and product choice.",
        forms.EczemaForm,
        panels=("poem",),
    ),
    Step(
        "treatment",
        4,
        "Current treatment",
        "Was the topical steroid trial adequate? Escalation only follows an adequate trial.",
        forms.TreatmentForm,
        panels=("adequacy",),
        regions=("potency", "course"),
    ),
    Step(
        "tried",
        5,
        "Treatments tried",
        "Treatments that failed or were not tolerated are not offered again.",
        forms.TriedForm,
    ),
    Step(
        "other",
        6,
        "Other factors",
        "These add actions and referrals.",
        forms.OtherFactorsForm,
    ),
    Step(
        "check",
        7,
        "Check your answers",
        "Check every answer, change any that are wrong, then complete the consultation.",
        None,
    ),
)
FIRST = STEPS[0]
CHECK = STEPS[-1]
_BY_SLUG = {step.slug: step for step in STEPS}


def get_step(slug: str) -> Step:
    try:
        return _BY_SLUG[slug]
    except KeyError:
        raise Http404("No such step") from None


def question_steps(answers: dict[str, Any]) -> list[Step]:
    """The steps with questions that apply to these answers, in order."""
    return [step for step in STEPS if step.form_class is not None and step.applies(answers)]


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
    for step in question_steps({}):
        if key in step.form_class.answer_keys:
            return step
    return CHECK
