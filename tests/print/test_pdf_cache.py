"""A completed consultation's PDFs never change, so each is rendered once and then served from the
cache; the access check still comes first, and paper size and language get their own PDF."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from decision import pdf
from tests.print.cases import VIGNETTES

pytestmark = pytest.mark.django_db

BY_ID = {v["id"]: v for v in VIGNETTES}


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    cache.clear()
    calls: list[str] = []

    def fake_render_pdf(html: str) -> bytes:
        calls.append(html)
        return f"%PDF-fake {len(calls)}".encode()

    monkeypatch.setattr(pdf, "render_pdf", fake_render_pdf)
    yield calls
    cache.clear()


@pytest.mark.parametrize("name", ["consultation_handout_pdf", "consultation_summary_pdf"])
def test_a_pdf_is_rendered_once_then_served_from_the_cache(
    clinician_client, make_completed, renders, name
):
    consultation = make_completed(BY_ID["seed-ped"]["input"])
    url = reverse(name, args=[consultation.pk])

    first = clinician_client.get(url)
    second = clinician_client.get(url)

    assert first.status_code == second.status_code == 200
    assert len(renders) == 1
    assert second.content == first.content == b"%PDF-fake 1"
    assert second["Content-Disposition"] == first["Content-Disposition"]
    assert second["Cache-Control"] == "private, no-store"


def test_each_document_and_paper_size_is_its_own_pdf(clinician_client, make_completed, renders):
    consultation = make_completed(BY_ID["seed-ped"]["input"])
    handout = reverse("consultation_handout_pdf", args=[consultation.pk])
    summary = reverse("consultation_summary_pdf", args=[consultation.pk])

    bodies = {
        clinician_client.get(handout, {"paper": "a4"}).content,
        clinician_client.get(handout, {"paper": "letter"}).content,
        clinician_client.get(summary, {"paper": "a4"}).content,
    }

    assert len(renders) == 3
    assert len(bodies) == 3
    assert "size: letter" in renders[1] or "letter" in renders[1]


def test_the_access_check_comes_before_the_cache(
    clinician_client, other_clinician, make_completed, renders
):
    consultation = make_completed(BY_ID["seed-ped"]["input"])
    url = reverse("consultation_handout_pdf", args=[consultation.pk])
    assert clinician_client.get(url).status_code == 200

    other = Client()
    other.force_login(other_clinician)
    assert other.get(url).status_code == 404
    signed_out = Client().get(url)
    assert signed_out.status_code == 302
    assert signed_out["Location"].startswith(reverse("login"))
    assert len(renders) == 1
