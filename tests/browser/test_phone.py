"""The site on a phone (390 × 844) and a tablet (768 × 1024): every page fits without sideways
scrolling, the page itself or anything in it. Screenshots of every page are kept in
test-artifacts/browser/<screen>/ for people to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from decision import roles
from tests.browser import journey
from tests.browser.conftest import PASSWORD, USERNAME

pytestmark = pytest.mark.browser

SCREENS = {"phone-390": (390, 844), "tablet-768": (768, 1024)}
# The longest reference the form takes, without a space to break at: the widest table cell.
LONG_REFERENCE = "WIDE-REFERENCE-0123456789-ABCD"

# What scrolls sideways: the page, any element that scrolls (a table in .table-responsive), and
# any visible element reaching past the right edge of the screen.
MEASURE = """() => {
    const width = window.innerWidth;
    const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (el.classList.length ? "." + [...el.classList].slice(0, 3).join(".") : "");
    const hidden = (el) => el.closest(".visually-hidden, .visually-hidden-focusable, [hidden]");
    // Inside an ancestor that clips what overflows it: only that ancestor's own box counts.
    const clipped = (el) => {
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
            const style = getComputedStyle(a);
            if (["hidden", "clip"].includes(style.overflowX) || style.clip !== "auto") return true;
        }
        return false;
    };
    const scrollers = [], outside = [];
    for (const el of document.body.querySelectorAll("*")) {
        if (hidden(el)) continue;
        const style = getComputedStyle(el);
        if (style.display === "none" || style.visibility === "hidden") continue;
        if (["auto", "scroll"].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1) {
            scrollers.push(name(el) + " " + el.scrollWidth + ">" + el.clientWidth);
        }
        const box = el.getBoundingClientRect();
        if (box.width > 0 && box.height > 0 && box.right > width + 1 && !clipped(el)) {
            outside.push(name(el) + " right " + Math.round(box.right));
        }
    }
    return {
        scrollWidth: document.documentElement.scrollWidth, innerWidth: width,
        scrollers: scrollers, outside: outside.slice(0, 10),
    };
}"""


class FitCheck:
    """Measures and photographs each page; the test fails at the end, listing every misfit."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.pages: list[str] = []
        self.misfits: list[str] = []

    def __call__(self, page: Page, name: str) -> None:
        # Leave the field being typed in first (as a tap elsewhere would): Chromium's full-page
        # screenshot leaves a stale scroll offset that a later blur would apply mid-click.
        page.evaluate("document.activeElement?.blur()")
        journey.settle(page)
        self.pages.append(name)
        page.screenshot(path=self.folder / f"{len(self.pages):02d}-{name}.png", full_page=True)
        found = page.evaluate(MEASURE)
        if found["scrollWidth"] > found["innerWidth"] or found["scrollers"] or found["outside"]:
            self.misfits.append(f"{name}: {found}")


@pytest.mark.parametrize("screen", SCREENS)
def test_every_page_fits_a_phone_and_a_tablet_without_sideways_scrolling(
    browser: Browser, browser_context_args: dict, site_url: str, clinician_account, artifacts_dir,
    screen: str,
) -> None:  # fmt: skip
    width, height = SCREENS[screen]
    roles.grant(clinician_account, roles.REVIEWER)  # the review dashboard too
    viewport = {"width": width, "height": height}
    context = browser.new_context(**{**browser_context_args, "viewport": viewport})
    page = context.new_page()
    page.set_default_timeout(15_000)
    check = FitCheck(artifacts_dir / screen)

    page.goto(f"{site_url}/")
    page.wait_for_url(re.compile("/accounts/login/"))
    check(page, "sign-in")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site_url}/")

    # A step with its error messages, then a draft left at step 2 (a Resume row on the home page).
    page.goto(f"{site_url}/consultations/new/")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#error-summary")).to_be_visible()
    check(page, "step-1-errors")
    data = journey.vignette("herpeticum-eyes")["input"]
    journey.fill_patient(page, data, LONG_REFERENCE)
    journey.continue_to(page, "safety")

    # Every step, the result and the printable documents, of a red-flag case (banners and alerts).
    journey.complete_consultation(
        page, site_url, data, "PHONE-1", on_page=check, poem=[1, 2, 3, 4, 0, 1, 2]
    )
    pk = re.search(r"/consultations/([0-9a-f-]{36})/result/", page.url)[1]
    for document in ("summary", "handout"):
        page.goto(site_url + reverse(f"consultation_{document}", args=[pk]))
        expect(page.get_by_role("article")).to_be_visible()
        check(page, document)
    page.goto(site_url + reverse("consultation_feedback", args=[pk]))
    check(page, "feedback")

    page.goto(f"{site_url}/")
    expect(page.get_by_role("region", name="Drafts")).to_contain_text(LONG_REFERENCE)
    check(page, "home-with-rows")
    # The menu folds into a button on narrow screens: open, it must fit too.
    toggler = page.get_by_role("button", name="Show the menu")
    if toggler.is_visible():
        toggler.click()
        expect(page.get_by_role("link", name="Review", exact=True)).to_be_visible()
        check(page, "menu-open")

    page.goto(site_url + reverse("review_dashboard"))
    check(page, "review-dashboard")
    page.goto(site_url + reverse("account"))
    check(page, "account")
    context.close()

    assert not check.misfits, "\n".join(check.misfits)
    assert len(check.pages) >= 20
    assert get_user_model().objects.get(username=USERNAME).consultations.count() == 2
