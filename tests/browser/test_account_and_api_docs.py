"""The account page (API tokens), the API's documentation and a CDS card's pre-filled
questionnaire link in a real browser: axe-core finds nothing serious, the pages fit a 390 px
screen, a token made there works on the API, and the link starts a draft with the EHR's answers."""

from __future__ import annotations

import json
import urllib.request

import pytest
from django.core import signing
from playwright.sync_api import Page, expect

from decision.cds.prefetch import Findings
from decision.cds.prefill import SALT
from decision.engine.knowledge import tcs_agent_map
from tests.browser.axe import AxeAudit

pytestmark = pytest.mark.browser


def test_a_token_made_on_the_account_page_works_and_the_pages_pass_axe(
    signed_in_page: Page, site_url: str, artifacts_dir
) -> None:
    page = signed_in_page
    audit = AxeAudit()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site_url}/account/")
    audit.check(page, "account-empty")
    page.get_by_label("What is the token for?").fill("browser test")
    page.get_by_role("button", name="Create a token").click()
    token = page.get_by_label("Token", exact=True).input_value()
    audit.check(page, "account-new-token")
    page.screenshot(path=str(artifacts_dir / "account-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    request = urllib.request.Request(
        f"{site_url}/api/v1/consultations", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request) as response:
        assert json.load(response)["count"] == 0

    page.get_by_role("button", name="Revoke browser test").click()
    expect(page.get_by_role("status")).to_contain_text("revoked")
    page.goto(f"{site_url}/api/v1/docs")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Eczema Step-Up API")
    audit.check(page, "api-docs")
    page.screenshot(path=str(artifacts_dir / "api-docs-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    audit.assert_clean()


def test_a_cards_link_opens_the_questionnaire_pre_filled(
    signed_in_page: Page, site_url: str, artifacts_dir
) -> None:
    page = signed_in_page
    audit = AxeAudit()
    findings = Findings(
        age_months=84,
        severity="moderate",
        sites=("flexures", "arms"),
        agent=tcs_agent_map()["mometasone-0.1-cream"],
        applications_per_day=2,
        weeks=3.0,
    )
    token = signing.dumps(findings.prefill(), salt=SALT, compress=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site_url}/consultations/from-ehr/?data={token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a consultation from the EHR")
    audit.check(page, "from-ehr")
    page.screenshot(path=str(artifacts_dir / "from-ehr-390.png"), full_page=True)
    page.get_by_role("button", name="Start the consultation").click()
    expect(page.get_by_label("Years")).to_have_value("7")
    page.get_by_label("Clinic reference").fill("EHR-TEST-1")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Safety screen")
    audit.assert_clean()
