"""The permission ladder on every consultation page: anonymous, clinician (own and someone else's),
reviewer, admin. Reviewers read completed consultations and change nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from decision import roles
from decision.models import Consultation

pytestmark = pytest.mark.django_db

# Pages that only read a completed consultation. The print pages come from the print views; the
# ladder covers them whenever they are installed.
READ_PAGES = (
    "consultation_result",
    "consultation_summary",
    "consultation_handout",
    "consultation_summary_pdf",
    "consultation_handout_pdf",
)


def url_or_skip(name: str, consultation: Consultation) -> str:
    try:
        return reverse(name, args=[consultation.pk])
    except NoReverseMatch:
        pytest.skip(f"{name} is not installed")


@pytest.mark.parametrize("name", READ_PAGES)
def test_the_ladder_for_reading_a_completed_consultation(
    client, clinician, other_clinician, reviewer, site_admin, own_case, name
):
    url = url_or_skip(name, own_case)

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

    client.force_login(clinician)
    assert client.get(url).status_code == 200

    client.force_login(other_clinician)
    assert client.get(url).status_code == 404

    client.force_login(reviewer)
    assert client.get(url).status_code == 200

    client.force_login(site_admin)
    assert client.get(url).status_code == 200


def test_a_reviewer_reads_the_result_without_the_owners_buttons(reviewer_client, others_case):
    html = reviewer_client.get(reverse("consultation_result", args=[others_case.pk])).content
    html = html.decode()

    assert "OTHER-1" in html
    assert reverse("consultation_copy", args=[others_case.pk]) not in html
    assert reverse("consultation_feedback", args=[others_case.pk]) not in html


def test_a_reviewer_never_sees_someone_elses_draft(reviewer_client, others_draft):
    for url in (
        reverse("consultation_resume", args=[others_draft.pk]),
        reverse("consultation_result", args=[others_draft.pk]),
        reverse("consultation_feedback", args=[others_draft.pk]),
    ):
        assert reviewer_client.get(url).status_code == 404, url
    # The questionnaire is the clinicians': refused before any consultation is looked up.
    step = reverse("consultation_step", args=[others_draft.pk, "patient"])
    assert reviewer_client.get(step).status_code == 403


def test_a_reviewer_cannot_change_someone_elses_consultation(reviewer_client, others_case):
    before = Consultation.objects.count()

    copy = reviewer_client.post(reverse("consultation_copy", args=[others_case.pk]))
    step = reviewer_client.post(
        reverse("consultation_step", args=[others_case.pk, "patient"]),
        {"patient_reference": "HIJACK"},
    )
    feedback = reviewer_client.post(
        reverse("consultation_feedback", args=[others_case.pk]), {"outcome": "followed"}
    )

    assert (copy.status_code, step.status_code, feedback.status_code) == (403, 403, 403)
    assert Consultation.objects.count() == before
    assert Consultation.objects.get(pk=others_case.pk).patient_reference == "OTHER-1"


def test_the_ladder_for_the_feedback_page(
    client, clinician, other_clinician, reviewer, site_admin, own_case
):
    url = reverse("consultation_feedback", args=[own_case.pk])

    assert client.get(url).status_code == 302
    client.force_login(clinician)
    assert client.get(url).status_code == 200
    client.force_login(other_clinician)
    assert client.get(url).status_code == 404
    client.force_login(reviewer)
    assert client.get(url).status_code == 403
    client.force_login(site_admin)
    assert client.get(url).status_code == 403


def test_the_ladder_for_the_dashboard(client, clinician, reviewer, site_admin):
    url = reverse("review_dashboard")

    assert client.get(url).status_code == 302
    client.force_login(clinician)
    assert client.get(url).status_code == 403
    client.force_login(reviewer)
    assert client.get(url).status_code == 200
    client.force_login(site_admin)
    assert client.get(url).status_code == 200


def test_the_demo_accounts_are_a_clinician_and_a_reviewer(settings, capsys):
    settings.DEBUG = True

    call_command("ensure_demo_user")

    users = get_user_model().objects
    demo = users.get(username="demo")
    assert demo.groups.filter(name=roles.CLINICIAN).exists()
    assert not roles.can_review(demo)
    reviewer = users.get(username="demo-reviewer")
    assert reviewer.groups.filter(name=roles.REVIEWER).exists()
    assert roles.can_review(reviewer) and not reviewer.is_superuser
    assert "'demo-reviewer'" in capsys.readouterr().out
