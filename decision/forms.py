"""One form per questionnaire step, derived from its declaration (decision/questionnaire.py).

Each form validates with the contract's ranges and choices (contract.md § Input), turns its
cleaned data into engine-shaped answers, and can rebuild its initial data from stored answers.
It renders through one lean template per widget type (templates/decision/widgets.html), from
the view objects `layout` builds. Forms never decide anything clinical: the live panels call the
engine (decision/panels.py).
"""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property
from typing import Any, ClassVar

from django import forms
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from decision import labels
from decision import questionnaire as q
from decision.engine.knowledge import tcs_agent_map

WIDGETS = "decision/widgets.html"
# Widget → its template (a partial of WIDGETS): one per kind of markup.
TEMPLATES = {
    "text": "input",
    "number": "input",
    "checkbox": "checkbox",
    "radios": "choices",
    "yes_no": "choices",
    "checkboxes": "choices",
    "select": "select",
    "years_months": "years_months",
}


def _range_errors(message: str) -> dict[str, str]:
    """One plain message for a number that is not a number or is out of range."""
    return {"invalid": message, "min_value": message, "max_value": message}


def flatatt(attrs: dict[str, Any]) -> SafeString:
    """HTML attributes in the given order (True: a bare attribute; None and False: left out)."""
    return mark_safe(  # every value is escaped here
        "".join(
            f" {name}" if value is True else f' {name}="{escape(value)}"'
            for name, value in attrs.items()
            if value is not None and value is not False
        )
    )


def _lenient_int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


# -------------------------------------------------------------------------- fields of questions
def _field(question: q.Question) -> forms.Field:
    """The Django field for a declared question. Every field is optional here: whether an answer
    is needed depends on the conditions, so StepForm.clean asks for it with the question's own
    message."""
    common: dict[str, Any] = {"label": question.text, "required": False}
    if question.type == "string":
        return forms.CharField(max_length=question.max_length, **common)
    if question.type == "boolean" and question.widget == "yes_no":
        return forms.TypedChoiceField(
            choices=[("yes", "Yes"), ("no", "No")],
            coerce=lambda value: value == "yes",
            empty_value=None,
            **common,
        )
    if question.type == "boolean":
        return forms.BooleanField(**common)
    if question.type in ("integer", "decimal"):
        numbers: dict[str, Any] = {
            "min_value": question.minimum,
            "max_value": question.maximum,
            "error_messages": _range_errors(question.invalid),
        }
        if question.type == "integer":
            return forms.IntegerField(**numbers, **common)
        digits = len(str(question.maximum)) + question.decimals
        return forms.DecimalField(
            decimal_places=question.decimals, max_digits=digits, **numbers, **common
        )
    choices = [(option.code, option.label) for option in question.options]
    if question.type == "multiple":
        return forms.MultipleChoiceField(choices=choices, **common)
    if question.scored:
        return forms.TypedChoiceField(choices=choices, coerce=int, empty_value=None, **common)
    return forms.ChoiceField(choices=choices, **common)


def _age_fields(question: q.Question) -> dict[str, forms.Field]:
    """An age asked as whole years and completed months."""
    years, months = q.years_months_names(question)
    return {
        years: forms.IntegerField(
            label="Years",
            min_value=0,
            max_value=question.maximum // 12,
            error_messages={
                "required": question.required,
                "invalid": "Enter the age in years as a whole number",
                "min_value": "Age cannot be negative",
                "max_value": "Age must be 120 years or less",
            },
        ),
        months: forms.IntegerField(
            label="Months",
            required=False,
            min_value=0,
            max_value=11,
            help_text="Completed months beyond the years (0–11). Leave blank for 0.",
            error_messages=_range_errors("Enter the months as a whole number from 0 to 11"),
        ),
    }


def fields_of(step: q.Step) -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for question in step.questions:
        if question.widget == "years_months":
            fields.update(_age_fields(question))
        else:
            fields[question.link_id] = _field(question)
    return fields


