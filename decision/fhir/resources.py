"""Building the FHIR resources from the declaration (decision/questionnaire.py).

- `questionnaire()`: every step a group, every question an item with its linkId, type, answer
  options, `enableWhen` and limits; the help text as an SDC help item; the POEM total an SDC
  calculated expression; the rule set as the version.
- `questionnaire_response(consultation)`: the stored answers of a completed consultation, nested
  like the Questionnaire; questions that did not apply are left out, as FHIR requires.
- `observations(consultation)`: the POEM total (when all seven items were answered) and the
  severity the clinician chose, each derived from the QuestionnaireResponse.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.expression import Expression
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import (
    Questionnaire,
    QuestionnaireItem,
    QuestionnaireItemAnswerOption,
    QuestionnaireItemEnableWhen,
)
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse,
    QuestionnaireResponseItem,
    QuestionnaireResponseItemAnswer,
)
from fhir.resources.R4B.reference import Reference

from decision import questionnaire as q
from decision.engine import RULESET_VERSION
from decision.engine.knowledge import poem_band

QUESTIONNAIRE_ID = "eczema-step-up"
SDC = "http://hl7.org/fhir/uv/sdc/StructureDefinition"
CALCULATED = f"{SDC}/sdc-questionnaire-calculatedExpression"
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_CODES = "http://hl7.org/fhir/questionnaire-item-control"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
UNIT = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
MAX_DECIMALS = "http://hl7.org/fhir/StructureDefinition/maxDecimalPlaces"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
UCUM = "http://unitsofmeasure.org"
FHIR_TYPES = {"multiple": "choice"}


def base() -> str:
    """The canonical base of this site's FHIR resources (FHIR_CANONICAL_BASE)."""
    return settings.FHIR_CANONICAL_BASE.rstrip("/")


def questionnaire_url() -> str:
    return f"{base()}/Questionnaire/{QUESTIONNAIRE_ID}"


def code_system(question: q.Question) -> str:
    """The system of a question's answer codes: one per question, named by its linkId."""
    return f"{base()}/CodeSystem/{question.link_id}"


def observation_codes() -> str:
    return f"{base()}/CodeSystem/observation"


def _coding(question: q.Question, code: str) -> Coding:
    option = question.options_by_code.get(code)
    return Coding(system=code_system(question), code=code, display=option.label if option else None)


# ------------------------------------------------------------------------------ Questionnaire
def questionnaire() -> Questionnaire:
    return Questionnaire(
        id=QUESTIONNAIRE_ID,
        url=questionnaire_url(),
        version=RULESET_VERSION,
        name="EczemaStepUp",
        title="Eczema Step-Up: atopic eczema not improving with emollients and topical "
        "corticosteroids",
        status="active",
        subjectType=["Patient"],
        description="The next step when atopic dermatitis has not improved with emollients and "
        f"topical corticosteroids (rule set {RULESET_VERSION}). Every question of the site's "
        "questionnaire, in its order, with the same conditions and limits.",
        item=[
            QuestionnaireItem(
                linkId=step.slug,
                text=step.title,
                type="group",
                item=_items(step.items),
            )
            for step in q.STEPS
            if step.has_questions
        ],
    )


def _items(items: tuple[q.Item, ...]) -> list[QuestionnaireItem]:
    found: list[QuestionnaireItem] = []
    for item in items:
        if isinstance(item, q.Question):
            found.append(_question_item(item))
        elif isinstance(item, q.Group) and item.part_of_page:
            found.extend(_items(item.items))
        elif isinstance(item, q.Group):
            children = _items(item.items)
            if item.score:
                children.append(_score_item(item.score))
            found.append(
                QuestionnaireItem(
                    linkId=item.link_id,
                    text=item.text,
                    type="group",
                    enableWhen=_enable_when(item.when),
                    item=children,
                )
            )
        elif isinstance(item, q.Display):
            found.append(QuestionnaireItem(linkId=item.link_id, text=item.text, type="display"))
    return found


