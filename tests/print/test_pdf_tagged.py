"""The PDFs are tagged (PDF/UA-1): screen readers get headings, tables and every meaningful
picture's text; decorative pictures (the fingertip icons) are artifacts, outside the structure."""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from tests.print.cases import CASES
from tests.system_packages import skip_reason

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not shutil.which("pdfinfo"), reason=skip_reason("pdfinfo not installed", "poppler-utils")
    ),
]


def pdfinfo(data: bytes, tmp_path: Path, *options: str) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdfinfo", *options, str(path)], capture_output=True, check=True, text=True
    ).stdout


@pytest.mark.parametrize("document", ["handout", "summary"])
def test_both_documents_are_tagged_pdf_ua(
    clinician_client, make_completed, tmp_path, caplog, document
):
    # seed-ped: a handout with the fingertip picture and a table of fingertip icons.
    consultation = make_completed(CASES["seed-ped"], reference=f"TAG-{document}")
    url = reverse(f"consultation_{document}_pdf", args=[consultation.pk])

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        response = clinician_client.get(url)

    assert response.status_code == 200
    info = pdfinfo(response.content, tmp_path)
    assert "Tagged:          yes" in info
    assert "PDF version:     1.7" in info
    structure = pdfinfo(response.content, tmp_path, "-struct")
    assert "H1 (block)" in structure
    assert "Table (block)" in structure
    # WeasyPrint logs an error for a tagged picture without a text alternative: none here.
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


def test_the_handouts_only_figure_is_the_fingertip_picture_and_the_icons_are_artifacts(
    clinician_client, make_completed, tmp_path
):
    consultation = make_completed(CASES["seed-ped"], reference="TAG-ICONS")
    page = clinician_client.get(reverse("consultation_handout", args=[consultation.pk]))
    assert page.content.decode().count('class="ftu-icon') >= 2  # the icons are there

    response = clinician_client.get(reverse("consultation_handout_pdf", args=[consultation.pk]))

    structure = pdfinfo(response.content, tmp_path, "-struct")
    # One picture in the structure (the fingertip unit, with its alt text); WeasyPrint lists a
    # figure under each of its two parents.
    assert 1 <= structure.count("Figure:") <= 2
    assert len({line for line in structure.splitlines() if "/BBox" in line}) == 1
