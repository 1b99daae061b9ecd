"""In a real browser (issue 13, "Done when"): a 7-year-old on the seed path is started on a TCI,
comes back 14 days later with no change, and the review visit gives the next step for a TCI
failure in at most half the interactions of the first visit; the timeline's chart shows both
POEM scores; the review dashboard's indicators match a clinic worked out by hand.

Interactions are counted as a person makes them: every click on a button or link that moves on,
and every form field whose value differs, when the page is submitted, from what the server put
in it (a prefilled answer left alone is not an interaction; a radio group or a select counts once,
each ticked box once). Screenshots in test-artifacts/browser/followup-*.png.
"""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from decision import labels
from decision.engine.knowledge import severity_aids
from tests.browser import journey
from tests.browser.axe import blocking_violations, describe
from tests.browser.conftest import PASSWORD
from tests.browser.test_phone import MEASURE
from tests.followup import clinic

pytestmark = pytest.mark.browser

POEM_FIRST = [2, 2, 1, 1, 2, 2, 2]  # 12: moderate
POEM_REVIEW = [2, 2, 1, 1, 2, 2, 3]  # 13: moderate
PHONE = {"width": 390, "height": 844}

CHANGED_FIELDS = """() => {
  const form = document.querySelector('#step-form');
  if (!form) return 0;
  let changed = 0;
  const radios = new Set();
  for (const el of form.elements) {
    if (el.type === 'hidden' || el.type === 'submit' || el.tagName === 'BUTTON') continue;
    if (el.type === 'radio') {
      if (el.checked !== el.defaultChecked) radios.add(el.name);
    } else if (el.type === 'checkbox') {
      if (el.checked !== el.defaultChecked) changed++;
    } else if (el.tagName === 'SELECT') {
      const first = [...el.options].find(o => o.defaultSelected) || el.options[0];
      if (el.selectedOptions[0] !== first) changed++;
    } else if (el.value !== el.defaultValue) {
      changed++;
    }
  }
  return changed + radios.size;
}"""


