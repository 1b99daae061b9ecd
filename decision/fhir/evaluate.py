"""A posted QuestionnaireResponse, evaluated like the form.

Its answers become the posts a clinician would make, step by step, and go through the same step
forms (decision/forms.py): the same validation, the same messages, the same conditions (a box
that applies must be answered; one that does not must not be ticked), the same engine answers.
Only the form's own shape of an answer is checked here first: its FHIR type and code system.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError

from decision import forms
from decision import questionnaire as q
from decision.fhir import resources

Problem = tuple[str, str]  # (linkId or element, message)

VALUE_KEYS = {
    "boolean": ("valueBoolean",),
    "integer": ("valueInteger",),
    "decimal": ("valueDecimal", "valueInteger"),
    "string": ("valueString",),
}


def read(data: Any) -> tuple[QuestionnaireResponse | None, list[Problem]]:
    """The resource, checked against FHIR's structure; or the problems that stop it."""
    if not isinstance(data, dict) or data.get("resourceType") != "QuestionnaireResponse":
        return None, [("resourceType", "Send a QuestionnaireResponse resource")]
    try:
        response = QuestionnaireResponse.model_validate(data)
    except ValidationError as error:
        problems = [
            (".".join(str(part) for part in problem["loc"]) or "resource", problem["msg"])
            for problem in error.errors()
        ]
        return None, problems
    canonical = (response.questionnaire or "").split("|")[0]
    if canonical != resources.questionnaire_url():
        return None, [("questionnaire", f"Answer {resources.questionnaire_url()}")]
    return response, []


def engine_input(response: QuestionnaireResponse) -> tuple[dict[str, Any], list[Problem]]:
    """The engine input the form would have saved for these answers, or the problems."""
    given, problems = _collect(response.item or [])
    record: dict[str, Any] = {}
    for step in q.STEPS:
        if not step.has_questions:
            continue
        data = QueryDict(mutable=True)
        for question in step.questions:
            if question.link_id in given:
                _post(question, given[question.link_id], data, problems, step)
        form = forms.form_for(step)(data, answers=record)
        if form.is_valid():
            answers, extras = q.engine_answers(step, form.values())
            record.update(answers)
            record.setdefault(q.EXTRAS, {}).update(extras)
        reported = {where for where, _ in problems}  # an answer of the wrong type: said once
        for name, messages in form.errors.items():
            link_id = _link_id(step, name)
            if link_id not in reported:
                problems += [(link_id, message) for message in messages]
    record.pop(q.EXTRAS, None)
    return record, problems


def _collect(items: list[Any]) -> tuple[dict[str, list[Any]], list[Problem]]:
    """Every answered question's answers by linkId, from the nested groups."""
    known_groups = {step.slug for step in q.STEPS} | _group_ids()
    given: dict[str, list[Any]] = {}
    problems: list[Problem] = []

    def visit(items: list[Any]) -> None:
        for item in items:
            if item.linkId in q.QUESTIONS:
                if item.linkId in given:
                    problems.append((item.linkId, "Answer each question once"))
                given[item.linkId] = list(item.answer or [])
            elif item.linkId not in known_groups:
                problems.append((item.linkId, "No such question in this questionnaire"))
            visit(list(item.item or []))

    visit(items)
    return given, problems


def _group_ids() -> set[str]:
    found: set[str] = set()

    def visit(items: tuple[Any, ...]) -> None:
        for item in items:
            if isinstance(item, q.Group):
                found.add(item.link_id)
                if item.score:
                    found.add(item.score.link_id)  # calculated: read-only, recomputed here
                visit(item.items)

    for step in q.STEPS:
        visit(step.items)
    return found


def _post(
    question: q.Question, answers: list[Any], data: QueryDict, problems: list[Problem], step: q.Step
) -> None:
    """Put a question's FHIR answers into the form data, as the browser would post them."""
    values = []
    for answer in answers:
        value = _value(question, answer)
        if value is None:
            problems.append((question.link_id, _expected(question)))
            return
        values.append(value)
    if len(values) > 1 and question.type != "multiple":
        problems.append((question.link_id, "Give one answer"))
        return
    name = question.link_id
    if question.type == "boolean" and step.conditions[name]:
        data.appendlist("asked", name)  # it was answered: it was on the page
    if not values:
        return
    if question.type == "multiple":
        data.setlist(name, values)
    elif question.widget == "years_months":
        years, months = q.years_months_names(question)
        if isinstance(values[0], int):
            data[years], data[months] = (str(part) for part in divmod(values[0], 12))
    elif question.widget == "yes_no":
        data[name] = "yes" if values[0] else "no"
    elif question.type == "boolean":
        if values[0]:
            data[name] = "on"
    else:
        data[name] = str(values[0])


def _value(question: q.Question, answer: Any) -> Any:
    """The answer's value if it has the question's FHIR type (and code system), else None."""
    if question.options:
        coding = answer.valueCoding
        if coding is None or not coding.code:
            return None
        if coding.system and coding.system != resources.code_system(question):
            return None
        return coding.code
    for key in VALUE_KEYS[question.type]:
        value = getattr(answer, key, None)
        if value is not None:
            return value
    return None


def _expected(question: q.Question) -> str:
    if question.options:
        return f"Answer with a coding from {resources.code_system(question)}"
    return f"Answer with {' or '.join(VALUE_KEYS[question.type])}"


def _link_id(step: q.Step, field: str) -> str:
    """The question a form field belongs to (an age's years and months are one question)."""
    for question in step.questions:
        if field == question.link_id or (
            question.widget == "years_months" and field in q.years_months_names(question)
        ):
            return question.link_id
    return step.slug
