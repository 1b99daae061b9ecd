"""Accessibility in a real browser: axe-core on every page of a journey (error states included),
a consultation completed with the keyboard alone, and errors announced through the error summary.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from decision.engine import SITES
from tests.browser import journey
from tests.browser.axe import AxeAudit
from tests.browser.conftest import PASSWORD, USERNAME

pytestmark = pytest.mark.browser

# Tab presses allowed to reach one control (the skip link and navigation come first).
MAX_TABS = 150


def sign_in(page: Page, site_url: str, password: str = PASSWORD) -> None:
    page.goto(f"{site_url}/accounts/login/")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_axe_finds_no_serious_violations_on_a_journey(
    page: Page, site_url: str, clinician_account
) -> None:
    page.set_default_timeout(10_000)
    audit = AxeAudit()
    page.goto(f"{site_url}/")
    page.wait_for_url(re.compile("/accounts/login/"))
    audit.check(page, "sign-in")
    sign_in(page, site_url, password="not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    audit.check(page, "sign-in-error")
    sign_in(page, site_url)
    page.wait_for_url(f"{site_url}/")
    audit.check(page, "home-empty")

    # The red-flag vignette: urgent banners and alerts on the later steps and the result.
    data = journey.vignette("herpeticum-eyes")["input"]
    journey.complete_consultation(
        page, site_url, data, "A11Y-1", on_page=audit.check, poem=[1, 2, 3, 4, 0, 1, 2]
    )
    pk = re.search(r"/consultations/([0-9a-f-]{36})/result/", page.url)[1]
    for document in ("summary", "handout"):
        page.goto(site_url + reverse(f"consultation_{document}", args=[pk]))
        expect(page.get_by_role("article")).to_be_visible()
        audit.check(page, document)
    page.goto(f"{site_url}/")
    audit.check(page, "home-with-completed")

    audit.assert_clean()
    assert len(audit.pages) >= 18


def test_axe_finds_no_serious_violations_in_error_states(
    signed_in_page: Page, site_url: str
) -> None:
    page = signed_in_page
    audit = AxeAudit()
    data = journey.vignette("seed-ped")["input"]

    page.goto(f"{site_url}/consultations/new/")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    audit.check(page, "step-1-empty")
    page.get_by_label("Clinic reference").fill("12/03/2019")
    page.get_by_label("Years").fill("130")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("alert")).to_contain_text("This looks like a date")
    audit.check(page, "step-1-bad-input")

    journey.fill_patient(page, data, "A11Y-ERR")
    journey.continue_to(page, "safety")
    journey.continue_to(page, "eczema")
    page.get_by_label("Body surface area affected (%)").fill("150")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose the severity")
    audit.check(page, "step-3-errors")

    journey.fill_eczema(page, {**data, "bsa_percent": None})
    page.get_by_label("Body surface area affected (%)").fill("15")
    journey.continue_to(page, "treatment")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    audit.check(page, "step-4-errors")
    page.get_by_role("button", name="Save and go back").click()
    expect(page.get_by_role("alert")).to_contain_text("This page has not been saved")
    audit.check(page, "step-4-back-not-saved")

    # The check page with steps still unanswered.
    check_url = re.sub(r"/steps/[a-z]+/.*$", "/steps/check/", page.url)
    page.goto(check_url)
    expect(page.locator("#error-summary")).to_contain_text("Some steps are not answered yet")
    audit.check(page, "check-with-missing-steps")
    page.goto(f"{site_url}/")
    expect(page.get_by_role("region", name="Drafts")).to_contain_text("A11Y-ERR")
    audit.check(page, "home-with-drafts")

    # A page that does not exist.
    response = page.goto(f"{site_url}/consultations/not-a-consultation/")
    assert response is not None and response.status == 404
    audit.check(page, "not-found")

    audit.assert_clean()


def test_errors_are_announced_through_the_error_summary(
    signed_in_page: Page, site_url: str
) -> None:
    page = signed_in_page
    page.goto(f"{site_url}/consultations/new/")
    page.get_by_label("Clinic reference").fill("943 476 5919")
    page.get_by_label("Years").fill("130")
    page.get_by_role("button", name="Save and continue").click()

    summary = page.locator("#error-summary")
    # An alert, focused on arrival, so screen readers read it out and keyboard users start there.
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(summary).to_contain_text("This looks like an NHS number")
    expect(summary).to_contain_text("Age must be 120 years or less")
    # Each message links to its field, and the field says it is invalid.
    links = summary.get_by_role("link")
    expect(links).to_have_count(2)
    for index in range(2):
        target = links.nth(index).get_attribute("href")
        assert target and target.startswith("#")
        field = page.locator(target)
        expect(field).to_have_count(1)
        expect(field).to_have_attribute("aria-invalid", "true")
    # Following a link takes the keyboard to the field.
    links.nth(1).press("Enter")
    expect(page.get_by_label("Years")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("7")
    expect(page.get_by_label("Years")).to_have_value("7")


# ----------------------------------------------------------------------------- keyboard only
def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the focused element matches `selector` (fails if it is unreachable)."""
    for _ in range(MAX_TABS):
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} is not reachable with Tab (after {MAX_TABS} presses)")


