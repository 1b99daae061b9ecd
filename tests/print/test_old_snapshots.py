"""Consultations completed under an earlier rule set keep showing what was given then.

tests/data/ruleset-2026.11/ holds consultations completed by main's code under rule set 2026.11:
the stored engine input and output (the old output shape: no quantity_basis, the old
instructions) and the text of the result page, summary and handout as that code showed them.
Today's pages must still show every clinical sentence and figure they showed, labelled 2026.11,
on screen and in the PDFs; only new completions use the current rule set.
"""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from decision import documents, pdf, views_print
from decision.engine.knowledge import RULESET_VERSION
from decision.models import Consultation
from tests.print.conftest import old_snapshots, stored_consultation
from tests.print.test_pages import handout_rows, text_of
from tests.print.test_pdf import first_page_png, needs_poppler, pdf_text
from tests.web.journey import complete, versioned

SNAPSHOTS = old_snapshots()
PAGES = {
    "result": "consultation_result",
    "summary": "consultation_summary",
    "handout": "consultation_handout",
}
# Figures the old pages printed around the engine's numbers.
FORMATTED = (
    r"Expected use: about [\d.]+ g a week",
    r"Amounts for age [^.]+\.",
    r"Come back for a check in \d+ days?\.",
    r"Date of your check: \w+ \d+ \w+ \d{4}",
    r"Review on \w+ \d+ \w+ \d{4} \(in \d+ days\)\.",
    r"Review in \d+ days \(by \d+ \w+ \d{4}\)",
    r"Rule set 2026\.11",
)


def clinical_sentences(value, key: str = "") -> list[str]:
    """Every sentence-like string of a stored result (not source keys, codes or the input)."""
    if key in ("sources", "input"):
        return []
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in clinical_sentences(v, k)]
    if isinstance(value, list):
        return [s for item in value for s in clinical_sentences(item, key)]
    if isinstance(value, str) and " " in value:
        return [value]
    return []


def key_text(snapshot: dict, page: str) -> list[str]:
    """What the page showed then and must still show: the snapshot's sentences found on the old
    page, and the figures printed around them."""
    old = snapshot["pages"][page]
    sentences = [s for s in clinical_sentences(snapshot["engine_output"]) if s in old]
    figures = [match for pattern in FORMATTED for match in re.findall(pattern, old)]
    return sorted(set(sentences + figures))


def test_the_fixtures_are_old_consultations_of_every_kind():
    assert RULESET_VERSION != "2026.11"
    assert len(SNAPSHOTS) >= 6
    codes = {s["engine_output"]["next_step"]["code"] for s in SNAPSHOTS.values()}
    assert {"URGENT_REFERRAL", "TREAT_INFECTION", "START_TCI", "NEWER_TOPICAL"} <= codes
    for snapshot in SNAPSHOTS.values():
        assert snapshot["ruleset_version"] == snapshot["engine_output"]["ruleset_version"]
        assert snapshot["ruleset_version"] == "2026.11"
        # The 2026.11 shape: no quantity basis, no amount each time.
        assert "quantity_basis" not in snapshot["engine_output"]["adequacy"]
        assert "amount" not in snapshot["engine_output"]["instructions"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("case", sorted(SNAPSHOTS))
def test_an_old_consultation_still_shows_what_was_given_then(
    clinician_client, clinician, case, page
):
    snapshot = SNAPSHOTS[case]
    consultation = stored_consultation(clinician, snapshot)
    response = clinician_client.get(reverse(PAGES[page], args=[consultation.pk]))
    assert response.status_code == 200
    text = text_of(response)
    expected = key_text(snapshot, page)
    assert len(expected) >= 5, expected
    missing = [sentence for sentence in expected if sentence not in text]
    assert not missing, f"{case} {page}: no longer shows {missing}"
    assert "Rule set 2026.11" in text
    assert f"Rule set {RULESET_VERSION}" not in text
    # Stored snapshots are never re-evaluated.
    consultation.refresh_from_db()
    assert consultation.engine_output == snapshot["engine_output"]


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(SNAPSHOTS))
def test_an_old_handout_keeps_its_fingertip_unit_table(clinician_client, clinician, case):
    snapshot = SNAPSHOTS[case]
    consultation = stored_consultation(clinician, snapshot)
    response = clinician_client.get(reverse("consultation_handout", args=[consultation.pk]))
    blocks = snapshot["engine_output"]["instructions"]["products"]
    expected = (
        {row["region"]: documents.format_ftu(row["ftu"]) for row in blocks[0]["how_much"]}
        if blocks
        else {}
    )
    assert handout_rows(response) == expected
    # 2026.11 gave no amount each time: nothing is made up for it.
    assert "fingertip units each time" not in text_of(response)


