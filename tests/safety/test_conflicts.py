"""Two tabs on one draft, step by step: the second save is refused with a 409 page that shows
what the other tab saved and what this one tried, and re-applies it in one click."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest
from django.test import Client
from django.urls import reverse

from decision import views
from decision.engine import evaluate, parse_assessment
from decision.forms import StepForm
from decision.models import Consultation, ConsultationQuerySet
from tests.helpers import make_input
from tests.safety.pages import reapply
from tests.web.journey import eczema_post, patient_post, step_url, treatment_post

pytestmark = pytest.mark.django_db


def _save(client, consultation, slug, post, version):
    return client.post(step_url(consultation, slug), {**post, "_version": str(version)})


def _complete(client, consultation, version):
    return client.post(step_url(consultation, "check"), {"_version": str(version)})


def _stored(consultation) -> Consultation:
    return Consultation.objects.get(pk=consultation.pk)


def _cells(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", html)
    ]


SEVERE = {**eczema_post(make_input()), "severity": "severe"}
MILD = {**eczema_post(make_input()), "severity": "mild"}
WORRIED = {**treatment_post(make_input()), "steroid_concerns": "on"}


def test_two_tabs_saving_different_steps_lose_neither(answered, clinician_client):
    page = answered.version  # both tabs opened at this version

    first = _save(clinician_client, answered, "eczema", SEVERE, page)
    second = _save(clinician_client, answered, "treatment", WORRIED, page)

    assert first.status_code == 302
    assert second.status_code == 409
    html = second.content.decode()
    assert "was changed in another tab or window" in html
    assert "Nothing from this page was saved" in html
    cells = _cells(html)
    # What the other tab saved: severity, from what this page showed to what is stored now.
    assert cells[cells.index("Eczema today: Severity") + 1 :][:2] == ["Moderate", "Severe"]
    # What this one tried, beside what is stored.
    row = cells.index("Worries about steroids differs")
    assert cells[row + 1 : row + 3] == ["No", "Yes"]
    stored = _stored(answered)
    assert stored.answers["severity"] == "severe"
    assert stored.answers["steroid_concerns"] is False

    again = reapply(clinician_client, html)

    assert again.status_code == 302
    stored = _stored(answered)
    assert stored.answers["severity"] == "severe"
    assert stored.answers["steroid_concerns"] is True
    assert stored.version == page + 2


def test_two_tabs_saving_the_same_step_show_both_answers(answered, clinician_client):
    page = answered.version
    _save(clinician_client, answered, "eczema", SEVERE, page)

    response = _save(clinician_client, answered, "eczema", MILD, page)

    assert response.status_code == 409
    cells = _cells(response.content.decode())
    row = cells.index("Severity differs")
    assert cells[row + 1 : row + 3] == ["Severe", "Mild"]
    assert _stored(answered).answers["severity"] == "severe"
    # "Save and continue" again from the conflict page: now it is the clinician's choice.
    assert reapply(clinician_client, response.content.decode())["Location"] == step_url(
        answered, "treatment"
    )
    assert _stored(answered).answers["severity"] == "mild"


def test_a_step_saved_after_completion_never_uncompletes_and_is_kept_for_a_copy(
    answered, clinician_client, clinician
):
    page = answered.version
    assert _complete(clinician_client, answered, page).status_code == 302
    completed = _stored(answered)

    response = _save(clinician_client, answered, "eczema", SEVERE, page)

    assert response.status_code == 409
    html = response.content.decode()
    assert "was completed in another tab or window" in html
    assert "No answer changed: the same answers were completed" in html
    stored = _stored(answered)
    assert stored.is_completed and stored.version == completed.version
    assert stored.engine_output == completed.engine_output
    assert stored.answers["severity"] == "moderate"

    copied = reapply(clinician_client, html)

    copy = Consultation.objects.exclude(pk=answered.pk).get()
    assert copied["Location"] == step_url(copy, "check")
    assert copy.copied_from_id == answered.pk and copy.created_by == clinician
    assert copy.answers["severity"] == "severe" and not copy.is_completed
    assert _stored(answered).answers["severity"] == "moderate"


def test_completing_a_page_older_than_the_stored_answers_is_refused_then_offered(
    answered, clinician_client
):
    page = answered.version
    _save(clinician_client, answered, "eczema", SEVERE, page)

    response = _complete(clinician_client, answered, page)

    assert response.status_code == 409
    cells = _cells(response.content.decode())
    assert cells[cells.index("Eczema today: Severity") + 1 :][:2] == ["Moderate", "Severe"]
    assert not _stored(answered).is_completed

    done = reapply(clinician_client, response.content.decode())

    assert done["Location"] == reverse("consultation_result", args=[answered.pk])
    stored = _stored(answered)
    assert stored.is_completed and stored.answers["severity"] == "severe"
    expected = parse_assessment(stored.engine_input_from_answers())
    assert stored.engine_input == expected.to_dict()
    assert stored.engine_output == evaluate(expected).to_dict()


def test_a_double_click_on_complete_completes_once_and_both_land_on_the_result(
    answered, clinician_client
):
    page = answered.version
    result = reverse("consultation_result", args=[answered.pk])

    assert _complete(clinician_client, answered, page)["Location"] == result
    assert _complete(clinician_client, answered, page)["Location"] == result

    assert _stored(answered).history.filter(status="completed").count() == 1


def test_a_post_without_the_pages_version_saves_nothing(answered, clinician_client):
    response = clinician_client.post(step_url(answered, "eczema"), SEVERE)

    assert response.status_code == 409
    assert "did not say which version" in response.content.decode()
    assert _stored(answered).answers["severity"] == "moderate"
    assert reapply(clinician_client, response.content.decode()).status_code == 302
    assert _stored(answered).answers["severity"] == "severe"


def _complete_in_another_tab(consultation: Consultation) -> None:
    other = Consultation.objects.get(pk=consultation.pk)
    assessment = parse_assessment(other.engine_input_from_answers())
    other.complete(assessment.to_dict(), evaluate(assessment).to_dict())


@pytest.mark.parametrize("forgetful", [False, True], ids=["conditional", "trigger"])
def test_completion_between_reading_and_writing_a_step_is_a_conflict_never_a_500(
    answered, clinician_client, monkeypatch, forgetful
):
    """The other tab completes after this request read the draft, before it writes. With the
    `trigger` variant the app's UPDATE forgets its conditions: the database refuses instead."""
    original_apply = StepForm.apply_to
    raced = []

    def race(form, consultation):
        if not raced:  # once: the conflict page applies the form again to show it
            raced.append(consultation.pk)
            _complete_in_another_tab(consultation)
        original_apply(form, consultation)

    monkeypatch.setattr(StepForm, "apply_to", race)
    if forgetful:
        original_filter = ConsultationQuerySet.filter

        def filter_without_conditions(self, *args, **kwargs):
            kwargs.pop("status", None)
            kwargs.pop("version", None)
            return original_filter(self, *args, **kwargs)

        monkeypatch.setattr(ConsultationQuerySet, "filter", filter_without_conditions)

    response = _save(clinician_client, answered, "eczema", SEVERE, answered.version)

    monkeypatch.undo()
    assert raced == [answered.pk]
    assert response.status_code == 409
    assert "was completed in another tab or window" in response.content.decode()
    stored = _stored(answered)
    assert stored.is_completed and stored.answers["severity"] == "moderate"
    assert stored.engine_input == parse_assessment(stored.engine_input_from_answers()).to_dict()


