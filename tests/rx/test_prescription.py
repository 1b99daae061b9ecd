"""What was prescribed: chosen on the result page from the step's products and the steroid
agent table, stored in its own versioned row (never in the completed record), shown to
reviewers next to the feedback, and counted as "modified" when it departs from the first choice."""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError, connection, transaction
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decision.engine.knowledge import tcs_agent_map
from decision.models import Consultation, Feedback, Prescription
from tests.helpers import make_input
from tests.print.test_pages import text_of
from tests.rx.conftest import HTMX, VIGNETTES, prescribe, stage_a_only

pytestmark = pytest.mark.django_db


def result_page(client, consultation):
    response = client.get(reverse("consultation_result", args=[consultation.pk]))
    assert response.status_code == 200
    return response


def checked(response, name: str) -> list[str]:
    """The values of the ticked boxes or radios named `name` in a page."""
    body = response.content.decode()
    return re.findall(rf'name="{name}" value="([^"]*)"[^>]*\bchecked\b', body)


def selected_agent(response) -> str:
    match = re.search(r'<option value="([^"]*)" selected>', response.content.decode())
    return match[1] if match else ""


# ----------------------------------------------------------------------------- the form offered
def test_the_form_ticks_the_first_product_and_selects_the_agent_in_use(make_completed):
    consultation = make_completed(VIGNETTES["potent-too-much"]["input"])
    client = Client()
    client.force_login(consultation.created_by)

    response = result_page(client, consultation)

    products = [p["id"] for p in consultation.engine_output["next_step"]["products"]]
    assert products == ["tacrolimus-0.1", "pimecrolimus-1"]
    assert checked(response, "products") == ["tacrolimus-0.1"]
    assert selected_agent(response) == "betamethasone-dipropionate-0.05"
    # Its label names no form: the clinician chooses cream or ointment.
    assert checked(response, "steroid_form") == []
    text = text_of(response)
    assert "What you prescribe" in text
    assert 'name="version" value="0"' in response.content.decode()


def test_the_agent_list_names_each_strength_with_its_uk_group_and_leaves_out_legacy_ids(
    clinician_client, tci_case
):
    body = result_page(clinician_client, tci_case).content.decode()
    assert '<option value="hydrocortisone-1">hydrocortisone 1 % (UK mild)</option>' in body
    assert (
        '<option value="betamethasone-valerate-0.1-cream">betamethasone valerate 0.1 % cream '
        "(UK potent)</option>" in body
    )
    assert '<optgroup label="Low (US class 6–7)">' in body
    assert 'value="hydrocortisone"' not in body  # the legacy id names no one strength
    assert '<option value="" selected>No steroid</option>' in body  # no agent recorded


def test_an_urgent_referral_does_not_preselect_the_steroid_in_use(make_completed, clinician_client):
    # Conservative: eczema herpeticum; the agent in use is not offered as the default.
    consultation = make_completed(
        make_input(
            red_flags={"herpeticum_signs": True},
            current_tcs={"agent": "betamethasone-valerate-0.1-cream"},
        )
    )
    assert consultation.next_step_code == "URGENT_REFERRAL"
    assert selected_agent(result_page(clinician_client, consultation)) == ""


@pytest.mark.parametrize(
    "changes",
    [{}, {"red_flags": {}}],  # herpeticum (an urgent step), and no red flag (no step at all)
)
def test_a_stage_a_only_result_offers_no_prescription(clinician, clinician_client, changes):
    consultation = stage_a_only(clinician, **changes)
    url = reverse("consultation_prescription", args=[consultation.pk])

    assert clinician_client.get(url).status_code == 404
    assert prescribe(clinician_client, consultation).status_code == 404
    assert not Prescription.objects.exists()
    html = Template("{% load prescription_tags %}{% prescription_panel c %}").render(
        Context({"c": consultation, "user": clinician})
    )
    assert "What you prescribe" not in html
    assert "<form" not in html


