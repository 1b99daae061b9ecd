"""Real-browser journeys: a clinician signs in, completes consultations, and sees the live panels.

Every answer is clicked or typed through the page; the expected recommendation comes from the
engine itself (evaluate(parse_assessment(vignette input))), so these tests check that what the
browser shows is what the engine decided for what was typed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from decision import labels
from decision.engine import CurrentTCS, RedFlags, check_adequacy, red_flag_actions
from decision.engine.knowledge import poem_band
from tests.browser import journey

pytestmark = pytest.mark.browser

JOURNEY_VIGNETTES = ["seed-ped", "seed-tcs-severe", "herpeticum-eyes"]


def mark_document(page: Page) -> None:
    """Tag the current document: the tag survives htmx swaps but not a page load."""
    page.evaluate("window.__sameDocument = true")


def assert_same_document(page: Page) -> None:
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"


def start_consultation(page: Page, site_url: str, data: dict, reference: str) -> None:
    """Answer step 1 and arrive on step 2."""
    page.goto(f"{site_url}/consultations/new/")
    journey.fill_patient(page, data, reference)
    journey.continue_to(page, "safety")


def assert_result_matches_engine(page: Page, expected: dict) -> None:
    next_step = page.get_by_role("region", name="Next step")
    expect(next_step.locator(".card-title")).to_have_text(expected["next_step"]["title"])
    expect(next_step).to_contain_text(expected["next_step"]["summary"])
    for product in expected["next_step"]["products"]:
        expect(next_step).to_contain_text(product["name"])
    if expected["after"]:
        after = page.get_by_role("region", name="After that")
        expect(after.locator(".card-title")).to_have_text(expected["after"]["title"])
    for alternative in expected["alternatives"]:
        expect(page.get_by_role("region", name="Alternatives")).to_contain_text(
            alternative["title"]
        )
    for referral in expected["referrals"]:
        referrals = page.get_by_role("region", name="Referrals")
        expect(referrals).to_contain_text(labels.label(referral["code"]))
        expect(referrals).to_contain_text(labels.URGENCIES[referral["urgency"]])
    for alert in expected["alerts"]:
        expect(page.get_by_role("region", name="Alerts")).to_contain_text(alert["text"])
    days = expected["follow_up"]["review_after_days"]
    follow_up = page.get_by_role("region", name="Follow-up")
    expect(follow_up).to_contain_text("Today" if days == 0 else f"Review in {days} days")


def test_sign_in_through_the_form(signed_in_page: Page) -> None:
    page = signed_in_page
    expect(page.get_by_role("heading", level=1)).to_have_text("My consultations")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("browser-clinician")


@pytest.mark.parametrize("vignette_id", JOURNEY_VIGNETTES)
def test_consultation_reaches_the_engine_recommendation(
    signed_in_page: Page, site_url: str, vignette_id: str
) -> None:
    case = journey.vignette(vignette_id)
    expected = journey.expected_result(case["input"])
    # The three journeys between them cover a routine escalation, a specialist referral and an
    # urgent red-flag referral.
    assert expected["next_step"]["code"] == case["expect"]["next_step"]

    journey.complete_consultation(signed_in_page, site_url, case["input"], f"BT-{vignette_id}")

    assert_result_matches_engine(signed_in_page, expected)
    # It is listed as completed on the home page with the same next step.
    signed_in_page.get_by_role("link", name="Back to my consultations").click()
    completed = signed_in_page.get_by_role("region", name="Completed")
    row = completed.get_by_role("row").filter(has_text=f"BT-{vignette_id}")
    expect(row).to_contain_text(labels.label(expected["next_step"]["code"]))


def test_red_flag_panel_updates_live_on_step_2(signed_in_page: Page, site_url: str) -> None:
    page = signed_in_page
    data = journey.vignette("herpeticum-eyes")["input"]
    start_consultation(page, site_url, data, "BT-RED-FLAG")
    url = page.url
    panel = page.get_by_role("region", name="Urgent actions")
    expect(panel).to_contain_text("No red flags ticked.")
    mark_document(page)

    page.get_by_role("checkbox", name=labels.RED_FLAGS["herpeticum_signs"]).click()

    alerts = red_flag_actions(RedFlags(herpeticum_signs=True))
    assert alerts, "the engine raises an urgent action for eczema herpeticum"
    for alert in alerts:
        expect(panel.get_by_role("alert").filter(has_text=alert.text)).to_be_visible()
    expect(panel).not_to_contain_text("No red flags ticked.")
    assert_same_document(page)
    assert page.url == url

    # Unticking clears it again, still without a page load.
    page.get_by_role("checkbox", name=labels.RED_FLAGS["herpeticum_signs"]).click()
    expect(panel).to_contain_text("No red flags ticked.")
    assert_same_document(page)

    # Saved, the flag stays in view as a banner on every later step.
    page.get_by_role("checkbox", name=labels.RED_FLAGS["herpeticum_signs"]).click()
    journey.continue_to(page, "eczema")
    banner = page.get_by_role("region", name="Red flags raised: act on these first")
    expect(banner).to_contain_text(alerts[0].text)


def test_poem_score_updates_live_on_step_3(signed_in_page: Page, site_url: str) -> None:
    page = signed_in_page
    data = journey.vignette("seed-ped")["input"]
    start_consultation(page, site_url, data, "BT-POEM")
    journey.fill_safety(page, data)
    journey.continue_to(page, "eczema")
    mark_document(page)
    url = page.url

    page.get_by_text("POEM calculator (optional)").click()
    body = page.locator("#poem-body")
    expect(body).to_contain_text("Answer the 7 questions for a score")
    items = page.locator(".poem-items select")
    items.nth(0).select_option("2")
    expect(body).to_contain_text("1 of 7 questions answered")
    scores = [2, 3, 1, 4, 2, 0, 3]
    for index, score in enumerate(scores[1:], start=1):
        items.nth(index).select_option(str(score))
    total = sum(scores)
    expect(body).to_contain_text(f"POEM {total} of 28")
    expect(body).to_contain_text(f"suggests {poem_band(total)['severity']}")
    # Changing one answer changes the score.
    items.nth(3).select_option("0")
    expect(body).to_contain_text(f"POEM {total - 4} of 28")
    assert_same_document(page)
    assert page.url == url


def test_adequacy_panel_updates_live_on_step_4(signed_in_page: Page, site_url: str) -> None:
    page = signed_in_page
    data = journey.vignette("seed-ped")["input"]
    start_consultation(page, site_url, data, "BT-ADEQUACY")
    journey.fill_safety(page, data)
    journey.continue_to(page, "eczema")
    journey.fill_eczema(page, data)
    journey.continue_to(page, "treatment")
    mark_document(page)
    panel = page.get_by_role("region", name="Is this trial adequate?")
    expect(panel).to_contain_text("To check the trial, give the potency")

    with journey.preview_response(page, "course"):
        page.get_by_role("radio", name=journey.POTENCY_LABELS["medium"]).click()
    page.get_by_label("Applications per day").fill("2")
    page.get_by_label("Weeks of the current course").fill("3")
    page.get_by_role("radio", name=labels.ADHERENCE["good"]).click()

    sites = tuple(data["sites"])
    # The amount follows the extent given at step 3 (README § 3 C).
    adequate = check_adequacy(
        84, "moderate", sites, CurrentTCS("medium", 2, 3, "good"), data["bsa_percent"]
    )
    assert adequate.adequate and adequate.quantity_basis == "bsa"
    expect(panel).to_contain_text("Adequate trial.")
    expect(panel).to_contain_text(f"about {adequate.expected_grams_per_week:g} g a week")

    # A course that is too short turns it inadequate, with the engine's reason.
    page.get_by_label("Weeks of the current course").fill("1")
    short = check_adequacy(84, "moderate", sites, CurrentTCS("medium", 2, 1, "good"))
    assert not short.adequate
    expect(panel).to_contain_text("Not yet an adequate trial")
    for text in short.reason_texts:
        expect(panel).to_contain_text(text)

    # No steroid at all: the course questions disappear and the panel says why.
    page.get_by_role("radio", name=labels.POTENCIES["none"]).click()
    expect(page.get_by_label("Applications per day")).to_be_hidden()
    none = check_adequacy(84, "moderate", sites, CurrentTCS("none", 0, 0, "good"))
    expect(panel).to_contain_text(none.reason_texts[0])
    assert_same_document(page)


def test_leave_mid_way_and_resume(signed_in_page: Page, site_url: str) -> None:
    page = signed_in_page
    case = journey.vignette("seed-tcs-severe")
    data = case["input"]
    start_consultation(page, site_url, data, "BT-RESUME")
    journey.fill_safety(page, data)
    journey.continue_to(page, "eczema")

    # Leave for the home page: the draft is listed, and Resume opens the first unanswered step.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My consultations").click()
    drafts = page.get_by_role("region", name="Drafts")
    row = drafts.get_by_role("row").filter(has_text="BT-RESUME")
    expect(row).to_have_count(1)
    row.get_by_role("link", name=re.compile("Resume")).click()
    page.wait_for_url(re.compile(r"/steps/eczema/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Eczema today")
    expect(page.get_by_text("Reference BT-RESUME")).to_be_visible()

    # Step 3 is still empty, so "Save and go back" cannot save it and offers to go back
    # without saving instead.
    page.get_by_role("button", name="Save and go back").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_contain_text("This page has not been saved")
    summary.get_by_role("link", name="go back without saving this page").click()
    page.wait_for_url(re.compile(r"/steps/safety/"))
    expect(page.get_by_text("Reference BT-RESUME")).to_be_visible()

    # Then finish from where it was left; the result depends on the age saved before leaving.
    journey.continue_to(page, "eczema")
    journey.fill_eczema(page, data)
    journey.continue_to(page, "treatment")
    journey.fill_treatment(page, data)
    journey.continue_to(page, "tried")
    journey.continue_to(page, "other")
    journey.continue_to(page, "check")
    page.get_by_role("button", name="Complete and see the recommendation").click()
    page.wait_for_url(journey.RESULT_PATH)
    assert_result_matches_engine(page, journey.expected_result(data))


def test_revisited_step_1_shows_the_saved_clinic_reference(
    signed_in_page: Page, site_url: str
) -> None:
    page = signed_in_page
    data = journey.vignette("seed-ped")["input"]
    start_consultation(page, site_url, data, "BT-REVISIT")
    page.get_by_role("button", name="Save and go back").click()
    page.wait_for_url(re.compile(r"/steps/patient/"))
    expect(page.get_by_label("Years")).to_have_value(str(data["age_months"] // 12))
    expect(page.get_by_label("Clinic reference")).to_have_value("BT-REVISIT")
    # And it saves again as it is.
    journey.continue_to(page, "safety")


def test_print_media_hides_navigation_on_the_result(signed_in_page: Page, site_url: str) -> None:
    page = signed_in_page
    data = journey.vignette("seed-ped")["input"]
    journey.complete_consultation(page, site_url, data, "BT-PRINT")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_visible()
    page.emulate_media(media="print")
    expect(nav).to_be_hidden()
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    # The recommendation itself still prints.
    expect(page.get_by_role("region", name="Next step")).to_be_visible()
    page.emulate_media(media="screen")
    expect(nav).to_be_visible()


def test_screenshots_of_every_page_of_a_journey(
    signed_in_page: Page, site_url: str, artifacts_dir
) -> None:
    """Full-page screenshots, in order, into test-artifacts/browser/ (for people to look at)."""
    page = signed_in_page
    shots = []
    for old in artifacts_dir.glob("journey-*.png"):
        old.unlink()

    def shoot(page: Page, name: str) -> None:
        path = artifacts_dir / f"journey-{len(shots) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        shots.append(path)

    data = journey.vignette("herpeticum-eyes")["input"]
    journey.complete_consultation(
        page, site_url, data, "BT-SHOTS", on_page=shoot, poem=[2, 3, 1, 4, 2, 0, 3]
    )
    page.emulate_media(media="print")
    shoot(page, "result-print")
    page.emulate_media(media="screen")
    urls = print_urls(page)
    for document in ("summary", "handout"):
        page.goto(site_url + urls[document])
        expect(page.get_by_role("article")).to_be_visible()
        shoot(page, document)
        page.emulate_media(media="print")
        shoot(page, f"{document}-print")
        page.emulate_media(media="screen")

    assert len(shots) >= 18
    for path in shots:
        assert path.stat().st_size > 10_000, f"{path.name} looks empty"


def print_urls(page: Page) -> dict[str, str]:
    """The printable pages of the consultation whose result page is open."""
    pk = re.search(r"/consultations/([0-9a-f-]{36})/result/", page.url)[1]
    return {
        name: reverse(f"consultation_{name}", args=[pk])
        for name in ("summary", "summary_pdf", "handout", "handout_pdf")
    }


def test_summary_and_handout_pages_print_without_navigation(
    signed_in_page: Page, site_url: str
) -> None:
    page = signed_in_page
    data = journey.vignette("seed-ped")["input"]
    expected = journey.expected_result(data)
    journey.complete_consultation(page, site_url, data, "BT-DOCS")
    urls = print_urls(page)

    # The result page links to both documents.
    page.locator(f'main a[href="{urls["summary"]}"]').first.click()
    page.wait_for_url(re.compile(re.escape(urls["summary"]) + "$"))
    main = page.get_by_role("main")
    expect(main).to_contain_text("BT-DOCS")
    expect(main).to_contain_text(expected["next_step"]["title"])
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.locator(".doc-toolbar")).to_be_hidden()
    expect(main).to_contain_text(expected["next_step"]["title"])
    page.emulate_media(media="screen")

    with page.expect_download() as download:
        page.locator(f'a[href="{urls["summary_pdf"]}"]').first.click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")

    page.locator(f'a[href="{urls["handout"]}"]').first.click()
    page.wait_for_url(re.compile(re.escape(urls["handout"]) + "$"))
    handout = page.get_by_role("article")
    expect(handout.get_by_role("heading", level=1)).to_be_visible()
    expect(handout).to_contain_text("BT-DOCS")
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.locator(".doc-toolbar")).to_be_hidden()
    expect(handout.get_by_role("heading", level=2).first).to_be_visible()
    page.emulate_media(media="screen")

    with page.expect_download() as download:
        page.locator(f'a[href="{urls["handout_pdf"]}"]').first.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize("document", ["summary", "handout"])
def test_printed_documents_keep_their_title_and_reference(
    signed_in_page: Page, site_url: str, document: str
) -> None:
    page = signed_in_page
    data = journey.vignette("seed-ped")["input"]
    journey.complete_consultation(page, site_url, data, "BT-HEADER")
    page.goto(site_url + print_urls(page)[document])
    page.emulate_media(media="print")
    title = page.get_by_role("article").get_by_role("heading", level=1)
    expect(title).to_be_visible()
    expect(page.get_by_role("article").locator(".doc-meta")).to_contain_text("BT-HEADER")