def _question_item(question: q.Question) -> QuestionnaireItem:
    extensions = []
    if question.type in ("integer", "decimal"):
        kind = "Integer" if question.type == "integer" else "Decimal"
        for url, limit in ((MIN_VALUE, question.minimum), (MAX_VALUE, question.maximum)):
            if limit is not None:
                extensions.append(Extension(url=url, **{f"value{kind}": limit}))
        if question.decimals:
            extensions.append(Extension(url=MAX_DECIMALS, valueInteger=question.decimals))
    if question.widget == "years_months":
        unit = Coding(system=UCUM, code="mo", display="months")
        extensions.append(Extension(url=UNIT, valueCoding=unit))
    text = "Age in completed months" if question.widget == "years_months" else question.text
    help_items = []
    if question.help:
        help_items.append(
            QuestionnaireItem(
                linkId=f"{question.link_id}-help",
                text=question.help,
                type="display",
                extension=[_item_control("help")],
            )
        )
    return QuestionnaireItem(
        linkId=question.link_id,
        text=text,
        type=FHIR_TYPES.get(question.type, question.type),
        required=bool(question.required) or None,
        repeats=True if question.type == "multiple" else None,
        maxLength=question.max_length,
        enableWhen=_enable_when(question.when),
        answerOption=[
            _answer_option(question, option) for option in question.options if not option.legacy
        ]
        or None,
        extension=extensions or None,
        item=help_items or None,
    )


def _answer_option(question: q.Question, option: q.Option) -> QuestionnaireItemAnswerOption:
    extension = None
    if option.score is not None:
        extension = [Extension(url=ORDINAL_VALUE, valueDecimal=option.score)]
    return QuestionnaireItemAnswerOption(
        valueCoding=_coding(question, option.code),
        initialSelected=True if option.code == question.initial else None,
        extension=extension,
    )


def _enable_when(when: q.When | None) -> list[QuestionnaireItemEnableWhen] | None:
    if when is None:
        return None
    question = q.QUESTIONS[when.question]
    if question.options:
        answer = {"answerCoding": _coding(question, when.answer)}
    elif question.type == "integer":
        answer = {"answerInteger": when.answer}
    else:
        answer = {"answerBoolean": when.answer}
    return [QuestionnaireItemEnableWhen(question=when.question, operator=when.operator, **answer)]


def _score_item(score: q.Calculated) -> QuestionnaireItem:
    """A read-only total (SDC calculatedExpression): the sum of the items' option scores, only
    when every item is answered (POEM counts only when complete, Charman 2004)."""
    ids = " | ".join(f"'{link_id}'" for link_id in score.of)
    answers = f"%resource.repeat(item).where(linkId in ({ids})).answer.value"
    expression = (
        f"iif({answers}.count() = {len(score.of)}, "
        f"{answers}.weight().aggregate($this + $total, 0), {{}})"
    )
    return QuestionnaireItem(
        linkId=score.link_id,
        text=score.text,
        type="integer",
        readOnly=True,
        extension=[
            Extension(
                url=CALCULATED,
                valueExpression=Expression(language="text/fhirpath", expression=expression),
            )
        ],
    )


def _item_control(code: str) -> Extension:
    concept = CodeableConcept(coding=[Coding(system=ITEM_CONTROL_CODES, code=code)])
    return Extension(url=ITEM_CONTROL, valueCodeableConcept=concept)


# ---------------------------------------------------------------------- QuestionnaireResponse
def _subject(consultation: Any) -> Reference:
    """The patient, by the clinic's own reference only (no names, no dates of birth)."""
    identifier = Identifier(
        system=f"{base()}/clinic-reference", value=consultation.patient_reference
    )
    return Reference(identifier=identifier)


def questionnaire_response(consultation: Any) -> QuestionnaireResponse:
    """A completed consultation's answers, as the Questionnaire of its rule set asks them."""
    answers = consultation.answers
    values = q.stored_values(answers, q.columns_of(consultation))
    groups = []
    for step in q.STEPS:
        if step.has_questions:
            children = _answered(step, step.items, values)
            if children:
                groups.append(
                    QuestionnaireResponseItem(linkId=step.slug, text=step.title, item=children)
                )
    return QuestionnaireResponse(
        id=str(consultation.pk),
        questionnaire=f"{questionnaire_url()}|{consultation.ruleset_version}",
        status="completed",
        subject=_subject(consultation),
        authored=consultation.completed_at,
        item=groups,
    )


