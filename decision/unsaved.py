"""A step that failed validation, kept across Post/Redirect/Get.

A POST that answers with a page leaves that POST in the browser's history, and Back then asks to
"Confirm form resubmission". So an invalid step is not shown in answer to its POST: what was
typed (and which button was pressed) is kept in the session under the consultation and step,
and the browser is redirected to the step's own URL, whose GET shows it again with its messages.
Nothing typed is lost; a successful save of that step forgets it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, QueryDict

SESSION_KEY = "unsaved_steps"
# Never kept: the CSRF token (a new one comes with the page) and the helper fields.
_DROPPED = ("csrfmiddlewaretoken",)


def _key(owner: str, slug: str) -> str:
    return f"{owner}:{slug}"


def keep(request: HttpRequest, owner: str, slug: str) -> None:
    """Keep this POST's fields for the step's next GET (owner: the consultation or new draft)."""
    fields = {name: values for name, values in request.POST.lists() if name not in _DROPPED}
    kept = request.session.get(SESSION_KEY, {})
    kept[_key(owner, slug)] = fields
    request.session[SESSION_KEY] = kept


def get(request: HttpRequest, owner: str, slug: str) -> QueryDict | None:
    """What was typed on this step and not saved, as posted data; None if nothing."""
    fields = request.session.get(SESSION_KEY, {}).get(_key(owner, slug))
    if fields is None:
        return None
    data = QueryDict(mutable=True)
    for name, values in fields.items():
        data.setlist(name, values)
    return data


def forget(request: HttpRequest, owner: str, slug: str) -> None:
    kept = request.session.get(SESSION_KEY, {})
    if kept.pop(_key(owner, slug), None) is not None:
        request.session[SESSION_KEY] = kept


def action(data: Any) -> str:
    return data.get("_action", "continue")
