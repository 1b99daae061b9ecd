"""The home page: the signed-in clinician's own consultations, drafts first."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from decision.models import Consultation
from tests.helpers import make_input
from tests.web.journey import complete, enter

pytestmark = pytest.mark.django_db


def test_the_home_page_has_a_new_consultation_button(clinician_client):
    response = clinician_client.get(reverse("home"))

    assert response.status_code == 200
    assert f'href="{reverse("consultation_new")}"'.encode() in response.content
    assert b"No drafts." in response.content


def test_the_home_page_lists_drafts_first_with_resume_then_completed(clinician_client):
    done = enter(clinician_client, make_input(), reference="DONE-1")
    complete(clinician_client, done)
    draft = enter(clinician_client, make_input(), reference="DRAFT-1")

    html = clinician_client.get(reverse("home")).content.decode()

    assert html.index("DRAFT-1") < html.index("Completed") < html.index("DONE-1")
    assert f'href="{reverse("consultation_resume", args=[draft.pk])}"' in html
    assert f'href="{reverse("consultation_result", args=[done.pk])}"' in html
    assert "Start a TCI" in html  # the completed one's next step


def test_the_home_page_lists_only_my_consultations(clinician_client, other_clinician):
    other = Client()
    other.force_login(other_clinician)
    enter(other, make_input(), reference="NOT-MINE")
    enter(clinician_client, make_input(), reference="MINE")

    html = clinician_client.get(reverse("home")).content.decode()

    assert "MINE" in html
    assert "NOT-MINE" not in html
    assert Consultation.objects.count() == 2


def test_a_draft_with_a_red_flag_is_marked_on_the_home_page(clinician_client):
    enter(clinician_client, make_input(red_flags={"infection_signs": True}), reference="RF-1")

    html = clinician_client.get(reverse("home")).content.decode()

    assert "Red flag" in html


def _pile_up(clinician, status: str, how_many: int) -> None:
    """Numbered newest first: 000 was saved (and completed) last."""
    now = timezone.now()
    prefix = status[:3].upper()
    done = status == "completed"
    Consultation.objects.bulk_create(
        Consultation(
            created_by=clinician,
            patient_reference=f"{prefix}-{n:03d}",
            status=status,
            # A completed record never changes (not even here): completed as it is inserted.
            completed_at=now - timedelta(minutes=n) if done else None,
        )
        for n in range(how_many)
    )
    for n in range(how_many if not done else 0):
        Consultation.objects.filter(patient_reference=f"{prefix}-{n:03d}").update(
            updated_at=now - timedelta(minutes=n)
        )


def _references(html: str, prefix: str) -> list[str]:
    return re.findall(rf"<td data-label=\"Reference\">({prefix}-\d{{3}})", html)


def test_each_table_shows_twenty_rows_a_page_with_links_to_the_others(clinician_client, clinician):
    _pile_up(clinician, "draft", 25)
    _pile_up(clinician, "completed", 45)

    first = clinician_client.get(reverse("home")).content.decode()

    assert _references(first, "DRA") == [f"DRA-{n:03d}" for n in range(20)]
    assert _references(first, "COM") == [f"COM-{n:03d}" for n in range(20)]
    assert '<nav aria-label="Drafts pages"' in first
    assert "Page 1 of 2" in first and "Page 1 of 3" in first
    assert 'href="?drafts=2">Older</a>' in first
    assert 'href="?completed=2">Older</a>' in first
    assert "Newer</a>" not in first

    # The completed table's next page keeps the drafts' page, and the other way round.
    second = clinician_client.get(reverse("home"), {"drafts": "2", "completed": "2"})
    html = second.content.decode()
    assert _references(html, "DRA") == [f"DRA-{n:03d}" for n in range(20, 25)]
    assert _references(html, "COM") == [f"COM-{n:03d}" for n in range(20, 40)]
    assert 'href="?completed=2&amp;drafts=1">Newer</a>' in html
    assert 'href="?drafts=2&amp;completed=3">Older</a>' in html
    assert 'href="?drafts=2&amp;completed=1">Newer</a>' in html


@pytest.mark.parametrize("page", ["0", "x", "99", "-1"])
def test_a_page_number_out_of_range_or_not_a_number_shows_a_page(clinician_client, clinician, page):
    _pile_up(clinician, "completed", 25)

    response = clinician_client.get(reverse("home"), {"completed": page, "drafts": page})

    assert response.status_code == 200
    assert len(_references(response.content.decode(), "COM")) in (5, 20)


def test_one_page_has_no_page_links(clinician_client, clinician):
    _pile_up(clinician, "completed", 20)

    html = clinician_client.get(reverse("home")).content.decode()

    assert len(_references(html, "COM")) == 20
    assert "pages" not in html


def test_the_rows_show_the_same_cells_as_before(clinician_client):
    done = enter(clinician_client, make_input(), reference="CELL-1")
    complete(clinician_client, done)
    done.refresh_from_db()
    local = timezone.localtime(done.completed_at)

    html = clinician_client.get(reverse("home")).content.decode()

    # Whole seconds: a machine-readable time with microseconds is not valid HTML.
    assert f'<time datetime="{local.isoformat(timespec="seconds")}">' in html
    assert not re.search(r'datetime="[^"]*\.[0-9]', html)
    assert f"{local:%-d %b %Y, %H:%M}" in html
    assert f'href="{reverse("consultation_result", args=[done.pk])}"' in html
    assert 'View result<span class="visually-hidden"> CELL-1</span>' in html