def _answered(
    step: q.Step, items: tuple[q.Item, ...], values: dict[str, Any]
) -> list[QuestionnaireResponseItem]:
    found: list[QuestionnaireResponseItem] = []
    for item in items:
        if isinstance(item, q.Question):
            answer = _answers(item, values[item.link_id])
            if answer and step.applies(item, values) is not False:
                found.append(
                    QuestionnaireResponseItem(linkId=item.link_id, text=item.text, answer=answer)
                )
        elif isinstance(item, q.Group) and item.part_of_page:
            found.extend(_answered(step, item.items, values))
        elif isinstance(item, q.Group):
            if item.when and item.when.holds(values.get(item.when.question)) is False:
                continue
            children = _answered(step, item.items, values)
            total = _score(item.score, values) if item.score else None
            if total is not None:
                children.append(
                    QuestionnaireResponseItem(
                        linkId=item.score.link_id,
                        text=item.score.text,
                        answer=[QuestionnaireResponseItemAnswer(valueInteger=total)],
                    )
                )
            if children:
                found.append(
                    QuestionnaireResponseItem(linkId=item.link_id, text=item.text, item=children)
                )
    return found


def _answers(question: q.Question, value: Any) -> list[QuestionnaireResponseItemAnswer]:
    if value is None or value == "":
        return []
    if question.options:
        codes = value if isinstance(value, list) else [value]
        return [
            QuestionnaireResponseItemAnswer(valueCoding=_coding(question, str(code)))
            for code in codes
        ]
    kind = {"boolean": "valueBoolean", "integer": "valueInteger", "decimal": "valueDecimal"}
    key = kind.get(question.type, "valueString")
    if key == "valueDecimal":
        value = Decimal(str(value))
    return [QuestionnaireResponseItemAnswer(**{key: value})]


def _score(score: q.Calculated, values: dict[str, Any]) -> int | None:
    answers = [values.get(link_id) for link_id in score.of]
    if any(answer is None for answer in answers):
        return None
    return sum(int(answer) for answer in answers)


# -------------------------------------------------------------------------------- Observation
def poem_total(consultation: Any) -> int | None:
    values = q.stored_values(consultation.answers, {})
    group = next(
        item for step in q.STEPS for item in step.items if isinstance(item, q.Group) and item.score
    )
    return _score(group.score, values)


def observations(consultation: Any) -> list[Observation]:
    """The POEM total (when complete) and the clinician's severity, from the response."""
    found = []
    total = poem_total(consultation)
    if total is not None:
        found.append(
            _observation(
                consultation,
                "poem-total",
                "POEM total score (0–28)",
                "survey",
                valueInteger=total,
                interpretation=[CodeableConcept(text=poem_band(total)["label"])],
            )
        )
    severity = q.QUESTIONS["severity"]
    code = consultation.answers.get("severity")
    if code:
        found.append(
            _observation(
                consultation,
                "severity",
                "Atopic eczema severity (the clinician's judgement)",
                "exam",
                valueCodeableConcept=CodeableConcept(
                    coding=[_coding(severity, code)],
                    text=severity.options_by_code[code].label,
                ),
            )
        )
    return found


def _observation(
    consultation: Any, kind: str, text: str, category: str, **value: Any
) -> Observation:
    return Observation(
        id=f"{consultation.pk}-{kind}",
        status="final",
        category=[CodeableConcept(coding=[Coding(system=OBSERVATION_CATEGORY, code=category)])],
        code=CodeableConcept(
            coding=[Coding(system=observation_codes(), code=kind, display=text)], text=text
        ),
        subject=_subject(consultation),
        effectiveDateTime=consultation.completed_at,
        derivedFrom=[Reference(reference=f"QuestionnaireResponse/{consultation.pk}")],
        **value,
    )