@pytest.mark.django_db
@needs_poppler
@pytest.mark.parametrize("case", sorted(SNAPSHOTS))
def test_an_old_consultation_prints_what_was_given_then(
    clinician_client, clinician, case, tmp_path, artifacts_dir
):
    snapshot = SNAPSHOTS[case]
    consultation = stored_consultation(clinician, snapshot)
    output = snapshot["engine_output"]
    for kind in ("summary", "handout"):
        url = reverse(f"consultation_{kind}_pdf", args=[consultation.pk])
        response = clinician_client.get(url)
        assert response.status_code == 200
        text = pdf_text(response.content, tmp_path)
        if kind == "summary":
            assert "Rule set 2026.11" in text
            assert output["next_step"]["title"] in text
        else:
            assert output["instructions"]["headline"] in text
            assert output["instructions"]["review"] in text
        first_page_png(response.content, artifacts_dir / f"old-2026.11-{kind}-{case}.png")
    request = RequestFactory().get("/")
    request.user = clinician
    html = views_print.document_html(request, consultation, "handout", "a4")
    assert len(pdf.render_document(html).pages) <= 2


@pytest.mark.django_db
def test_a_pdf_of_another_rule_set_is_another_cache_entry(clinician):
    snapshot = SNAPSHOTS["seed-ped"]
    consultation = stored_consultation(clinician, snapshot)
    key = views_print._pdf_cache_key(consultation, "summary", "a4")
    same_but_current = Consultation(
        pk=consultation.pk,
        completed_at=consultation.completed_at,
        ruleset_version=RULESET_VERSION,
    )
    assert views_print._pdf_cache_key(same_but_current, "summary", "a4") != key


@pytest.mark.django_db
def test_a_copy_of_an_old_consultation_completes_under_the_current_rule_set(
    clinician_client, clinician
):
    snapshot = SNAPSHOTS["five-year-15-percent"]
    old = stored_consultation(clinician, snapshot)
    clinician_client.post(reverse("consultation_copy", args=[old.pk]))
    draft = Consultation.objects.exclude(pk=old.pk).get()
    # A copy asks today's red flags again (none today).
    clinician_client.post(
        reverse("consultation_step", args=[draft.pk, "safety"]), versioned(draft, {})
    )

    response = complete(clinician_client, draft)

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_completed
    assert draft.ruleset_version == RULESET_VERSION
    assert draft.engine_output["ruleset_version"] == RULESET_VERSION
    # The same answers, the current rules: the amount now follows the 15 % extent.
    assert draft.engine_output["adequacy"]["quantity_basis"] == "bsa"
    old.refresh_from_db()
    assert old.engine_output == snapshot["engine_output"]
    assert old.ruleset_version == "2026.11"


@pytest.mark.django_db
def test_a_draft_saved_before_the_upgrade_completes_under_the_current_rule_set(
    clinician_client, clinician
):
    # A draft holds answers only; the rule set is chosen when it is completed.
    snapshot = SNAPSHOTS["seed-ped"]
    draft = Consultation(
        created_by=clinician, patient_reference="DRAFT-OLD", answers=snapshot["answers"]
    )
    draft.sync_columns()
    draft.save()

    complete(clinician_client, draft)

    draft.refresh_from_db()
    assert draft.is_completed
    assert draft.ruleset_version == RULESET_VERSION
