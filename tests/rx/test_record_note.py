"""The note for the record: at most 12 plain-text lines, from the stored result and what was
prescribed, on the result page (with a Copy button) and printed on the clinician summary."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from hypothesis import given, settings

from decision import labels
from decision.engine import evaluate, evaluate_stage_a, parse_assessment, parse_stage_a
from decision.models import Prescription
from decision.prescription import resolve
from decision.record_note import MAX_LINES, record_note
from tests.engine.test_properties import assessments
from tests.helpers import make_input
from tests.print.cases import CASES
from tests.print.test_pages import text_of
from tests.rx.conftest import VIGNETTES, prescribe

COMPLETED_ON = dt.date(2026, 11, 21)
EVERY_PRODUCT_AND_A_STEROID = Prescription(
    products=["ruxolitinib-1.5", "crisaborole-2", "tapinarof-1", "roflumilast-0.15"],
    steroid_agent="augmented-betamethasone-dipropionate-0.05",
    steroid_form="ointment",
)


def note_for(data: dict, prescription: Prescription | None = None) -> str:
    output = evaluate(parse_assessment(data)).to_dict()
    return record_note(output, COMPLETED_ON, resolve(output, prescription))


def assert_plain_and_short(note: str) -> None:
    lines = note.split("\n")
    assert len(lines) <= MAX_LINES
    assert all(line and line == line.strip() for line in lines)
    assert "<" not in note and "&#" not in note  # plain text, never markup or entities


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_vignette_and_stress_case_gives_at_most_12_lines_with_what_it_needs(case):
    output = evaluate(parse_assessment(CASES[case])).to_dict()
    note = record_note(output, COMPLETED_ON, None)

    assert_plain_and_short(note)
    lines = note.split("\n")
    assert (
        lines[1] == f"Next step: {output['next_step']['title']}. {output['next_step']['summary']}"
    )
    assert lines[2].startswith("Prescribed: not recorded")
    verdict = "adequate." if output["adequacy"]["adequate"] else "not adequate."
    assert lines[3].startswith(f"Steroid trial: {verdict}")
    for referral in output["referrals"]:
        urgency = labels.URGENCIES[referral["urgency"]].lower()
        assert f"{labels.REFERRALS[referral['code']]} ({urgency})" in lines[4]
    if not output["referrals"]:
        assert lines[4] == "Referrals: none."
    days = output["follow_up"]["review_after_days"]
    if days:
        review_on = COMPLETED_ON + dt.timedelta(days=days)
        assert lines[5] == f"Review: by {review_on.day} {review_on:%b %Y} (in {days} days)."
    else:
        assert lines[5] == "Review: today, 21 Nov 2026: act on the urgent referral now."
    assert lines[-1] == "Rule set 2026.12; advisory only, clinical judgement applies."


def test_the_worst_cases_stay_within_12_lines():
    # Every referral at once, every reason the trial was not adequate, the longest prescription.
    everything = make_input(
        severity="severe",
        sites=list(labels.SITES),
        bsa_percent=95,
        red_flags={"herpeticum_signs": True, "systemically_unwell": True},
        suspected_contact_dermatitis=True,
        documented_food_allergy=True,
        current_tcs={"potency": "low", "applications_per_day": 1, "weeks": 1, "adherence": "poor"},
    )
    output = evaluate(parse_assessment(everything)).to_dict()
    assert len(output["referrals"]) >= 4
    assert len(output["adequacy"]["reason_texts"]) >= 3
    assert_plain_and_short(record_note(output, COMPLETED_ON, None))

    newer = note_for(CASES["newer-topicals-every-site"], EVERY_PRODUCT_AND_A_STEROID)
    assert_plain_and_short(newer)
    assert (
        "Prescribed: ruxolitinib 1.5% cream; crisaborole 2% ointment; tapinarof 1% cream; "
        "roflumilast 0.15% cream; steroid: augmented betamethasone dipropionate 0.05 % ointment."
        in newer
    )

    # Stored sentences with line breaks (an edited knowledge file) still make one line each.
    output["next_step"]["summary"] = "First line.\nSecond line.\r\nThird."
    output["adequacy"]["reason_texts"] = ["A\nB", "C\n\nD"]
    assert_plain_and_short(record_note(output, COMPLETED_ON, None))


@pytest.mark.parametrize(
    "data",
    [
        {"age_months": 36, "red_flags": {"herpeticum_signs": True}, "sites": ["eyelids"]},
        {"age_months": 400, "red_flags": {"infection_signs": True}},
        {"age_months": 24},
    ],
)
def test_a_stage_a_only_result_gives_a_short_note_too(data):
    output = evaluate_stage_a(parse_stage_a(data)).to_dict()
    note = record_note(output, COMPLETED_ON, None)
    assert_plain_and_short(note)
    assert "Steroid trial: not assessed (urgent rules only)." in note
    assert "Prescribed" not in note  # the fast path offers nothing to prescribe


@settings(max_examples=150, deadline=None)
@given(assessments)
def test_any_valid_assessment_gives_at_most_12_plain_lines(data):
    assert_plain_and_short(note_for(data, EVERY_PRODUCT_AND_A_STEROID))


def test_the_prescription_line_names_each_product_and_the_steroid():
    data = VIGNETTES["seed-ped"]["input"]
    one = Prescription(products=["pimecrolimus-1"], steroid_agent="hydrocortisone-1")
    one.steroid_form = "cream"
    assert "Prescribed: pimecrolimus 1% cream; steroid: hydrocortisone 1 % cream." in note_for(
        data, one
    )
    assert "Prescribed: nothing." in note_for(data, Prescription(products=[]))
    assert (
        "Prescribed: not recorded (the step's products: tacrolimus 0.03% ointment or "
        "pimecrolimus 1% cream)." in note_for(data)
    )


# ------------------------------------------------------------------------------------- the pages
@pytest.mark.django_db
def test_the_result_page_shows_the_note_to_select_with_a_copy_button_for_javascript(
    clinician_client, tci_case
):
    response = clinician_client.get(reverse("consultation_result", args=[tci_case.pk]))
    body = response.content.decode()
    note = record_note(tci_case.engine_output, COMPLETED_ON, None)

    assert (
        f'readonly spellcheck="false" aria-labelledby="record-note-heading" '
        f'aria-describedby="record-note-hint">{note.replace(chr(39), "&#x27;")}</textarea>'
    ) in body
    assert f'rows="{note.count(chr(10)) + 1}"' in body
    # Hidden until static/js/copy-note.js shows it: without JavaScript, select the text.
    assert (
        '<button type="button" class="btn btn-outline-primary" data-copy-note="record-note-text" '
        'data-copy-status="record-note-status" hidden>Copy the note</button>'
    ) in body
    assert '<script src="/static/js/copy-note.js" defer></script>' in body
    assert "onclick" not in body


@pytest.mark.django_db
def test_the_note_follows_the_prescription_on_the_page_and_the_printed_summary(
    clinician_client, tci_case
):
    prescribe(clinician_client, tci_case, ["pimecrolimus-1"])

    result = text_of(clinician_client.get(reverse("consultation_result", args=[tci_case.pk])))
    summary = clinician_client.get(reverse("consultation_summary", args=[tci_case.pk]))
    assert "Prescribed: pimecrolimus 1% cream." in result
    body = summary.content.decode()
    assert '<pre class="record-note-text">Eczema step-up decision support, 21 Nov 2026.' in body
    assert "Prescribed: pimecrolimus 1% cream." in text_of(summary)


def test_the_copy_script_is_csp_safe_and_falls_back_to_selecting_the_note():
    script = (Path(__file__).resolve().parents[2] / "static" / "js" / "copy-note.js").read_text()
    assert "navigator.clipboard.writeText" in script
    assert "note.select()" in script  # without the clipboard API: the note is selected
    assert "eval(" not in script and "innerHTML" not in script
    assert '"htmx:load"' in script  # the note redrawn after a prescription gets its button
