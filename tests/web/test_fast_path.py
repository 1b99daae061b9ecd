"""The emergency fast path: "Refer now" on the safety step completes with stage A alone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from decision.engine import evaluate_stage_a, parse_stage_a
from decision.models import Consultation
from tests.web.journey import patient_post, step_url, versioned

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
CHILD = {"age_months": 36}


def at_safety_step(client, data=CHILD) -> Consultation:
    response = client.post(reverse("consultation_new"), patient_post(data, "FAST-1"))
    assert response.status_code == 302
    return Consultation.objects.get(patient_reference="FAST-1")


def refer_now(client, consultation, *flags, **extra):
    post = {flag: "on" for flag in flags}
    data = versioned(consultation, {**post, "_action": "refer", **extra})
    return client.post(step_url(consultation, "safety"), data)


@pytest.mark.parametrize(
    ("flags", "offered"),
    [
        ((), False),
        (("infection_signs",), False),  # treat the infection: no same-day referral
        (("infection_unresponsive",), False),  # within two weeks
        (("herpeticum_signs",), True),
        (("systemically_unwell",), True),
    ],
)
def test_refer_now_is_offered_only_for_a_red_flag_needing_same_day_action(
    clinician_client, flags, offered
):
    consultation = at_safety_step(clinician_client)
    post = {flag: "on" for flag in flags}

    preview = clinician_client.post(
        step_url(consultation, "safety"), {**post, "_preview": "red_flags"}, **HTMX
    ).content.decode()

    assert ('id="refer-now" hx-swap-oob="true"' in preview) is True
    assert ('value="refer"' in preview) is offered
    # The eyes question comes with herpeticum only.
    assert ('name="fast_eyelids"' in preview) is ("herpeticum_signs" in flags)


def test_a_saved_same_day_red_flag_shows_refer_now_on_the_step_page(clinician_client):
    consultation = at_safety_step(clinician_client)
    clinician_client.post(
        step_url(consultation, "safety"), versioned(consultation, {"herpeticum_signs": "on"})
    )

    html = clinician_client.get(step_url(consultation, "safety")).content.decode()

    assert "Refer now</button>" in html
    assert html.index("Save and continue") < html.index("Refer now</button>")


@pytest.mark.parametrize("eyelids", [False, True])
def test_refer_now_completes_with_stage_a_alone(clinician_client, eyelids):
    consultation = at_safety_step(clinician_client)
    extra = {"fast_eyelids": "on"} if eyelids else {}

    response = refer_now(clinician_client, consultation, "herpeticum_signs", **extra)

    assert response.status_code == 302
    assert response["Location"] == reverse("consultation_result", args=[consultation.pk])
    consultation.refresh_from_db()
    assert consultation.is_completed and consultation.fast_path
    facts = {
        "age_months": 36,
        "red_flags": {"herpeticum_signs": True},
        "sites": ["eyelids"] if eyelids else [],
    }
    expected = evaluate_stage_a(parse_stage_a(facts)).to_dict()
    assert consultation.engine_output == expected
    assert consultation.engine_output["stage_a_only"] is True
    assert consultation.engine_input == parse_stage_a(facts).to_dict()
    assert consultation.next_step_code == "URGENT_REFERRAL"
    assert consultation.most_urgent_referral == "same_day"
    codes = {(r["code"], r["urgency"]) for r in consultation.engine_output["referrals"]}
    assert (("OPHTHALMOLOGY", "same_day") in codes) is eyelids
    # The red flags were saved as the step's answers too.
    assert consultation.answers["red_flags"]["herpeticum_signs"] is True


def test_refer_now_without_a_same_day_red_flag_continues_the_questionnaire(clinician_client):
    consultation = at_safety_step(clinician_client)

    response = refer_now(clinician_client, consultation, "infection_signs")

    assert response.status_code == 302
    assert response["Location"] == step_url(consultation, "eczema")
    consultation.refresh_from_db()
    assert not consultation.is_completed and not consultation.fast_path


def test_the_fast_path_result_summary_and_handout_say_only_what_stage_a_says(clinician_client):
    consultation = at_safety_step(clinician_client)
    refer_now(clinician_client, consultation, "herpeticum_signs", fast_eyelids="on")
    consultation.refresh_from_db()
    output = consultation.engine_output

    result = clinician_client.get(reverse("consultation_result", args=[consultation.pk]))
    summary = clinician_client.get(reverse("consultation_summary", args=[consultation.pk]))
    handout = clinician_client.get(reverse("consultation_handout", args=[consultation.pk]))

    for response in (result, summary, handout):
        assert response.status_code == 200
    result_html, summary_html, handout_html = (
        r.content.decode() for r in (result, summary, handout)
    )
    assert "Completed by the emergency fast path" in result_html
    assert "Completed by the emergency fast path" in summary_html
    for html in (result_html, summary_html):
        assert output["next_step"]["title"] in html
        for alert in output["alerts"]:
            assert alert["text"] in html
        # Stages C–E are neither shown nor left as empty sections.
        for heading in ("Also do", "Avoid", "Steroid trial", "Topical steroid trial"):
            assert f">{heading}</h2>" not in html
        # Only the steps that were asked are listed among the answers.
        assert "1. Patient" in html and "2. Safety screen" in html
        assert "3. Eczema today" not in html
    assert "Not answered yet" not in result_html
    box = output["instructions"]["get_help_today"]
    for html in (result_html, handout_html):
        assert box["title"] in html
        for reason in box["reasons"]:
            assert reason in html
    assert "The skin around the eyes is affected" in handout_html
    assert "ftu-table" not in handout_html and "emollient" not in handout_html.lower()


def test_the_fast_path_handout_pdf_renders(clinician_client):
    consultation = at_safety_step(clinician_client)
    refer_now(clinician_client, consultation, "systemically_unwell")

    response = clinician_client.get(reverse("consultation_handout_pdf", args=[consultation.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_admin_shows_the_fast_path_column(client, clinician_client, django_user_model):
    consultation = at_safety_step(clinician_client)
    refer_now(clinician_client, consultation, "herpeticum_signs")
    admin = django_user_model.objects.create_superuser("boss", "boss@example.invalid", "x" * 20)
    client.force_login(admin)

    listing = client.get(
        reverse("admin:decision_consultation_changelist"), {"fast_path__exact": "1"}
    )

    assert listing.status_code == 200
    assert list(listing.context["cl"].queryset) == [consultation]
    assert "completed by the emergency fast path" in listing.content.decode().lower()
