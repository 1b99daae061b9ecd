"""Assertions about what every response and page must carry (shared by the security tests)."""

from __future__ import annotations

from html.parser import HTMLParser

from django.http import HttpResponse

# Script types the browser executes (a <script type="application/json"> data block is inert).
_EXECUTABLE_SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module"}


def csp_directives(response: HttpResponse) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_security_headers(response: HttpResponse) -> None:
    """The headers every response of the site carries, whatever its status."""
    headers = response.headers
    where = f"{response.request['PATH_INFO']} ({response.status_code})"
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "same-origin", where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("Cross-Origin-Opener-Policy") == "same-origin", where
    assert headers.get("Cross-Origin-Resource-Policy") == "same-origin", where
    assert_permissions_policy(response)
    directives = csp_directives(response)
    assert directives, f"no Content-Security-Policy on {where}"
    assert directives["default-src"] == ["'self'"], where
    assert directives["script-src"] == ["'self'"], where
    assert directives["style-src"] == ["'self'"], where
    assert directives["object-src"] == ["'none'"], where
    assert directives["frame-ancestors"] == ["'none'"], where
    assert directives["base-uri"] == ["'none'"], where
    assert directives["form-action"] == ["'self'"], where
    for words in directives.values():
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(words), where


# Features no page uses: each must be turned off by Permissions-Policy.
DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb", "display-capture")


def assert_permissions_policy(response: HttpResponse) -> None:
    policy = {
        part.strip().split("=", 1)[0]: part.strip().split("=", 1)[1]
        for part in response.headers.get("Permissions-Policy", "").split(",")
        if "=" in part
    }
    where = f"{response.request['PATH_INFO']} ({response.status_code})"
    for feature in DENIED_FEATURES:
        assert policy.get(feature) == "()", (where, feature, policy)


class _InlineFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        position = f"line {self.getpos()[0]}"
        script_type = (values.get("type") or "").lower()
        if tag == "script" and not values.get("src") and script_type in _EXECUTABLE_SCRIPT_TYPES:
            self.problems.append(f"inline <script> at {position}")
        if tag == "style":
            self.problems.append(f"<style> element at {position}")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style attribute on <{tag}> at {position}")
            elif name.startswith("on"):
                self.problems.append(f"{name} handler on <{tag}> at {position}")
            elif name in {"href", "src", "action"} and (value or "").lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL on <{tag}> at {position}")


def inline_code(html: str) -> list[str]:
    """Inline scripts, styles and event handlers: the strict CSP would block every one."""
    finder = _InlineFinder()
    finder.feed(html)
    return finder.problems


def assert_no_inline_code(response: HttpResponse) -> None:
    if "text/html" not in response.headers.get("Content-Type", ""):
        return
    problems = inline_code(response.content.decode())
    assert not problems, f"{response.request['PATH_INFO']}: {problems}"
