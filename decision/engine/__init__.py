"""The clinical decision engine: pure Python, no Django import.

assessment = parse_assessment(json_like)   # raises AssessmentError(errors)
result = evaluate(assessment)              # Recommendation; result.to_dict() is contract.md
citations(["NICE CG57", ...])              # source keys -> readable citations for the pages
"""

from __future__ import annotations

from decision.engine.assessment import (
    ADHERENCE,
    BODY_SITES,
    OTHER_FACTORS,
    PATIENT_FLAGS,
    POTENCIES,
    RED_FLAGS,
    SENSITIVE_SITES,
    SEVERITIES,
    SITES,
    TRIED_KEYS,
    TRIED_OUTCOMES,
    Assessment,
    AssessmentError,
    CurrentTCS,
    FieldError,
    RedFlags,
    parse_assessment,
)
from decision.engine.knowledge import (
    RULESET_VERSION,
    Citation,
    citation,
    citations,
    potency_label,
)
from decision.engine.result import Adequacy, Recommendation, dumps
from decision.engine.rules import check_adequacy, evaluate, red_flag_actions

__all__ = [
    "ADHERENCE",
    "BODY_SITES",
    "OTHER_FACTORS",
    "PATIENT_FLAGS",
    "POTENCIES",
    "RED_FLAGS",
    "RULESET_VERSION",
    "SENSITIVE_SITES",
    "SEVERITIES",
    "SITES",
    "TRIED_KEYS",
    "TRIED_OUTCOMES",
    "Adequacy",
    "Assessment",
    "AssessmentError",
    "Citation",
    "CurrentTCS",
    "FieldError",
    "Recommendation",
    "RedFlags",
    "check_adequacy",
    "citation",
    "citations",
    "dumps",
    "evaluate",
    "parse_assessment",
    "potency_label",
    "red_flag_actions",
]
