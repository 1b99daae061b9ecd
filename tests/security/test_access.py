"""Access-control audit: every URL pattern of the site needs sign-in, and no clinician can reach
another clinician's consultation.

The patterns come from walking the resolver (tests/security/urls.py), so a page added later is
audited without touching this file; a new page that anyone may open must be added to PUBLIC.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.contrib.admin.sites import site as admin_site
from django.test import Client
from django.urls import resolve, reverse

from decision.models import Consultation
from tests.helpers import make_input
from tests.security.pages import assert_no_inline_code, assert_security_headers
from tests.security.urls import MACHINE, Route, all_routes, crawl, is_login_redirect
from tests.web.journey import complete, enter

pytestmark = pytest.mark.django_db

# The only views anyone may open without signing in, and why.
PUBLIC = {
    "login": "the sign-in page",
    "admin:login": "the admin's sign-in address: sends everyone to the site's sign-in page",
    "healthz": "liveness probe for the proxy: plain 'ok', no data, no database",
    "readyz": "readiness probe for the proxy: plain 'ready' or 503, no data",
    "api:openapi-json": "the JSON API's OpenAPI schema: a description of the API, no data",
    "api:docs": "the JSON API's documentation, rendered from that schema: no data",
    "cds:discovery": "CDS Hooks discovery: describes the service, no data (the spec's fixed URL)",
}
METHODS = ("get", "post")

ROUTES = all_routes()
PRIVATE_ROUTES = [route for route in ROUTES if route.name not in PUBLIC | MACHINE.keys()]
ADMIN_ROUTES = [route for route in ROUTES if route.is_admin]
# Pages about one consultation (machine endpoints answer 401, not a sign-in page: their own tests,
# tests/api and tests/fhir, check that another clinician gets 404 there).
OBJECT_ROUTES = [
    route
    for route in ROUTES
    if route.is_object_url and not route.is_admin and route.name not in MACHINE
]


def ids(routes: list[Route]) -> list[str]:
    return [route.label for route in routes]


def login_paths() -> set[str]:
    return {reverse("login"), reverse("admin:login")}


@pytest.fixture
def consultations(client_a) -> dict[str, Consultation]:
    """Clinician A's consultations: a draft with every step answered, and a completed one."""
    draft = enter(client_a, make_input(), reference="A-DRAFT")
    completed = enter(client_a, make_input(), reference="A-DONE")
    assert complete(client_a, completed).status_code == 302
    completed.refresh_from_db()
    assert completed.is_completed
    return {"draft": draft, "completed": completed}


def object_urls(route: Route, consultations: dict[str, Consultation]) -> list[str]:
    return [route.object_url(consultation.pk) for consultation in consultations.values()]


def test_the_walk_finds_the_sites_pages():
    names = {route.name for route in ROUTES}

    assert {"home", "login", "logout", "consultation_new", "consultation_step"} <= names
    assert {"admin:index", "admin:login"} <= names
    assert {"consultation_step", "consultation_result"} <= {route.name for route in OBJECT_ROUTES}
    assert len(ROUTES) > 30


def test_only_the_listed_pages_are_open_without_sign_in():
    public = {route.name for route in ROUTES if route.is_public}

    assert public == set(PUBLIC) | set(MACHINE)


@pytest.mark.parametrize("route", PRIVATE_ROUTES, ids=ids(PRIVATE_ROUTES))
def test_every_page_requires_sign_in(route, client):
    url = route.url()

    for method in METHODS:
        response = getattr(client, method)(url)
        assert is_login_redirect(response, login_paths()), (method, url, response.status_code)
        assert_security_headers(response)