# ----------------------------------------------------------------------------- what is drawn
class FieldView:
    """What a widget template needs for one question, worked out once in Python."""

    def __init__(self, form: StepForm, question: q.Question, name: str, label: str,
                 help_text: str = "", required: bool = False) -> None:  # fmt: skip
        bound = form[name]
        self.question = question
        self.widget_template = f"{WIDGETS}#{TEMPLATES[question.widget]}"
        self.template = question.template or self.widget_template
        self.name = bound.html_name
        self.id = bound.auto_id
        self.label = label
        self.help = help_text
        self.errors = bound.errors
        self.required = required
        described = [f"{self.id}_helptext"] if help_text else []
        described += [f"{self.id}_error"] if self.errors else []
        self.describedby = " ".join(described)
        self.bound = bound
        self.form = form

    @cached_property
    def value(self) -> Any:
        return self.bound.value()

    def _common(self) -> dict[str, Any]:
        attrs: dict[str, Any] = {}
        # HTML lets a select be `required` only with an empty placeholder option first; one that
        # starts on an answer (step 5's "Not tried") can never be empty anyway.
        if self.required and (self.question.widget != "select" or self.question.placeholder):
            attrs["required"] = True
        if self.errors:
            attrs["aria-invalid"] = "true"
        if self.describedby:
            attrs["aria-describedby"] = self.describedby
        return attrs

    @cached_property
    def attrs(self) -> SafeString:
        """The input's attributes (text, number, checkbox and select)."""
        widget = self.question.widget
        question = self.question
        invalid = " is-invalid" if self.errors else ""
        attrs: dict[str, Any] = {"name": self.name}
        value = self.value
        if widget == "checkbox":
            attrs = {"type": "checkbox", **attrs, "class": f"form-check-input{invalid}"}
            if value:
                attrs["checked"] = True
        elif widget == "select":
            attrs["class"] = f"form-select{invalid}"
        else:
            kind = "text" if widget == "text" else "number"
            attrs = {"type": kind, **attrs}
            if value is not None and value != "":
                attrs["value"] = str(value)
            if kind == "number":
                field = self.bound.field
                attrs["min"] = field.min_value
                attrs["max"] = field.max_value
                if question.decimals:
                    attrs["step"] = f"{Decimal(1).scaleb(-question.decimals)}"
            elif question.max_length:
                attrs["maxlength"] = question.max_length
            attrs["class"] = " ".join(filter(None, (question.css, "form-control"))) + invalid
            if question.autocomplete:
                attrs["autocomplete"] = question.autocomplete
        attrs.update(self._common())
        attrs["id"] = self.id
        return flatatt(attrs)

    @cached_property
    def options(self) -> list[tuple[SafeString, str, str]]:
        """(input attributes, id, label) for each radio or checkbox of a group."""
        kind = "checkbox" if self.question.widget == "checkboxes" else "radio"
        chosen = self._chosen()
        invalid = " is-invalid" if self.errors else ""
        common = {
            **({"required": True} if self.required and kind == "radio" else {}),
            **({"aria-invalid": "true"} if self.errors else {}),
        }
        options = []
        for index, (code, label) in enumerate(self._choices()):
            option_id = f"{self.id}_{index}"
            attrs = {"type": kind, "class": f"form-check-input{invalid}", "name": self.name,
                     "value": code, "id": option_id, **common}  # fmt: skip
            if code in chosen:
                attrs["checked"] = True
            options.append((flatatt(attrs), option_id, label))
        return options

    @cached_property
    def groups(self) -> list[tuple[str, list[tuple[SafeString, str]]]]:
        """The options of a select, under their headings: (heading, [(attributes, label)])."""
        chosen = self._chosen()
        groups: list[tuple[str, list[tuple[SafeString, str]]]] = []
        options = [o for o in self.question.options if not o.legacy or o.code in chosen]
        if self.question.placeholder:
            options.insert(0, q.Option("", self.question.placeholder))
            chosen = chosen or {""}
        for option in options:
            if not groups or groups[-1][0] != option.group:
                groups.append((option.group, []))
            attrs = flatatt({"value": option.code, "selected": option.code in chosen})
            groups[-1][1].append((attrs, option.label))
        return groups

    def _choices(self) -> list[tuple[str, str]]:
        if self.question.widget == "yes_no":
            return [("yes", "Yes"), ("no", "No")]
        return [(o.code, o.label) for o in self.question.options if not o.legacy]

    def _chosen(self) -> set[str]:
        value = self.value
        if value is None:
            return set()
        if isinstance(value, bool):
            value = "yes" if value else "no"
        values = value if isinstance(value, list | tuple) else [value]
        return {str(item) for item in values}

    @property
    def inline(self) -> bool:
        return self.question.widget == "yes_no"

    @property
    def asked(self) -> bool:
        """A conditional box carries a hidden "asked" marker: it was on the page (clean)."""
        conditions = self.form.step.conditions[self.question.link_id]
        return self.question.type == "boolean" and bool(conditions)

    @cached_property
    def parts(self) -> tuple[FieldView, FieldView]:
        """The two inputs of an age asked as years and months."""
        years, months = q.years_months_names(self.question)
        return (
            NumberPart(self.form, self.question, years),
            NumberPart(self.form, self.question, months),
        )


