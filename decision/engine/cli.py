"""The `recommend` command's core, kept Django-free so it can be tested and benchmarked alone."""

from __future__ import annotations

import json
from typing import Any

from decision.engine.assessment import AssessmentError, FieldError, parse_assessment
from decision.engine.result import dumps
from decision.engine.rules import evaluate


def recommend_json(text: str) -> tuple[str | None, list[str]]:
    """Evaluate one assessment or a batch (JSON array). Returns (output JSON, error lines);
    exactly one of them is empty. One invalid batch item fails the whole call."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [f"input: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"]
    if isinstance(data, list):
        assessments = []
        errors: list[FieldError] = []
        for i, item in enumerate(data):
            try:
                assessments.append(parse_assessment(item, prefix=f"[{i}]."))
            except AssessmentError as exc:
                errors.extend(exc.errors)
        if errors:
            return None, [str(e) for e in errors]
        return dumps([evaluate(a).to_dict() for a in assessments]), []
    try:
        assessment = parse_assessment(data)
    except AssessmentError as exc:
        return None, [str(e) for e in exc.errors]
    return dumps(evaluate(assessment).to_dict()), []
