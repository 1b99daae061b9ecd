"""Context for the live panels beside the questions: red flags, POEM score, trial adequacy.

Each builder takes the step's values so far (valid fields only) and the stored answers, asks the
engine (or its knowledge tables), and returns template context. Clinical logic stays in the
engine; these only gather its inputs and say what is still missing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from decision.engine import RED_FLAGS, CurrentTCS, RedFlags, check_adequacy, red_flag_actions
from decision.engine.knowledge import poem_band, tcs_agent_map

ALERT_LEVEL_ORDER = {"critical": 0, "warning": 1, "info": 2}


def by_urgency(alerts: list[Any]) -> list[Any]:
    """Urgent alerts first (README § 4); stable, so the engine's order holds within a level."""

    def level(alert: Any) -> int:
        value = alert["level"] if isinstance(alert, dict) else alert.level
        return ALERT_LEVEL_ORDER.get(value, len(ALERT_LEVEL_ORDER))

    return sorted(alerts, key=level)


def red_flag_alerts(flags: dict[str, Any], answers: dict[str, Any]) -> list[Any]:
    """Stage A alerts for these red flags, with the sites and BSA already given (if any)."""
    red_flags = RedFlags(**{name: bool(flags.get(name)) for name in RED_FLAGS})
    alerts = red_flag_actions(
        red_flags,
        sites=tuple(answers.get("sites") or ()),
        bsa_percent=answers.get("bsa_percent"),
    )
    return by_urgency(list(alerts))


def red_flag_context(values: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    return {"red_flag_alerts": red_flag_alerts(values, answers)}


def stored_red_flag_alerts(answers: dict[str, Any]) -> list[Any]:
    """The urgent actions already raised by saved answers, repeated on every later step."""
    if "red_flags" not in answers and answers.get("bsa_percent") is None:
        return []
    return red_flag_alerts(answers.get("red_flags") or {}, answers)


def poem_context(values: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    items = [values.get(f"poem_{number}") for number in range(1, 8)]
    answered = sum(item is not None for item in items)
    poem: dict[str, Any] = {"answered": answered, "total": len(items), "score": None}
    if answered == len(items):
        poem["score"] = sum(items)
        poem["band"] = poem_band(poem["score"])
    return {"poem": poem}


def _number(value: Any) -> float | int | None:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def adequacy_context(values: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """check_adequacy for the course as typed, once everything it needs is known."""
    missing = []
    if answers.get("age_months") is None:
        missing.append("the age (step 1)")
    if not answers.get("severity") or not answers.get("sites"):
        missing.append("the severity and sites (step 3)")
    potency = values.get("potency") or None
    agent = tcs_agent_map().get(values.get("tcs_agent") or "")
    if potency is None and agent:
        potency = agent.potency
    if potency is None:
        missing.append("the potency")
    if potency == "none":
        values = {**values, "applications_per_day": 0, "weeks": 0, "adherence": "good"}
    else:
        if values.get("applications_per_day") is None:
            missing.append("applications per day")
        if values.get("weeks") is None:
            missing.append("weeks of the course")
        if not values.get("adherence"):
            missing.append("adherence")
    if missing:
        return {"adequacy": None, "adequacy_missing": missing}
    tcs = CurrentTCS(
        potency=potency,
        applications_per_day=values["applications_per_day"],
        weeks=_number(values["weeks"]),
        adherence=values["adherence"],
        grams_per_week=None if potency == "none" else _number(values.get("grams_per_week")),
        # The agent's UK group raises potency cautions too (README § 3 C).
        agent=agent.id if agent and agent.potency == potency else None,
    )
    adequacy = check_adequacy(
        answers["age_months"],
        answers["severity"],
        tuple(answers["sites"]),
        tcs,
        bsa_percent=_number(answers.get("bsa_percent")),
    )
    return {"adequacy": adequacy, "adequacy_missing": []}


BUILDERS = {
    "red_flags": red_flag_context,
    "poem": poem_context,
    "adequacy": adequacy_context,
}