class NumberPart(FieldView):
    """One input of a question asked in two parts (years, months)."""

    def __init__(self, form: StepForm, question: q.Question, name: str) -> None:
        field = form.fields[name]
        super().__init__(form, question, name, str(field.label), field.help_text, field.required)

    @cached_property
    def attrs(self) -> SafeString:
        invalid = " is-invalid" if self.errors else ""
        field = self.bound.field
        attrs: dict[str, Any] = {"type": "number", "name": self.name}
        if self.value is not None and self.value != "":
            attrs["value"] = str(self.value)
        attrs.update(min=field.min_value, max=field.max_value,
                     **{"class": f"input-number form-control{invalid}"})  # fmt: skip
        attrs.update(self._common())
        attrs["id"] = self.id
        return flatatt(attrs)


class GroupView:
    def __init__(self, group: q.Group, children: list[Any], hidden: bool) -> None:
        self.group = group
        self.legend = group.text
        self.children = children
        self.hidden = hidden
        self.template = group.template or f"{WIDGETS}#group"


class DisplayView:
    def __init__(self, display: q.Display) -> None:
        self.text = display.text
        self.template = f"{WIDGETS}#display"


class PanelView:
    def __init__(self, panel: q.Panel) -> None:
        self.template = f"decision/panels.html#{panel.name}"


