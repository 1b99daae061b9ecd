"""Once a prescription is recorded, the handout names only what was prescribed (with strength and
form), the referral letter and the summary say it; before that, the handout is as it was."""

from __future__ import annotations

import logging
import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from decision import pdf, views_print
from decision.engine import evaluate, parse_assessment
from decision.prescription import product_name
from tests.helpers import make_input
from tests.print.cases import CASES, STRESS
from tests.print.test_pages import text_of
from tests.rx.conftest import VIGNETTES, prescribe

pytestmark = pytest.mark.django_db

CHOICE_NOTE = "Your clinic will prescribe one of these. Use only the one prescribed."
CHOOSE_BELOW = "Your clinic will choose one of the medicines below. Use only the one prescribed."
# Every vignette whose next step offers products, with those products.
WITH_PRODUCTS = {
    case_id: [p["id"] for p in evaluate(parse_assessment(data)).to_dict()["next_step"]["products"]]
    for case_id, data in CASES.items()
}
WITH_PRODUCTS = {case_id: ids for case_id, ids in WITH_PRODUCTS.items() if ids}


def handout_text(client, consultation) -> str:
    response = client.get(reverse("consultation_handout", args=[consultation.pk]))
    assert response.status_code == 200
    return text_of(response)


def cards(client, consultation) -> list[str]:
    """The data-product ids of the handout's medicine cards, in order."""
    response = client.get(reverse("consultation_handout", args=[consultation.pk]))
    return re.findall(r'class="product-card" data-product="([^"]+)"', response.content.decode())


@pytest.mark.parametrize("case_id", sorted(WITH_PRODUCTS))
def test_the_handout_names_only_the_one_product_prescribed(
    clinician_client, make_completed, case_id
):
    consultation = make_completed(CASES[case_id], reference=f"H-{case_id}")
    offered = consultation.engine_output["next_step"]["products"]
    before = handout_text(clinician_client, consultation)
    for product in offered:
        assert product_name(product) in before  # every product of the step, until it is chosen

    chosen = offered[-1]  # the last: never the step's default choice when there are several
    prescribe(clinician_client, consultation, [chosen["id"]])

    text = handout_text(clinician_client, consultation)
    assert cards(clinician_client, consultation) == [chosen["id"]]
    assert product_name(chosen) in text
    for other in offered:
        if other["id"] != chosen["id"]:
            assert product_name(other) not in text
            assert other["name"] not in text.split("When the skin is clear")[0]
    assert CHOICE_NOTE not in text
    assert CHOOSE_BELOW not in text
    assert "For each of these medicines" not in text


def test_before_a_prescription_the_handout_keeps_its_list_and_choice_note(
    clinician_client, tci_case
):
    text = handout_text(clinician_client, tci_case)
    assert CHOICE_NOTE in text
    assert cards(clinician_client, tci_case) == ["tacrolimus-0.03", "pimecrolimus-1"]


def test_newer_topicals_say_the_medicine_prescribed_is_named_below(
    clinician_client, make_completed
):
    consultation = make_completed(VIGNETTES["teen-tci-failed"]["input"])
    assert CHOOSE_BELOW in handout_text(clinician_client, consultation)

    prescribe(clinician_client, consultation, ["crisaborole-2"])

    text = handout_text(clinician_client, consultation)
    assert "Use the medicine your clinic prescribed, named below." in text
    assert CHOOSE_BELOW not in text
    assert "crisaborole 2% ointment" in text
    assert "ruxolitinib" not in text.split("When the skin is clear")[0]


def test_the_steroid_is_named_by_agent_strength_and_form_not_by_every_strength(
    clinician_client, make_completed
):
    # A record made before 2026.12 knew "hydrocortisone" without its strength (legacy id).
    consultation = make_completed(
        make_input(
            severity="mild",
            sites=["trunk"],
            current_tcs={
                "potency": "low",
                "agent": "hydrocortisone",
                "applications_per_day": 2,
                "weeks": 3,
                "adherence": "poor",
            },
        )
    )
    assert consultation.next_step_code == "OPTIMIZE_TCS"
    assert "hydrocortisone 0.5 %, 1 %, 2.5 %" in handout_text(clinician_client, consultation)

    prescribe(clinician_client, consultation, agent="hydrocortisone-1", form="cream")

    text = handout_text(clinician_client, consultation)
    assert "hydrocortisone 1 % cream" in text
    assert "0.5 %" not in text and "2.5 %" not in text
    assert "Steroid cream or ointment (topical corticosteroid)" not in text
    assert cards(clinician_client, consultation) == ["tcs"]


