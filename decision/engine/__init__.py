"""The clinical decision engine: pure Python, no Django import.

assessment = parse_assessment(json_like)   # raises AssessmentError(errors)
result = evaluate(assessment)              # Recommendation; result.to_dict() is contract.md
facts = parse_stage_a(json_like)           # stage A alone, from a partial input (fast path)
urgent = evaluate_stage_a(facts)           # StageAResult: stage A's referrals, alerts, handout
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
    STAGE_A_KEYS,
    TRIED_KEYS,
    TRIED_OUTCOMES,
    Assessment,
    AssessmentError,
    CurrentTCS,
    FieldError,
    RedFlags,
    StageAInput,
    parse_assessment,
    parse_stage_a,
)
from decision.engine.knowledge import (
    RULESET_VERSION,
    Citation,
    citation,
    citations,
    potency_label,
)
from decision.engine.result import Adequacy, Recommendation, StageAResult, dumps
from decision.engine.rules import (
    check_adequacy,
    evaluate,
    evaluate_stage_a,
    potency_cautions,
    red_flag_actions,
)

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
    "STAGE_A_KEYS",
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
    "StageAInput",
    "StageAResult",
    "check_adequacy",
    "citation",
    "citations",
    "dumps",
    "evaluate",
    "evaluate_stage_a",
    "parse_assessment",
    "parse_stage_a",
    "potency_cautions",
    "potency_label",
    "red_flag_actions",
]
