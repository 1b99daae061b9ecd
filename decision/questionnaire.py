"""The questionnaire, declared once (clinical/README.md § 1; contract.md § Input).

Every question is one `Question`: its linkId (also the form field's name), text and help, type,
answer options, when it applies (`When`, FHIR's enableWhen), where its answer is stored (a path in
the engine-shaped answers, or `extras.` for the questionnaire's own helpers) and how the answer
reads on the check-answers page. Steps hold their questions in page order, inside groups (a
fieldset, or only a part of the page that htmx redraws), beside display text and live panels.

Derived from this, and nowhere written again: the Django form of each step (decision/forms.py),
the engine answers and initial data, the check-answers rows (decision/steps.py) and the FHIR
Questionnaire and QuestionnaireResponse (decision/fhir/). A new question is one entry here.
No Django import: the declaration is plain data with small pure helpers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from itertools import pairwise
from typing import Any

from decision import labels
from decision.engine import (
    ADHERENCE,
    OTHER_FACTORS,
    POTENCIES,
    RED_FLAGS,
    SEVERITIES,
    SITES,
    TRIED_KEYS,
    TRIED_OUTCOMES,
)
from decision.engine.knowledge import potency_label, products, severity_aids, tcs_agent_map

# contract.md § Input ranges.
AGE_MONTHS_MAX = 1440
WEEKS_MAX = 520
GRAMS_PER_WEEK_MAX = 2000
APPLICATIONS_PER_DAY_MAX = 4

# Conditional questions: asked only from the age at which a rule consumes them (README § 1:
# "only ask what the rules consume"). Pregnancy: not under 10 years (README § 1). Liver
# impairment only excludes roflumilast, so it is asked from roflumilast's youngest licensed age.
PREGNANCY_QUESTION_FROM_MONTHS = 120
LIVER_QUESTION_FROM_MONTHS = min(
    row["min_age_months"] for row in products().values() if row["id"].startswith("roflumilast")
)

EXTRAS = "extras"
NOT_RECORDED = "Not recorded"


def format_age(age_months: int | None) -> str:
    if age_months is None:
        return ""
    years, months = divmod(age_months, 12)
    parts = []
    if years:
        parts.append(f"{years} year{'s' if years != 1 else ''}")
    if months or not years:
        parts.append(f"{months} month{'s' if months != 1 else ''}")
    return " ".join(parts)


# ---------------------------------------------------------------------------------- the shapes
@dataclass(frozen=True)
class Option:
    code: str
    label: str
    # How the answer reads on the check-answers page, when shorter than the label.
    short: str = ""
    # A heading the option is listed under (an <optgroup>).
    group: str = ""
    # The option's score (POEM), for the FHIR ordinalValue and the calculated total.
    score: int | None = None
    # Kept for records made before it was withdrawn: accepted and shown when it is the answer,
    # never offered.
    legacy: bool = False


@dataclass(frozen=True)
class When:
    """FHIR enableWhen: the item applies when the answer to `question` compares so to `answer`.

    `refused` and `unasked` are the messages for a box that is ticked while it does not apply
    (it stays on the page, so it can be unticked) and for one that applies but was not on the page
    (the answer changed since): a missing tick cannot be told from "no", so it is asked.
    """

    question: str
    operator: str  # ">=" or "!="
    answer: Any
    refused: str = ""
    unasked: str = ""

    def holds(self, value: Any) -> bool | None:
        """Whether the item applies for this answer; None while the answer is not known."""
        if value is None or value == "":
            return None
        if self.operator == ">=":
            return value >= self.answer
        return value != self.answer


def from_age(months: int) -> When:
    return When(
        "age_months",
        ">=",
        months,
        refused=f"This applies only from {format_age(months)} of age: "
        "untick it or correct the age.",
        unasked="This question applies at this age: answer it, then continue.",
    )


@dataclass(frozen=True)
class Question:
    link_id: str
    text: str
    # boolean | choice | multiple | integer | decimal | string (FHIR's types; multiple = repeats)
    type: str
    # Where the answer is kept: a dotted path in the consultation's answers (a number indexes a
    # list), or None for a model column of the same name (the clinic reference).
    path: str | None
    # checkbox | yes_no | radios | checkboxes | select | number | text | years_months
    widget: str
    # Where records made before the path changed keep the answer (read only).
    former_path: str | None = None
    help: str = ""
    options: tuple[Option, ...] = ()
    # The message when the question applies and has no answer; empty when it is optional.
    required: str = ""
    minimum: int | None = None
    maximum: int | None = None
    decimals: int = 0
    max_length: int | None = None
    # The message for an answer that is not a number or is out of range.
    invalid: str = ""
    # Stored when left blank (optional questions), and when the question does not apply.
    blank: Any = None
    off: Any = None
    # Chosen on a new form; a select's empty first choice.
    initial: Any = None
    placeholder: str = ""
    when: When | None = None
    # The check-answers row: its label (else `text`), what a blank answer reads as (None: no
    # row), how a number reads (a format with {value}), and whether the question has a row at all.
    row: str = ""
    unanswered: str | None = NOT_RECORDED
    number_format: str = "{value:g}"
    summary: bool = True
    # Extra normalisation and checks of a given answer: returns the value or raises ValueError.
    clean: Callable[[Any], Any] | None = None
    # Input width class and attributes (decision/widgets.html).
    css: str = ""
    autocomplete: str = ""
    # A template that wraps the widget (a region htmx redraws, with its own id).
    template: str = ""

    @property
    def scored(self) -> bool:
        return bool(self.options) and self.options[0].score is not None

    @property
    def options_by_code(self) -> dict[str, Option]:
        return {option.code: option for option in self.options}


@dataclass(frozen=True)
class Calculated:
    """A read-only score worked out from other answers (FHIR SDC calculatedExpression)."""

    link_id: str
    text: str
    # The items summed (each answer's option score).
    of: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    """Questions together: a fieldset with a legend, or (`part_of_page`) only a part of the page,
    such as a region htmx redraws or a row of columns, which FHIR does not see."""

    link_id: str
    text: str
    items: tuple[Any, ...]
    when: When | None = None
    template: str = ""
    part_of_page: bool = False
    score: Calculated | None = None


@dataclass(frozen=True)
class Display:
    """A sentence shown among the questions (FHIR display item)."""

    link_id: str
    text: str


@dataclass(frozen=True)
class Panel:
    """A live panel beside the questions (decision/panels.py, decision/panels.html#name)."""

    name: str


Item = Question | Group | Display | Panel


@dataclass(frozen=True)
class Step:
    slug: str
    number: int
    title: str
    # Why the step is asked, shown under the heading (README § 1 "Why" column).
    intro: str
    items: tuple[Item, ...] = ()
    # Live panels (decision/panels.py) that htmx refreshes on this step.
    panels: tuple[str, ...] = ()
    # Parts of the form that htmx redraws as answers change (partials in decision/panels.html).
    regions: tuple[str, ...] = ()

    @property
    def has_questions(self) -> bool:
        return bool(self.items)

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        return tuple(question for question, _ in walk(self.items))

    @cached_property
    def conditions(self) -> dict[str, tuple[When, ...]]:
        """Each question's conditions: its own and its groups'."""
        return {question.link_id: conditions for question, conditions in walk(self.items)}

    def applies(self, question: Question, values: Mapping[str, Any]) -> bool | None:
        """Whether a question applies, given the answers it depends on (link id → value); None
        while one of them is not known."""
        verdict: bool | None = True
        for condition in self.conditions[question.link_id]:
            holds = condition.holds(values.get(condition.question))
            if holds is False:
                return False
            if holds is None:
                verdict = None
        return verdict

    @property
    def answer_keys(self) -> tuple[str, ...]:
        """The top-level answer keys this step writes: answered when all of them exist."""
        keys: dict[str, None] = {}
        for question in self.questions:
            if question.path and not question.path.startswith(f"{EXTRAS}."):
                keys[question.path.split(".")[0]] = None
        return tuple(keys)

    def is_answered(self, answers: Mapping[str, Any]) -> bool:
        return self.has_questions and all(key in answers for key in self.answer_keys)


def walk(
    items: tuple[Item, ...], conditions: tuple[When, ...] = ()
) -> Iterator[tuple[Question, tuple[When, ...]]]:
    """Every question in page order, with the conditions it and its groups carry."""
    for item in items:
        if isinstance(item, Question):
            yield item, conditions + ((item.when,) if item.when else ())
        elif isinstance(item, Group):
            yield from walk(item.items, conditions + ((item.when,) if item.when else ()))


# ------------------------------------------------------------------------------------ choices
def _options(codes: tuple[str, ...], names: Mapping[str, str]) -> tuple[Option, ...]:
    return tuple(Option(code, names[code]) for code in codes)


def _agent_options() -> tuple[Option, ...]:
    """The agents by engine potency, each with its own UK group beside it (knowledge.md § potency:
    a UK group belongs to an agent, never to an engine level)."""
    return tuple(
        Option(
            agent.id,
            f"{agent.label} ({agent.uk_label})" if agent.uk_label else agent.label,
            group=f"{labels.POTENCIES_SHORT[potency]} potency",
            legacy=agent.legacy,
        )
        for potency in POTENCIES[1:]
        for agent in tcs_agent_map().values()
        if agent.potency == potency
    )


def _potency_options() -> tuple[Option, ...]:
    """The engine's levels, named by their US classes only (knowledge.md § potency)."""
    return tuple(
        Option(
            code,
            "None: no topical steroid is being used" if code == "none" else potency_label(code),
            short=labels.POTENCIES_SHORT[code],
        )
        for code in POTENCIES
    )


def _poem_questions() -> tuple[Question, ...]:
    aids = severity_aids()["poem"]
    options = tuple(
        Option(str(score), f"{score}: {text}", short=text, score=score)
        for score, text in enumerate(aids["answers"])
    )
    return tuple(
        Question(
            f"poem_{number}",
            f"{number}. {text}",
            "choice",
            f"{EXTRAS}.poem.{number - 1}",
            "select",
            options=options,
            placeholder="—",
            summary=False,
        )
        for number, text in enumerate(aids["items"], start=1)
    )


# -------------------------------------------------------------------------- validation helpers
REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/#-]*$")
DATE_LIKE_RE = re.compile(r"\d{1,4}\s*[./-]\s*\d{1,2}\s*[./-]\s*\d{1,4}")
NHS_NUMBER_RE = re.compile(r"^\d{10}$")
# A first name and a surname ("John Smith"): two or more words of letters only. A clinic's codes
# carry a digit or a joining character ("BED 7", "DERM-A").
NAME_LIKE_RE = re.compile(r"^[A-Za-z'.]+(?: [A-Za-z'.]+)+$")


def clean_reference(value: str) -> str:
    """A clinic-local reference: never a date of birth, an NHS number or a name."""
    value = " ".join(value.split())
    if DATE_LIKE_RE.search(value):
        raise ValueError(
            "This looks like a date. Use the clinic's own reference, never a date of birth."
        )
    if NHS_NUMBER_RE.match(value.replace(" ", "")):
        raise ValueError("This looks like an NHS number. Use the clinic's own reference instead.")
    if NAME_LIKE_RE.match(value):
        raise ValueError("This looks like a name. Use the clinic's own reference instead.")
    if not REFERENCE_RE.match(value):
        raise ValueError("Use letters, numbers, spaces and . _ / # - only (no names).")
    return value


def _flag(name: str, names: Mapping[str, str], path: str, **extra: Any) -> Question:
    return Question(name, names[name], "boolean", path, "checkbox", blank=False, **extra)


POTENCY_USED = When("potency", "!=", "none")

# --------------------------------------------------------------------------------- the steps
STEPS: tuple[Step, ...] = (
    Step(
        "patient",
        1,
        "Patient",
        "Age and conditions that change which treatments are licensed or safe.",
        items=(
            Question(
                "patient_reference",
                "Clinic reference",
                "string",
                None,
                "text",
                help="The clinic's own reference for this patient. No names, no dates of birth, "
                "no NHS numbers.",
                required="Enter the clinic reference",
                max_length=30,
                clean=clean_reference,
                css="input-reference",
                autocomplete="off",
            ),
            Question(
                "age_months",
                "Age",
                "integer",
                "age_months",
                "years_months",
                required="Enter the age in years (0 for a baby under 1)",
                minimum=0,
                maximum=AGE_MONTHS_MAX,
                template="decision/panels.html#age",
            ),
            Group(
                "patient_flags",
                "Tick any that apply",
                (
                    _flag("immunocompromised", labels.PATIENT_FLAGS, "immunocompromised"),
                    _flag("barrier_disorder", labels.PATIENT_FLAGS, "barrier_disorder"),
                    _flag("on_phototherapy", labels.PATIENT_FLAGS, "on_phototherapy"),
                    Group(
                        "conditional",
                        "",
                        (
                            _flag(
                                "pregnant_or_breastfeeding",
                                labels.PATIENT_FLAGS,
                                "pregnant_or_breastfeeding",
                                help=f"Asked from age {PREGNANCY_QUESTION_FROM_MONTHS // 12}.",
                                when=from_age(PREGNANCY_QUESTION_FROM_MONTHS),
                                off=False,
                            ),
                            _flag(
                                "liver_impairment",
                                labels.PATIENT_FLAGS,
                                "liver_impairment",
                                help=f"Asked from age {LIVER_QUESTION_FROM_MONTHS // 12}.",
                                when=from_age(LIVER_QUESTION_FROM_MONTHS),
                                off=False,
                            ),
                        ),
                        template="decision/panels.html#conditional_questions",
                        part_of_page=True,
                    ),
                ),
            ),
        ),
        regions=("conditional",),
    ),
    Step(
        "safety",
        2,
        "Safety screen",
        "Red flags come first: they override every other step.",
        items=(
            Group(
                "red_flags",
                "Tick any that apply today. Leave all unticked if none do.",
                tuple(
                    _flag(
                        name,
                        labels.RED_FLAGS,
                        f"red_flags.{name}",
                        help=labels.RED_FLAG_HINTS[name],
                    )
                    for name in RED_FLAGS
                ),
            ),
            Panel("red_flag_panel"),
        ),
        panels=("red_flags",),
    ),
    Step(
        "eczema",
        3,
        "Eczema today",
        "Severity drives the next step; the sites drive potency and product choice.",
        items=(
            Group(
                "severity_with_aids",
                "",
                (
                    Question(
                        "severity",
                        "Severity today",
                        "choice",
                        "severity",
                        "radios",
                        help="Your judgement counts. The descriptors and the POEM score only help.",
                        options=_options(SEVERITIES, labels.SEVERITIES),
                        required="Choose the severity: mild, moderate or severe",
                        row="Severity",
                    ),
                    Panel("severity_aids"),
                ),
                template="decision/widgets.html#beside",
                part_of_page=True,
            ),
            Group(
                "poem",
                "POEM (optional): the patient's or parent's view of the last week",
                _poem_questions(),
                template="decision/panels.html#poem_calculator",
                score=Calculated(
                    "poem_total", "POEM total (0–28)", tuple(f"poem_{n}" for n in range(1, 8))
                ),
            ),
            Question(
                "sites",
                "Affected sites",
                "multiple",
                "sites",
                "checkboxes",
                help="Tick every site with active eczema.",
                options=_options(SITES, labels.SITES),
                required="Tick at least one affected site",
            ),
            Group(
                "bsa_with_aid",
                "",
                (
                    Question(
                        "bsa_percent",
                        "Body surface area affected (%)",
                        "decimal",
                        "bsa_percent",
                        "number",
                        help="Optional: the amount of cream follows it. Leave blank if not "
                        "estimated: the amount is then given as “up to” that for the whole "
                        "regions.",
                        minimum=0,
                        maximum=100,
                        decimals=1,
                        invalid="Enter the body surface area as a number from 0 to 100",
                        row="Body surface area",
                        unanswered="Not estimated",
                        number_format="{value:g} %",
                        css="input-number",
                    ),
                    Panel("bsa_aid"),
                ),
                template="decision/widgets.html#beside",
                part_of_page=True,
            ),
            Question(
                "sleep_loss_nights_per_week",
                "Nights of sleep lost to eczema per week",
                "integer",
                "sleep_loss_nights_per_week",
                "number",
                help="0–7. Leave blank for 0.",
                minimum=0,
                maximum=7,
                invalid="Enter the nights as a whole number from 0 to 7",
                blank=0,
                row="Nights of sleep lost per week",
                css="input-number",
            ),
            _flag(
                "major_life_impact",
                {"major_life_impact": "Major impact on school, work or relationships"},
                "major_life_impact",
            ),
        ),
        panels=("poem",),
    ),
    Step(
        "treatment",
        4,
        "Current treatment",
        "Was the topical steroid trial adequate? Escalation only follows an adequate trial.",
        items=(
            Question(
                "tcs_agent",
                "Topical corticosteroid used",
                "choice",
                "current_tcs.agent",
                "select",
                # Rule set 2026.11 kept it among the helpers: completed records still do.
                former_path=f"{EXTRAS}.tcs_agent",
                help="Choosing an agent fills in its potency. Or choose the potency directly.",
                options=_agent_options(),
                placeholder="Choose an agent (optional)",
                row="Topical corticosteroid",
                unanswered=None,
                template="decision/panels.html#tcs_agent",
            ),
            Question(
                "potency",
                "Potency",
                "choice",
                "current_tcs.potency",
                "radios",
                options=_potency_options(),
                required="Choose the steroid used or its potency (choose None if no steroid is "
                "used)",
                template="decision/panels.html#tcs_potency",
            ),
            Group(
                "course",
                "The current course",
                (
                    Question(
                        "applications_per_day",
                        "Applications per day",
                        "integer",
                        "current_tcs.applications_per_day",
                        "number",
                        help="0–4.",
                        required="Enter how many times a day the steroid is applied",
                        minimum=0,
                        maximum=APPLICATIONS_PER_DAY_MAX,
                        invalid="Enter the applications per day as a whole number from 0 to 4",
                        off=0,
                    ),
                    Question(
                        "weeks",
                        "Weeks of the current course",
                        "decimal",
                        "current_tcs.weeks",
                        "number",
                        help="For example 3, or 1.5 for ten days.",
                        required="Enter how many weeks the current course has lasted",
                        minimum=0,
                        maximum=WEEKS_MAX,
                        decimals=1,
                        invalid="Enter the weeks as a number from 0 to 520",
                        off=0,
                    ),
                    Question(
                        "adherence",
                        "Adherence",
                        "choice",
                        "current_tcs.adherence",
                        "radios",
                        options=tuple(
                            Option(code, text, short=text.split(":")[0])
                            for code, text in labels.ADHERENCE.items()
                            if code in ADHERENCE
                        ),
                        required="Choose how well the steroid has been used",
                        off="good",
                    ),
                    Question(
                        "grams_per_week",
                        "Grams used per week",
                        "decimal",
                        "current_tcs.grams_per_week",
                        "number",
                        help="Optional: from the tubes used. Leave blank if not known.",
                        minimum=0,
                        maximum=GRAMS_PER_WEEK_MAX,
                        decimals=1,
                        invalid="Enter the grams per week as a number from 0 to 2000",
                    ),
                ),
                # No steroid in use: the course questions do not apply (TCS_NOT_USED is then the
                # only adequacy reason, README § 3 stage C).
                when=POTENCY_USED,
                template="decision/panels.html#tcs_course",
            ),
            Panel("adequacy_panel"),
            Group(
                "skin_care",
                "Skin care",
                (
                    Question(
                        "emollients_daily",
                        "Are emollients used every day?",
                        "boolean",
                        "emollients_daily",
                        "yes_no",
                        required="Answer whether emollients are used every day",
                        row="Emollients every day",
                    ),
                    _flag(
                        "steroid_concerns",
                        {"steroid_concerns": "The patient or family worries about using steroids"},
                        "steroid_concerns",
                        row="Worries about steroids",
                    ),
                ),
            ),
        ),
        panels=("adequacy",),
        regions=("potency", "course"),
    ),
    Step(
        "tried",
        5,
        "Treatments tried",
        "Treatments that failed or were not tolerated are not offered again.",
        items=(
            Display(
                "tried_hint",
                "Only what failed or was not tolerated changes the recommendation; leave the "
                "rest as “Not tried”.",
            ),
            *(
                Question(
                    key,
                    labels.TRIED[key],
                    "choice",
                    f"tried.{key}",
                    "select",
                    options=_options(TRIED_OUTCOMES, labels.TRIED_OUTCOMES),
                    required=f"Choose an outcome for {labels.TRIED[key].lower()}",
                    initial="not_tried",
                )
                for key in TRIED_KEYS
            ),
        ),
    ),
    Step(
        "other",
        6,
        "Other factors",
        "These add actions and referrals.",
        items=(
            Group(
                "other_factors",
                "Tick any that apply. Leave all unticked if none do.",
                tuple(
                    _flag(key, labels.OTHER_FACTORS, key, help=labels.OTHER_FACTOR_HINTS[key])
                    for key in OTHER_FACTORS
                ),
            ),
        ),
    ),
    Step(
        "check",
        7,
        "Check your answers",
        "Check every answer, change any that are wrong, then complete the consultation.",
    ),
)

# Every question by link id, with its conditions and its step.
QUESTIONS: dict[str, Question] = {}
CONDITIONS: dict[str, tuple[When, ...]] = {}
STEP_OF: dict[str, Step] = {}
for _step in STEPS:
    CONDITIONS.update(_step.conditions)
    for _question in _step.questions:
        QUESTIONS[_question.link_id] = _question
        STEP_OF[_question.link_id] = _step


# ----------------------------------------------------------------------------- the review visit
# A review visit (issue 13) starts from a completed consultation: it asks what changed since, and
# today's red flags (always: never copied), severity, sites, body surface area and POEM; every
# other answer is copied (decision/followup.py). Its own three answers are stored among the
# helpers (`extras.review`), never in the engine's input. Declared apart from STEPS, so the
# first consultation, its check-answers page and the FHIR Questionnaire stay as they are.
REVIEW_FOLLOWED = (
    Option("yes", "Yes, as advised", short="Yes"),
    Option(
        "partly",
        "Partly: some applications missed, too little used, or stopped early",
        short="Partly",
    ),
    Option("no", "No: it was not started", short="Not started"),
)
REVIEW_RESPONSE = (
    Option("clear", "Clear or almost clear"),
    Option("better", "Better"),
    Option("no_change", "No change"),
    Option("worse", "Worse"),
)
REVIEW_SIDE_EFFECTS = (
    Option("none", "None"),
    Option("tolerated", "Some, and the treatment was continued", short="Some (continued)"),
    Option("stopped", "Stopped because of side effects", short="Stopped for side effects"),
)
REVIEW = Step(
    "review",
    0,
    "Since the last visit",
    "Was the last step followed, and did it work?",
    items=(
        Group(
            "since_last_visit",
            "Since the last visit",
            (
                Question(
                    "review_followed",
                    "Was the last step followed?",
                    "choice",
                    f"{EXTRAS}.review.followed",
                    "radios",
                    options=REVIEW_FOLLOWED,
                    required="Answer whether the last step was followed",
                    row="Last step followed",
                ),
                Question(
                    "review_response",
                    "How is the eczema since the last visit?",
                    "choice",
                    f"{EXTRAS}.review.response",
                    "radios",
                    options=REVIEW_RESPONSE,
                    required="Choose how the eczema has responded",
                    row="Response",
                ),
                Question(
                    "review_side_effects",
                    "Side effects of the last step's treatment",
                    "choice",
                    f"{EXTRAS}.review.side_effects",
                    "radios",
                    options=REVIEW_SIDE_EFFECTS,
                    required="Choose whether there were side effects",
                    row="Side effects",
                ),
            ),
        ),
    ),
)


def _top_items(slug: str, *names: str) -> tuple[Item, ...]:
    """Items of a declared step, by link id (or panel name), reused as they are declared."""
    step = next(step for step in STEPS if step.slug == slug)
    found = {getattr(item, "link_id", getattr(item, "name", "")): item for item in step.items}
    return tuple(found[name] for name in names)


# The review visit's one page: the review questions, then today's red flags and eczema.
REVIEW_PAGE = Step(
    "review",
    0,
    "Review visit",
    "What changed since the last visit. Red flags are asked again; severity, sites and body "
    "surface area start as last time (change what differs); POEM is today's.",
    items=(
        *REVIEW.items,
        Group(
            "red_flags_today",
            "Red flags today",
            _top_items("safety", "red_flags", "red_flag_panel"),
        ),
        Group(
            "eczema_today",
            "Eczema today",
            _top_items("eczema", "severity_with_aids", "poem", "sites", "bsa_with_aid"),
        ),
    ),
    panels=("red_flags", "poem"),
)


# ------------------------------------------------------------------------- answers in and out
def _key(part: str) -> str | int:
    return int(part) if part.isdigit() else part


def get_path(answers: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path (None when any part is missing)."""
    value: Any = answers
    for part in path.split("."):
        key = _key(part)
        if isinstance(key, int):
            value = value[key] if isinstance(value, list) and key < len(value) else None
        elif isinstance(value, Mapping):
            value = value.get(key)
        else:
            return None
    return value


def set_path(target: dict[str, Any], path: str, value: Any) -> None:
    """Put a value at a dotted path, making the dicts and lists on the way."""
    parts = [_key(part) for part in path.split(".")]
    node: Any = target
    for part, following in pairwise(parts):
        child = _child(node, part)
        if child is None:
            child = [] if isinstance(following, int) else {}
            _put(node, part, child)
        node = child
    _put(node, parts[-1], value)


def _child(node: Any, key: str | int) -> Any:
    if isinstance(key, int):
        return node[key] if key < len(node) else None
    return node.get(key)


def _put(node: Any, key: str | int, value: Any) -> None:
    if isinstance(key, int):
        node.extend([None] * (key + 1 - len(node)))
    node[key] = value


def stored(question: Question, answers: Mapping[str, Any], columns: Mapping[str, Any]) -> Any:
    if question.path is None:
        return columns.get(question.link_id)
    value = get_path(answers, question.path)
    if value is None and question.former_path:
        value = get_path(answers, question.former_path)
    return value


def columns_of(record: Any) -> dict[str, Any]:
    """The answers a consultation keeps in its own columns (the clinic reference)."""
    return {
        link_id: getattr(record, link_id)
        for link_id, question in QUESTIONS.items()
        if question.path is None
    }


def stored_values(answers: Mapping[str, Any], columns: Mapping[str, Any]) -> dict[str, Any]:
    """Every question's stored answer by link id (None where there is none)."""
    return {link_id: stored(question, answers, columns) for link_id, question in QUESTIONS.items()}


def plain_number(value: Any) -> Any:
    """JSON-friendly number: whole values as int, so 3 weeks is stored as 3, not 3.0."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def engine_answers(step: Step, values: Mapping[str, Any]) -> tuple[dict, dict]:
    """A step's validated answers (link id → value, every question) as (answers, extras).

    Blank answers become the question's `blank`, answers that do not apply its `off`; several
    choices keep the option order (the contract's order, whatever order the browser sent); a list
    of helper answers that has none at all is stored as null.
    """
    answers: dict[str, Any] = {}
    for question in step.questions:
        if question.path is None:
            continue
        value = values.get(question.link_id)
        if step.applies(question, values) is False:
            value = question.off
        elif value is None or value == "" or value == []:
            value = question.blank
        elif question.type == "boolean":
            value = bool(value)
        elif question.type == "multiple":
            value = [option.code for option in question.options if option.code in value]
        elif (
            question.type == "choice" and question.options and question.options[0].score is not None
        ):
            value = int(value)
        else:
            value = plain_number(value)
        set_path(answers, question.path, value)
    extras = answers.pop(EXTRAS, {})
    for key, value in extras.items():
        if isinstance(value, list) and all(item is None for item in value):
            extras[key] = None
    return answers, extras


def initial_values(
    step: Step, answers: Mapping[str, Any], columns: Mapping[str, Any]
) -> dict[str, Any]:
    """The stored answers of a step (link id → value), for the questions that apply."""
    values = stored_values(answers, columns)
    initial = {}
    for question in step.questions:
        value = stored(question, answers, columns)
        if step.applies(question, values) is False:
            continue
        if value is None:
            value = question.initial
        if value is not None:
            initial[question.link_id] = value
    return initial


# ------------------------------------------------------------------------- check your answers
@dataclass(frozen=True)
class SummaryRow:
    """One "check your answers" row; `anchor` is the id of the field the Change link jumps to."""

    label: str
    value: str
    anchor: str


def anchor(question: Question) -> str:
    """The id of the question's first input (the target of links to it)."""
    if question.widget == "years_months":
        return f"id_{years_months_names(question)[0]}"
    if question.widget in ("radios", "checkboxes", "yes_no"):
        return f"id_{question.link_id}_0"
    return f"id_{question.link_id}"


def years_months_names(question: Question) -> tuple[str, str]:
    """An age asked as years and months: age_months → inputs age_years and age_extra_months."""
    stem = question.link_id.removesuffix("_months")
    return f"{stem}_years", f"{stem}_extra_months"


def reads(question: Question, value: Any) -> str | None:
    """How an answer reads on the check-answers page (None: no row)."""
    if question.type == "boolean":
        return "Yes" if value else "No"
    if value is None or value == "" or value == []:
        return question.unanswered
    if question.widget == "years_months":
        return format_age(value)
    if question.type in ("choice", "multiple"):
        by_code = question.options_by_code
        codes = value if isinstance(value, list) else [value]
        return ", ".join(
            (by_code[code].short or by_code[code].label) if code in by_code else str(code)
            for code in codes
        )
    if question.type in ("integer", "decimal"):
        return question.number_format.format(value=value)
    return str(value)


def summary_rows(
    step: Step, answers: Mapping[str, Any], columns: Mapping[str, Any]
) -> list[SummaryRow]:
    values = stored_values(answers, columns)
    rows = []
    for question in step.questions:
        if not question.summary or step.applies(question, values) is False:
            continue
        value = stored(question, answers, columns)
        if value is None:
            value = question.initial
        text = reads(question, value)
        if text is not None:
            rows.append(SummaryRow(question.row or question.text, text, anchor(question)))
    return rows
