"""The trend chart on the clinician summary (HTML and PDF)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from tests.followup.conftest import poem_post

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "followup"


def test_the_summary_of_a_review_shows_the_trend_of_both_visits(
    clinician_client, first_visit, review
):
    first = first_visit(poem=[2, 2, 1, 1, 2, 2, 2])  # 12: moderate
    second = review(first, **poem_post([2, 2, 1, 1, 2, 2, 3]))  # 13
    page = clinician_client.get(reverse("consultation_summary", args=[second.pk])).content.decode()
    assert 'id="summary-trend"' in page
    assert "POEM 12 (moderate) on 2 Nov 2026, then 13 (moderate) on 16 Nov 2026." in page

    pdf = clinician_client.get(reverse("consultation_summary_pdf", args=[second.pk]))
    assert pdf.status_code == 200
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils is not installed")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "summary-review.pdf"
    path.write_bytes(pdf.content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", str(path), str(ARTIFACTS / "summary-review")], check=True
    )
