"""Who looked (issue 14): each read of a consultation by anyone but its author is recorded — who,
what, when — on every path that shows one; the author's own reads write nothing. The record is
read-only in the admin, for site administrators only, and exports as a formula-safe CSV."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from decision import pdf
from decision.api.tokens import create_token
from decision.models import Consultation, ConsultationAccess, Feedback, Prescription
from tests.review.conftest import complete_consultation
from tests.security.test_bad_input import assert_plain_error_page
from tests.security.urls import all_routes

pytestmark = pytest.mark.django_db
What = ConsultationAccess.What
ACCESS_LIST = reverse("admin:decision_consultationaccess_changelist")
ACCESS_EXPORT = reverse("admin:decision_consultationaccess_export")
TABLE = ConsultationAccess._meta.db_table


def _page(name: str, **extra: str) -> Callable[[Consultation], str]:
    return lambda case: reverse(name, kwargs={"pk": case.pk, **extra})


def _admin(name: str, record: Callable[[Consultation], Any] = lambda case: case):
    """An admin page of the consultation or of its feedback or prescription (the latest version,
    for a page of one version)."""

    def url(case: Consultation) -> str:
        obj = record(case)
        if name.endswith("simple_history"):
            return reverse(name, args=[obj.pk, obj.history.order_by("-history_id")[0].history_id])
        return reverse(name, args=[obj.pk])

    return url


def _feedback(case: Consultation) -> Feedback:
    return Feedback.objects.get_or_create(
        consultation=case, defaults={"outcome": "followed", "recorded_by": case.created_by}
    )[0]


def _prescription(case: Consultation) -> Prescription:
    return Prescription.objects.get_or_create(
        consultation=case, defaults={"products": [], "recorded_by": case.created_by}
    )[0]


# Every page that shows one consultation's content, by URL name, with what a read records.
READ_PATHS: dict[str, tuple[Callable[[Consultation], str], What]] = {
    "consultation_result": (_page("consultation_result"), What.RESULT),
    "consultation_summary": (_page("consultation_summary"), What.SUMMARY),
    "consultation_summary_pdf": (_page("consultation_summary_pdf"), What.SUMMARY_PDF),
    "consultation_handout": (_page("consultation_handout"), What.HANDOUT),
    "consultation_handout_pdf": (_page("consultation_handout_pdf"), What.HANDOUT_PDF),
    "fhir:questionnaire_response": (_page("fhir:questionnaire_response"), What.FHIR),
    "fhir:observation": (_page("fhir:observation", kind="severity"), What.FHIR),
    "fhir:observations": (
        lambda case: f"{reverse('fhir:observations')}?derived-from=QuestionnaireResponse/{case.pk}",
        What.FHIR,
    ),
    **{
        f"admin:decision_{model}_{page}": (_admin(f"admin:decision_{model}_{page}", record), what)
        for model, record, pages in (
            ("consultation", lambda case: case, (What.ADMIN_RECORD, What.ADMIN_HISTORY)),
            ("feedback", _feedback, (What.ADMIN_FEEDBACK,) * 2),
            ("prescription", _prescription, (What.ADMIN_PRESCRIPTION,) * 2),
        )
        for page, what in (
            ("change", pages[0]),
            ("history", pages[1]),
            ("simple_history", pages[1]),
        )
    },
}
SITE_PATHS = [name for name in READ_PATHS if not name.startswith("admin:")]
# Recorded too, tested on their own below: several consultations at once, or none today.
RECORDED_ELSEWHERE = {
    "consultation_timeline",
    "admin:decision_consultation_export",
    "api:consultation",
}
# The other pages about one consultation, and why they are no read by anyone but its author.
NOT_READS = {
    "consultation_resume": "only redirects (to the result, or to the next question)",
    "consultation_step": "the author's own questions; anyone else is refused or sent to the result",
    "consultation_copy": "the author's own (a POST)",
    "consultation_review": "the author's own review visit",
    "consultation_feedback": "the author's own (a reviewer gets 403)",
    "consultation_prescription": "the author's own (a reviewer gets 403)",
    **{
        f"admin:decision_{model}_{page}": "refused to everyone"
        for model in ("consultation", "feedback", "prescription")
        for page in ("add", "delete")
    },
    **{
        f"admin:decision_{model}_changelist": "a list: a few columns of many consultations"
        for model in ("consultation", "feedback", "prescription")
    },
}


def test_every_page_about_one_consultation_records_its_reads_or_says_why_it_need_not():
    about_one = {
        route.name
        for route in all_routes()
        if (route.is_object_url and not route.is_admin)
        or (route.name or "").startswith(
            tuple(f"admin:decision_{m}_" for m in ("consultation", "feedback", "prescription"))
        )
        or route.name in {*READ_PATHS, *RECORDED_ELSEWHERE}
    }

    assert about_one == set(READ_PATHS) | RECORDED_ELSEWHERE | set(NOT_READS)


def inserts_into_the_log(queries: CaptureQueriesContext) -> int:
    return sum(
        1
        for query in queries.captured_queries
        if query["sql"].startswith("INSERT") and TABLE in query["sql"]
    )


def touches_the_log(queries: CaptureQueriesContext) -> bool:
    return any(TABLE in query["sql"] for query in queries.captured_queries)


@pytest.mark.parametrize("path", READ_PATHS)
def test_each_read_by_a_reviewer_records_exactly_one_row_of_who_what_and_when(
    client, reviewer, own_case, path
):
    url, what = READ_PATHS[path]
    address = url(own_case)
    client.force_login(reviewer)
    before = timezone.now()

    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)

    assert response.status_code == 200
    [row] = ConsultationAccess.objects.all()
    assert (row.user, row.consultation_id, row.what) == (reviewer, own_case.pk, what)
    assert before <= row.at <= timezone.now()
    assert inserts_into_the_log(queries) == 1


@pytest.mark.parametrize("path", SITE_PATHS)
def test_a_site_administrator_s_read_is_recorded_too(client, site_admin, own_case, path):
    url, what = READ_PATHS[path]
    client.force_login(site_admin)

    assert client.get(url(own_case)).status_code == 200

    assert list(ConsultationAccess.objects.values_list("user", "what")) == [(site_admin.pk, what)]


@pytest.mark.parametrize("path", SITE_PATHS)
def test_the_author_s_own_reads_write_nothing_and_never_touch_the_log(
    client, clinician, own_case, path
):
    url, _ = READ_PATHS[path]
    address = url(own_case)
    client.force_login(clinician)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200

    assert not touches_the_log(queries)
    assert not ConsultationAccess.objects.exists()


@pytest.mark.parametrize("path", [name for name in READ_PATHS if name.startswith("admin:")])
def test_an_author_who_is_a_site_administrator_reading_their_own_in_the_admin_writes_nothing(
    client, django_user_model, path
):
    author = django_user_model.objects.create_superuser(username="boss", password="x" * 14)
    case = complete_consultation(author, reference="BOSS-1")
    url, _ = READ_PATHS[path]
    client.force_login(author)

    assert client.get(url(case)).status_code == 200

    assert not ConsultationAccess.objects.exists()


def test_a_refused_read_records_nothing(client, other_clinician, own_case, others_draft, reviewer):
    client.force_login(other_clinician)
    assert client.get(reverse("consultation_result", args=[own_case.pk])).status_code == 404
    client.force_login(reviewer)
    assert client.get(reverse("consultation_result", args=[others_draft.pk])).status_code == 404

    assert not ConsultationAccess.objects.exists()


def test_a_pdf_the_server_cannot_make_is_no_read(client, reviewer, own_case, monkeypatch):
    monkeypatch.setattr(pdf, "unavailable_reason", lambda: "no font")
    client.force_login(reviewer)

    response = client.get(reverse("consultation_handout_pdf", args=[own_case.pk]))

    assert response.status_code == 503
    assert not ConsultationAccess.objects.exists()


def test_the_timeline_records_each_visit_it_shows_that_is_not_the_reader_s_in_one_insert(
    client, clinician, other_clinician, reviewer
):
    first = complete_consultation(clinician, reference="PT-1")
    second = complete_consultation(other_clinician, reference="PT-1")
    complete_consultation(clinician, reference="PT-2")  # another patient: not shown
    client.force_login(reviewer)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("consultation_timeline", args=[first.pk])).status_code == 200

    assert inserts_into_the_log(queries) == 1
    rows = ConsultationAccess.objects.filter(user=reviewer, what=What.TIMELINE)
    assert {row.consultation_id for row in rows} == {first.pk, second.pk}


def test_a_clinician_s_own_timeline_writes_nothing(client, clinician):
    first = complete_consultation(clinician, reference="PT-1")
    complete_consultation(clinician, reference="PT-1")
    client.force_login(clinician)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("consultation_timeline", args=[first.pk])).status_code == 200

    assert not touches_the_log(queries)


def test_the_consultations_csv_export_records_each_exported_row_not_the_exporter_s_own(
    client, clinician, other_clinician, django_user_model
):
    exporter = django_user_model.objects.create_superuser(username="boss", password="x" * 14)
    theirs = [complete_consultation(clinician, reference=f"A-{n}") for n in range(3)]
    complete_consultation(exporter, reference="MINE-1")
    client.force_login(exporter)

    response = client.get(reverse("admin:decision_consultation_export"))

    assert response.status_code == 200
    rows = ConsultationAccess.objects.filter(user=exporter, what=What.ADMIN_EXPORT)
    assert sorted(row.consultation_id for row in rows) == sorted(case.pk for case in theirs)


def test_a_filtered_consultations_export_records_only_the_rows_it_holds(
    client, reviewer, clinician
):
    wanted = complete_consultation(clinician, reference="WANTED-1")
    complete_consultation(clinician, reference="OTHER-1")
    client.force_login(reviewer)

    response = client.get(reverse("admin:decision_consultation_export"), {"q": "WANTED-1"})

    assert response.status_code == 200
    assert list(ConsultationAccess.objects.values_list("consultation", "what")) == [
        (wanted.pk, What.ADMIN_EXPORT)
    ]


def test_the_api_reads_only_the_caller_s_own_so_it_records_nothing(
    client, clinician, reviewer, own_case
):
    url = reverse("api:consultation", args=[own_case.pk])
    mine = create_token(clinician, "mine")[1]
    theirs = create_token(reviewer, "theirs")[1]

    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {mine}").status_code == 200
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {theirs}").status_code == 404

    assert not ConsultationAccess.objects.exists()


def test_a_reviewer_reading_by_fhir_with_a_token_is_recorded(client, reviewer, own_case):
    token = create_token(reviewer, "fhir")[1]
    url = reverse("fhir:questionnaire_response", kwargs={"pk": own_case.pk})

    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200

    assert list(ConsultationAccess.objects.values_list("user", "what")) == [
        (reviewer.pk, What.FHIR)
    ]


# ------------------------------------------------------------------------- the admin's list
@pytest.fixture
def looked(reviewer, own_case, others_case):
    """The reviewer read one result and one handout (in a browser of their own)."""
    browser = Client()
    browser.force_login(reviewer)
    browser.get(reverse("consultation_result", args=[own_case.pk]))
    browser.get(reverse("consultation_handout", args=[others_case.pk]))
    return ConsultationAccess.objects.all()


def test_the_list_shows_who_what_when_and_whose_to_a_site_administrator(
    admin_client, looked, own_case
):
    response = admin_client.get(ACCESS_LIST)

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    for text in ("reviewer", "Result page", "Patient handout", "OWN-1", "OTHER-1", "clinician"):
        assert text in html
    assert reverse("admin:decision_consultation_change", args=[own_case.pk]) in html


def test_a_reviewer_without_the_permission_cannot_see_the_list_nor_export_it(
    reviewer_client, looked
):
    assert reviewer_client.get(ACCESS_LIST).status_code == 403
    assert reviewer_client.get(ACCESS_EXPORT).status_code == 403
    row = looked.first()
    change = reverse("admin:decision_consultationaccess_change", args=[row.pk])
    assert reviewer_client.get(change).status_code == 403
    assert "Who looked" not in reviewer_client.get(reverse("admin:index")).content.decode()


def test_a_clinician_is_sent_to_sign_in(clinician_client, looked):
    response = clinician_client.get(ACCESS_LIST)

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_staff_given_the_view_permission_see_the_list(client, django_user_model, looked):
    governance = django_user_model.objects.create_user(username="ig-lead", is_staff=True)
    governance.user_permissions.add(Permission.objects.get(codename="view_consultationaccess"))
    client.force_login(governance)

    assert client.get(ACCESS_LIST).status_code == 200
    assert len(exported(client.get(ACCESS_EXPORT))) == 2


def test_nobody_adds_changes_or_deletes_a_row_in_the_admin(admin_client, looked):
    row = looked.first()
    change = reverse("admin:decision_consultationaccess_change", args=[row.pk])
    delete = reverse("admin:decision_consultationaccess_delete", args=[row.pk])

    assert admin_client.get(reverse("admin:decision_consultationaccess_add")).status_code == 403
    page = admin_client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.post(change, {"what": What.API}).status_code == 403
    assert admin_client.get(delete).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    bulk = admin_client.post(
        ACCESS_LIST, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)
    assert "delete_selected" not in admin_client.get(ACCESS_LIST).content.decode()
    assert ConsultationAccess.objects.filter(pk=row.pk, what=row.what).exists()
    assert ConsultationAccess.objects.count() == 2


def test_the_database_refuses_to_change_a_row(looked):
    with (
        pytest.raises(IntegrityError, match="a record of who looked cannot change"),
        transaction.atomic(),
    ):
        looked.update(what=What.API)

    assert set(looked.values_list("what", flat=True)) == {What.RESULT, What.HANDOUT}


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"what__exact": "result"}, {"OWN-1"}),
        ({"q": "OTHER-1"}, {"OTHER-1"}),
        ({"q": "reviewer"}, {"OWN-1", "OTHER-1"}),
        ({"q": "nobody"}, set()),
        ({"q": "not-a-uuid"}, set()),
    ],
)
def test_filters_and_search_work(admin_client, looked, params, expected):
    response = admin_client.get(ACCESS_LIST, params)

    assert response.status_code == 200
    shown = {row.consultation.patient_reference for row in response.context["cl"].queryset}
    assert shown == expected


def test_search_by_the_consultation_id_as_in_its_address(admin_client, looked, own_case):
    response = admin_client.get(ACCESS_LIST, {"q": str(own_case.pk)})

    assert [row.consultation_id for row in response.context["cl"].queryset] == [own_case.pk]


def test_the_date_hierarchy_and_the_when_filter_work(admin_client, looked):
    today = timezone.localdate()
    by_day = {"at__year": today.year, "at__month": today.month, "at__day": today.day}

    assert admin_client.get(ACCESS_LIST, by_day).context["cl"].result_count == 2
    assert admin_client.get(ACCESS_LIST, {"at__year": today.year - 1}).status_code == 200
    assert (
        admin_client.get(ACCESS_LIST, {"at__year": today.year - 1}).context["cl"].result_count == 0
    )


def test_the_record_page_links_to_who_looked_for_administrators_only(
    client, site_admin, reviewer, looked, own_case
):
    url = reverse("admin:decision_consultation_change", args=[own_case.pk])
    link = f"{ACCESS_LIST}?q={own_case.pk}"

    client.force_login(site_admin)
    assert link in client.get(url).content.decode()
    client.force_login(reviewer)
    assert link not in client.get(url).content.decode()


def test_the_list_costs_the_same_queries_for_two_rows_or_forty(
    admin_client, looked, reviewer, own_case
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(ACCESS_LIST).status_code == 200
        return len(queries)

    few = count()
    ConsultationAccess.objects.bulk_create(
        ConsultationAccess(user=reviewer, consultation=own_case, what=What.SUMMARY)
        for _ in range(38)
    )
    assert count() == few


# ------------------------------------------------------------------------------- its export
def exported(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_export_holds_the_filtered_rows_with_who_what_when_and_whose(
    admin_client, looked, own_case
):
    rows = exported(admin_client.get(ACCESS_EXPORT, {"what__exact": "result"}))

    assert len(rows) == 1
    [row] = rows
    assert row["who"] == "reviewer"
    assert (row["what"], row["what_label"]) == ("result", "Result page")
    assert row["consultation"] == str(own_case.pk)
    assert (row["reference"], row["clinician"]) == ("OWN-1", "clinician")
    assert row["when"].startswith(str(timezone.localdate().year))


def test_the_export_neutralises_spreadsheet_formulas_in_every_cell(
    admin_client, django_user_model, own_case
):
    # A user name the sign-up form would refuse, made directly: the export must not trust it.
    hostile = django_user_model.objects.create_user(
        username='=HYPERLINK("https://evil.example","x")', is_staff=True
    )
    browser = Client()
    browser.force_login(hostile)
    browser.get(reverse("consultation_result", args=[own_case.pk]))

    response = admin_client.get(ACCESS_EXPORT)

    [row] = exported(response)
    assert row["who"] == '\'=HYPERLINK("https://evil.example","x")'
    assert ",=HYPERLINK" not in response.content.decode()


REFUSED = [
    "at__year=0",
    "at__gte=garbage",
    "at__lt=2026-02-30",
    "at__year=2026&at__month=13",
    "id__in=1,2,x",
    "id=abc",
    "consultation__id__exact=abc",
    "what__regex=(",
]
# The admin's own handling: the filter or the ordering ignores what it cannot use.
TOLERATED = ["user__id__exact=abc", "o=abc", "p=-1"]


@pytest.mark.parametrize("query", REFUSED)
@pytest.mark.parametrize("url", [ACCESS_LIST, ACCESS_EXPORT])
def test_a_filter_value_that_does_not_fit_is_a_400_on_the_list_and_its_export(
    admin_client, looked, url, query, caplog
):
    with caplog.at_level(logging.WARNING):
        response = admin_client.get(f"{url}?{query}")

    assert_plain_error_page(response, 400, "The request could not be understood")
    assert any(record.name == "django.security.BadListFilter" for record in caplog.records)


@pytest.mark.parametrize("query", TOLERATED)
@pytest.mark.parametrize("url", [ACCESS_LIST, ACCESS_EXPORT])
def test_other_odd_values_get_the_admin_s_own_handling(admin_client, looked, url, query):
    assert admin_client.get(f"{url}?{query}").status_code == 200


@pytest.mark.parametrize("url", [ACCESS_LIST, ACCESS_EXPORT])
def test_a_nul_in_the_search_is_a_400(admin_client, looked, url):
    assert admin_client.get(f"{url}?q=%00").status_code == 400


def _trigger_names() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {name for (name,) in cursor.fetchall()}


def test_the_append_only_trigger_survives_every_migration():
    assert "decision_consultationaccess_no_update" in _trigger_names()
