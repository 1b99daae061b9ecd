"""One form per questionnaire step (clinical/README.md § 1).

Each form validates with the contract's ranges and choices (contract.md § Input), turns its
cleaned data into engine-shaped answers, and can rebuild its initial data from stored answers.
Forms never decide anything clinical: the live panels call the engine (decision/panels.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout
from django import forms

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
from decision.engine.knowledge import products, severity_aids, tcs_agent_map, tcs_agents

# contract.md § Input ranges.
AGE_MONTHS_MAX = 1440
WEEKS_MAX = 520
GRAMS_PER_WEEK_MAX = 2000
APPLICATIONS_PER_DAY_MAX = 4
POEM_ITEMS = 7

# Conditional questions: asked only from the age at which a rule consumes them (README § 1:
# "only ask what the rules consume"). Pregnancy: not under 10 years (README § 1). Liver
# impairment only excludes roflumilast, so it is asked from roflumilast's youngest licensed age.
PREGNANCY_QUESTION_FROM_MONTHS = 120
LIVER_QUESTION_FROM_MONTHS = min(
    row["min_age_months"] for row in products().values() if row["id"].startswith("roflumilast")
)
CONDITIONAL_QUESTIONS = {
    "pregnant_or_breastfeeding": PREGNANCY_QUESTION_FROM_MONTHS,
    "liver_impairment": LIVER_QUESTION_FROM_MONTHS,
}

COURSE_FIELDS = ("applications_per_day", "weeks", "adherence", "grams_per_week")


def _range_errors(message: str) -> dict[str, str]:
    """One plain message for a number that is not a number or is out of range."""
    return {"invalid": message, "min_value": message, "max_value": message}


@dataclass(frozen=True)
class SummaryRow:
    """One "check your answers" row; `field` is the form field the Change link jumps to."""

    label: str
    value: str
    field: str


def _number(value: Decimal | None) -> int | float | None:
    """JSON-friendly number: whole values as int, so 3 weeks is stored as 3, not 3.0."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _lenient_int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _format_number(value: Any) -> str:
    return "Not recorded" if value is None else f"{value:g}"


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


