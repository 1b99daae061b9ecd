"""Every page of a journey is valid HTML (the Nu HTML Checker finds zero errors).

conftest.py checks every page any browser test is served; these tests make sure that check is
real: it catches errors, it sees the pages, and a whole journey, error pages included, passes.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser import html_validator, journey
from tests.browser.conftest import SERVED

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(html_validator.missing() is not None, reason=str(html_validator.missing())),
]


def test_the_checker_reports_errors_but_accepts_htmx_attributes(html_checker) -> None:
    page = (
        b'<!doctype html><html lang="en"><title>t</title>'
        b'<form hx-post="/x" class="a" class="b"><time datetime="2026-11-21T10:00:00.123456">x'
        b"</time></form>"
    )

    errors = html_checker.errors(page)

    assert len(errors) == 2, errors
    assert "Duplicate attribute “class”" in errors[0]
    assert "A fraction of a second must be one, two, or three digits" in errors[1]


def test_every_page_of_a_journey_is_valid_html(
    signed_in_page: Page, site_url: str, html_checker
) -> None:
    page = signed_in_page
    # A step with errors, then a whole consultation, its documents, feedback and the home page.
    page.goto(f"{site_url}/consultations/new/")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#error-summary")).to_be_visible()
    data = journey.vignette("seed-ped")["input"]
    journey.complete_consultation(page, site_url, data, "VALID-1")
    pk = re.search(r"/consultations/([0-9a-f-]{36})/result/", page.url)[1]
    page.get_by_role("radio", name="Followed", exact=True).click()
    page.get_by_role("button", name="Record what I did").click()
    expect(page.locator("#feedback")).to_contain_text("Followed")
    for name in ("consultation_summary", "consultation_handout", "consultation_feedback"):
        page.goto(site_url + reverse(name, args=[pk]))
    page.goto(f"{site_url}/account/")
    page.goto(f"{site_url}/")
    page.goto(f"{site_url}/consultations/00000000-0000-0000-0000-000000000000/")  # 404

    served = SERVED.take()
    paths = [path for path, _, _ in served]
    assert len(served) >= 14, paths
    assert any(status == 404 for _, status, _ in served)
    problems = {path: errors for path, _, body in served if (errors := html_checker.errors(body))}
    assert not problems, problems