def test_a_step_saved_while_the_engine_runs_makes_completion_a_conflict(
    answered, clinician_client, monkeypatch
):
    original_evaluate = views.evaluate

    def race(assessment):
        other = Consultation.objects.get(pk=answered.pk)
        other.update_answers({"severity": "severe"}, {})
        other.save()
        return original_evaluate(assessment)

    monkeypatch.setattr(views, "evaluate", race)

    response = _complete(clinician_client, answered, answered.version)

    assert response.status_code == 409
    stored = _stored(answered)
    assert not stored.is_completed and stored.engine_output is None
    assert stored.answers["severity"] == "severe"


@pytest.mark.parametrize("version", ["", "abc", "²", "-1", "1.0", "9" * 40, "0"])
def test_a_malformed_or_unknown_version_is_a_conflict_never_a_500(
    answered, clinician_client, version
):
    save = clinician_client.post(step_url(answered, "eczema"), {**SEVERE, "_version": version})
    complete = clinician_client.post(step_url(answered, "check"), {"_version": version})

    assert (save.status_code, complete.status_code) == (409, 409)
    stored = _stored(answered)
    assert stored.answers["severity"] == "moderate" and not stored.is_completed


def test_the_new_page_posted_again_after_its_draft_moved_on_is_a_conflict(clinician_client):
    new = f"{reverse('consultation_new')}?draft={uuid4()}"
    clinician_client.post(new, patient_post(make_input(), "TOKEN-1"))
    draft = Consultation.objects.get()
    assert _save(clinician_client, draft, "safety", {}, draft.version).status_code == 302

    again = clinician_client.post(new, patient_post(make_input(age_months=90), "TOKEN-2"))

    assert again.status_code == 409
    stored = _stored(draft)
    assert (stored.patient_reference, stored.age_months) == ("TOKEN-1", 84)
    assert reapply(clinician_client, again.content.decode()).status_code == 302
    stored = _stored(draft)
    assert (stored.patient_reference, stored.age_months) == ("TOKEN-2", 90)
    assert Consultation.objects.count() == 1


def test_unsaved_answers_kept_while_another_step_was_saved_still_save(answered, clinician_client):
    """A step with errors keeps what was typed (Post/Redirect/Get); saving another step in the
    meantime changes nothing on this one, so the page saves onto the new version."""
    page = answered.version
    bad = {**SEVERE, "bsa_percent": "150"}
    assert _save(clinician_client, answered, "eczema", bad, page).status_code == 302
    assert _save(clinician_client, answered, "treatment", WORRIED, page).status_code == 302

    html = clinician_client.get(step_url(answered, "eczema")).content.decode()

    assert 'value="150"' in html
    assert f'name="_version" value="{page + 1}"' in html
    assert _save(clinician_client, answered, "eczema", SEVERE, page + 1).status_code == 302
    stored = _stored(answered)
    assert stored.answers["severity"] == "severe" and stored.answers["steroid_concerns"] is True


def test_unsaved_answers_kept_while_the_same_step_changed_elsewhere_keep_their_version(
    answered, clinician_client, clinician
):
    page = answered.version
    bad = {**MILD, "bsa_percent": "150"}
    assert _save(clinician_client, answered, "eczema", bad, page).status_code == 302
    elsewhere = Client()  # another device: its own session
    elsewhere.force_login(clinician)
    assert _save(elsewhere, answered, "eczema", SEVERE, page).status_code == 302

    html = clinician_client.get(step_url(answered, "eczema")).content.decode()

    assert 'value="150"' in html
    assert f'name="_version" value="{page}"' in html
    corrected = _save(clinician_client, answered, "eczema", MILD, page)
    assert corrected.status_code == 409
    assert _stored(answered).answers["severity"] == "severe"
