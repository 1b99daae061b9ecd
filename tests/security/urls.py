"""Every URL pattern of the site, found by walking the resolver, and a way to fill it in.

Built from the resolver at test time, so patterns that are added later are audited too.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from django.test import Client
from django.urls import URLPattern, URLResolver, converters, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils.regex_helper import normalize

# Machine endpoints: they use no session at all, and authenticate every request by a personal API
# token (tests/api) or an EHR's signed JWT (tests/cds) instead, answering 401 without one. Anyone
# may call them, as anyone may open the sign-in page: tests/security/test_access.py lists both.
MACHINE = {
    "api:recommend": "evaluates an assessment for an API token holder",
    "api:consultations": "lists the token holder's own completed consultations",
    "api:consultation": "one of the token holder's own completed consultations",
    # FHIR (decision/fhir/): a session or a token; without either 401, never a sign-in page.
    "fhir:questionnaire": "the questionnaire as a FHIR Questionnaire",
    "fhir:questionnaire_response": "a completed consultation the caller may read, as FHIR",
    "fhir:observations": "the Observations of a consultation the caller may read",
    "fhir:observation": "one Observation of a consultation the caller may read",
    "fhir:evaluate": "evaluates a QuestionnaireResponse for an API token holder; stores nothing",
    "cds:service": "the CDS Hooks patient-view service, for an EHR with a signed JWT",
    "cds:feedback": "what the clinician did with a card, from an EHR with a signed JWT",
}

# Values tried, in order, for a path parameter, by converter (None: a regex group).
SAMPLES: dict[type | None, tuple[str, ...]] = {
    converters.UUIDConverter: (str(uuid.UUID(int=1)),),
    converters.IntConverter: ("1",),
    converters.SlugConverter: ("a-slug",),
    converters.StringConverter: ("a-string", "1"),
    converters.PathConverter: ("1",),
    None: ("1", "auth", "a-slug"),
}


@dataclass(frozen=True, eq=False)
class Route:
    regex: str
    route: str  # as ResolverMatch.route spells it
    name: str | None  # with its namespace, e.g. "admin:login"
    namespace: str
    converters: dict[str, Any]
    pattern: URLPattern

    @property
    def label(self) -> str:
        return self.name or self.regex

    @property
    def is_admin(self) -> bool:
        return self.namespace == "admin"

    @property
    def is_public(self) -> bool:
        """Marked @login_not_required: LoginRequiredMiddleware lets anyone in."""
        return getattr(self.pattern.callback, "login_required", True) is False

    @property
    def params(self) -> list[str]:
        return normalize(self.regex)[0][1]

    @property
    def id_params(self) -> list[str]:
        """The parameters that name a stored object (a UUID, or called pk/id/uuid)."""
        return [
            param
            for param in self.params
            if param in {"pk", "id", "uuid"}
            or isinstance(self.converters.get(param), converters.UUIDConverter)
        ]

    @property
    def is_object_url(self) -> bool:
        """A page about one stored object, addressed by its id."""
        return bool(self.id_params)

    def object_url(self, pk: Any) -> str:
        """This pattern for the object with this id (other parameters generated)."""
        return self.url(**dict.fromkeys(self.id_params, str(pk)))

    def matches(self, path: str) -> bool:
        try:
            match = resolve(urlsplit(path).path)
        except Resolver404:
            return False
        return match.func is self.pattern.callback and match.route == self.route

    def _samples(self, param: str) -> tuple[str, ...]:
        converter = self.converters.get(param)
        return SAMPLES.get(type(converter), SAMPLES[None]) if converter else SAMPLES[None]

    def url(self, **values: str) -> str:
        """A URL of this pattern: `values` for the named parameters, generated ones for the rest."""
        template, params = normalize(self.regex)[0]
        options = [
            (values[param],) if param in values else self._samples(param) for param in params
        ]
        for combination in itertools.product(*options):
            path = "/" + template % dict(zip(params, combination, strict=True))
            if self.matches(path):
                return path
        raise AssertionError(f"could not build a URL for {self.label}")


def _walk(
    resolver: URLResolver, regex: str, namespace: str, route: str, found: dict[str, Any]
) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        own = entry.pattern.regex.pattern
        own = own.removeprefix("^")
        joined_converters = {**found, **entry.pattern.converters}
        own_route = str(entry.pattern).removeprefix("^")
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else (entry.namespace or namespace)
            )
            yield from _walk(entry, regex + own, inner or "", route + own_route, joined_converters)
        else:
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Route(regex + own, route + own_route, name, namespace, joined_converters, entry)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver(), "^", "", "", {}))


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"href", "action", "hx-get", "hx-post"} and value:
                self.links.append(value)


def links_in(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return [link.split("#")[0] for link in parser.links if link.startswith("/")]


def crawl(client: Client, start: list[str], limit: int = 300) -> dict[str, Any]:
    """The site as this client sees it: every same-site page reachable from `start` by GET,
    following links and redirects. Maps each URL to its response."""
    seen: dict[str, Any] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen or url.startswith(("/static/", "/admin/")) or not url:
            continue
        response = client.get(url)
        seen[url] = response
        if response.status_code in (301, 302, 303, 307, 308):
            queue.append(response["Location"])
        elif "text/html" in response.headers.get("Content-Type", ""):
            queue.extend(links_in(response.content.decode()))
    return seen


def is_login_redirect(response: Any, login_paths: set[str]) -> bool:
    if response.status_code != 302:
        return False
    location = urlsplit(response["Location"])
    return location.path in login_paths and re.search(r"(^|&)next=", location.query) is not None