# ------------------------------------------------------------------------------------ recording
def test_prescribing_the_first_product_stores_it_without_touching_the_record_or_feedback(
    clinician_client, clinician, tci_case
):
    before = Consultation.objects.values().get(pk=tci_case.pk)

    response = prescribe(
        clinician_client, tci_case, ["tacrolimus-0.03"], "hydrocortisone-1", "cream"
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"/consultations/{tci_case.pk}/result/#prescription")
    stored = Prescription.objects.get(consultation=tci_case)
    assert stored.products == ["tacrolimus-0.03"]
    assert (stored.steroid_agent, stored.steroid_form) == ("hydrocortisone-1", "cream")
    assert stored.version == 1
    assert stored.recorded_by == clinician
    assert not Feedback.objects.exists()
    assert Consultation.objects.values().get(pk=tci_case.pk) == before
    follow = clinician_client.get(response["Location"])
    assert "Recorded what you prescribe" in text_of(follow)


def test_another_product_is_recorded_as_modified_with_a_reason_the_clinician_can_change(
    clinician_client, clinician, tci_case
):
    response = prescribe(clinician_client, tci_case, ["pimecrolimus-1"], **HTMX)

    assert response.status_code == 200
    feedback = Feedback.objects.get(consultation=tci_case)
    assert feedback.outcome == Feedback.Outcome.MODIFIED
    assert feedback.reason == Feedback.Reason.OTHER
    assert feedback.comment.startswith(
        "Prescribed pimecrolimus 1% cream instead of the first choice, tacrolimus 0.03% ointment."
    )
    assert feedback.recorded_by == clinician
    text = text_of(response)
    assert "“Modified” has been recorded" in text
    # The redrawn region shows it, with the feedback form to change it.
    assert "Differs from the advice" in text
    assert "Change what you recorded" in text

    # The clinician says otherwise: their word stands, and a later change of prescription
    # never overwrites it.
    clinician_client.post(
        reverse("consultation_feedback", args=[tci_case.pk]), {"outcome": "followed"}
    )
    prescribe(clinician_client, tci_case, [], version=1)
    feedback.refresh_from_db()
    assert feedback.outcome == Feedback.Outcome.FOLLOWED
    assert Prescription.objects.get(consultation=tci_case).products == []


@pytest.mark.parametrize(
    ("products", "departs"),
    [
        (["tacrolimus-0.03"], False),
        (["pimecrolimus-1"], True),
        (["tacrolimus-0.03", "pimecrolimus-1"], True),
        ([], True),
    ],
)
def test_only_the_first_product_alone_follows_the_advice(
    clinician_client, tci_case, products, departs
):
    prescribe(clinician_client, tci_case, products)
    assert Feedback.objects.filter(consultation=tci_case).exists() is departs


def test_no_steroid_on_a_steroid_step_departs_and_a_steroid_follows(
    clinician_client, make_completed
):
    optimise = make_completed(VIGNETTES["low-potency-body"]["input"], reference="OPT-1")
    wraps = make_completed(VIGNETTES["seed-tcs-severe"]["input"], reference="WRAP-1")
    assert optimise.next_step_code == "OPTIMIZE_TCS"
    assert wraps.next_step_code == "WET_WRAP_THERAPY"

    prescribe(clinician_client, optimise, agent="mometasone-0.1-cream")
    prescribe(clinician_client, wraps)

    assert not Feedback.objects.filter(consultation=optimise).exists()
    feedback = Feedback.objects.get(consultation=wraps)
    assert feedback.outcome == "modified"
    assert feedback.comment.startswith("No steroid prescribed for the step “")


def test_the_form_is_taken_from_the_agents_name_when_it_says_one(clinician_client, tci_case):
    prescribe(clinician_client, tci_case, agent="mometasone-0.1-ointment")
    stored = Prescription.objects.get(consultation=tci_case)
    assert (stored.steroid_agent, stored.steroid_form) == ("mometasone-0.1-ointment", "ointment")


