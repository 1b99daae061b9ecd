"""Driving the questionnaire as a person would: find controls by their visible labels, click, type.

Shared by the journey and accessibility tests. Nothing here posts forms directly or reads the
database: every answer goes in through the page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from decision import labels
from decision.engine import OTHER_FACTORS, RED_FLAGS, TRIED_KEYS, evaluate, parse_assessment
from decision.questionnaire import QUESTIONS

DATA = Path(__file__).resolve().parents[1] / "data"
STEP_PATH = re.compile(r"/consultations/[0-9a-f-]{36}/steps/(?P<slug>[a-z]+)/")
RESULT_PATH = re.compile(r"/consultations/[0-9a-f-]{36}/result/$")

# The potency radios' labels, as declared (decision/questionnaire.py).
POTENCY_LABELS = {option.code: option.label for option in QUESTIONS["potency"].options}

# Called after each page is ready, with a short name (for screenshots and axe runs).
PageHook = Callable[[Page, str], None]


def vignette(vignette_id: str) -> dict[str, Any]:
    for case in json.loads((DATA / "vignettes.json").read_text(encoding="utf-8")):
        if case["id"] == vignette_id:
            return case
    raise KeyError(vignette_id)


def expected_result(engine_input: dict[str, Any]) -> dict[str, Any]:
    """What the engine recommends for this input: the result page must show this."""
    return evaluate(parse_assessment(engine_input)).to_dict()


def settle(page: Page) -> None:
    """Wait until htmx has no request in flight (htmx marks requesting elements .htmx-request)."""
    expect(page.locator(".htmx-request")).to_have_count(0)


def preview_response(page: Page, preview: str):
    """Context manager: wait for htmx's live request `_preview=<preview>` to be answered."""
    return page.expect_response(
        lambda response: (
            response.request.method == "POST"
            and f"_preview={preview}" in (response.request.post_data or "")
        )
    )


def step_slug(page: Page) -> str | None:
    match = STEP_PATH.search(page.url)
    return match["slug"] if match else None


def continue_to(page: Page, slug: str | None) -> None:
    """Press "Save and continue" and wait for the next step (or the result page if slug is None)."""
    settle(page)
    page.get_by_role("button", name="Save and continue").click()
    if slug is None:
        page.wait_for_url(RESULT_PATH)
    else:
        page.wait_for_url(re.compile(rf"/steps/{slug}/"))
    expect(page.locator("h1")).to_be_visible()


def set_checkbox(page: Page, label: str, value: bool) -> None:
    box = page.get_by_role("checkbox", name=label, exact=True)
    if box.is_checked() != value:
        box.click()


# --------------------------------------------------------------------------------- the steps
def fill_patient(page: Page, data: dict[str, Any], reference: str) -> None:
    page.get_by_label("Clinic reference").fill(reference)
    years, months = divmod(data["age_months"], 12)
    page.get_by_label("Years").fill(str(years))
    if months:
        page.get_by_label("Months").fill(str(months))
    # Leaving the age field fires "change": htmx redraws the age-dependent questions.
    page.get_by_label("Clinic reference").focus()
    settle(page)
    for flag, text in labels.PATIENT_FLAGS.items():
        box = page.get_by_role("checkbox", name=text, exact=True)
        if data.get(flag):
            box.click()
        elif box.count():
            expect(box).not_to_be_checked()


def fill_safety(page: Page, data: dict[str, Any]) -> None:
    flags = data.get("red_flags") or {}
    for flag in RED_FLAGS:
        set_checkbox(page, labels.RED_FLAGS[flag], bool(flags.get(flag)))
    settle(page)


def fill_eczema(page: Page, data: dict[str, Any], poem: list[int] | None = None) -> None:
    page.get_by_role("radio", name=labels.SEVERITIES[data["severity"]], exact=True).click()
    if poem:
        fill_poem(page, poem)
    for site in data["sites"]:
        page.get_by_role("checkbox", name=labels.SITES[site], exact=True).click()
    if data.get("bsa_percent") is not None:
        page.get_by_label("Body surface area affected (%)").fill(f"{data['bsa_percent']:g}")
    if data.get("sleep_loss_nights_per_week"):
        page.get_by_label("Nights of sleep lost to eczema per week").fill(
            str(data["sleep_loss_nights_per_week"])
        )
    if data.get("major_life_impact"):
        page.get_by_role("checkbox", name="Major impact on school, work or relationships").click()


