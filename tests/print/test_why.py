"""The examples of issue 10 ("Why") read correctly under rule set 2026.12: on the result page, in
the clinician summary PDF and in the patient handout PDF (pdftotext). Each PDF's first page is
kept as a PNG in test-artifacts/print/ for people to look at."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.print.cases import WHY
from tests.print.test_pages import text_of
from tests.print.test_pdf import first_page_png, needs_poppler, pdf_text

# case → page → (what it must say, what it must never say again)
EXPECTED = {
    "why-five-year-15-percent": {
        "result": (
            [
                "Expected use: about 19.4 g a week (about 2.8 fingertip units each application, "
                "for the age, sites and body surface area)."
            ],
            ["126"],
        ),
        "summary": (["Expected use: about 19.4 g a week"], ["126"]),
        "handout": (
            [
                "About 3 fingertip units each time, in all.",
                "If the whole area is affected · Amounts for age 3–5 years.",
            ],
            ["17½", "17.5", "Up to 3"],
        ),
    },
    "why-five-year-extent-unknown": {
        "result": (["Expected use: up to 126 g a week (up to 18 fingertip units"], []),
        "summary": (["Expected use: up to 126 g a week"], ["about 126"]),
        "handout": (["Up to 18 fingertip units each time, in all."], ["About 18"]),
    },
    "why-unwell-infected-child": {
        "result": (["Urgent referral: systemically unwell", "Emergency assessment"], []),
        "summary": (
            [
                "Urgent referral: systemically unwell",
                "Emergency assessment: Same day",
                "Urgent actions: Same-day emergency assessment",
                "Review: today",
            ],
            ["Treat the infection"],
        ),
        "handout": (
            [
                "Get help today",
                "Your child must be seen today. Do not wait for the next check.",
                "Your child seems very unwell with the eczema",
                "Where to go today:",
                "Your clinic will arrange care today.",
            ],
            ["Come back for a check in 7 days", "treat the infection first", "antibiotic"],
        ),
    },
    "why-infant-face-only": {
        "result": (["on the face, a low-potency TCS"], ["medium-potency TCS or a TCI"]),
        "summary": (["on the face, a low-potency TCS"], ["medium-potency TCS or a TCI"]),
        "handout": (
            ["on the face, a mild steroid cream"],
            ["medium", "breastfeeding", "children"],
        ),
    },
    "why-betamethasone-valerate": {
        "result": (
            ["betamethasone valerate 0.1 % cream (medium potency, US class 5; UK potent)"],
            ["UK moderate"],
        ),
        "summary": (
            [
                "betamethasone valerate 0.1 % cream (medium potency, US class 5; UK potent)",
                "Advice on the steroid in use:",
                "if this steroid is used there, mild potency on these sites",
            ],
            ["UK moderate"],
        ),
        "handout": (["in many people"], ["children", "your child"]),
    },
    "why-pregnant-specialist": {
        "result": (
            ["narrow-band UVB and ciclosporin are the usual first choices"],
            ["upadacitinib", "abrocitinib", "JAK inhibitors (from"],
        ),
        "summary": (
            [
                "narrow-band UVB and ciclosporin are the usual first choices",
                "Patient: 28 years old, pregnant or breastfeeding.",
                "Question for the specialist: Specialist escalation.",
            ],
            ["upadacitinib", "abrocitinib"],
        ),
        "handout": (["Your clinic is referring you to a skin specialist."], ["your child"]),
    },
    "why-pregnant-infected": {
        "result": (
            ["erythromycin, as the patient is pregnant or breastfeeding"],
            ["clarithromycin"],
        ),
        "summary": (
            ["erythromycin, as the patient is pregnant or breastfeeding"],
            ["clarithromycin"],
        ),
        "handout": (
            [
                "Your clinic may or may not prescribe an antibiotic.",
                "Use new, unopened tubs of moisturiser and cream",
            ],
            ["Use the antibiotic exactly as your clinic prescribed it", "clarithromycin"],
        ),
    },
}
# Sources as people read them, never their keys (README § 4; "SEED-PED; SEED-TCS" in 2026.11).
BARE_KEYS = ("SEED-PED", "SEED-TCS", "US PI", "The seeds differ")


def test_every_example_has_its_expectations():
    assert sorted(EXPECTED) == sorted(WHY)


def _check(text: str, case: str, page: str) -> None:
    must, never = EXPECTED[case][page]
    for words in must:
        assert words in text, f"{case} {page}: missing {words!r}"
    for words in (*never, *BARE_KEYS):
        assert words not in text, f"{case} {page}: still says {words!r}"


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(WHY))
def test_the_result_page_reads_correctly(clinician_client, make_completed, case):
    consultation = make_completed(WHY[case], reference=case[:30])
    response = clinician_client.get(reverse("consultation_result", args=[consultation.pk]))
    _check(text_of(response), case, "result")


@pytest.mark.django_db
@needs_poppler
@pytest.mark.parametrize("kind", ["summary", "handout"])
@pytest.mark.parametrize("case", sorted(WHY))
def test_the_pdfs_read_correctly(
    clinician_client, make_completed, case, kind, tmp_path, artifacts_dir
):
    consultation = make_completed(WHY[case], reference=case[:30])
    response = clinician_client.get(reverse(f"consultation_{kind}_pdf", args=[consultation.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    _check(text, case, kind)
    if kind == "summary":
        assert "References" in text
    first_page_png(response.content, artifacts_dir / f"{case}-{kind}.png")


@pytest.mark.django_db
@needs_poppler
def test_the_get_help_today_box_opens_the_handout_with_the_clinics_words(
    clinician_client, make_completed, settings, tmp_path
):
    settings.CLINIC_SAME_DAY_CARE = "Children's Emergency Department, St Mary's Hospital"
    consultation = make_completed(WHY["why-unwell-infected-child"])
    response = clinician_client.get(reverse("consultation_handout_pdf", args=[consultation.pk]))
    text = pdf_text(response.content, tmp_path)
    assert "Where to go today: Children's Emergency Department, St Mary's Hospital" in text
    # Before anything else: the box comes straight after the document's header.
    assert text.index("Get help today") < text.index("Your child must be seen by a doctor today.")
    assert text.index("Reference:") < text.index("Get help today")
