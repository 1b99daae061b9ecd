"""The summary and handout pages: content for every public vignette, access, and the CSP."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
from django.urls import reverse

from decision import documents, labels
from decision.engine import RULESET_VERSION, citation
from tests.print.cases import (
    CASES,
    VIGNETTE_IDS,
    VIGNETTES,
    age_row_label,
    as_fraction,
    expected_fingertip_units,
)

BY_ID = {v["id"]: v for v in VIGNETTES}
PAGES = ("consultation_summary", "consultation_handout")
ALL_URLS = (*PAGES, "consultation_summary_pdf", "consultation_handout_pdf")
CHILD_UNDER_MONTHS = 192  # "your child" under 16 years (clinical/README.md § 4)


def text_of(response) -> str:
    """The page as text: tags and select options dropped, entities decoded, whitespace
    collapsed."""
    body = response.content.decode()
    # A select's options are choices offered (every steroid agent), not what the page says.
    body = re.sub(r"<(script|style|select)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def handout_rows(response) -> dict[str, str]:
    """Region → the fingertip units shown in that row of the how-much table."""
    body = response.content.decode()
    rows = re.findall(
        r'<tr data-region="([a-z_]+)">.*?<span class="ftu-number">([^<]+)</span>', body, re.S
    )
    return dict(rows)


def _get(client, name, consultation, **query):
    return client.get(reverse(name, args=[consultation.pk]), query)


# ----------------------------------------------------------------------------------- handout
@pytest.mark.django_db
@pytest.mark.parametrize("vignette_id", VIGNETTE_IDS)
def test_handout_shows_each_product_with_fingertip_units_for_the_age_and_sites(
    clinician_client, make_completed, vignette_id
):
    engine_input = BY_ID[vignette_id]["input"]
    consultation = make_completed(engine_input)
    response = _get(clinician_client, "consultation_handout", consultation)
    assert response.status_code == 200
    text = text_of(response)
    output = consultation.engine_output
    instructions = output["instructions"]

    for product in output["next_step"]["products"]:
        name = f"{product['name']} {product['strength']} {product['form']}"
        assert f'data-product="{product["id"]}"' in response.content.decode()
        assert name in text
    if instructions["products"]:
        expected = {
            region: as_fraction(ftu)
            for region, ftu in expected_fingertip_units(
                engine_input["age_months"], engine_input["sites"]
            ).items()
        }
        assert handout_rows(response) == expected
        assert f"Amounts for age {age_row_label(engine_input['age_months'])}" in text
        # The patient's own sites, in plain words.
        assert "Where to put it:" in text
    else:
        assert handout_rows(response) == {}


@pytest.mark.django_db
@pytest.mark.parametrize("vignette_id", VIGNETTE_IDS)
def test_handout_speaks_to_the_parent_under_16_and_to_the_patient_from_16(
    clinician_client, make_completed, vignette_id
):
    engine_input = BY_ID[vignette_id]["input"]
    consultation = make_completed(engine_input)
    text = text_of(_get(clinician_client, "consultation_handout", consultation))
    with_emollients = consultation.next_step_code != "URGENT_REFERRAL"
    if engine_input["age_months"] < CHILD_UNDER_MONTHS:
        assert "Your child's eczema treatment plan" in text
        assert "A fever, or your child seems very unwell" in text
        assert ("250 to 500 g a week" in text) is with_emollients
    else:
        assert "Your eczema treatment plan" in text
        assert "A fever, or you feel very unwell" in text
        assert "your child" not in text.lower()
        assert ("at least 500 g a week" in text) is with_emollients


@pytest.mark.django_db
@pytest.mark.parametrize("vignette_id", VIGNETTE_IDS)
def test_handout_says_when_to_get_help_and_when_to_come_back(
    clinician_client, make_completed, completed_on, vignette_id
):
    consultation = make_completed(BY_ID[vignette_id]["input"])
    text = text_of(_get(clinician_client, "consultation_handout", consultation))
    assert "Get help the same day if:" in text
    assert "Painful blisters, or small round open sores (punched-out sores)" in text
    assert "A fever, or" in text
    assert "Get help soon if:" in text
    assert "The skin is weeping or crusting" in text
    assert "Redness that is spreading" in text
    days = consultation.engine_output["follow_up"]["review_after_days"]
    review = completed_on + dt.timedelta(days=days)
    assert f"Date of your check: {review:%A} {review.day} {review:%B %Y}" in text


@pytest.mark.django_db
@pytest.mark.parametrize("vignette_id", VIGNETTE_IDS)
def test_handout_is_built_from_the_step_codes_template(
    clinician_client, make_completed, vignette_id
):
    consultation = make_completed(BY_ID[vignette_id]["input"])
    response = _get(clinician_client, "consultation_handout", consultation)
    text = text_of(response)
    instructions = consultation.engine_output["instructions"]
    assert instructions["headline"] in text
    if instructions["wet_wraps"]:
        assert "Wet wraps: step by step" in text
    else:
        assert "Wet wraps: step by step" not in text
    if consultation.next_step_code != "URGENT_REFERRAL":
        assert "Fire warning:" in text
        assert "Use it instead of soap for washing." in text
    if instructions["diet"]:
        assert "Do not cut foods out of the diet" in text


# ----------------------------------------------------------------------------------- summary
@pytest.mark.django_db
@pytest.mark.parametrize("vignette_id", VIGNETTE_IDS)
def test_summary_shows_every_referral_and_alert_of_the_result(
    clinician_client, make_completed, vignette_id
):
    consultation = make_completed(BY_ID[vignette_id]["input"])
    response = _get(clinician_client, "consultation_summary", consultation)
    assert response.status_code == 200
    text = text_of(response)
    output = consultation.engine_output
    for referral in output["referrals"]:
        heading = f"{labels.REFERRALS[referral['code']]}: {labels.URGENCIES[referral['urgency']]}"
        assert heading in text
        for reason in referral["reasons"]:
            assert reason in text
    for alert in output["alerts"]:
        assert alert["text"] in text
    if not output["referrals"]:
        assert "No referral is recommended now." in text


@pytest.mark.django_db
@pytest.mark.parametrize("vignette_id", VIGNETTE_IDS)
def test_summary_has_every_section_of_the_specification(
    clinician_client, make_completed, completed_on, vignette_id
):
    consultation = make_completed(BY_ID[vignette_id]["input"])
    text = text_of(_get(clinician_client, "consultation_summary", consultation))
    output = consultation.engine_output
    next_step = output["next_step"]
    assert next_step["title"] in text
    assert next_step["rationale"] in text
    for product in next_step["products"]:
        assert f"{product['name']} {product['strength']} {product['form']}" in text
    if output["after"]:
        assert "After that" in text
        assert output["after"]["title"] in text
    for alternative in output["alternatives"]:
        assert alternative["summary"] in text
    for item in output["avoid"]:
        assert item["reason"] in text
    if output["adequacy"]["adequate"]:
        assert "Adequate trial." in text
    else:
        for reason in output["adequacy"]["reason_texts"]:
            assert reason in text
    # The potency cautions are printed too (README § 4), not only shown on the result page.
    for caution in output["adequacy"]["cautions"]:
        assert caution["text"] in text
    days = output["follow_up"]["review_after_days"]
    review = completed_on + dt.timedelta(days=days)
    assert f"{review:%A} {review.day} {review:%B %Y}" in text
    for trigger in output["follow_up"]["refer_if"]:
        assert trigger["text"] in text
    assert "The answers given" in text
    assert "Eczema today" in text
    assert f"Rule set {RULESET_VERSION}" in text
    assert "never replaces, clinical judgement" in text


def source_keys(value) -> set[str]:
    """Every source key anywhere in a result."""
    if isinstance(value, dict):
        found = set(value.get("sources") or ()) if isinstance(value.get("sources"), list) else set()
        return found.union(*(source_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(source_keys(item) for item in value))
    return set()


# Keys that are not readable on their own (README § 4 names the seeds' display text).
BARE_KEYS = ("SEED-PED", "SEED-TCS", "US PI", "SmPC")


@pytest.mark.django_db
@pytest.mark.parametrize("vignette_id", VIGNETTE_IDS)
def test_summary_cites_readable_sources_numbered_in_a_reference_list(
    clinician_client, make_completed, vignette_id
):
    consultation = make_completed(BY_ID[vignette_id]["input"])
    response = _get(clinician_client, "consultation_summary", consultation)
    text = text_of(response)
    keys = source_keys({k: v for k, v in consultation.engine_output.items() if k != "instructions"})
    references = text[text.index("References") :]
    listed = re.findall(r'<li id="reference-(\d+)" value="\d+">', response.content.decode())
    assert listed == [str(n) for n in range(1, len(keys) + 1)]
    for key in keys:
        assert documents.citation_text(citation(key)) in references, key
    for bare in BARE_KEYS:
        assert bare not in text
    # The seeds as README § 4 names them.
    if "SEED-PED" in keys:
        assert "Guideline summary (paediatric atopic dermatitis, 2026)" in references
    # Each item points at its references by number: [1], [2, 5] …
    numbers = {int(n) for group in re.findall(r"\[([\d, ]+)\]", text) for n in group.split(",")}
    assert numbers == set(range(1, len(keys) + 1))


@pytest.mark.django_db
@pytest.mark.parametrize("vignette_id", VIGNETTE_IDS)
def test_result_page_cites_readable_sources(clinician_client, make_completed, vignette_id):
    consultation = make_completed(BY_ID[vignette_id]["input"])
    response = clinician_client.get(reverse("consultation_result", args=[consultation.pk]))
    text = text_of(response)
    for key in source_keys(consultation.engine_output["next_step"]):
        assert documents.citation_text(citation(key)) in text, key
    for bare in BARE_KEYS:
        assert bare not in text


@pytest.mark.django_db
def test_summary_lists_urgent_alerts_before_the_next_step(clinician_client, make_completed):
    consultation = make_completed(BY_ID["herpeticum-eyes"]["input"])
    text = text_of(_get(clinician_client, "consultation_summary", consultation))
    assert text.index("Urgent alerts") < text.index("Next step")
    assert text.index("Suspected eczema herpeticum") < text.index("Next step")


@pytest.mark.django_db
def test_summary_referral_is_ready_for_a_letter(clinician_client, make_completed):
    consultation = make_completed(
        BY_ID["everything-failed"]["input"], tcs_agent="betamethasone-dipropionate-0.05"
    )
    text = text_of(_get(clinician_client, "consultation_summary", consultation))
    assert "For the referral letter:" in text
    assert "Reason for referral: Severe eczema not responding to optimum topical therapy." in text
    assert "Treatments already tried: betamethasone dipropionate 0.05 %" in text
    assert "Wet-wrap therapy: not tolerated" in text


# ------------------------------------------------------------------------------------ access
@pytest.mark.django_db
@pytest.mark.parametrize("name", ALL_URLS)
def test_it_requires_sign_in(client, make_completed, name):
    consultation = make_completed(BY_ID["seed-ped"]["input"])
    response = _get(client, name, consultation)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", ALL_URLS)
def test_it_rejects_other_clinicians_consultation(client, other_clinician, make_completed, name):
    consultation = make_completed(BY_ID["seed-ped"]["input"])
    client.force_login(other_clinician)
    assert _get(client, name, consultation).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name", ALL_URLS)
def test_a_draft_has_no_documents_yet(clinician_client, clinician, name):
    from decision.models import Consultation

    draft = Consultation.objects.create(created_by=clinician, patient_reference="DRAFT-1")
    response = _get(clinician_client, name, draft)
    assert response.status_code == 302
    assert response["Location"] == reverse("consultation_resume", args=[draft.pk])


@pytest.mark.django_db
@pytest.mark.parametrize("name", ALL_URLS)
def test_it_only_answers_get(clinician_client, make_completed, name):
    consultation = make_completed(BY_ID["seed-ped"]["input"])
    response = clinician_client.post(reverse(name, args=[consultation.pk]))
    assert response.status_code == 405


@pytest.mark.django_db
def test_the_result_page_links_to_both_documents(clinician_client, make_completed):
    consultation = make_completed(BY_ID["seed-ped"]["input"])
    body = clinician_client.get(reverse("consultation_result", args=[consultation.pk])).content
    for name in PAGES:
        assert f'href="{reverse(name, args=[consultation.pk])}"'.encode() in body


# --------------------------------------------------------------------------- print and CSP
@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_pages_have_a_print_button_pdf_links_and_no_inline_script_or_style(
    clinician_client, make_completed, name
):
    consultation = make_completed(BY_ID["seed-tcs-severe"]["input"])
    response = _get(clinician_client, name, consultation)
    body = response.content.decode()
    assert "data-print-button" in body
    assert "/static/js/print.js" in body
    assert "/static/css/print.css" in body
    pdf = reverse(f"{name}_pdf", args=[consultation.pk])
    assert f'href="{pdf}"' in body
    assert f'href="{pdf}?paper=letter"' in body
    assert " style=" not in body
    assert "<style" not in body
    for script in re.findall(r"<script\b[^>]*>(.*?)</script>", body, re.S):
        assert not script.strip(), "inline script"
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_print_stylesheet_hides_the_site_and_sets_a4_and_letter_pages():
    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/print.css")).read_text(encoding="utf-8")
    media_print = css[css.index("@media print") :]
    for selector in ("nav", "footer.site-footer", ".doc-toolbar"):
        assert selector in media_print
    assert "size: A4" in css
    assert "size: letter" in css


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["consultation_result", "consultation_summary"])
def test_the_steroid_in_use_is_named_with_its_own_uk_group(clinician_client, make_completed, name):
    # Betamethasone valerate 0.1 % cream: US class 5 (engine medium) but UK potent, never
    # "UK moderate" (issue 10).
    engine_input = BY_ID["seed-ped"]["input"]
    engine_input = {
        **engine_input,
        "current_tcs": {
            **engine_input["current_tcs"],
            "agent": "betamethasone-valerate-0.1-cream",
        },
    }
    consultation = make_completed(engine_input)
    text = text_of(_get(clinician_client, name, consultation))
    assert (
        "In use: betamethasone valerate 0.1 % cream (medium potency, US class 5; UK potent), "
        "2 applications a day for 3 weeks, adherence good." in text
    )
    assert "UK moderate" not in text


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(CASES))
def test_handout_speaks_to_its_own_audience(clinician_client, make_completed, case):
    # README § 4: no "children" for an adult, no "breastfeeding" for a child under 10 years.
    engine_input = CASES[case]
    consultation = make_completed(engine_input)
    text = text_of(_get(clinician_client, "consultation_handout", consultation)).lower()
    if engine_input["age_months"] >= CHILD_UNDER_MONTHS:
        assert "children" not in text
        assert "your child" not in text
    if engine_input["age_months"] < 120:
        assert "breastfeeding" not in text
    assert ("get help today" in text) is consultation.engine_output["instructions"]["urgent"]
    assert consultation.engine_output["instructions"]["urgent"] is any(
        referral["urgency"] == "same_day" for referral in consultation.engine_output["referrals"]
    )
