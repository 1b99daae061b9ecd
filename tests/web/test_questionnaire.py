"""The questionnaire is declared once (decision/questionnaire.py): the forms, the engine answers,
the initial data and the check-answers rows all come from that declaration, so a new question is
one edit. The toy questions below are declared here and nowhere else."""

from __future__ import annotations

import dataclasses
import re

import pytest
from django.http import QueryDict
from django.template import Context, Template

from decision import forms, steps
from decision import questionnaire as q
from tests.helpers import vignettes

pytestmark = pytest.mark.django_db

LAYOUT = Template("{% for f in form.layout %}{% include f.template %}{% endfor %}")


def _render(form: forms.StepForm) -> str:
    return LAYOUT.render(Context({"form": form, "live_url": "/live/"}))


def _post(initial: dict) -> QueryDict:
    """Initial data as a browser would post it (ticked boxes "on", unticked ones absent)."""
    data = QueryDict(mutable=True)
    for name, value in initial.items():
        if value is True:
            data[name] = "on"
        elif isinstance(value, list):
            data.setlist(name, [str(item) for item in value])
        elif value not in (False, None):
            data[name] = str(value)
    return data


def test_every_step_form_has_exactly_the_declared_questions_as_fields():
    for step in steps.question_steps():
        expected = set()
        for question in step.questions:
            if question.widget == "years_months":
                expected.update(q.years_months_names(question))
            else:
                expected.add(question.link_id)
        assert set(forms.form_for(step).base_fields) == expected, step.slug


def test_link_ids_are_unique_across_the_questionnaire():
    declared = [question.link_id for step in q.STEPS for question in step.questions]

    assert len(declared) == len(set(declared)) == len(q.QUESTIONS)


def test_every_engine_answer_has_a_declared_question():
    paths = {question.path for question in q.QUESTIONS.values() if question.path}
    case = vignettes()[0]["input"]

    for key, value in case.items():
        if isinstance(value, dict):
            assert all(f"{key}.{sub}" in paths for sub in value), key
        else:
            assert key in paths, key


@pytest.mark.parametrize("case", vignettes(), ids=lambda case: case["id"])
def test_stored_answers_give_back_a_form_that_saves_the_same_answers(case):
    answers = {**case["input"], "extras": {}}
    columns = {"patient_reference": "REF-1"}
    saved: dict = {}
    for step in steps.question_steps():
        form_class = forms.form_for(step)
        data = _post(form_class.initial_from_answers(answers, columns))
        data.setlist("asked", list(step.conditions))
        form = form_class(data, answers=answers)
        assert form.is_valid(), (step.slug, form.errors)
        saved.update(q.engine_answers(step, form.values())[0])

    for key, value in case["input"].items():
        if isinstance(value, dict):
            for sub, item in value.items():
                assert saved[key][sub] == item, (key, sub)
        elif isinstance(value, list):  # the sites: kept in the contract's order
            assert sorted(saved[key]) == sorted(value), key
        else:
            assert saved[key] == value, key


def test_every_change_link_points_at_a_field_on_its_step(answered, clinician_client):
    for section in steps.answer_sections(answered, change_links=True):
        html = clinician_client.get(section["url"]).content.decode()
        for row in section["rows"]:
            anchor = row["change_url"].split("#")[1]
            assert f'id="{anchor}"' in html, (section["step"].slug, row["label"])


def test_the_check_answers_rows_read_the_declared_options(answered):
    sections = {s["step"].slug: s for s in steps.answer_sections(answered, change_links=False)}
    rows = {row["label"]: row["value"] for row in sections["eczema"]["rows"]}

    assert rows["Severity"] == "Moderate"
    assert rows["Affected sites"] == "Flexures (elbow and knee creases, skin folds), Arms, Legs"
    assert rows["Body surface area"] == "15 %"
    assert "1. On how many days has the skin been itchy?" not in rows  # POEM: no row


# ------------------------------------------------------------------ one edit = one new question
TOY = q.Question(
    "hours_outdoors",
    "Hours spent outdoors a day",
    "integer",
    "extras.hours_outdoors",
    "number",
    help="0–24. Leave blank if not known.",
    required="Enter the hours spent outdoors",
    minimum=0,
    maximum=24,
    invalid="Enter the hours as a whole number from 0 to 24",
    row="Hours outdoors",
    number_format="{value} h",
)
ADULT_TOY = q.Question(
    "works_outdoors",
    "Works outdoors",
    "boolean",
    "extras.works_outdoors",
    "checkbox",
    blank=False,
    when=q.from_age(216),
    off=False,
)


def _toy_step() -> q.Step:
    other = steps.get_step("other")
    return dataclasses.replace(other, items=(*other.items, TOY, ADULT_TOY))


def test_a_declared_question_becomes_a_field_with_its_label_help_and_error():
    form_class = forms.build_form(_toy_step())

    form = form_class(_post({"hours_outdoors": "30"}), answers={"age_months": 300})
    html = _render(form)

    assert not form.is_valid()
    assert '<label for="id_hours_outdoors" class="form-label">Hours spent outdoors a day' in html
    assert re.search(
        r'<input type="number" name="hours_outdoors" value="30" min="0" max="24"', html
    )
    assert 'aria-describedby="id_hours_outdoors_helptext id_hours_outdoors_error"' in html
    assert "Enter the hours as a whole number from 0 to 24" in html
    assert ("id_hours_outdoors", "Enter the hours as a whole number from 0 to 24") in (
        form.error_summary()
    )


def test_a_declared_question_is_required_with_its_own_message():
    form = forms.build_form(_toy_step())(_post({}), answers={"age_months": 300})

    assert not form.is_valid()
    assert form.errors["hours_outdoors"] == ["Enter the hours spent outdoors"]


def test_a_declared_question_is_saved_where_it_says_and_read_back_on_the_check_page():
    step = _toy_step()
    form = forms.build_form(step)(
        _post({"hours_outdoors": "3", "asked": "works_outdoors", "works_outdoors": True}),
        answers={"age_months": 300},
    )

    assert form.is_valid(), form.errors
    answers, extras = q.engine_answers(step, form.values())
    assert extras == {"hours_outdoors": 3, "works_outdoors": True}
    assert answers["diagnostic_doubt"] is False

    stored = {"age_months": 300, **answers, "extras": extras}
    rows = q.summary_rows(step, stored, {})
    assert q.SummaryRow("Hours outdoors", "3 h", "id_hours_outdoors") in rows
    assert q.SummaryRow("Works outdoors", "Yes", "id_works_outdoors") in rows
    assert forms.build_form(step).initial_from_answers(stored)["hours_outdoors"] == 3


def test_a_declared_condition_hides_the_question_and_refuses_a_tick():
    step = _toy_step()
    child = {"age_months": 100}

    unbound = forms.build_form(step)(answers=child)
    assert "works_outdoors" not in unbound.nodes
    ticked = forms.build_form(step)(
        _post({"hours_outdoors": "1", "works_outdoors": True}), answers=child
    )
    assert not ticked.is_valid()
    assert ticked.errors["works_outdoors"] == [
        "This applies only from 18 years of age: untick it or correct the age."
    ]
    assert 'name="works_outdoors"' in _render(ticked)  # still there, so it can be unticked
    assert all(row.label != "Works outdoors" for row in q.summary_rows(step, child, {}))