# ---------------------------------------------------------------------------------- the forms
class StepForm(forms.Form):
    """Shared behaviour: answers in and out, conditions, error summary, what is drawn."""

    step: ClassVar[q.Step]

    def __init__(self, *args: Any, answers: dict[str, Any] | None = None, live_url: str = "",
                 **kwargs: Any) -> None:  # fmt: skip
        self.answers = answers or {}
        self.live_url = live_url
        super().__init__(*args, **kwargs)

    # -- answers in and out ----------------------------------------------------------------------
    @classmethod
    def initial_from_answers(
        cls, answers: dict[str, Any], columns: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        initial = {}
        questions = {question.link_id: question for question in cls.step.questions}
        for link_id, value in q.initial_values(cls.step, answers, columns or {}).items():
            question = questions[link_id]
            if question.widget == "years_months":
                years, months = q.years_months_names(question)
                initial[years], initial[months] = divmod(value, 12)
            elif question.widget == "yes_no":
                initial[link_id] = "yes" if value else "no"
            else:
                initial[link_id] = value
        return initial

    @classmethod
    def initial_from(cls, consultation: Any) -> dict[str, Any]:
        """Initial data for a step already answered (or nothing for a new consultation)."""
        if not consultation:
            return {}
        return cls.initial_from_answers(consultation.answers, q.columns_of(consultation))

    def values(self) -> dict[str, Any]:
        """The cleaned answers by link id, with what earlier steps stored."""
        return {**q.stored_values(self.answers, {}), **self.cleaned_data}

    def apply_to(self, consultation: Any) -> None:
        for question in self.step.questions:
            if question.path is None:  # a column of the consultation (the clinic reference)
                setattr(consultation, question.link_id, self.cleaned_data[question.link_id])
        consultation.update_answers(*q.engine_answers(self.step, self.values()))

    @classmethod
    def live_data(cls, data: Any, preview: str) -> Any:
        """The posted data a live preview should use (a hook for linked fields)."""
        return data

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

    # -- conditions ------------------------------------------------------------------------------
    def current_value(self, link_id: str) -> Any:
        """An answer as typed (bound) or stored (unbound), for the conditions; None if unknown."""
        if link_id == "age_months":
            return self.current_age_months()
        if link_id in self.fields:
            source = self.data if self.is_bound else self.initial
            return source.get(self.add_prefix(link_id)) or None
        return q.stored_values(self.answers, {}).get(link_id)

    def current_age_months(self) -> int | None:
        """The age as typed (bound) or stored (unbound), or None when not known yet."""
        if "age_years" not in self.fields:
            return self.answers.get("age_months")
        source = self.data if self.is_bound else self.initial
        years = _lenient_int(source.get("age_years"))
        months_raw = source.get("age_extra_months")
        months = 0 if months_raw in (None, "") else _lenient_int(months_raw)
        if years is None or months is None or years < 0 or not 0 <= months <= 11:
            return None
        return years * 12 + months

    def applies_now(self, item: q.Question | q.Group) -> bool | None:
        """Whether an item's own condition holds for what is typed (None while not known)."""
        if item.when is None:
            return True
        return item.when.holds(self.current_value(item.when.question))

    def shows(self, question: q.Question) -> bool:
        """Whether a question is on the page: when it applies, while that is not known, and when
        it was ticked in a submitted form although it does not apply (so its error can be read and
        the box unticked). A group that does not apply is hidden instead, its questions kept."""
        if self.applies_now(question) is not False:
            return True
        return self.is_bound and bool(self.data.get(self.add_prefix(question.link_id)))

    # -- validation ------------------------------------------------------------------------------
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for question in self.step.questions:
            name = question.link_id
            if question.clean and cleaned.get(name) and name not in self.errors:
                try:
                    cleaned[name] = question.clean(cleaned[name])
                except ValueError as error:
                    self.add_error(name, str(error))
        if any(question.widget == "years_months" for question in self.step.questions):
            self.clean_age(cleaned)
        self.clean_step(cleaned)
        self.clean_conditions(cleaned)
        return cleaned

    def clean_age(self, cleaned: dict[str, Any]) -> None:
        years, months = cleaned.get("age_years"), cleaned.get("age_extra_months") or 0
        if years is None or "age_extra_months" in self.errors:
            return
        age_months = years * 12 + months
        if age_months > q.AGE_MONTHS_MAX:
            self.add_error("age_years", "Age must be 120 years or less")
            return
        cleaned["age_months"] = age_months

    def clean_step(self, cleaned: dict[str, Any]) -> None:
        """A hook for rules that link answers of one step (the steroid agent and its potency)."""

    def clean_conditions(self, cleaned: dict[str, Any]) -> None:
        """Ask for what applies; refuse a ticked box that does not apply; forget the rest."""
        values = {**q.stored_values(self.answers, {}), **cleaned}
        asked = set(self.data.getlist("asked")) if hasattr(self.data, "getlist") else set()
        for question in self.step.questions:
            name = question.link_id
            conditions = self.step.conditions[name]
            if question.widget == "years_months" or self._wrong(c.question for c in conditions):
                continue  # what it depends on is wrong or missing: that error says so
            applies = self.step.applies(question, values)
            if applies is False:
                if question.type == "boolean" and cleaned.get(name):
                    self.add_error(name, _failing(conditions, values).refused)
                else:
                    # Hidden and ignored: forget anything typed there.
                    self._errors.pop(name, None)
                    cleaned[name] = question.off
            elif name in self.errors or applies is None:
                continue
            elif question.type == "boolean" and conditions and name not in asked:
                # What it depends on changed to an answer where it applies, but it was not on
                # the page: ask it rather than assume "no".
                self.add_error(name, conditions[0].unasked)
            elif question.required and cleaned.get(name) in (None, "", []):
                self.add_error(name, question.required)

    def _wrong(self, link_ids: Any) -> bool:
        """Whether any of these answers has an error (an age's are on its years and months)."""
        wrong = set(self.errors)
        if wrong & {"age_years", "age_extra_months"}:
            wrong.add("age_months")
        return any(link_id in wrong for link_id in link_ids)

    # -- what is drawn ---------------------------------------------------------------------------
    @cached_property
    def layout(self) -> list[Any]:
        return self._views(self.step.items)

    @cached_property
    def nodes(self) -> dict[str, Any]:
        """Every question and group drawn, by link id (for regions htmx redraws on their own)."""
        found: dict[str, Any] = {}

        def collect(views: list[Any]) -> None:
            for view in views:
                if isinstance(view, FieldView):
                    found[view.question.link_id] = view
                elif isinstance(view, GroupView):
                    found[view.group.link_id] = view
                    collect(view.children)

        collect(self.layout)
        return found

    def _views(self, items: tuple[q.Item, ...]) -> list[Any]:
        views: list[Any] = []
        for item in items:
            if isinstance(item, q.Question):
                if self.shows(item):
                    views.append(self._field_view(item))
            elif isinstance(item, q.Group):
                hidden = self.applies_now(item) is False
                views.append(GroupView(item, self._views(item.items), hidden))
            elif isinstance(item, q.Display):
                views.append(DisplayView(item))
            else:
                views.append(PanelView(item))
        return views

    def _field_view(self, question: q.Question) -> FieldView:
        name = question.link_id
        if question.widget == "years_months":
            name = q.years_months_names(question)[0]
        required = bool(question.required) and not self.step.conditions[question.link_id]
        return FieldView(self, question, name, question.text, question.help, required)

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor id, message) for every error, in page order, for the summary at the top."""
        order = {name: index for index, name in enumerate(self.fields)}
        items = []
        for name in sorted(self.errors, key=lambda name: order.get(name, -1)):
            for message in self.errors[name]:
                items.append((self.anchor_for(name), message))
        return items

    def anchor_for(self, name: str) -> str:
        for question in self.step.questions:
            if question.link_id == name:
                return q.anchor(question)
        return f"id_{name}" if name in self.fields else "step-form"


def _failing(conditions: tuple[q.When, ...], values: dict[str, Any]) -> q.When:
    return next(c for c in conditions if c.holds(values.get(c.question)) is False)


# -------------------------------------------------------------------- step 4: the steroid used
class TreatmentForm(StepForm):
    def current_value(self, link_id: str) -> Any:
        if link_id == "potency":
            return self.current_potency()
        return super().current_value(link_id)

    def current_potency(self) -> str | None:
        """The potency as chosen (bound) or stored, with a chosen agent's potency as fallback."""
        source = self.data if self.is_bound else self.initial
        potency = source.get(self.add_prefix("potency")) or None
        agent = tcs_agent_map().get(source.get(self.add_prefix("tcs_agent")) or "")
        if potency not in q.QUESTIONS["potency"].options_by_code:
            potency = agent.potency if agent else None
        return potency

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

    def clean_step(self, cleaned: dict[str, Any]) -> None:
        agent = tcs_agent_map().get(cleaned.get("tcs_agent") or "")
        potency = cleaned.get("potency") or None
        if "potency" in self.errors:
            return
        if agent and potency is None:
            cleaned["potency"] = agent.potency
        elif agent and potency != agent.potency:
            self.add_error(
                "potency",
                f"{agent.label} is {labels.POTENCIES_SHORT[agent.potency].lower()} potency: "
                "choose that potency, or clear the agent.",
            )


_CLASSES: dict[str, type[StepForm]] = {"treatment": TreatmentForm}


def build_form(step: q.Step) -> type[StepForm]:
    """The form class of a declared step."""
    base = _CLASSES.get(step.slug, StepForm)
    name = f"{step.slug.title()}Form"
    return type(name, (base,), {"step": step, **fields_of(step), "__module__": __name__})


FORMS: dict[str, type[StepForm]] = {
    step.slug: build_form(step) for step in q.STEPS if step.has_questions
}


def form_for(step: q.Step) -> type[StepForm]:
    return FORMS[step.slug]
