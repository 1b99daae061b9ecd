"""PDF downloads (WeasyPrint): page counts, key strings (pdftotext), PNGs for people to look at.

Needs poppler-utils (pdftotext, pdftoppm) for the text and picture checks; those tests are
skipped with a clear message without it. Page counts use WeasyPrint's own layout.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse

from decision import labels, pdf, views_print
from decision.engine import RULESET_VERSION
from tests.print.cases import CASES, STRESS, VIGNETTE_IDS, VIGNETTES
from tests.system_packages import skip_reason

BY_ID = {v["id"]: v for v in VIGNETTES}
needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm")),
    reason=skip_reason("pdftotext/pdftoppm not installed", "poppler-utils"),
)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
    ).stdout.decode()
    return " ".join(out.split())


def first_page_png(data: bytes, target: Path) -> Path:
    source = target.with_suffix(".pdf")
    source.write_bytes(data)
    stem = target.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", source, stem],
        check=True,
    )
    source.unlink()
    return target


def _page_count(clinician, consultation, kind: str, paper: str) -> int:
    request = RequestFactory().get("/")
    request.user = clinician
    html = views_print.document_html(request, consultation, kind, paper)
    return len(pdf.render_document(html).pages)


@pytest.mark.django_db
@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_handout_fits_on_two_pages(clinician, make_completed, case, paper, caplog):
    consultation = make_completed(CASES[case])
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pages = _page_count(clinician, consultation, "handout", paper)
    assert pages <= 2, f"{case} handout on {paper}: {pages} pages"
    # Every stylesheet and picture was found on disk (a missing one is a WeasyPrint warning).
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


@pytest.mark.django_db
@needs_poppler
@pytest.mark.parametrize("vignette_id", VIGNETTE_IDS)
def test_handout_pdf_downloads_with_the_key_strings(
    clinician_client, make_completed, vignette_id, tmp_path, artifacts_dir
):
    consultation = make_completed(BY_ID[vignette_id]["input"], reference=f"V-{vignette_id}")
    response = clinician_client.get(reverse("consultation_handout_pdf", args=[consultation.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="handout-v-{vignette_id}-2026-11-21.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content, tmp_path)
    instructions = consultation.engine_output["instructions"]
    # No clinic settings here: a line to write each on (the site's own name is no clinic's).
    assert "Clinic: · Phone: · Same-day help:" in text
    assert "Eczema Step-Up clinic" not in text
    assert instructions["headline"] in text
    for product in consultation.engine_output["next_step"]["products"]:
        assert f"{product['name']} {product['strength']} {product['form']}" in text
    assert "Get help the same day if:" in text
    assert "Get help soon if:" in text
    assert "Date of your check:" in text
    first_page_png(response.content, artifacts_dir / f"handout-{vignette_id}.png")


@pytest.mark.django_db
@needs_poppler
@pytest.mark.parametrize("vignette_id", VIGNETTE_IDS)
def test_summary_pdf_downloads_with_every_referral_and_alert(
    clinician_client, make_completed, vignette_id, tmp_path, artifacts_dir
):
    consultation = make_completed(BY_ID[vignette_id]["input"], reference=f"V-{vignette_id}")
    response = clinician_client.get(reverse("consultation_summary_pdf", args=[consultation.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    output = consultation.engine_output
    assert "Clinician summary" in text
    assert output["next_step"]["title"] in text
    for referral in output["referrals"]:
        assert f"{labels.REFERRALS[referral['code']]}: {labels.URGENCIES[referral['urgency']]}" in (
            text
        )
    for alert in output["alerts"]:
        # The start of each alert: a long one may wrap around a page header.
        assert alert["text"][:60] in text
    assert f"Rule set {RULESET_VERSION}" in text
    assert "References" in text
    first_page_png(response.content, artifacts_dir / f"summary-{vignette_id}.png")


@pytest.mark.django_db
@needs_poppler
@pytest.mark.parametrize("name", ["consultation_handout_pdf", "consultation_summary_pdf"])
def test_pdf_header_carries_the_clinic_name_from_settings(
    clinician_client, make_completed, tmp_path, name
):
    consultation = make_completed(BY_ID["seed-ped"]["input"])
    with override_settings(CLINIC_NAME="Northfield Skin Clinic"):
        response = clinician_client.get(reverse(name, args=[consultation.pk]))
    text = pdf_text(response.content, tmp_path)
    # On page 1 in the document's header, and in the page header of every later page.
    assert text.count("Northfield Skin Clinic") >= 2
    assert "Eczema Step-Up clinic" not in text


@pytest.mark.django_db
@needs_poppler
def test_pdf_can_be_letter_sized(clinician_client, make_completed, tmp_path):
    consultation = make_completed(BY_ID["seed-ped"]["input"])
    url = reverse("consultation_handout_pdf", args=[consultation.pk])
    sizes = {}
    for paper in ("a4", "letter"):
        path = tmp_path / f"{paper}.pdf"
        path.write_bytes(clinician_client.get(url, {"paper": paper}).content)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout
        sizes[paper] = next(line for line in info.decode().splitlines() if "Page size" in line)
    assert "(A4)" in sizes["a4"]
    assert "(letter)" in sizes["letter"]
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout.decode()
    assert "Your child's eczema treatment plan – Eczema Step-Up clinic" in info


@pytest.mark.parametrize("case", sorted(STRESS))
def test_stress_cases_exercise_the_long_handouts(case):
    from decision.engine import evaluate, parse_assessment

    code = evaluate(parse_assessment(STRESS[case])).next_step.code
    assert code in {"NEWER_TOPICAL", "WET_WRAP_THERAPY", "OPTIMIZE_TCS", "START_TCI"}


# ---------------------------------------------------------------------------- the fetcher
def test_fetcher_serves_static_files_from_disk():
    response = pdf.make_fetcher().fetch(f"{pdf.BASE_URL}static/css/print.css")
    assert b"@media print" in response.read()
    assert response.content_type == "text/css"
    picture = pdf.make_fetcher().fetch(f"{pdf.BASE_URL}static/img/fingertip-unit.svg")
    assert picture.content_type == "image/svg+xml"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/static/css/print.css",
        "http://pdf.invalid/static/css/print.css",
        "file:///etc/passwd",
        f"{pdf.BASE_URL}static/../../../../etc/passwd",
        f"{pdf.BASE_URL}static/css/missing.css",
        f"{pdf.BASE_URL}admin/",
    ],
)
def test_fetcher_never_goes_to_the_network_or_outside_static(url):
    with pytest.raises(ValueError):
        pdf.make_fetcher().fetch(url)
