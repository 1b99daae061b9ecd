"""Hostile input found by the outside probe (issue 14) gets a 4xx, never a 500, on SQLite and on
PostgreSQL (CI runs this file on both): over-long user names at sign-in, charsets other than
UTF-8, oversized multipart bodies, NUL characters, admin filters and history URLs that do not fit
their columns. Generated sign-ins and admin query strings (hypothesis) never give a 500 either.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from decision.models import Consultation, Feedback
from tests.helpers import make_input
from tests.review.conftest import bulk_cases
from tests.security.conftest import PASSWORD
from tests.security.test_bad_input import assert_plain_error_page
from tests.web.journey import patient_post

pytestmark = pytest.mark.django_db

BAD_REQUEST = "The request could not be understood"
FUZZ = hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def signed_in_attempts() -> int:
    return AccessAttempt.objects.count()


# Sign-in ---------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [151, 255, 256, 300, 5000])
def test_an_over_long_user_name_at_sign_in_is_a_message_next_to_the_field(client, length):
    response = client.post(reverse("login"), {"username": "u" * length, "password": "x"})

    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert signed_in_attempts() == 0


def test_a_nul_in_the_user_name_at_sign_in_is_a_message_next_to_the_field(client):
    response = client.post(reverse("login"), {"username": "clin\x00ician", "password": "x"})

    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()
    assert signed_in_attempts() == 0


def test_a_wrong_password_is_still_recorded_for_the_lockout(client, clinician_a):
    response = client.post(reverse("login"), {"username": "clinician-a", "password": "wrong"})

    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "clinician-a"


@FUZZ
@given(
    username=st.text(max_size=400) | st.sampled_from(["clinician-a", "", " ", "\x00", "a" * 256]),
    password=st.text(max_size=200) | st.just(PASSWORD),
)
def test_generated_sign_ins_never_give_a_500(clinician_a, username, password):
    client = Client()

    response = client.post(reverse("login"), {"username": username, "password": password})

    assert response.status_code in (200, 302, 429), response.status_code
    signed_in = "_auth_user_id" in client.session
    assert signed_in == (response.status_code == 302)
    assert not signed_in or (username == "clinician-a" and password == PASSWORD)


# Charsets --------------------------------------------------------------------------------

REFUSED_CHARSETS = [
    "utf-16",
    "UTF-16LE",
    "utf-32",
    "latin-1",
    "cp1252",
    "utf-7",
    "utf8",
    "us-ascii",
    "x-no-such",
]
ACCEPTED_CHARSETS = ["utf-8", "UTF-8"]
FORM = "application/x-www-form-urlencoded"


def post_encoded(client: Client, url: str, data: dict, charset: str, content_type: str = FORM):
    try:
        body = urlencode(data).encode(charset)
    except LookupError:
        body = urlencode(data).encode()
    return client.generic("POST", url, body, content_type=f"{content_type}; charset={charset}")


@pytest.mark.parametrize("charset", REFUSED_CHARSETS)
def test_a_sign_in_in_another_charset_is_a_400_also_anonymously(client, clinician_a, charset):
    data = {"username": "clinician-a", "password": PASSWORD}

    response = post_encoded(client, reverse("login"), data, charset)

    assert_plain_error_page(response, 400, BAD_REQUEST)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("charset", REFUSED_CHARSETS)
def test_a_step_post_in_another_charset_is_a_400_and_saves_nothing(client_a, charset, caplog):
    with caplog.at_level(logging.WARNING):
        response = post_encoded(
            client_a, reverse("consultation_new"), patient_post(make_input()), charset
        )

    assert_plain_error_page(response, 400, BAD_REQUEST)
    assert Consultation.objects.count() == 0
    assert any(r.name == "django.security.UnreadableRequest" for r in caplog.records)


def test_a_multipart_post_in_another_charset_is_a_400(client_a):
    response = client_a.generic(
        "POST",
        reverse("consultation_new"),
        b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--x--\r\n",
        content_type="multipart/form-data; boundary=x; charset=utf-16",
    )

    assert_plain_error_page(response, 400, BAD_REQUEST)


@pytest.mark.parametrize("charset", ACCEPTED_CHARSETS)
def test_a_sign_in_in_utf8_is_read(client, clinician_a, charset):
    data = {"username": "clinician-a", "password": PASSWORD}

    response = post_encoded(client, reverse("login"), data, charset)

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


# Body size, multipart ----------------------------------------------------------------------


def multipart_upload(size: int) -> tuple[bytes, str]:
    body = (
        b"--b\r\nContent-Disposition: form-data; name=username\r\n\r\nclinician-a\r\n"
        b'--b\r\nContent-Disposition: form-data; name=file; filename="x.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + b"\0" * size + b"\r\n--b--\r\n"
    )
    return body, "multipart/form-data; boundary=b"


@pytest.mark.parametrize("url_name", ["login", "consultation_new"])
def test_a_large_multipart_upload_is_refused_before_it_is_read(client_a, url_name, caplog):
    body, content_type = multipart_upload(2 * 1024 * 1024)

    with caplog.at_level(logging.WARNING):
        response = client_a.generic("POST", reverse(url_name), body, content_type=content_type)

    assert_plain_error_page(response, 400, BAD_REQUEST)
    assert any(r.name == "django.security.RequestDataTooBig" for r in caplog.records)
    assert Consultation.objects.count() == 0


def test_a_form_body_over_the_limit_is_refused_by_its_length(client):
    body = b"username=a&password=" + b"x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = client.generic("POST", reverse("login"), body, content_type=FORM)

    assert_plain_error_page(response, 400, BAD_REQUEST)


def test_a_body_django_does_not_parse_is_left_to_its_view(client):
    body = b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = client.generic("POST", reverse("login"), body, content_type="text/plain")

    assert response.status_code == 200  # the sign-in form, with nothing entered


def test_a_small_multipart_post_is_read_and_its_file_ignored(client, clinician_a):
    body = (
        b"--b\r\nContent-Disposition: form-data; name=username\r\n\r\nclinician-a\r\n"
        b"--b\r\nContent-Disposition: form-data; name=password\r\n\r\n"
        + PASSWORD.encode()
        + b'\r\n--b\r\nContent-Disposition: form-data; name=file; filename="x.bin"\r\n\r\n'
        + b"\0" * 100
        + b"\r\n--b--\r\n"
    )

    response = client.generic(
        "POST", reverse("login"), body, content_type="multipart/form-data; boundary=b"
    )

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"--b\r\nno headers\r\n--b--", "multipart/form-data; boundary=b"),
        (b"anything", "multipart/form-data"),
        (b"anything", "multipart/form-data; boundary="),
        (b"anything", "multipart/form-data; boundary=" + "b" * 200),
    ],
    ids=["no-part-headers", "no-boundary", "empty-boundary", "long-boundary"],
)
def test_a_malformed_multipart_body_is_a_4xx(client, body, content_type):
    response = client.generic("POST", reverse("login"), body, content_type=content_type)

    assert 400 <= response.status_code < 500 or response.status_code == 200


def test_a_malformed_content_length_is_a_400(client):
    response = client.generic(
        "POST", reverse("login"), b"username=a", content_type=FORM, CONTENT_LENGTH="abc"
    )

    assert_plain_error_page(response, 400, BAD_REQUEST)


# NUL characters ----------------------------------------------------------------------------


@pytest.fixture
def admin_client(django_user_model) -> Client:
    user = django_user_model.objects.create_superuser("root", password="root-password-2026")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/?page=%00",
        "/accounts/login/?next=%00",
        "/admin/decision/consultation/?q=%00",
        "/admin/decision/consultation/?patient_reference=%00",
        "/admin/decision/consultation/?status__exact=%00",
        "/admin/auth/user/?q=a%00b",
        "/admin/decision/consultation/export/?q=%00",
    ],
)
def test_a_nul_in_the_query_string_is_a_400(admin_client, url):
    response = admin_client.get(url)

    assert_plain_error_page(response, 400, BAD_REQUEST)


@pytest.mark.parametrize("header", ["HTTP_USER_AGENT", "HTTP_ACCEPT", "HTTP_X_ANYTHING"])
def test_a_nul_in_a_header_is_a_400_also_at_sign_in(client, clinician_a, header):
    response = client.post(
        reverse("login"), {"username": "clinician-a", "password": "wrong"}, **{header: "a\x00b"}
    )

    assert_plain_error_page(response, 400, BAD_REQUEST)
    assert signed_in_attempts() == 0


@pytest.mark.parametrize("key", ["abcdefgh\x00ijklmnop", "abcdefgh'ijklmnop", "ABCDEFGH-ijklmnop"])
def test_a_session_key_that_django_never_makes_is_no_session_and_no_query(key):
    from eczema_site.security import SessionStore

    session = SessionStore(key)

    assert session.session_key is None
    assert session.load() == {}


def test_a_nul_in_a_posted_reference_is_a_message_next_to_the_field(client_a):
    data = {**patient_post(make_input()), "patient_reference": "AB\x00C"}

    response = client_a.post(reverse("consultation_new"), data, follow=True)

    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()
    assert Consultation.objects.count() == 0


# Admin filters and history -----------------------------------------------------------------

CHANGELIST = "/admin/decision/consultation/"


@pytest.fixture
def cases(clinician):
    return bulk_cases(clinician, 3)


# The probe's three, and more: each gets a 400 page, or the admin's own "?e=1" redirect.
REFUSED_FILTERS = [
    "created_at__year=0",
    "completed_at__gte=garbage",
    "id__in=1,2",
    "created_at__year=abc",
    "created_at__year=2026&created_at__month=13",
    "completed_at__lt=2026-02-30",
    "id=abc",
    "patient_reference__regex=(",
    "age_months__gte=abc",
    "has_red_flags__exact=maybe",
]


@pytest.mark.parametrize("query", REFUSED_FILTERS)
@pytest.mark.parametrize("url", [CHANGELIST, CHANGELIST + "export/"])
def test_a_filter_value_that_does_not_fit_is_a_400_on_the_list_and_its_export(
    admin_client, cases, url, query, caplog
):
    with caplog.at_level(logging.WARNING):
        response = admin_client.get(f"{url}?{query}")

    if response.status_code == 302:
        assert response["Location"].endswith("?e=1")
    else:
        assert_plain_error_page(response, 400, BAD_REQUEST)
        assert any(r.name == "django.security.BadListFilter" for r in caplog.records)


def test_a_filter_that_fits_still_filters(admin_client, cases):
    response = admin_client.get(CHANGELIST, {"patient_reference__regex": "^BULK-[01]$"})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 2


def _field_queries(model: type[models.Model]) -> list[str]:
    """Bad values for every column of a model, with the lookups the admin allows."""
    queries = []
    for field in model._meta.concrete_fields:
        name = field.name
        queries += [f"{name}__gte=garbage", f"{name}__in=1,2,x", f"{name}=%FF%FE"]
        if isinstance(field, models.DateField | models.DateTimeField):
            queries += [f"{name}__year=0", f"{name}__month=13", f"{name}__day=99"]
        if isinstance(field, models.CharField | models.TextField):
            queries += [f"{name}__regex=(", f"{name}__iregex=[", f"{name}=" + "x" * 300]
        if isinstance(field, models.ForeignKey):
            queries += [f"{name}__id__exact=abc", f"{name}__pk__in=1,a"]
        if isinstance(field, models.JSONField):
            queries += [f"{name}__has_key=x", f"{name}__a__b=1"]
    return queries


ADMIN_MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=[m._meta.label for m in ADMIN_MODELS])
def test_every_admin_list_answers_bad_filter_values_with_a_4xx_or_the_list(
    admin_client, cases, model
):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    statuses = {}

    for query in [*_field_queries(model), "o=abc", "o=99", "p=abc", "p=-1", "all=&q=a"]:
        response = admin_client.get(f"{url}?{query}")
        statuses[query] = response.status_code

    unexpected = {query: status for query, status in statuses.items() if status >= 500}
    assert not unexpected
    assert set(statuses.values()) <= {200, 302, 400}


ADMIN_QUERY_KEYS = [
    "created_at__year",
    "created_at__month",
    "created_at__gte",
    "completed_at__gte",
    "completed_at__lt",
    "id__in",
    "id",
    "age_months",
    "age_months__in",
    "patient_reference__regex",
    "has_red_flags__exact",
    "created_by__id__exact",
    "status__exact",
    "next_step",
    "feedback",
    "q",
    "o",
    "p",
]


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(ADMIN_QUERY_KEYS),
        st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
        max_size=3,
    )
)
def test_generated_admin_query_strings_never_give_a_500(admin_client, cases, params):
    response = admin_client.get(CHANGELIST, params)

    if any("\x00" in value for value in params.values()):
        assert response.status_code == 400
    assert response.status_code in (200, 302, 400), (params, response.status_code)


@pytest.mark.parametrize(
    "path",
    [
        "consultation/abc/history/",
        "consultation/{pk}/history/abc/",
        "consultation/{pk}/history/1%00/",
        "consultation/{pk}/history/999999/",
        "consultation/abc/history/1/",
        "feedback/abc/history/",
        "feedback/1/history/abc/",
        "feedback/abc/history/1/",
        "auth/user/abc/history/",
    ],
)
def test_a_history_address_with_a_bad_id_is_a_404(admin_client, cases, path):
    pk = cases[0].pk
    prefix = "/admin/" if path.startswith("auth/") else "/admin/decision/"

    response = admin_client.get(prefix + path.format(pk=pk))

    assert response.status_code == 404, response.status_code


def test_a_history_address_with_good_ids_still_works(admin_client, clinician):
    [case] = bulk_cases(clinician, 1)
    feedback = Feedback.objects.get(consultation=case)
    feedback.comment = "changed"
    feedback.save()
    version = feedback.history.first()

    response = admin_client.get(
        reverse("admin:decision_feedback_simple_history", args=[feedback.pk, version.history_id])
    )

    assert response.status_code == 200
