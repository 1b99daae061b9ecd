"""Two tabs on one draft in a real browser: the second save gets the conflict page (accessible,
readable at 390 px), and one click there keeps both tabs' answers."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from decision import labels
from decision.engine import parse_assessment
from decision.models import Consultation
from tests.browser import journey
from tests.browser.axe import blocking_violations, describe
from tests.helpers import make_input

pytestmark = pytest.mark.browser


def test_a_save_from_a_stale_tab_shows_both_and_keeps_both(
    signed_in_page: Page, site_url: str, clinician_account, artifacts_dir
) -> None:
    answers = parse_assessment(make_input()).to_dict()
    draft = Consultation(created_by=clinician_account, patient_reference="TABS-1", answers=answers)
    draft.sync_columns()
    draft.save()
    first = signed_in_page
    second = first.context.new_page()
    first.goto(site_url + reverse("consultation_step", args=[draft.pk, "eczema"]))
    second.goto(site_url + reverse("consultation_step", args=[draft.pk, "treatment"]))

    first.get_by_role("radio", name=labels.SEVERITIES["severe"], exact=True).click()
    journey.continue_to(first, "treatment")
    journey.set_checkbox(second, "The patient or family worries about using steroids", True)
    journey.settle(second)
    second.get_by_role("button", name="Save and continue").click()

    heading = second.get_by_role("heading", level=1)
    expect(heading).to_have_text("This consultation was changed in another tab or window")
    second.set_viewport_size({"width": 390, "height": 844})
    second.screenshot(path=str(artifacts_dir / "conflict-390.png"), full_page=True)
    violations = blocking_violations(second)
    assert not violations, describe("conflict", violations)

    second.get_by_role("button", name="Save your answers for “Current treatment”").click()
    second.wait_for_url(re.compile(r"/steps/tried/"))

    stored = Consultation.objects.get(pk=draft.pk)
    assert stored.answers["severity"] == "severe"
    assert stored.answers["steroid_concerns"] is True