def test_a_form_without_a_steroid_is_dropped(clinician_client, tci_case):
    prescribe(clinician_client, tci_case, ["tacrolimus-0.03"], "", "cream")
    assert Prescription.objects.get(consultation=tci_case).steroid_form == ""


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"products": ["tacrolimus-0.03"], "agent": "hydrocortisone-1"},
            "steroid_form",
            "Choose cream or ointment for the steroid.",
        ),
        (
            {"agent": "mometasone-0.1-ointment", "form": "cream"},
            "steroid_form",
            "Mometasone furoate 0.1 % ointment is listed as an ointment: choose ointment, or "
            "another agent.",
        ),
        ({"products": ["tacrolimus-0.1"]}, "products", "Select a valid choice."),
        ({"agent": "hydrocortisone"}, "steroid_agent", "Select a valid choice."),
    ],
)
def test_a_wrong_choice_is_explained_next_to_its_field_and_nothing_chosen_is_lost(
    clinician_client, tci_case, data, field, message
):
    response = prescribe(
        clinician_client,
        tci_case,
        data.get("products", []),
        data.get("agent", ""),
        data.get("form", ""),
    )

    assert response.status_code == 200
    body = response.content.decode()
    error = re.search(
        rf'<div id="id_{field}_error" class="invalid-feedback">(.*?)</div>', body, re.S
    )
    assert error and message in error[1]
    assert f'href="#id_{field}' in body  # the summary at the top links to the field
    assert not Prescription.objects.exists()
    for product in data.get("products", []):
        if product == "tacrolimus-0.03":
            assert checked(response, "products") == [product]
    if data.get("agent") in tcs_agent_map() and not tcs_agent_map()[data["agent"]].legacy:
        assert selected_agent(response) == data["agent"]


# ------------------------------------------------------------------------------ versions, races
def test_every_change_raises_the_version_and_keeps_a_history_row(clinician_client, tci_case):
    prescribe(clinician_client, tci_case, ["tacrolimus-0.03"])
    prescribe(clinician_client, tci_case, ["pimecrolimus-1"], version=1)
    prescribe(clinician_client, tci_case, [], "hydrocortisone-1", "cream", version=2)

    stored = Prescription.objects.get(consultation=tci_case)
    assert stored.version == 3
    history = list(stored.history.order_by("history_id"))
    assert [row.version for row in history] == [1, 2, 3]
    assert [row.products for row in history] == [["tacrolimus-0.03"], ["pimecrolimus-1"], []]
    assert {row.history_user_id for row in history} == {tci_case.created_by_id}


def test_a_stale_page_is_a_conflict_that_writes_nothing_and_keeps_the_choice(
    clinician_client, tci_case
):
    prescribe(clinician_client, tci_case, ["tacrolimus-0.03"])
    # Another tab changed it meanwhile (version 1 → 2).
    prescribe(clinician_client, tci_case, ["pimecrolimus-1"], version=1)

    response = prescribe(clinician_client, tci_case, [], "hydrocortisone-1", "cream", version=1)

    assert response.status_code == 409
    stored = Prescription.objects.get(consultation=tci_case)
    assert (stored.products, stored.steroid_agent, stored.version) == (["pimecrolimus-1"], "", 2)
    text = text_of(response)
    assert "changed in another tab or window" in text
    assert "it now says: pimecrolimus 1% cream." in text
    assert selected_agent(response) == "hydrocortisone-1"  # this page's choice, kept
    assert checked(response, "products") == []
    assert 'name="version" value="2"' in response.content.decode()  # one click replaces it


def test_a_second_first_prescription_from_another_tab_is_a_conflict(clinician_client, tci_case):
    prescribe(clinician_client, tci_case, ["tacrolimus-0.03"])
    response = prescribe(clinician_client, tci_case, ["pimecrolimus-1"], **HTMX)
    # htmx swaps only 2xx answers: the conflict is said in the redrawn panel.
    assert response.status_code == 200
    assert "changed in another tab or window" in text_of(response)
    assert Prescription.objects.get(consultation=tci_case).products == ["tacrolimus-0.03"]


