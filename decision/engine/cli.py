"""The `recommend` command's core, kept Django-free so it can be tested and benchmarked alone.

The JSON API (decision/api) uses `recommend_data` too, so both answer alike: the same results and
the same `field.path: message` errors.
"""

from __future__ import annotations

import json
from typing import Any

from decision.engine.assessment import AssessmentError, FieldError, parse_assessment
from decision.engine.result import dumps
from decision.engine.rules import evaluate


def load_json(text: str) -> Any:
    """Parse JSON text; AssessmentError (path `input`) when it is not JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
    except RecursionError:
        message = "not valid JSON (nested too deeply)"
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        message = f"not valid JSON ({exc})"
    raise AssessmentError([FieldError("input", message)])


def recommend_data(data: Any) -> Any:
    """Evaluate one assessment (an object) or a batch (a list): the contract's JSON-ready result.

    Raises AssessmentError with every problem; one invalid batch item fails the whole call, its
    errors prefixed `[i].`."""
    if isinstance(data, list):
        assessments = []
        errors: list[FieldError] = []
        for i, item in enumerate(data):
            try:
                assessments.append(parse_assessment(item, prefix=f"[{i}]."))
            except AssessmentError as exc:
                errors.extend(exc.errors)
        if errors:
            raise AssessmentError(errors)
        return [evaluate(a).to_dict() for a in assessments]
    return evaluate(parse_assessment(data)).to_dict()


def recommend_json(text: str) -> tuple[str | None, list[str]]:
    """Evaluate one assessment or a batch (JSON array). Returns (output JSON, error lines);
    exactly one of them is empty."""
    try:
        return dumps(recommend_data(load_json(text))), []
    except AssessmentError as exc:
        return None, [str(e) for e in exc.errors]