def fill_poem(page: Page, poem: list[int]) -> None:
    page.get_by_text("POEM calculator (optional)").click()  # opens the <details>
    items = page.locator(".poem-items select")
    expect(items).to_have_count(len(poem))
    for index, score in enumerate(poem):
        items.nth(index).select_option(str(score))


def fill_treatment(page: Page, data: dict[str, Any]) -> None:
    tcs = data["current_tcs"]
    potency = page.get_by_role("radio", name=POTENCY_LABELS[tcs["potency"]], exact=True)
    # Choosing the agent fills in its potency, and choosing the potency redraws the course
    # questions (shown, or hidden for "none"): wait for that before typing into them, or the
    # redraw would replace what was typed.
    if tcs.get("agent"):
        with preview_response(page, "potency"):
            page.get_by_label("Topical corticosteroid used").select_option(tcs["agent"])
        settle(page)
        expect(potency).to_be_checked()
    else:
        with preview_response(page, "course"):
            potency.click()
    settle(page)
    if tcs["potency"] != "none":
        page.get_by_label("Applications per day").fill(str(tcs["applications_per_day"]))
        page.get_by_label("Weeks of the current course").fill(f"{tcs['weeks']:g}")
        page.get_by_role("radio", name=labels.ADHERENCE[tcs["adherence"]], exact=True).click()
        if tcs.get("grams_per_week") is not None:
            page.get_by_label("Grams used per week").fill(f"{tcs['grams_per_week']:g}")
    emollients = "Yes" if data.get("emollients_daily") else "No"
    page.get_by_role("radio", name=emollients, exact=True).click()
    if data.get("steroid_concerns"):
        page.get_by_role(
            "checkbox", name="The patient or family worries about using steroids"
        ).click()
    # Everything the trial check needs is known now: the panel gives its verdict.
    expect(page.locator("#adequacy-body")).not_to_contain_text("To check the trial")


def fill_tried(page: Page, data: dict[str, Any]) -> None:
    tried = data.get("tried") or {}
    for key in TRIED_KEYS:
        outcome = tried.get(key, "not_tried")
        if outcome != "not_tried":
            page.get_by_label(labels.TRIED[key]).select_option(label=labels.TRIED_OUTCOMES[outcome])


def fill_other(page: Page, data: dict[str, Any]) -> None:
    for key in OTHER_FACTORS:
        if data.get(key):
            page.get_by_role("checkbox", name=labels.OTHER_FACTORS[key], exact=True).click()


def complete_consultation(
    page: Page,
    site_url: str,
    data: dict[str, Any],
    reference: str,
    on_page: PageHook | None = None,
    poem: list[int] | None = None,
) -> None:
    """From "My consultations" to the result page, one step at a time, as a clinician would."""

    def ready(name: str) -> None:
        if on_page:
            on_page(page, name)

    page.goto(f"{site_url}/")
    ready("home")
    page.get_by_role("main").get_by_role("link", name="New consultation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Patient")
    ready("step-1-patient")
    fill_patient(page, data, reference)
    ready("step-1-patient-answered")
    continue_to(page, "safety")
    ready("step-2-safety")
    fill_safety(page, data)
    ready("step-2-safety-answered")
    continue_to(page, "eczema")
    ready("step-3-eczema")
    fill_eczema(page, data, poem=poem)
    settle(page)
    ready("step-3-eczema-answered")
    continue_to(page, "treatment")
    ready("step-4-treatment")
    fill_treatment(page, data)
    settle(page)
    ready("step-4-treatment-answered")
    continue_to(page, "tried")
    ready("step-5-tried")
    fill_tried(page, data)
    continue_to(page, "other")
    ready("step-6-other")
    fill_other(page, data)
    continue_to(page, "check")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    ready("step-7-check")
    page.get_by_role("button", name="Complete and see the recommendation").click()
    page.wait_for_url(RESULT_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text("Recommendation")
    ready("result")