def key_type(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def key_tick(page: Page, selector: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Space")
    expect(page.locator(selector)).to_be_checked()


def key_choose(page: Page, name: str, index: int) -> None:
    """Choose the index-th radio of a group: Tab into the group, then Space or arrow keys."""
    tab_to(page, f'input[type=radio][name="{name}"]')
    if index == 0:
        page.keyboard.press("Space")
    for _ in range(index):
        page.keyboard.press("ArrowDown")
    expect(page.locator(f'input[type=radio][name="{name}"]').nth(index)).to_be_checked()


def key_continue(page: Page, slug: str | None) -> None:
    journey.settle(page)
    tab_to(page, 'button[name="_action"][value="continue"]')
    page.keyboard.press("Enter")
    page.wait_for_url(journey.RESULT_PATH if slug is None else re.compile(rf"/steps/{slug}/"))


def test_a_consultation_can_be_completed_with_the_keyboard_alone(
    page: Page, site_url: str, clinician_account
) -> None:
    page.set_default_timeout(10_000)
    case = journey.vignette("seed-ped")
    data = case["input"]
    page.goto(f"{site_url}/")

    # Sign in.
    key_type(page, "#id_username", USERNAME)
    key_type(page, "#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site_url}/")

    # "New consultation", from the skip link onwards.
    tab_to(page, 'main a[href$="/consultations/new/"]')
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("/consultations/new/"))

    key_type(page, "#id_patient_reference", "KEYBOARD-1")
    key_type(page, "#id_age_years", str(data["age_months"] // 12))
    key_continue(page, "safety")

    key_continue(page, "eczema")  # no red flags

    key_choose(page, "severity", ["mild", "moderate", "severe"].index(data["severity"]))
    for site in data["sites"]:
        key_tick(page, f"#id_sites_{SITES.index(site)}")
    key_type(page, "#id_bsa_percent", f"{data['bsa_percent']:g}")
    key_continue(page, "treatment")

    tcs = data["current_tcs"]
    key_choose(
        page, "potency", ["none", "low", "medium", "high", "very_high"].index(tcs["potency"])
    )
    journey.settle(page)
    key_type(page, "#id_applications_per_day", str(tcs["applications_per_day"]))
    key_type(page, "#id_weeks", str(tcs["weeks"]))
    key_choose(page, "adherence", ["good", "partial", "poor"].index(tcs["adherence"]))
    key_choose(page, "emollients_daily", 0)  # Yes
    expect(page.locator("#adequacy-body")).to_contain_text("Adequate trial.")
    key_continue(page, "tried")
    key_continue(page, "other")
    key_continue(page, "check")

    tab_to(page, "main form button[type=submit]")
    expect(page.locator(":focus")).to_have_text("Complete and see the recommendation")
    page.keyboard.press("Enter")
    page.wait_for_url(journey.RESULT_PATH)

    expected = journey.expected_result(data)
    expect(page.locator("#next-heading + .card .card-title")).to_have_text(
        expected["next_step"]["title"]
    )


def test_focus_is_visible_on_keyboard_controls(signed_in_page: Page, site_url: str) -> None:
    """Every control reached by Tab on a step shows a focus indicator (outline or shadow)."""
    page = signed_in_page
    page.goto(f"{site_url}/consultations/new/")
    missing = []
    seen = 0
    for _ in range(40):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return null;
                const style = getComputedStyle(el);
                const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
                const shadow = style.boxShadow && style.boxShadow !== 'none';
                return {tag: el.tagName, id: el.id, text: (el.innerText || '').slice(0, 40),
                        visible: outline || shadow};
            }"""
        )
        if info is None:
            continue
        seen += 1
        if not info["visible"]:
            missing.append(info)
    assert seen > 10
    assert not missing, f"no visible focus indicator on: {missing}"