class Interactions:
    """Clicks that move on, and fields changed on each page when it is submitted."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.clicks = 0
        self.fields = 0
        self.pages: list[tuple[str, int]] = []

    def click(self, locator) -> None:
        journey.settle(self.page)
        self.clicks += 1
        locator.click()

    def submit(self, name: str, button: str) -> None:
        journey.settle(self.page)
        changed = self.page.evaluate(CHANGED_FIELDS)
        self.pages.append((name, changed))
        self.fields += changed
        self.click(self.page.get_by_role("button", name=button))

    @property
    def total(self) -> int:
        return self.clicks + self.fields


def check_page(page: Page, artifacts_dir, name: str) -> None:
    """Screenshot, axe (no serious or critical violation) and, at 390 px, nothing that scrolls
    sideways (test_phone's measure). Every page served is also checked as HTML (conftest.py).
    The page is loaded again for each width: every page checked here answers a GET."""
    page.screenshot(path=str(artifacts_dir / f"followup-{name}.png"), full_page=True)
    violations = blocking_violations(page)
    assert not violations, describe(name, violations)
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    try:
        # Loaded afresh at that width (as a phone would), not resized under the reader.
        page.reload()
        journey.settle(page)
        found = page.evaluate(MEASURE)
        page.screenshot(path=str(artifacts_dir / f"followup-{name}-390.png"), full_page=True)
        assert found["scrollWidth"] <= found["innerWidth"], found
        assert not found["scrollers"] and not found["outside"], found
    finally:
        page.set_viewport_size(size)


def first_visit(page: Page, site_url: str, count: Interactions) -> None:
    """The seed path through every step, with POEM, completed as if 14 days ago."""
    data = journey.vignette("seed-ped")["input"]
    page.goto(f"{site_url}/")
    count.click(page.get_by_role("main").get_by_role("link", name="New consultation"))
    journey.fill_patient(page, data, "BT-REVIEW")
    count.submit("patient", "Save and continue")
    page.wait_for_url(re.compile(r"/steps/safety/"))
    journey.fill_safety(page, data)
    count.submit("safety", "Save and continue")
    page.wait_for_url(re.compile(r"/steps/eczema/"))
    journey.fill_eczema(page, data, poem=POEM_FIRST)
    count.submit("eczema", "Save and continue")
    page.wait_for_url(re.compile(r"/steps/treatment/"))
    journey.fill_treatment(page, data)
    count.submit("treatment", "Save and continue")
    page.wait_for_url(re.compile(r"/steps/tried/"))
    count.submit("tried", "Save and continue")
    page.wait_for_url(re.compile(r"/steps/other/"))
    count.submit("other", "Save and continue")
    page.wait_for_url(re.compile(r"/steps/check/"))
    two_weeks_ago = timezone.now() - timedelta(days=14)
    # The live server is a thread of this process: its clock moves back for this one request.
    with mock.patch("django.utils.timezone.now", return_value=two_weeks_ago):
        count.click(page.get_by_role("button", name="Complete and see the recommendation"))
        page.wait_for_url(journey.RESULT_PATH)
    expect(page.get_by_role("region", name="Next step").locator(".card-title")).to_have_text(
        "Start a topical calcineurin inhibitor"
    )


def test_a_tci_with_no_change_at_14_days_steps_up_in_half_the_interactions(
    signed_in_page: Page, site_url: str, artifacts_dir
) -> None:
    page = signed_in_page
    for old in artifacts_dir.glob("followup-*"):
        old.unlink()
    first = Interactions(page)
    first_visit(page, site_url, first)

    # After the visit (not counted in either): the clinician records what they prescribe.
    panel = page.get_by_role("region", name="What you prescribe")
    expect(panel.get_by_role("checkbox", name="tacrolimus 0.03% ointment")).to_be_checked()
    panel.get_by_role("button", name="Record what I prescribe").click()
    expect(page.get_by_role("region", name="What you prescribe")).to_contain_text("Recorded")

    # 14 days later: the patient is due, on the home page.
    page.goto(f"{site_url}/")
    due = page.get_by_role("region", name="Reviews due")
    expect(due).to_contain_text("BT-REVIEW")
    expect(due).to_contain_text("Today")
    check_page(page, artifacts_dir, "1-home-review-due")

    second = Interactions(page)
    second.click(due.get_by_role("link", name="Review BT-REVIEW"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Review visit")
    last = page.get_by_role("region", name="The last visit")
    expect(last).to_contain_text("Prescribed: tacrolimus 0.03% ointment")
    expect(last).to_contain_text("Topical calcineurin inhibitor (tacrolimus or pimecrolimus)")
    # Severity, sites and body surface area start as last time; red flags and POEM do not.
    expect(page.get_by_role("radio", name="Moderate", exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name=labels.SITES["arms"], exact=True)).to_be_checked()
    for flag in labels.RED_FLAGS.values():
        expect(page.get_by_role("checkbox", name=flag, exact=True)).not_to_be_checked()
    check_page(page, artifacts_dir, "2-review-page")
    page.get_by_role("radio", name="Yes, as advised").click()
    page.get_by_role("radio", name="No change", exact=True).click()
    page.get_by_role("radio", name="None", exact=True).click()
    with journey.preview_response(page, "poem"):
        journey.fill_poem(page, POEM_REVIEW)
    expect(page.locator("#poem-body")).to_contain_text("POEM 13 of 28")
    page.screenshot(path=str(artifacts_dir / "followup-3-review-answered.png"), full_page=True)
    second.submit("review", "Save and check the answers")

    page.wait_for_url(re.compile(r"/steps/check/"))
    answers = page.get_by_role("region", name="Since the last visit")
    expect(answers).to_contain_text("No change")
    expect(page.get_by_role("region", name="5. Treatments tried")).to_contain_text(
        "Tried: not enough response"
    )
    check_page(page, artifacts_dir, "4-review-check")
    second.click(page.get_by_role("button", name="Complete and see the recommendation"))
    page.wait_for_url(journey.RESULT_PATH)

    # The next step for a TCI that failed: wet wraps (moderate eczema on the arms and legs).
    next_step = page.get_by_role("region", name="Next step")
    expect(next_step.locator(".card-title")).to_have_text("Wet-wrap therapy")
    expect(page.get_by_role("region", name="Avoid")).to_contain_text(
        "TCIs have already given an inadequate response"
    )
    check_page(page, artifacts_dir, "5-review-result")
    result_url = page.url

    # The clinician summary of the review: the trend of both visits, with its table.
    page.get_by_role("link", name="Clinician summary (print or PDF)").click()
    trend = page.get_by_role("region", name="POEM and severity over visits")
    expect(trend.locator("svg .trend-poem-value")).to_have_text(["12", "13"])
    expect(trend.locator("table tbody tr")).to_have_count(2)
    page.screenshot(path=str(artifacts_dir / "followup-5b-summary.png"), full_page=True)
    violations = blocking_violations(page)
    assert not violations, describe("summary", violations)
    page.goto(result_url)

    assert first.pages == [
        ("patient", 2), ("safety", 0), ("eczema", 12), ("treatment", 5),
        ("tried", 0), ("other", 0),
    ]  # fmt: skip
    assert (first.clicks, first.total) == (8, 27)
    assert second.pages == [("review", 10)]  # three answers and the seven POEM items
    assert (second.clicks, second.total) == (3, 13)
    assert second.total * 2 <= first.total

    # The timeline and its chart: both POEM scores.
    page.get_by_role("link", name="Timeline").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Timeline")
    chart = page.locator("#trend svg.trend-svg-wide")
    expect(chart.locator(".trend-poem")).to_have_count(2)
    expect(chart.locator(".trend-poem-value")).to_have_text(["12", "13"])
    expect(chart.locator("desc")).to_contain_text("POEM 12 (moderate)")
    expect(chart.locator("desc")).to_contain_text("then 13 (moderate)")
    rows = page.locator("#timeline tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("tacrolimus 0.03% ointment")
    expect(rows.nth(1)).to_contain_text("No change")
    expect(page.locator("#trend svg.trend-svg-narrow")).to_be_hidden()
    check_page(page, artifacts_dir, "6-timeline")
    bands = [band["label"] for band in severity_aids()["poem"]["band"]]
    for band in bands:
        expect(chart).to_contain_text(band)


@pytest.fixture
def reviewer_account(django_user_model):
    return django_user_model.objects.create_user(
        username="browser-reviewer", password=PASSWORD, is_staff=True
    )


def test_the_dashboard_shows_the_indicators_worked_out_by_hand(
    page: Page, site_url: str, artifacts_dir, reviewer_account, django_user_model
) -> None:
    clinic.build(
        django_user_model.objects.create_user(username="a"),
        django_user_model.objects.create_user(username="b"),
    )
    page.set_default_timeout(10_000)
    page.goto(f"{site_url}/review/")
    page.get_by_label("Username").fill("browser-reviewer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/review/"))
    section = page.get_by_role("region", name="Outcome indicators")
    for key, rows in clinic.EXPECTED.items():
        table = section.locator(f"#indicator-{key} tbody tr")
        expect(table).to_have_count(len(rows))
        for index, (group, part, whole, value) in enumerate(rows):
            count = f"{part} of {whole}" if part is not None else str(whole)
            expect(table.nth(index).locator("th, td")).to_have_text([group, count, value])
    check_page(page, artifacts_dir, "7-dashboard-indicators")