def test_every_consultation_url_requires_sign_in_even_with_a_real_id(client, consultations):
    for route in OBJECT_ROUTES:
        for url in object_urls(route, consultations):
            for method in METHODS:
                response = getattr(client, method)(url)
                assert is_login_redirect(response, login_paths()), (method, url)
    assert Consultation.objects.count() == 2


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_the_public_pages_open_without_sign_in(name, client):
    response = client.get(reverse(name))

    if name == "admin:login":
        # One sign-in page for the whole site: its form, lockout policy and second step.
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next=/admin/"
    else:
        assert response.status_code == 200
    assert_security_headers(response)


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=ids(ADMIN_ROUTES))
def test_the_admin_refuses_a_clinician_who_is_not_staff(route, client_a):
    response = client_a.get(route.url())

    if route.name == "admin:login":
        assert response["Location"].startswith(reverse("login") + "?next=")
    elif route.name == "admin:logout":
        # The admin sends someone who is not staff to its index, which asks them to sign in.
        assert (response.status_code, response["Location"]) == (302, reverse("admin:index"))
    else:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(reverse("admin:login") + "?next=")
    assert_security_headers(response)


def _admin_object_ids() -> dict[str, str]:
    """URL-name prefix of each registered model's admin → the id of one stored object."""
    found = {}
    for model in admin_site._registry:
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            found[f"admin:{model._meta.app_label}_{model._meta.model_name}_"] = str(obj.pk)
    return found


def test_every_admin_page_works_for_a_superuser_with_the_security_headers(
    django_user_model, consultations
):
    admin = django_user_model.objects.create_superuser("root", password="root-password-2026")
    client = Client()
    client.force_login(admin)
    object_ids = _admin_object_ids()

    for route in ADMIN_ROUTES:
        prefix = next((p for p in object_ids if (route.name or "").startswith(p)), None)
        values = {"object_id": object_ids[prefix]} if prefix and "object_id" in route.params else {}
        url = route.url(**values)
        response = client.get(url)
        assert response.status_code < 500, url
        assert_security_headers(response)
    assert Consultation.objects.count() == 2


def test_every_page_a_clinician_reaches_carries_the_headers_and_no_inline_code(
    client_a, consultations
):
    start = [route.url() for route in PRIVATE_ROUTES if not route.params and not route.is_admin]
    start += [url for route in OBJECT_ROUTES for url in object_urls(route, consultations)]

    pages = crawl(client_a, start)

    assert len(pages) > 10
    for url, response in pages.items():
        assert response.status_code < 500, url
        assert_security_headers(response)
        if response.status_code == 200:
            assert_no_inline_code(response)
            # Pages anyone may open (the API's schema) hold no one's data and may be cached.
            public = getattr(resolve(urlsplit(url).path).func, "login_required", True) is False
            assert public or "no-store" in response.get("Cache-Control", ""), url


def test_object_urls_are_404_for_another_clinician(client_a, client_b, consultations):
    """Clinician B gets 404 (never the page, a redirect or 403) on every page of A's
    consultations, whatever the method, and changes nothing; A, the owner, reaches each."""
    crawled = [url for url in crawl(client_a, ["/"]) if "/consultations/" in url]
    urls_by_route = {
        route: object_urls(route, consultations) + [url for url in crawled if route.matches(url)]
        for route in OBJECT_ROUTES
    }
    before = {c.pk: (c.answers, c.status, c.updated_at) for c in Consultation.objects.all()}

    for route, urls in urls_by_route.items():
        for url in urls:
            statuses = {method: getattr(client_b, method)(url).status_code for method in METHODS}
            # 405 comes from the method check before any lookup: it reveals nothing.
            assert set(statuses.values()) <= {404, 405}, (route.label, url, statuses)
            assert 404 in statuses.values(), (route.label, url, statuses)

    after = {c.pk: (c.answers, c.status, c.updated_at) for c in Consultation.objects.all()}
    assert after == before
    for route, urls in urls_by_route.items():
        assert any(_owner_reaches(client_a, url) for url in urls), (route.label, urls)


def _owner_reaches(client: Client, url: str) -> bool:
    status = client.get(url).status_code
    if status == 405:
        status = client.post(url).status_code
    return status not in (404, 405)


def test_a_made_up_consultation_id_is_404(client_a):
    for route in OBJECT_ROUTES:
        for method in METHODS:
            status = getattr(client_a, method)(route.url()).status_code
            assert status in (404, 405), (route.label, method, status)