class StepForm(forms.Form):
    """Shared behaviour: crispy helper, answers in and out, error summary, summary rows."""

    # The top-level answer keys this step writes; the step counts as answered when all exist.
    answer_keys: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, answers: dict[str, Any] | None = None, live_url: str = "",
                 **kwargs: Any) -> None:  # fmt: skip
        self.answers = answers or {}
        self.live_url = live_url
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = self.build_layout()

    # -- hooks for subclasses -------------------------------------------------------------------
    def build_layout(self) -> Layout:
        return Layout(*self.fields)

    @classmethod
    def initial_from_answers(cls, answers: dict[str, Any]) -> dict[str, Any]:
        return {}

    @classmethod
    def initial_from(cls, consultation: Any) -> dict[str, Any]:
        """Initial data for a step already answered (or nothing for a new consultation)."""
        return cls.initial_from_answers(consultation.answers) if consultation else {}

    def step_answers(self) -> dict[str, Any]:
        raise NotImplementedError

    def step_extras(self) -> dict[str, Any]:
        return {}

    @classmethod
    def summary(cls, answers: dict[str, Any], patient_reference: str = "") -> list[SummaryRow]:
        return []

    @classmethod
    def live_data(cls, data: Any, preview: str) -> Any:
        """The posted data a live preview should use (a hook for linked fields)."""
        return data

    # -- shared --------------------------------------------------------------------------------
    @classmethod
    def is_answered(cls, answers: dict[str, Any]) -> bool:
        return all(key in answers for key in cls.answer_keys)

    def apply_to(self, consultation: Any) -> None:
        consultation.update_answers(self.step_answers(), self.step_extras())

    def valid_values(self) -> dict[str, Any]:
        """The fields that are valid so far (for live panels while the clinician types)."""
        if self.is_bound:
            self.is_valid()
            return dict(self.cleaned_data)
        return dict(self.initial)

    def raw_values(self) -> dict[str, Any]:
        """What was typed, as initial data for a form shown again without error messages."""
        return {
            name: field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            for name, field in self.fields.items()
        }

    def live_attrs(self, preview: str, target: str, trigger: str = "change") -> dict[str, str]:
        """htmx attributes for a region that refreshes `target` from this step's URL."""
        return {
            "hx-post": self.live_url,
            "hx-trigger": trigger,
            "hx-target": target,
            "hx-swap": "outerHTML",
            "hx-vals": f'{{"_preview": "{preview}"}}',
        }

    def anchor_for(self, name: str) -> str:
        if name not in self.fields:
            return "step-form"
        widget = self.fields[name].widget
        suffix = (
            "_0" if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple) else ""
        )
        return f"id_{self.add_prefix(name)}{suffix}"

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor id, message) for every error, in field order, for the summary at the top."""
        items = []
        for name, errors in self.errors.items():
            for message in errors:
                items.append((self.anchor_for(name), message))
        return items


# ------------------------------------------------------------------------------- step 1: patient
REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/#-]*$")
DATE_LIKE_RE = re.compile(r"\d{1,4}\s*[./-]\s*\d{1,2}\s*[./-]\s*\d{1,4}")
NHS_NUMBER_RE = re.compile(r"^\d{10}$")


class PatientForm(StepForm):
    answer_keys = (
        "age_months",
        "immunocompromised",
        "pregnant_or_breastfeeding",
        "barrier_disorder",
        "on_phototherapy",
        "liver_impairment",
    )

    patient_reference = forms.CharField(
        label="Clinic reference",
        max_length=30,
        help_text="The clinic's own reference for this patient. No names, no dates of birth, "
        "no NHS numbers.",
        error_messages={"required": "Enter the clinic reference"},
    )
    age_years = forms.IntegerField(
        label="Years",
        min_value=0,
        max_value=AGE_MONTHS_MAX // 12,
        error_messages={
            "required": "Enter the age in years (0 for a baby under 1)",
            "invalid": "Enter the age in years as a whole number",
            "min_value": "Age cannot be negative",
            "max_value": "Age must be 120 years or less",
        },
    )
    age_extra_months = forms.IntegerField(
        label="Months",
        required=False,
        min_value=0,
        max_value=11,
        help_text="Completed months beyond the years (0–11). Leave blank for 0.",
        error_messages=_range_errors("Enter the months as a whole number from 0 to 11"),
    )
    immunocompromised = forms.BooleanField(
        label=labels.PATIENT_FLAGS["immunocompromised"], required=False
    )
    pregnant_or_breastfeeding = forms.BooleanField(
        label=labels.PATIENT_FLAGS["pregnant_or_breastfeeding"],
        required=False,
        help_text="Asked from age 10.",
    )
    barrier_disorder = forms.BooleanField(
        label=labels.PATIENT_FLAGS["barrier_disorder"], required=False
    )
    on_phototherapy = forms.BooleanField(
        label=labels.PATIENT_FLAGS["on_phototherapy"], required=False
    )
    liver_impairment = forms.BooleanField(
        label=labels.PATIENT_FLAGS["liver_impairment"],
        required=False,
        help_text="Asked from age 2.",
    )

    def current_age_months(self) -> int | None:
        """The age as typed (bound) or stored (unbound), or None when not known yet."""
        source = self.data if self.is_bound else self.initial
        years = _lenient_int(source.get("age_years"))
        months_raw = source.get("age_extra_months")
        months = 0 if months_raw in (None, "") else _lenient_int(months_raw)
        if years is None or months is None or years < 0 or not 0 <= months <= 11:
            return None
        return years * 12 + months

    def shown_conditionals(self) -> list[str]:
        """Conditional questions that apply to the current age (all of them while it is unknown).

        A question ticked in a submitted form stays on the page even when the age says it does
        not apply, so that its error can be read and the box unticked.
        """
        age = self.current_age_months()
        return [
            name for name, from_months in CONDITIONAL_QUESTIONS.items()
            if age is None or age >= from_months or (self.is_bound and self.data.get(name))
        ]  # fmt: skip

    def conditional_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.shown_conditionals()]

    def build_layout(self) -> Layout:
        return Layout(
            Field("patient_reference", css_class="input-reference", autocomplete="off"),
            Fieldset(
                "Age",
                Div(
                    Div(Field("age_years", css_class="input-number"), css_class="col-auto"),
                    Div(Field("age_extra_months", css_class="input-number"), css_class="col-auto"),
                    css_class="row g-3",
                    **self.live_attrs("conditional", "#conditional-questions"),
                ),
                css_class="mb-3",
            ),
            Fieldset(
                "Tick any that apply",
                "immunocompromised",
                "barrier_disorder",
                "on_phototherapy",
                HTML('{% include "decision/panels.html#conditional_questions" %}'),
            ),
        )

    def clean_patient_reference(self) -> str:
        value = " ".join(self.cleaned_data["patient_reference"].split())
        if DATE_LIKE_RE.search(value):
            raise forms.ValidationError(
                "This looks like a date. Use the clinic's own reference, never a date of birth."
            )
        if NHS_NUMBER_RE.match(value.replace(" ", "")):
            raise forms.ValidationError(
                "This looks like an NHS number. Use the clinic's own reference instead."
            )
        if not REFERENCE_RE.match(value):
            raise forms.ValidationError(
                "Use letters, numbers, spaces and . _ / # - only (no names)."
            )
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        years, months = cleaned.get("age_years"), cleaned.get("age_extra_months") or 0
        if years is None or "age_extra_months" in self.errors:
            return cleaned
        age_months = years * 12 + months
        if age_months > AGE_MONTHS_MAX:
            self.add_error("age_years", "Age must be 120 years or less")
            return cleaned
        cleaned["age_months"] = age_months
        asked = set(self.data.getlist("asked")) if hasattr(self.data, "getlist") else set()
        for name, from_months in CONDITIONAL_QUESTIONS.items():
            applies = age_months >= from_months
            if applies and name not in asked:
                # The age changed to one where this question applies, but it was not on the
                # page: ask it rather than assume "no".
                self.add_error(name, "This question applies at this age: answer it, then continue.")
            elif not applies and cleaned.get(name):
                self.add_error(
                    name,
                    f"This applies only from {format_age(from_months)} of age: "
                    "untick it or correct the age.",
                )
        return cleaned

    @classmethod
    def initial_from_answers(cls, answers: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        if answers.get("age_months") is not None:
            initial["age_years"], initial["age_extra_months"] = divmod(answers["age_months"], 12)
        for name in cls.answer_keys[1:]:
            if name in answers:
                initial[name] = answers[name]
        return initial

    def step_answers(self) -> dict[str, Any]:
        data = self.cleaned_data
        age_months = data["age_months"]
        answers = {"age_months": age_months}
        for name in self.answer_keys[1:]:
            applies = age_months >= CONDITIONAL_QUESTIONS.get(name, 0)
            answers[name] = bool(data.get(name)) and applies
        return answers

    @classmethod
    def initial_from(cls, consultation: Any) -> dict[str, Any]:
        # The reference is a column, not an answer for the engine.
        initial = super().initial_from(consultation)
        if consultation:
            initial["patient_reference"] = consultation.patient_reference
        return initial

    def apply_to(self, consultation: Any) -> None:
        consultation.patient_reference = self.cleaned_data["patient_reference"]
        super().apply_to(consultation)

    @classmethod
    def summary(cls, answers: dict[str, Any], patient_reference: str = "") -> list[SummaryRow]:
        rows = [
            SummaryRow("Clinic reference", patient_reference, "patient_reference"),
            SummaryRow("Age", format_age(answers.get("age_months")), "age_years"),
        ]
        age = answers.get("age_months") or 0
        for name in cls.answer_keys[1:]:
            if age >= CONDITIONAL_QUESTIONS.get(name, 0):
                rows.append(
                    SummaryRow(labels.PATIENT_FLAGS[name], _yes_no(answers.get(name)), name)
                )
        return rows


# ------------------------------------------------------------------------ step 2: safety screen
class SafetyForm(StepForm):
    answer_keys = ("red_flags",)

    herpeticum_signs = forms.BooleanField(
        label=labels.RED_FLAGS["herpeticum_signs"],
        help_text=labels.RED_FLAG_HINTS["herpeticum_signs"],
        required=False,
    )
    infection_signs = forms.BooleanField(
        label=labels.RED_FLAGS["infection_signs"],
        help_text=labels.RED_FLAG_HINTS["infection_signs"],
        required=False,
    )
    systemically_unwell = forms.BooleanField(
        label=labels.RED_FLAGS["systemically_unwell"],
        help_text=labels.RED_FLAG_HINTS["systemically_unwell"],
        required=False,
    )
    infection_unresponsive = forms.BooleanField(
        label=labels.RED_FLAGS["infection_unresponsive"],
        help_text=labels.RED_FLAG_HINTS["infection_unresponsive"],
        required=False,
    )

    def build_layout(self) -> Layout:
        return Layout(
            Fieldset(
                "Tick any that apply today. Leave all unticked if none do.",
                *RED_FLAGS,
            ),
            HTML('{% include "decision/panels.html#red_flag_panel" %}'),
        )

    @classmethod
    def initial_from_answers(cls, answers: dict[str, Any]) -> dict[str, Any]:
        return dict(answers.get("red_flags") or {})

    def step_answers(self) -> dict[str, Any]:
        return {"red_flags": {name: bool(self.cleaned_data.get(name)) for name in RED_FLAGS}}

    @classmethod
    def summary(cls, answers: dict[str, Any], patient_reference: str = "") -> list[SummaryRow]:
        flags = answers.get("red_flags") or {}
        return [
            SummaryRow(labels.RED_FLAGS[name], _yes_no(flags.get(name)), name) for name in RED_FLAGS
        ]


# ------------------------------------------------------------------------- step 3: eczema today
def _poem_choices() -> list[tuple[str, str]]:
    answers = severity_aids()["poem"]["answers"]
    return [("", "—")] + [(str(score), f"{score}: {text}") for score, text in enumerate(answers)]


class EczemaForm(StepForm):
    answer_keys = (
        "severity",
        "sites",
        "bsa_percent",
        "sleep_loss_nights_per_week",
        "major_life_impact",
    )

    severity = forms.ChoiceField(
        label="Severity today",
        choices=[(code, labels.SEVERITIES[code]) for code in SEVERITIES],
        widget=forms.RadioSelect,
        help_text="Your judgement counts. The descriptors and the POEM score only help.",
        error_messages={"required": "Choose the severity: mild, moderate or severe"},
    )
    sites = forms.MultipleChoiceField(
        label="Affected sites",
        choices=[(code, labels.SITES[code]) for code in SITES],
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick every site with active eczema.",
        error_messages={"required": "Tick at least one affected site"},
    )
    bsa_percent = forms.DecimalField(
        label="Body surface area affected (%)",
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=1,
        max_digits=4,
        help_text="Optional. The patient's palm with fingers is about 1 %. Leave blank if not "
        "estimated.",
        error_messages=_range_errors("Enter the body surface area as a number from 0 to 100"),
    )
    sleep_loss_nights_per_week = forms.IntegerField(
        label="Nights of sleep lost to eczema per week",
        required=False,
        min_value=0,
        max_value=7,
        help_text="0–7. Leave blank for 0.",
        error_messages=_range_errors("Enter the nights as a whole number from 0 to 7"),
    )
    major_life_impact = forms.BooleanField(
        label="Major impact on school, work or relationships", required=False
    )

    @staticmethod
    def poem_names() -> list[str]:
        return [f"poem_{number}" for number in range(1, POEM_ITEMS + 1)]

    # Errors are summarised in page order: the POEM sits just under the severity.
    field_order = ["severity", *[f"poem_{n}" for n in range(1, POEM_ITEMS + 1)], "sites"]

    @property
    def severity_aids(self) -> dict[str, Any]:
        return severity_aids()

    def build_layout(self) -> Layout:
        return Layout(
            Div(
                Div("severity", css_class="col-md-4"),
                Div(
                    HTML('{% include "decision/panels.html#severity_aids" %}'),
                    css_class="col-md-8",
                ),
                css_class="row",
            ),
            HTML('{% include "decision/panels.html#poem_calculator" %}'),
            "sites",
            Field("bsa_percent", css_class="input-number"),
            Field("sleep_loss_nights_per_week", css_class="input-number"),
            "major_life_impact",
        )

    def poem_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.poem_names()]

    @classmethod
    def initial_from_answers(cls, answers: dict[str, Any]) -> dict[str, Any]:
        initial = {key: answers[key] for key in cls.answer_keys if key in answers}
        poem = (answers.get("extras") or {}).get("poem") or []
        for number, value in enumerate(poem, start=1):
            initial[f"poem_{number}"] = value
        return initial

    def step_answers(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "severity": data["severity"],
            # Stored in the contract's site order, whatever order the browser sent.
            "sites": [site for site in SITES if site in data["sites"]],
            "bsa_percent": _number(data.get("bsa_percent")),
            "sleep_loss_nights_per_week": data.get("sleep_loss_nights_per_week") or 0,
            "major_life_impact": bool(data.get("major_life_impact")),
        }

    def step_extras(self) -> dict[str, Any]:
        poem = [self.cleaned_data.get(name) for name in self.poem_names()]
        return {"poem": poem if any(value is not None for value in poem) else None}

    @classmethod
    def summary(cls, answers: dict[str, Any], patient_reference: str = "") -> list[SummaryRow]:
        bsa = answers.get("bsa_percent")
        return [
            SummaryRow("Severity", labels.SEVERITIES.get(answers.get("severity"), ""), "severity"),
            SummaryRow(
                "Affected sites",
                ", ".join(labels.SITES[s] for s in answers.get("sites", [])),
                "sites",
            ),
            SummaryRow(
                "Body surface area",
                "Not estimated" if bsa is None else f"{bsa:g} %",
                "bsa_percent",
            ),
            SummaryRow(
                "Nights of sleep lost per week",
                str(answers.get("sleep_loss_nights_per_week", 0)),
                "sleep_loss_nights_per_week",
            ),
            SummaryRow(
                "Major impact on school, work or relationships",
                _yes_no(answers.get("major_life_impact")),
                "major_life_impact",
            ),
        ]


# The POEM items' wording lives in the knowledge table (severity_aids.toml).
for _item, _question in enumerate(severity_aids()["poem"]["items"], start=1):
    EczemaForm.base_fields[f"poem_{_item}"] = forms.TypedChoiceField(
        label=f"{_item}. {_question}",
        choices=_poem_choices(),
        coerce=int,
        empty_value=None,
        required=False,
    )


# -------------------------------------------------------------------- step 4: current treatment
def _agent_choices() -> list[Any]:
    groups = []
    for potency in POTENCIES[1:]:
        agents = [(agent.id, agent.label) for agent in tcs_agents() if agent.potency == potency]
        if agents:
            groups.append((f"{labels.POTENCIES_SHORT[potency]} potency", agents))
    return [("", "Choose an agent (optional)"), *groups]


class TreatmentForm(StepForm):
    answer_keys = ("current_tcs", "emollients_daily", "steroid_concerns")

    tcs_agent = forms.ChoiceField(
        label="Topical corticosteroid used",
        choices=_agent_choices,
        required=False,
        help_text="Choosing an agent fills in its potency. Or choose the potency directly.",
    )
    potency = forms.ChoiceField(
        label="Potency",
        choices=[(code, labels.POTENCIES[code]) for code in POTENCIES],
        widget=forms.RadioSelect,
        required=False,
    )
    applications_per_day = forms.IntegerField(
        label="Applications per day",
        required=False,
        min_value=0,
        max_value=APPLICATIONS_PER_DAY_MAX,
        help_text="0–4.",
        error_messages=_range_errors(
            "Enter the applications per day as a whole number from 0 to 4"
        ),
    )
    weeks = forms.DecimalField(
        label="Weeks of the current course",
        required=False,
        min_value=0,
        max_value=WEEKS_MAX,
        decimal_places=1,
        max_digits=4,
        help_text="For example 3, or 1.5 for ten days.",
        error_messages=_range_errors("Enter the weeks as a number from 0 to 520"),
    )
    adherence = forms.ChoiceField(
        label="Adherence",
        choices=[(code, labels.ADHERENCE[code]) for code in ADHERENCE],
        widget=forms.RadioSelect,
        required=False,
    )
    grams_per_week = forms.DecimalField(
        label="Grams used per week",
        required=False,
        min_value=0,
        max_value=GRAMS_PER_WEEK_MAX,
        decimal_places=1,
        max_digits=5,
        help_text="Optional: from the tubes used. Leave blank if not known.",
        error_messages=_range_errors("Enter the grams per week as a number from 0 to 2000"),
    )
    emollients_daily = forms.TypedChoiceField(
        label="Are emollients used every day?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        coerce=lambda value: value == "yes",
        error_messages={"required": "Answer whether emollients are used every day"},
    )
    steroid_concerns = forms.BooleanField(
        label="The patient or family worries about using steroids", required=False
    )

    def current_potency(self) -> str | None:
        """The potency as chosen (bound) or stored, with a chosen agent's potency as fallback."""
        if self.is_bound:
            potency = self.data.get(self.add_prefix("potency")) or None
            agent_id = self.data.get(self.add_prefix("tcs_agent")) or None
        else:
            potency = self.initial.get("potency") or None
            agent_id = self.initial.get("tcs_agent") or None
        agent = tcs_agent_map().get(agent_id or "")
        if potency not in POTENCIES:
            potency = agent.potency if agent else None
        return potency

    def course_hidden(self) -> bool:
        # No steroid in use: the course questions do not apply (TCS_NOT_USED is then the only
        # adequacy reason, README § 3 stage C).
        return self.current_potency() == "none"

    @classmethod
    def live_data(cls, data: Any, preview: str) -> Any:
        """Keep agent and potency consistent while the clinician changes either."""
        agent = tcs_agent_map().get(data.get("tcs_agent") or "")
        if agent is None:
            return data
        data = data.copy()
        if preview == "potency":
            # An agent was just chosen: it fills in its potency.
            data["potency"] = agent.potency
        elif data.get("potency") and data.get("potency") != agent.potency:
            # A potency was chosen by hand: it replaces the agent's, so the agent is cleared.
            data["tcs_agent"] = ""
        return data

    def build_layout(self) -> Layout:
        return Layout(
            HTML('{% include "decision/panels.html#tcs_agent" %}'),
            HTML('{% include "decision/panels.html#tcs_potency" %}'),
            HTML('{% include "decision/panels.html#tcs_course" %}'),
            HTML('{% include "decision/panels.html#adequacy_panel" %}'),
            Fieldset(
                "Skin care",
                InlineRadios("emollients_daily"),
                "steroid_concerns",
            ),
        )

    def course_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in COURSE_FIELDS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        agent = tcs_agent_map().get(cleaned.get("tcs_agent") or "")
        potency = cleaned.get("potency") or None
        if "potency" in self.errors:
            return cleaned
        if agent and potency is None:
            potency = cleaned["potency"] = agent.potency
        if agent and potency != agent.potency:
            self.add_error(
                "potency",
                f"{agent.label} is {labels.POTENCIES_SHORT[agent.potency].lower()} potency: "
                "choose that potency, or clear the agent.",
            )
            return cleaned
        if potency is None:
            self.add_error(
                "potency",
                "Choose the steroid used or its potency (choose None if no steroid is used)",
            )
            return cleaned
        if potency == "none":
            # The course questions are hidden and ignored: forget anything typed there.
            for name in COURSE_FIELDS:
                self._errors.pop(name, None)
            cleaned.update(applications_per_day=0, weeks=Decimal(0), adherence="good")
            cleaned["grams_per_week"] = None
            return cleaned
        required = {
            "applications_per_day": "Enter how many times a day the steroid is applied",
            "weeks": "Enter how many weeks the current course has lasted",
            "adherence": "Choose how well the steroid has been used",
        }
        for name, message in required.items():
            if name not in self.errors and cleaned.get(name) in (None, ""):
                self.add_error(name, message)
        return cleaned

    @classmethod
    def initial_from_answers(cls, answers: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        tcs = answers.get("current_tcs")
        if tcs:
            initial.update(tcs)
            if tcs.get("potency") == "none":
                for name in COURSE_FIELDS:
                    initial.pop(name, None)
        agent = (answers.get("extras") or {}).get("tcs_agent")
        if agent:
            initial["tcs_agent"] = agent
        if "emollients_daily" in answers:
            initial["emollients_daily"] = "yes" if answers["emollients_daily"] else "no"
        if "steroid_concerns" in answers:
            initial["steroid_concerns"] = answers["steroid_concerns"]
        return initial

    def step_answers(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "current_tcs": {
                "potency": data["potency"],
                "applications_per_day": data["applications_per_day"],
                "weeks": _number(data["weeks"]),
                "adherence": data["adherence"],
                "grams_per_week": _number(data.get("grams_per_week")),
            },
            "emollients_daily": data["emollients_daily"],
            "steroid_concerns": bool(data.get("steroid_concerns")),
        }

    def step_extras(self) -> dict[str, Any]:
        return {"tcs_agent": self.cleaned_data.get("tcs_agent") or None}

    @classmethod
    def summary(cls, answers: dict[str, Any], patient_reference: str = "") -> list[SummaryRow]:
        tcs = answers.get("current_tcs") or {}
        agent = tcs_agent_map().get((answers.get("extras") or {}).get("tcs_agent") or "")
        rows = []
        if agent:
            rows.append(SummaryRow("Topical corticosteroid", agent.label, "tcs_agent"))
        rows.append(
            SummaryRow("Potency", labels.POTENCIES_SHORT.get(tcs.get("potency"), ""), "potency")
        )
        if tcs.get("potency") != "none":
            rows += [
                SummaryRow(
                    "Applications per day",
                    str(tcs.get("applications_per_day", "")),
                    "applications_per_day",
                ),
                SummaryRow(
                    "Weeks of the current course", _format_number(tcs.get("weeks")), "weeks"
                ),
                SummaryRow(
                    "Adherence",
                    labels.ADHERENCE.get(tcs.get("adherence"), "").split(":")[0],
                    "adherence",
                ),
                SummaryRow(
                    "Grams used per week",
                    _format_number(tcs.get("grams_per_week")),
                    "grams_per_week",
                ),
            ]
        rows += [
            SummaryRow(
                "Emollients every day", _yes_no(answers.get("emollients_daily")), "emollients_daily"
            ),
            SummaryRow(
                "Worries about steroids",
                _yes_no(answers.get("steroid_concerns")),
                "steroid_concerns",
            ),
        ]
        return rows


# --------------------------------------------------------------------- step 5: treatments tried
class TriedForm(StepForm):
    answer_keys = ("tried",)

    def build_layout(self) -> Layout:
        return Layout(
            HTML(
                '<p class="form-text mt-0">Only what failed or was not tolerated changes the '
                "recommendation; leave the rest as “Not tried”.</p>"
            ),
            Div(*[Field(key, css_class="form-select") for key in TRIED_KEYS], css_class="tried"),
        )

    @classmethod
    def initial_from_answers(cls, answers: dict[str, Any]) -> dict[str, Any]:
        tried = answers.get("tried") or {}
        return {key: tried.get(key, "not_tried") for key in TRIED_KEYS}

    def step_answers(self) -> dict[str, Any]:
        return {"tried": {key: self.cleaned_data[key] for key in TRIED_KEYS}}

    @classmethod
    def summary(cls, answers: dict[str, Any], patient_reference: str = "") -> list[SummaryRow]:
        tried = answers.get("tried") or {}
        return [
            SummaryRow(labels.TRIED[key], labels.TRIED_OUTCOMES[tried.get(key, "not_tried")], key)
            for key in TRIED_KEYS
        ]


for _key in TRIED_KEYS:
    TriedForm.base_fields[_key] = forms.ChoiceField(
        label=labels.TRIED[_key],
        choices=[(outcome, labels.TRIED_OUTCOMES[outcome]) for outcome in TRIED_OUTCOMES],
        initial="not_tried",
        error_messages={"required": f"Choose an outcome for {labels.TRIED[_key].lower()}"},
    )


# ----------------------------------------------------------------------- step 6: other factors
class OtherFactorsForm(StepForm):
    answer_keys = OTHER_FACTORS

    def build_layout(self) -> Layout:
        return Layout(
            Fieldset("Tick any that apply. Leave all unticked if none do.", *OTHER_FACTORS)
        )

    @classmethod
    def initial_from_answers(cls, answers: dict[str, Any]) -> dict[str, Any]:
        return {key: answers[key] for key in OTHER_FACTORS if key in answers}

    def step_answers(self) -> dict[str, Any]:
        return {key: bool(self.cleaned_data.get(key)) for key in OTHER_FACTORS}

    @classmethod
    def summary(cls, answers: dict[str, Any], patient_reference: str = "") -> list[SummaryRow]:
        return [
            SummaryRow(labels.OTHER_FACTORS[key], _yes_no(answers.get(key)), key)
            for key in OTHER_FACTORS
        ]


for _key in OTHER_FACTORS:
    OtherFactorsForm.base_fields[_key] = forms.BooleanField(
        label=labels.OTHER_FACTORS[_key],
        help_text=labels.OTHER_FACTOR_HINTS[_key],
        required=False,
    )
