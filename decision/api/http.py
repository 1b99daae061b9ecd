"""JSON bodies and JSON errors for the machine endpoints (the API, the CDS Hooks service).

Every error has one shape: `{"detail": str, "errors": [{"path", "message"}], "messages":
["path: message"]}` — `messages` are the lines `manage.py recommend` prints for the same input.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, JsonResponse

from decision.engine import AssessmentError, FieldError
from decision.engine.cli import load_json


class BodyError(Exception):
    """A request body that cannot be used: the status to answer and why."""

    def __init__(self, status: int, detail: str, errors: Iterable[FieldError] = ()) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = list(errors)


def error_payload(detail: str, errors: Iterable[FieldError] = ()) -> dict[str, Any]:
    errors = list(errors)
    return {
        "detail": detail,
        "errors": [{"path": e.path, "message": e.message} for e in errors],
        "messages": [str(e) for e in errors],
    }


def error_response(
    status: int, detail: str, errors: Iterable[FieldError] = (), **headers: str
) -> JsonResponse:
    response = JsonResponse(error_payload(detail, errors), status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def read_json_body(request: HttpRequest, max_bytes: int) -> Any:
    """The request's JSON body, read up to `max_bytes`.

    Raises BodyError: 413 when the body is larger (by its Content-Length, or by what arrives),
    400 when it is not UTF-8 JSON (the command line's `input: …` message). Reads the stream
    itself, so the site's smaller DATA_UPLOAD_MAX_MEMORY_SIZE (for forms) does not apply.
    """
    too_large = BodyError(
        413,
        f"The request body is larger than {max_bytes} bytes.",
        [FieldError("input", "too large")],
    )
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise BodyError(400, "Bad Content-Length header.") from None
    if declared > max_bytes:
        raise too_large
    raw = request.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise too_large
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyError(
            400, "The request body is not UTF-8 text.", [FieldError("input", "not UTF-8 text")]
        ) from None
    try:
        return load_json(text)
    except AssessmentError as exc:
        raise BodyError(400, "The request body is not valid JSON.", exc.errors) from None
