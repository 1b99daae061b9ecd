"""Only clinicians (and site administrators) create or change consultations; the clinic
reference rules live on the model, so the admin refuses what the questionnaire refuses."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from decision import roles
from decision.admin import ConsultationAdmin
from decision.models import Consultation
from tests.helpers import make_input
from tests.review.conftest import complete_consultation
from tests.web.journey import patient_post, step_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def nobody(django_user_model):
    return django_user_model.objects.create_user(username="nobody")


@pytest.mark.parametrize("who", ["reviewer", "nobody"])
def test_only_clinicians_may_start_or_change_a_consultation(client, request, clinician, who):
    client.force_login(request.getfixturevalue(who))
    case = complete_consultation(clinician, reference="CASE-1")
    draft = Consultation.objects.create(created_by=clinician, patient_reference="DRAFT-1")

    responses = [
        client.get(reverse("consultation_new")),
        client.post(reverse("consultation_new"), patient_post(make_input())),
        client.post(step_url(draft, "eczema"), {"severity": "severe", "_version": "1"}),
        client.post(step_url(draft, "check"), {"_version": "1"}),
        client.post(reverse("consultation_copy", args=[case.pk])),
        client.post(reverse("consultation_from_ehr"), {"data": "a-card-link"}),
    ]

    assert [response.status_code for response in responses] == [403] * 6
    assert "Only clinicians start or change consultations" in responses[0].content.decode()
    assert Consultation.objects.count() == 2
    assert Consultation.objects.get(pk=draft.pk).version == 1


def test_a_site_administrator_may_start_a_consultation(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="root-password-2026")
    client.force_login(admin)

    response = client.post(reverse("consultation_new"), patient_post(make_input()))

    assert response.status_code == 302
    assert Consultation.objects.get().created_by == admin


def test_a_clinician_whose_role_was_removed_can_no_longer_change_their_draft(
    clinician_client, clinician
):
    draft = Consultation.objects.create(created_by=clinician, patient_reference="DRAFT-1")
    clinician.groups.clear()

    assert clinician_client.get(step_url(draft, "eczema")).status_code == 403


def test_the_demo_clinician_has_the_clinician_role(settings, django_user_model):
    settings.DEBUG = True

    call_command("ensure_demo_user")

    assert roles.can_consult(django_user_model.objects.get(username="demo"))
    assert not roles.can_consult(django_user_model.objects.get(username="demo-reviewer"))


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("John Smith", "looks like a name"),
        ("943 476 5919", "looks like an NHS number"),
        ("12/03/2019", "looks like a date"),
        ("Jane <Smith>", "letters, numbers"),
    ],
)
def test_the_admin_refuses_the_references_the_questionnaire_refuses(
    client, clinician, django_user_model, reference, message
):
    admin = django_user_model.objects.create_superuser("root", password="root-password-2026")
    client.force_login(admin)
    draft = Consultation.objects.create(created_by=clinician, patient_reference="TYPO-1")
    url = reverse("admin:decision_consultation_change", args=[draft.pk])
    inline = {"feedback-TOTAL_FORMS": "0", "feedback-INITIAL_FORMS": "0"}

    in_admin = client.post(url, {"patient_reference": reference, **inline})
    client.force_login(clinician)
    in_questionnaire = client.post(
        reverse("consultation_new"), patient_post(make_input(), reference=reference), follow=True
    )

    for response in (in_admin, in_questionnaire):
        assert response.status_code == 200
        assert message in response.content.decode()
    assert Consultation.objects.get(pk=draft.pk).patient_reference == "TYPO-1"
    assert Consultation.objects.count() == 1


@pytest.mark.parametrize("reference", ["BED 7", "DERM-A", "AB 12", "Ward 3 bed 12"])
def test_clinic_codes_are_accepted(clinician_client, reference):
    response = clinician_client.post(
        reverse("consultation_new"), patient_post(make_input(), reference=reference)
    )

    assert response.status_code == 302
    assert Consultation.objects.get().patient_reference == reference


def test_an_admin_edit_racing_a_step_save_is_refused_with_a_message(
    client, clinician, django_user_model, monkeypatch
):
    admin = django_user_model.objects.create_superuser("root", password="root-password-2026")
    client.force_login(admin)
    draft = Consultation.objects.create(created_by=clinician, patient_reference="TYPO-1")
    original = ConsultationAdmin.save_model

    def race(self, request, obj, form, change):
        other = Consultation.objects.get(pk=obj.pk)
        other.answers = {"age_months": 12}
        other.save()
        original(self, request, obj, form, change)

    monkeypatch.setattr(ConsultationAdmin, "save_model", race)
    url = reverse("admin:decision_consultation_change", args=[draft.pk])

    response = client.post(
        url,
        {
            "patient_reference": "FIXED-1",
            "feedback-TOTAL_FORMS": "0",
            "feedback-INITIAL_FORMS": "0",
        },
        follow=True,
    )

    assert response.redirect_chain == [(url, 302)]
    assert "Not saved: this consultation was changed or completed meanwhile" in (
        response.content.decode()
    )
    # (The "other tab" ran inside the admin's transaction here, so it was rolled back too.)
    assert Consultation.objects.get(pk=draft.pk).patient_reference == "TYPO-1"
