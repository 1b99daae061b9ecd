"""In a real browser (issue 11, "Done when"): a clinician records the one product they prescribe,
prints a handout that names only it, and pastes the note for the record (the clipboard read back
in Chromium with permission granted). Screenshots in test-artifacts/browser/ (rx-*.png); the
handout PDF's text (pdftotext) and a PNG of its first page beside them."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from playwright.sync_api import Page, expect

from tests.browser import journey
from tests.browser.axe import blocking_violations

pytestmark = pytest.mark.browser

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm")),
    reason="pdftotext/pdftoppm not installed: apt-get install -y poppler-utils",
)


@needs_poppler
def test_a_clinician_prints_a_handout_naming_the_one_product_prescribed_and_pastes_the_note(
    signed_in_page: Page, site_url: str, artifacts_dir, tmp_path
) -> None:
    page = signed_in_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url)
    for old in artifacts_dir.glob("rx-*"):
        old.unlink()
    data = journey.vignette("seed-ped")["input"]
    journey.complete_consultation(page, site_url, data, "BT-RX")
    result_url = page.url

    # What you prescribe: the step's first product is ticked to begin with.
    panel = page.get_by_role("region", name="What you prescribe")
    first = panel.get_by_role("checkbox", name="tacrolimus 0.03% ointment")
    second = panel.get_by_role("checkbox", name="pimecrolimus 1% cream")
    expect(first).to_be_checked()
    expect(second).not_to_be_checked()
    page.screenshot(path=str(artifacts_dir / "rx-1-result-before.png"), full_page=True)
    first.uncheck()
    second.check()
    panel.get_by_label("Topical steroid to continue or start").select_option("hydrocortisone-1")
    panel.get_by_role("radio", name="Cream").check()
    page.evaluate("window.__sameDocument = true")
    panel.get_by_role("button", name="Record what I prescribe").click()
    journey.settle(page)

    # Redrawn in place (htmx): the prescription, the note and the "modified" feedback.
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    recorded = page.get_by_role("region", name="What you prescribe")
    expect(recorded.get_by_role("status")).to_contain_text("Recorded")
    expect(recorded).to_contain_text("pimecrolimus 1% cream")
    expect(recorded).to_contain_text("hydrocortisone 1 % cream (UK mild)")
    feedback = page.get_by_role("region", name="What you did with this recommendation")
    expect(feedback).to_contain_text("Modified")
    note = page.get_by_role("textbox", name="Note for the record")
    expect(note).to_have_value(re.compile(r"Prescribed: pimecrolimus 1% cream; steroid: "))
    assert not blocking_violations(page)
    page.screenshot(path=str(artifacts_dir / "rx-2-result-recorded.png"), full_page=True)

    # Copy the note, then paste it (the clipboard as another program would read it).
    copy = page.get_by_role("button", name="Copy the note")
    expect(copy).to_be_visible()
    copy.click()
    expect(page.locator("#record-note-status")).to_have_text("Copied: paste it into the record.")
    pasted = page.evaluate("navigator.clipboard.readText()")
    assert pasted == note.input_value()
    lines = pasted.split("\n")
    assert len(lines) <= 12
    assert "Prescribed: pimecrolimus 1% cream; steroid: hydrocortisone 1 % cream." in lines
    assert lines[-1] == "Rule set 2026.12; advisory only, clinical judgement applies."
    (artifacts_dir / "rx-note-pasted.txt").write_text(pasted + "\n", encoding="utf-8")

    # Without JavaScript's help the note is still there to select.
    page.reload()
    expect(page.get_by_role("textbox", name="Note for the record")).to_have_attribute(
        "readonly", ""
    )

    # The handout names only what was prescribed.
    page.get_by_role("link", name="Patient handout (print or PDF)").click()
    article = page.get_by_role("article")
    expect(article).to_contain_text("pimecrolimus 1% cream")
    expect(article).to_contain_text("hydrocortisone 1 % cream")
    expect(article).not_to_contain_text("tacrolimus 0.03% ointment")
    expect(article).not_to_contain_text("Use only the one prescribed")
    page.screenshot(path=str(artifacts_dir / "rx-3-handout.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(artifacts_dir / "rx-4-handout-print.png"), full_page=True)
    page.emulate_media(media="screen")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF (A4)").click()
    pdf_path = tmp_path / "handout.pdf"
    download_info.value.save_as(pdf_path)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"], check=True, capture_output=True
    ).stdout.decode()
    (artifacts_dir / "rx-handout-pdf.txt").write_text(text, encoding="utf-8")
    flat = " ".join(text.split())
    assert "pimecrolimus 1% cream" in flat
    assert "hydrocortisone 1 % cream" in flat
    assert "tacrolimus" not in flat.split("When the skin is clear")[0]
    assert "Use only the one prescribed" not in flat
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", str(pdf_path), str(artifacts_dir / "rx-handout-pdf")],
        check=True,
    )
    assert (artifacts_dir / "rx-handout-pdf-1.png").stat().st_size > 10_000

    # On a phone: the prescription, the note and the feedback fit 390 px without sideways scroll.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(result_url)
    page.get_by_text("Change what you prescribed").click()
    expect(page.get_by_label("Topical steroid to continue or start")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("#prescription").screenshot(
        path=str(artifacts_dir / "rx-5-phone-prescription.png")
    )
    page.locator("#record-note").screenshot(path=str(artifacts_dir / "rx-6-phone-note.png"))


def test_a_very_potent_steroid_prescribed_for_a_child_is_shown_with_its_caution(
    signed_in_page: Page, site_url: str, artifacts_dir
) -> None:
    page = signed_in_page
    data = journey.vignette("seed-ped")["input"]  # a 7-year-old
    journey.complete_consultation(page, site_url, data, "BT-RX-CAUTION")
    panel = page.get_by_role("region", name="What you prescribe")
    panel.get_by_label("Topical steroid to continue or start").select_option("clobetasol-0.05")
    panel.get_by_role("radio", name="Ointment").check()
    panel.get_by_role("button", name="Record what I prescribe").click()
    journey.settle(page)

    recorded = page.get_by_role("region", name="What you prescribe")
    expect(recorded).to_contain_text("Cautions for this steroid")
    expect(recorded).to_contain_text(
        "Very potent steroids are not used in children without specialist advice."
    )
    expect(recorded.get_by_role("link", name=re.compile("NICE CG57"))).to_be_visible()
    assert not blocking_violations(page)
    recorded.screenshot(path=str(artifacts_dir / "rx-7-steroid-caution.png"))