def test_keeping_the_agent_in_use_says_keep_and_another_says_use(clinician_client, make_completed):
    engine_input = make_input(
        sites=["arms", "legs"],
        current_tcs={"agent": "betamethasone-valerate-0.1-cream", "adherence": "poor"},
    )
    consultation = make_completed(engine_input)
    assert consultation.next_step_code == "OPTIMIZE_TCS"

    prescribe(clinician_client, consultation, agent="betamethasone-valerate-0.1-cream")
    assert (
        "Keep using betamethasone valerate 0.1 % cream (medium-strength steroid) on the body."
        in handout_text(clinician_client, consultation)
    )
    prescribe(clinician_client, consultation, agent="mometasone-0.1-ointment", form="", version=1)
    text = handout_text(clinician_client, consultation)
    assert "Use mometasone furoate 0.1 % ointment (strong steroid) on the body." in text
    assert "betamethasone" not in text


def test_a_steroid_prescribed_with_a_tci_gets_its_own_card_with_the_mild_only_line(
    clinician_client, make_completed
):
    consultation = make_completed(make_input(sites=["face", "arms"]))
    products = [p["id"] for p in consultation.engine_output["next_step"]["products"]]
    assert consultation.next_step_code == "START_TCI"

    prescribe(clinician_client, consultation, products[:1], "hydrocortisone-1", "ointment")

    assert cards(clinician_client, consultation) == [products[0], "tcs"]
    text = handout_text(clinician_client, consultation)
    assert "hydrocortisone 1 % ointment What it is: A steroid cream or ointment" in text
    assert "Use hydrocortisone 1 % ointment (mild steroid) on the body." in text
    assert "On the face, eyelids, neck and private area: only a mild steroid" in text


def test_a_steroid_prescribed_on_an_urgent_referral_is_named_and_nothing_else(
    clinician_client, make_completed
):
    consultation = make_completed(VIGNETTES["herpeticum-eyes"]["input"])
    assert cards(clinician_client, consultation) == []

    prescribe(clinician_client, consultation, agent="hydrocortisone-1", form="cream")

    assert cards(clinician_client, consultation) == ["tcs"]
    assert "Your medicine" in handout_text(clinician_client, consultation)


def test_nothing_prescribed_leaves_no_medicine_section(clinician_client, tci_case):
    prescribe(clinician_client, tci_case, [])
    text = handout_text(clinician_client, tci_case)
    assert "Your medicine" not in text
    assert "tacrolimus 0.03% ointment" not in text
    assert "Moisturiser (emollient) every day" in text


def test_the_referral_letter_and_the_summary_say_what_was_prescribed(
    clinician_client, make_completed
):
    consultation = make_completed(VIGNETTES["everything-failed"]["input"])
    assert consultation.engine_output["referrals"]
    summary = reverse("consultation_summary", args=[consultation.pk])
    assert "Prescribed today:" not in text_of(clinician_client.get(summary))

    prescribe(clinician_client, consultation, agent="clobetasol-0.05", form="ointment")

    text = text_of(clinician_client.get(summary))
    letters = text.count("Prescribed today: steroid: clobetasol propionate 0.05 % ointment.")
    assert letters == len(consultation.engine_output["referrals"])
    assert "Prescribed Products None of the step's products Steroid clobetasol" in text
    assert text.index("Prescribed Products") < text.index("Feedback No feedback recorded yet.")
    assert "Note for the record" in text
    assert "Prescribed: steroid: clobetasol propionate 0.05 % ointment." in text


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("case", ["newer-topicals-every-site", "tci-every-site-adult"])
def test_the_longest_handouts_with_a_steroid_added_still_fit_on_two_pages(
    clinician, clinician_client, make_completed, case, paper, caplog
):
    consultation = make_completed(STRESS[case])
    first = [p["id"] for p in consultation.engine_output["next_step"]["products"]][:1]
    prescribe(clinician_client, consultation, first, "clobetasone-0.05", "cream")
    request = RequestFactory().get("/")
    request.user = clinician
    html = views_print.document_html(request, consultation, "handout", paper)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pages = len(pdf.render_document(html).pages)
    assert pages <= 2
