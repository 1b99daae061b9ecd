"""Rule set 2026.12 in the questionnaire (issue 10 item 2): the chosen steroid agent goes to the
engine as `current_tcs.agent`; the potency levels name US classes only and each agent its own UK
group; drafts saved before the change still complete; the palm rule beside the body surface."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps

from decision import steps
from decision.engine.knowledge import tcs_agent_map, tcs_agents
from decision.models import Consultation
from tests.helpers import make_input
from tests.web.journey import complete, step_url, treatment_post, versioned

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("decision.migrations.0007_tcs_agent_in_engine_input")


def test_the_chosen_agent_goes_to_the_engine(make_answered, clinician_client):
    agent = "mometasone-0.1-ointment"
    consultation = make_answered(current_tcs={"potency": "high", "agent": agent})

    complete(clinician_client, consultation)

    consultation.refresh_from_db()
    assert consultation.engine_input["current_tcs"]["agent"] == agent
    assert "tcs_agent" not in consultation.extras


def test_potency_levels_name_us_classes_only_and_each_agent_its_own_uk_group(
    answered, clinician_client
):
    html = clinician_client.get(step_url(answered, "treatment")).content.decode()

    potencies = re.findall(r'<label for="id_potency_\d" class="form-check-label">([^<]*)<', html)
    assert potencies[2] == "Medium (US class 4–5)"
    assert not any("UK" in label for label in potencies)
    agent = tcs_agent_map()["betamethasone-valerate-0.1-cream"]
    assert agent.uk_group == "potent" and agent.potency == "medium"
    assert f'<option value="{agent.id}">{agent.label} (UK potent)</option>' in html
    # Hydrocortisone by its strengths; the old id without one is never offered.
    offered = re.findall(r'<option value="(hydrocortisone(?:-[0-9.]+)?)"', html)
    assert offered == ["hydrocortisone-0.5", "hydrocortisone-1", "hydrocortisone-2.5"]
    assert offered == [a.id for a in tcs_agents() if re.fullmatch(r"hydrocortisone-[0-9.]+", a.id)]


def _old_style_draft(consultation: Consultation, agent: str) -> None:
    """As a draft was saved under 2026.11: the agent among the questionnaire's helpers."""
    answers = consultation.answers
    answers["current_tcs"].pop("agent")
    answers["current_tcs"]["potency"] = tcs_agent_map()[agent].potency
    answers["extras"]["tcs_agent"] = agent
    Consultation.objects.filter(pk=consultation.pk).update(answers=answers)


def test_a_draft_with_the_old_hydrocortisone_id_completes_with_it(make_answered, clinician_client):
    draft = make_answered()
    _old_style_draft(draft, "hydrocortisone")

    MIGRATION.forwards(apps, None)
    draft.refresh_from_db()
    assert draft.answers["current_tcs"]["agent"] == "hydrocortisone"
    assert "tcs_agent" not in draft.extras
    # Shown, and kept when step 4 is saved again, though no longer offered.
    html = clinician_client.get(step_url(draft, "treatment")).content.decode()
    assert '<option value="hydrocortisone" selected>' in html
    post = {**treatment_post(draft.answers), "tcs_agent": "hydrocortisone"}
    assert (
        clinician_client.post(step_url(draft, "treatment"), versioned(draft, post)).status_code
        == 302
    )

    assert complete(clinician_client, draft).status_code == 302
    draft.refresh_from_db()
    assert draft.is_completed
    assert draft.engine_input["current_tcs"]["agent"] == "hydrocortisone"


def test_the_migration_leaves_completed_consultations_and_can_be_reversed(
    make_answered, clinician_client
):
    done = make_answered()
    complete(clinician_client, done)
    done.refresh_from_db()
    before = done.answers
    draft = make_answered()
    _old_style_draft(draft, "clobetasone-0.05")
    draft.refresh_from_db()
    old = draft.answers

    MIGRATION.forwards(apps, None)
    MIGRATION.backwards(apps, None)

    done.refresh_from_db()
    draft.refresh_from_db()
    assert done.answers == before
    assert draft.answers == old


def test_the_palm_rule_sits_beside_the_body_surface_area(answered, clinician_client):
    html = clinician_client.get(step_url(answered, "eczema")).content.decode()

    adult_rule = "In an adult, one flat hand (palm and fingers) covers about 1 % of the body"
    assert adult_rule in html
    # Conservative: knowledge.md gives no hand rule for children, so the aid invents none.
    assert "patient's palm" not in html
    assert "The fingertip unit (Long &amp; Finlay, Clin Exp Dermatol 1991)" in html
    assert html.index('id="id_bsa_percent"') < html.index("Palm rule")


def test_an_agent_of_another_potency_is_still_refused(answered, clinician_client):
    post = {
        **treatment_post(make_input()),
        "potency": "low",
        "tcs_agent": "mometasone-0.1-ointment",
    }

    response = clinician_client.post(step_url(answered, "treatment"), post, follow=True)

    assert response.status_code == 200
    assert "high potency: choose that potency, or clear the agent" in response.content.decode()


def test_a_consultation_completed_under_2026_11_still_shows_its_agent(make_answered):
    consultation = make_answered()
    _old_style_draft(consultation, "clobetasone-0.05")
    consultation.refresh_from_db()

    rows = {
        row["label"]: row["value"]
        for section in steps.answer_sections(consultation, change_links=False)
        for row in section["rows"]
    }

    assert rows["Topical corticosteroid"].startswith("clobetasone butyrate 0.05 %")


def test_the_severity_aids_cite_their_sources_readably(answered, clinician_client):
    html = clinician_client.get(step_url(answered, "eczema")).content.decode()

    # README § 4: readable citations, never bare keys such as "Simpson 2020" or "Charman 2013".
    for key in ("(Simpson 2020)", "(NICE CG57)", "Charman 2013.", "Charman 2004; Charman 2013"):
        assert key not in html
    assert "Validated IGA for atopic dermatitis (vIGA-AD) (JAAD 2020)" in html
    assert "Patient-Oriented Eczema Measure (POEM) (Charman, Arch Dermatol 2004)" in html
