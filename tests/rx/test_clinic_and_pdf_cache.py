"""The clinic's own details on the handout, and PDFs that follow every write they depend on: the
cache key names the record, the feedback, the prescription, the rule set, the language, the
paper and the clinic's settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from decision import views_print
from decision.models import Consultation, Feedback, Prescription
from tests.print.test_pages import text_of
from tests.print.test_pdf import needs_poppler, pdf_text
from tests.rx.conftest import prescribe

pytestmark = pytest.mark.django_db

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
CLINIC = {
    "CLINIC_NAME": "Northfield Skin Clinic",
    "CLINIC_PHONE": "01632 960 123",
    "CLINIC_SAME_DAY_CARE": "Children's Emergency Department, St Mary's Hospital (open 24 hours)",
}


def handout(client, consultation):
    return client.get(reverse("consultation_handout", args=[consultation.pk]))


def clinic_line(response) -> str:
    body = response.content.decode()
    return re.search(r'<p class="doc-clinic clinic-contact">(.*?)</p>', body, re.S)[1]


# --------------------------------------------------------------------------------------- clinic
def test_the_handout_prints_the_clinics_name_phone_and_where_to_go_the_same_day(
    clinician_client, tci_case
):
    with override_settings(**CLINIC):
        response = handout(clinician_client, tci_case)
    line = clinic_line(response)
    assert '<span class="clinic-name">Northfield Skin Clinic</span>' in line
    assert '<span class="clinic-phone">01632 960 123</span>' in line
    assert "Children&#x27;s Emergency Department, St Mary&#x27;s Hospital (open 24 hours)" in line
    assert "write-on-inline" not in line
    assert (
        "Northfield Skin Clinic · Phone: 01632 960 123 · Same-day help: Children's Emergency "
        "Department" in text_of(response)
    )


@pytest.mark.parametrize("unset", sorted(CLINIC))
def test_each_detail_the_clinic_has_not_set_gets_a_line_to_write_on(
    clinician_client, tci_case, unset
):
    # The site's own default name is no clinic's name: a line, as for an empty setting.
    blank = {"CLINIC_NAME": "Eczema Step-Up clinic"} if unset == "CLINIC_NAME" else {unset: ""}
    with override_settings(**{**CLINIC, **blank}):
        line = clinic_line(handout(clinician_client, tci_case))
    assert line.count('<span class="write-on-inline"></span>') == 1
    for name, value in CLINIC.items():
        assert (value.replace("'", "&#x27;") in line) is (name != unset)


def test_readme_documents_every_clinic_setting():
    for name in ("CLINIC_NAME", "CLINIC_PHONE", "CLINIC_SAME_DAY_CARE"):
        assert re.search(rf"^\| `{name}` \|", README, re.M), name


# ------------------------------------------------------------------------------------ cache keys
def test_the_pdf_cache_key_changes_with_everything_the_pdf_shows(clinician, tci_case):
    def key(kind: str = "handout", paper: str = "a4", **record: str) -> str:
        fresh = Consultation.objects.select_related("feedback", "prescription").get(pk=tci_case.pk)
        for name, value in record.items():  # another record, never saved: it cannot change
            setattr(fresh, name, value)
        return views_print._pdf_cache_key(fresh, kind, paper)

    keys = {"first": key()}
    assert key() == keys["first"]  # the same inputs give the same key
    keys["summary"] = key(kind="summary")
    keys["letter"] = key(paper="letter")
    keys["rule set"] = key(ruleset_version="2026.11")
    keys["another consultation"] = key(pk="00000000-0000-0000-0000-000000000000")
    with translation.override("fr"):
        keys["language"] = key()
    for name, value in CLINIC.items():
        with override_settings(**{name: value}):
            keys[name] = key()
    feedback = Feedback.objects.create(
        consultation=tci_case, outcome="followed", recorded_by=clinician
    )
    keys["feedback"] = key()
    feedback.comment = "Changed later."
    feedback.save()
    keys["feedback changed"] = key()
    prescribe_directly = Prescription.objects.create(
        consultation=tci_case, products=["tacrolimus-0.03"], recorded_by=clinician
    )
    keys["prescription"] = key()
    Prescription.objects.filter(pk=prescribe_directly.pk).update(version=2)
    keys["prescription changed"] = key()

    assert len(set(keys.values())) == len(keys), keys


@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@needs_poppler
def test_recording_feedback_changes_the_re_downloaded_summary_pdf(
    clinician_client, tci_case, fresh_cache, tmp_path
):
    url = reverse("consultation_summary_pdf", args=[tci_case.pk])
    before = pdf_text(clinician_client.get(url).content, tmp_path)
    assert "No feedback recorded yet." in before

    clinician_client.post(
        reverse("consultation_feedback", args=[tci_case.pk]),
        {"outcome": "not_followed", "reason": "not_available"},
    )

    after = pdf_text(clinician_client.get(url).content, tmp_path)
    assert "No feedback recorded yet." not in after
    assert "Not followed" in after and "Treatment not available" in after


@needs_poppler
def test_recording_a_prescription_changes_the_re_downloaded_handout_and_summary(
    clinician_client, tci_case, fresh_cache, tmp_path
):
    handout_url = reverse("consultation_handout_pdf", args=[tci_case.pk])
    summary_url = reverse("consultation_summary_pdf", args=[tci_case.pk])
    before = pdf_text(clinician_client.get(handout_url).content, tmp_path)
    assert "tacrolimus 0.03% ointment" in before and "pimecrolimus 1% cream" in before
    assert "No prescription recorded yet." in pdf_text(
        clinician_client.get(summary_url).content, tmp_path
    )

    prescribe(clinician_client, tci_case, ["pimecrolimus-1"], "hydrocortisone-1", "cream")

    handout_text = pdf_text(clinician_client.get(handout_url).content, tmp_path)
    assert "pimecrolimus 1% cream" in handout_text
    assert "hydrocortisone 1 % cream" in handout_text
    assert "tacrolimus 0.03% ointment" not in handout_text
    assert "Use only the one prescribed" not in handout_text
    summary_text = pdf_text(clinician_client.get(summary_url).content, tmp_path)
    assert "Prescribed: pimecrolimus 1% cream; steroid: hydrocortisone 1 % cream." in summary_text
    assert "Modified" in summary_text  # the feedback the prescription recorded

    # And again after a change of mind: the next version is a new PDF too.
    prescribe(clinician_client, tci_case, ["tacrolimus-0.03"], version=1)
    again = pdf_text(clinician_client.get(handout_url).content, tmp_path)
    assert "tacrolimus 0.03% ointment" in again and "pimecrolimus" not in again.split("When")[0]
