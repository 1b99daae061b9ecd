"""Reading the conflict page's "use my answers" form, as a browser would submit it."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from django.test import Client


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.forms.append({"action": values.get("action"), "fields": []})
        elif tag == "input" and self.forms and values.get("name"):
            self.forms[-1]["fields"].append((values["name"], values.get("value") or ""))


def post_forms(html: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(html)
    return [form for form in parser.forms if form["action"] and "logout" not in form["action"]]


def reapply(client: Client, conflict_page: str) -> Any:
    """Submit the conflict page's one form: "save / complete / copy with my answers"."""
    (form,) = post_forms(conflict_page)
    data: dict[str, list[str]] = {}
    for name, value in form["fields"]:
        data.setdefault(name, []).append(value)
    return client.post(form["action"], data)