def test_the_database_refuses_an_agent_without_its_form(tci_case, clinician):
    with pytest.raises(IntegrityError), transaction.atomic():
        Prescription.objects.create(
            consultation=tci_case, steroid_agent="hydrocortisone-1", recorded_by=clinician
        )


# ------------------------------------------------------------------------------ pages and roles
def test_an_htmx_post_redraws_the_prescription_note_and_feedback_together(
    clinician_client, tci_case
):
    response = prescribe(
        clinician_client, tci_case, ["tacrolimus-0.03"], "hydrocortisone-1", "cream", **HTMX
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="record-region">')
    assert "<html" not in body
    assert "Prescribed: tacrolimus 0.03% ointment; steroid: hydrocortisone 1 % cream." in body
    assert 'id="feedback"' in body
    assert 'name="version" value="1"' in body


def test_the_prescription_page_works_without_javascript(clinician_client, tci_case):
    url = reverse("consultation_prescription", args=[tci_case.pk])
    response = clinician_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    form = re.search(r'<form [^>]*class="prescription-form[^"]*"[^>]*>', body)
    assert form and f'action="{url}"' in form[0] and 'method="post"' in form[0]


def test_a_reviewer_sees_what_was_prescribed_beside_the_feedback_but_cannot_change_it(
    clinician_client, reviewer_client, tci_case
):
    prescribe(clinician_client, tci_case, ["pimecrolimus-1"], "hydrocortisone-1", "cream")

    text = text_of(result_page(reviewer_client, tci_case))
    assert "What the clinician prescribed" in text
    assert "Products pimecrolimus 1% cream Steroid hydrocortisone 1 % cream (UK mild)" in text
    assert "Differs from the advice" in text
    assert "What the clinician did with this recommendation Outcome Modified" in text
    assert text.index("What the clinician prescribed") < text.index("What the clinician did")
    assert "Record what I prescribe" not in text

    url = reverse("consultation_prescription", args=[tci_case.pk])
    assert reviewer_client.get(url).status_code == 403
    assert prescribe(reviewer_client, tci_case, [], version=1).status_code == 403
    assert Prescription.objects.get(consultation=tci_case).version == 1


def test_a_reviewer_sees_when_nothing_was_recorded(reviewer_client, tci_case):
    text = text_of(result_page(reviewer_client, tci_case))
    assert "What the clinician prescribed No prescription recorded yet." in text


def test_another_clinician_gets_404_and_a_draft_goes_back_to_its_questions(
    tci_case, other_clinician, clinician, clinician_client
):
    other = Client()
    other.force_login(other_clinician)
    url = reverse("consultation_prescription", args=[tci_case.pk])
    assert other.get(url).status_code == 404
    assert prescribe(other, tci_case, ["tacrolimus-0.03"]).status_code == 404

    draft = Consultation.objects.create(created_by=clinician, patient_reference="DRAFT-1")
    response = clinician_client.get(reverse("consultation_prescription", args=[draft.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("consultation_resume", args=[draft.pk])
    assert not Prescription.objects.exists()


def test_the_result_page_costs_the_same_queries_with_a_prescription_and_feedback(
    clinician_client, tci_case
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            result_page(clinician_client, tci_case)
        return len(queries)

    count()  # fill the cached fragments
    before = count()
    prescribe(clinician_client, tci_case, ["pimecrolimus-1"], "hydrocortisone-1", "cream")
    after = count()
    # The prescription, its recorder and the feedback are joined into the consultation's query.
    assert after == before
    assert before <= 6


# ------------------------------------------------------------------------------- generated posts
JUNK = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), max_codepoint=0x2FFF), max_size=20),
    st.sampled_from(["", "0", "-1", "1e9", "99999999999", "\x00", "tacrolimus-0.03", "cream"]),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    products=st.lists(st.one_of(st.sampled_from(["tacrolimus-0.03", "pimecrolimus-1"]), JUNK)),
    agent=st.one_of(st.sampled_from(["", "hydrocortisone-1", "clobetasol-0.05"]), JUNK),
    form=st.one_of(st.sampled_from(["", "cream", "ointment"]), JUNK),
    version=st.one_of(st.sampled_from(["0", "1"]), JUNK),
)
def test_whatever_is_posted_the_answer_is_never_a_500_and_only_valid_choices_are_stored(
    clinician_client, tci_case, products, agent, form, version
):
    url = reverse("consultation_prescription", args=[tci_case.pk])
    data = {"products": products, "steroid_agent": agent, "steroid_form": form}
    data["version"] = version
    response = clinician_client.post(url, data)

    assert response.status_code in (200, 302, 400, 409)
    stored = Prescription.objects.filter(consultation=tci_case).first()
    if stored is not None:
        assert set(stored.products) <= {"tacrolimus-0.03", "pimecrolimus-1"}
        assert stored.steroid_agent in ("", *tcs_agent_map())
        assert stored.steroid_form in (("",) if not stored.steroid_agent else ("cream", "ointment"))


# ------------------------------------------------------------- cautions on the prescribed steroid
def test_a_very_potent_steroid_prescribed_for_a_child_shows_the_engine_s_caution_beside_it(
    clinician_client, reviewer_client, tci_case
):
    prescribe(clinician_client, tci_case, ["tacrolimus-0.03"], "clobetasol-0.05", "ointment")

    for client in (clinician_client, reviewer_client):
        html = result_page(client, tci_case).content.decode()
        cautions = html.split("data-prescribed-steroid-cautions", 1)[1].split("</dd>", 1)[0]
        assert "Very potent steroids are not used in children without specialist advice." in (
            cautions
        )
        # Cited as people read it, linked (README § 4: never a bare key).
        assert (
            'Sources: <a href="https://www.nice.org.uk/guidance/cg57">'
            "NICE CG57 Atopic eczema in under 12s (2007, updated 2023)</a>"
        ) in cautions
    summary = clinician_client.get(reverse("consultation_summary", args=[tci_case.pk]))
    assert "Very potent steroids are not used in children" in text_of(summary)


@pytest.mark.parametrize(
    ("engine_input", "agent", "form", "expected"),
    [
        # A mild steroid for a 7-year-old's body: nothing to caution.
        (VIGNETTES["seed-ped"]["input"], "hydrocortisone-1", "cream", []),
        # UK potent only (engine medium) on the face: the site caution, with the UK-group note.
        (
            make_input(sites=["face", "arms"]),
            "betamethasone-valerate-0.1-cream",
            "",
            ["MEDIUM_OR_STRONGER_ON_SENSITIVE_SITES"],
        ),
        # A potent ointment for a 10-month-old.
        (
            make_input(age_months=10, sites=["arms"]),
            "mometasone-0.1-ointment",
            "",
            ["POTENT_UNDER_12_MONTHS"],
        ),
    ],
)
def test_the_prescribed_steroid_gets_the_engine_s_own_cautions_for_this_patient(
    engine_input, agent, form, expected, clinician, make_completed
):
    from decision.prescription import resolve, steroid_cautions

    consultation = make_completed(engine_input)
    stored = Prescription(consultation=consultation, steroid_agent=agent, steroid_form=form)
    prescribed = resolve(consultation.engine_output, stored)

    cautions = steroid_cautions(consultation.engine_input, prescribed)

    assert [caution.code for caution in cautions] == expected
    assert all(caution.sources for caution in cautions)


def test_the_agent_in_use_prescribed_again_repeats_no_caution(make_completed):
    from decision.prescription import resolve, steroid_cautions

    engine_input = make_input(age_months=10, sites=["arms"])
    engine_input["current_tcs"] = {
        **engine_input["current_tcs"],
        "potency": "high",
        "agent": "mometasone-0.1-ointment",
    }
    consultation = make_completed(engine_input)
    stored = Prescription(
        consultation=consultation, steroid_agent="mometasone-0.1-ointment", steroid_form=""
    )

    # The result already gives this agent's cautions (adequacy.cautions).
    assert consultation.engine_output["adequacy"]["cautions"]
    assert steroid_cautions(consultation.engine_input, resolve({}, stored)) == []
