"""Reviewers see what was prescribed next to the feedback: in the admin (the list, the case, its
history and the CSV export) and in the review dashboard's list of cases."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decision.models import Consultation, Prescription
from tests.print.test_pages import text_of
from tests.rx.conftest import VIGNETTES, prescribe

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:decision_consultation_changelist")


def test_the_case_shows_the_prescription_beside_the_feedback_with_its_history(
    clinician_client, reviewer_client, tci_case
):
    prescribe(clinician_client, tci_case, ["pimecrolimus-1"], "hydrocortisone-1", "cream")
    prescribe(clinician_client, tci_case, ["pimecrolimus-1"], version=1)

    response = reviewer_client.get(
        reverse("admin:decision_consultation_change", args=[tci_case.pk])
    )

    assert response.status_code == 200
    text = text_of(response)
    assert "Prescribed: pimecrolimus 1% cream" in text
    assert (
        "Differs from the advice: Prescribed pimecrolimus 1% cream instead of the first choice, "
        "tacrolimus 0.03% ointment." in text
    )
    assert text.index("Prescribed: pimecrolimus") < text.index("Outcome: Modified")
    stored = Prescription.objects.get(consultation=tci_case)
    history = reviewer_client.get(reverse("admin:decision_prescription_history", args=[stored.pk]))
    assert history.status_code == 200
    assert text_of(history).count("clinician") >= 2  # who changed it, each time


def test_the_list_and_the_csv_export_name_what_was_prescribed(
    clinician_client, reviewer_client, tci_case
):
    prescribe(clinician_client, tci_case, ["pimecrolimus-1"], "mometasone-0.1-ointment")

    assert "pimecrolimus 1% cream; steroid: mometasone furoate 0.1 % ointment" in text_of(
        reviewer_client.get(CHANGELIST)
    )
    export = reviewer_client.get(reverse("admin:decision_consultation_export"))
    body = b"".join(export).decode("utf-8-sig") if export.streaming else export.content.decode()
    (row,) = csv.DictReader(io.StringIO(body.lstrip("\ufeff")))
    assert row["prescribed_products"] == "pimecrolimus-1"
    assert row["prescribed_steroid"] == "mometasone-0.1-ointment ointment"


def test_the_list_query_count_does_not_grow_with_prescriptions(
    clinician, clinician_client, reviewer_client, make_completed, tci_case
):
    prescribe(clinician_client, tci_case, ["tacrolimus-0.03"])
    with CaptureQueriesContext(connection) as few:
        assert reviewer_client.get(CHANGELIST).status_code == 200
    for number in range(5):
        case = make_completed(tci_case.engine_input, reference=f"MANY-{number}")
        Prescription.objects.create(
            consultation=case, products=["pimecrolimus-1"], recorded_by=clinician
        )
    assert Consultation.objects.count() == 6
    with CaptureQueriesContext(connection) as many:
        assert reviewer_client.get(CHANGELIST).status_code == 200
    assert len(many) == len(few)


def test_the_review_dashboard_lists_what_was_prescribed_beside_the_feedback(
    clinician_client, reviewer_client, make_completed
):
    urgent = make_completed(VIGNETTES["herpeticum-eyes"]["input"], reference="URGENT-1")
    unwell = make_completed(VIGNETTES["infected-unwell"]["input"], reference="URGENT-2")
    prescribe(clinician_client, urgent, agent="hydrocortisone-1", form="cream")

    body = reviewer_client.get(reverse("review_dashboard")).content.decode()

    rows = dict(
        re.findall(
            r">(URGENT-\d)</a></td>.*?<td data-label=\"Prescribed\">([^<]*)</td>", body, re.S
        )
    )
    assert rows == {
        "URGENT-1": "steroid: hydrocortisone 1 % cream",
        "URGENT-2": "–",
    }
    assert unwell.has_red_flags
