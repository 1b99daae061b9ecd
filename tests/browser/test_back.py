"""Back anywhere: the browser's Back and Forward and the page's own back buttons never make a
second draft and never show an error or "Confirm form resubmission" page; leaving a step with
answers not yet saved asks first."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from decision.models import Consultation
from tests.browser import journey

pytestmark = pytest.mark.browser


class Watch:
    """Every document the browser loads: none may be an error; screenshots of each stop."""

    def __init__(self, page: Page, folder) -> None:
        self.page = page
        self.folder = folder
        self.errors: list[str] = []
        self.stops = 0
        page.on(
            "response",
            lambda r: (
                r.request.resource_type == "document"
                and r.status >= 400
                and self.errors.append(f"{r.status} {r.url}")
            ),
        )

    def at(self, heading: str, name: str) -> None:
        """The page is the real page with this heading (not the browser's error page)."""
        expect(self.page.get_by_role("heading", level=1)).to_have_text(heading)
        assert "ERR_CACHE_MISS" not in self.page.content()
        self.stops += 1
        self.page.screenshot(path=self.folder / f"{self.stops:02d}-{name}.png", full_page=True)


def test_back_anywhere_makes_no_second_draft_and_no_error_page(
    signed_in_page: Page, site_url: str, artifacts_dir
) -> None:
    page = signed_in_page
    folder = artifacts_dir / "back"
    folder.mkdir(exist_ok=True)
    watch = Watch(page, folder)
    data = journey.vignette("seed-ped")["input"]

    page.get_by_role("main").get_by_role("link", name="New consultation").click()
    journey.fill_patient(page, data, "BACK-1")
    journey.continue_to(page, "safety")
    watch.at("Safety screen", "step-2")

    # Browser Back to step 1: its saved answers, and saving it again changes the same draft.
    page.go_back()
    watch.at("Patient", "back-to-step-1")
    expect(page.get_by_label("Clinic reference")).to_have_value("BACK-1")
    page.get_by_label("Clinic reference").fill("BACK-2")
    journey.continue_to(page, "safety")
    journey.fill_safety(page, data)
    journey.continue_to(page, "eczema")

    # A step with an error, then Back and Forward: real pages, the typed value kept.
    journey.fill_eczema(page, {**data, "bsa_percent": 150})
    journey.settle(page)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#error-summary")).to_be_visible()
    watch.at("Eczema today", "step-3-error")
    # The error page came by a redirect: Back goes to the step as first shown, then to step 2.
    page.go_back()
    watch.at("Eczema today", "back-after-an-error")
    page.go_back()
    watch.at("Safety screen", "back-again")
    page.go_forward()
    page.go_forward()
    watch.at("Eczema today", "forward-to-the-error")
    expect(page.get_by_label("Body surface area affected (%)")).to_have_value("150")
    page.get_by_label("Body surface area affected (%)").fill("15")
    journey.continue_to(page, "treatment")

    # The page's own way back, then the browser's Back over every page of the history.
    journey.fill_treatment(page, data)
    page.get_by_role("button", name="Save and go back").click()
    watch.at("Eczema today", "save-and-go-back")
    page.go_back()
    watch.at("Current treatment", "browser-back-to-step-4")
    page.go_back()
    watch.at("Eczema today", "browser-back-to-the-saved-error-page")
    expect(page.locator("#error-summary")).to_have_count(0)
    page.go_back()
    page.go_back()
    watch.at("Safety screen", "browser-back-to-step-2")
    journey.continue_to(page, "eczema")

    assert not watch.errors, watch.errors
    mine = Consultation.objects.filter(patient_reference__startswith="BACK-")
    assert mine.count() == 1
    assert mine.get().patient_reference == "BACK-2"


def test_leaving_a_step_with_unsaved_answers_asks_first(signed_in_page: Page, site_url) -> None:
    page = signed_in_page
    data = journey.vignette("seed-ped")["input"]
    page.goto(f"{site_url}/consultations/new/")
    journey.fill_patient(page, data, "LEAVE-1")
    journey.continue_to(page, "safety")
    journey.continue_to(page, "eczema")
    asked: list[str] = []

    def stay(dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    # Nothing typed yet: leaving does not ask.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My consultations").click()
    page.wait_for_url(f"{site_url}/")
    assert asked == []
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Eczema today")

    # Typed and not saved: leaving asks, and staying keeps what was typed.
    page.get_by_label("Body surface area affected (%)").fill("12")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My consultations").click(
        no_wait_after=True
    )
    expect(page.get_by_label("Body surface area affected (%)")).to_have_value("12")
    assert asked == ["beforeunload"]
    assert re.search(r"/steps/eczema/$", page.url)

    # Saving never asks.
    journey.fill_eczema(page, {**data, "bsa_percent": None})
    journey.continue_to(page, "treatment")
    assert asked == ["beforeunload"]
