"""The card the patient-view service answers: the next step when the record holds enough for
the engine, otherwise an information card; both link to the questionnaire, pre-filled."""

from __future__ import annotations

import uuid
from typing import Any

from decision import labels
from decision.cds import codes
from decision.cds.prefetch import Findings
from decision.engine.knowledge import citation
from decision.questionnaire import format_age

SERVICE_LABEL = "Eczema Step-Up"
SUMMARY_MAX = 139  # CDS Hooks: a summary under 140 characters
LINK_LABEL = "Open the questionnaire with these answers"
# What the engine assumes when only the record speaks: each is asked in the questionnaire.
ASSUMPTIONS = (
    "the steroid was used as prescribed (adherence good)",
    "no red flags: no signs of eczema herpeticum or infection, not systemically unwell",
    "none of: immunocompromised, pregnant or breastfeeding, skin-barrier disorder, "
    "phototherapy, liver impairment",
    "emollients used daily; no other treatment tried; no suspected contact dermatitis, "
    "diagnostic doubt or food allergy",
)


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1].rstrip() + "…"


def indicator(output: dict[str, Any]) -> str:
    """critical for a same-day referral or a critical alert; warning for a referral within two
    weeks or a warning alert; info otherwise."""
    levels = {alert.get("level") for alert in output.get("alerts", [])}
    urgencies = {referral.get("urgency") for referral in output.get("referrals", [])}
    if "critical" in levels or "same_day" in urgencies:
        return "critical"
    if "warning" in levels or "within_2_weeks" in urgencies:
        return "warning"
    return "info"


def _found(findings: Findings) -> str:
    parts = []
    if findings.age_months is not None:
        parts.append(f"age {format_age(findings.age_months)}")
    if findings.severity:
        parts.append(labels.SEVERITIES[findings.severity].lower())
    if findings.sites:
        parts.append(
            "sites: " + ", ".join(labels.SITES[s].split(" (")[0].lower() for s in findings.sites)
        )
    if findings.agent is not None:
        course = findings.agent.label
        if findings.applications_per_day is not None:
            course += f", {findings.applications_per_day} a day"
        if findings.weeks is not None:
            course += f" for {findings.weeks:g} weeks"
        parts.append(course)
    return "; ".join(parts) or "nothing usable"


def _sources(keys: list[str]) -> str:
    cited = [citation(key) for key in dict.fromkeys(keys)]
    return "; ".join(f"[{c.text}]({c.url})" if c.url else c.text for c in cited)


def _link(prefill_url: str) -> list[dict[str, str]]:
    return [{"label": LINK_LABEL, "url": prefill_url, "type": "absolute"}]


def next_step_card(
    card_uuid: uuid.UUID, findings: Findings, output: dict[str, Any], prefill_url: str
) -> dict[str, Any]:
    step = output["next_step"]
    first = citation(step["sources"][0]) if step.get("sources") else None
    urgent = [a["text"] for a in output.get("alerts", []) if a.get("level") == "critical"]
    referrals = [
        f"{labels.label(r['code'])} ({labels.label(r['urgency']).lower()})"
        for r in output.get("referrals", [])
    ]
    detail = [f"**{step['title']}.** {step['summary']}", step.get("rationale", "")]
    if urgent:
        detail.append("**Urgent:** " + " ".join(urgent))
    if referrals:
        detail.append("**Referral:** " + "; ".join(referrals))
    detail += [
        f"**From the record:** {_found(findings)}.",
        "**Assumed, not in the record** (the questionnaire asks): " + "; ".join(ASSUMPTIONS) + ".",
        "**Sources:** " + _sources(step.get("sources", [])),
        f"Rule set {output['ruleset_version']}. Advisory only: it supports, and never replaces, "
        "clinical judgement.",
    ]
    source: dict[str, Any] = {
        "label": first.text if first else SERVICE_LABEL,
        "topic": {"system": codes.SYSTEM_TOPIC, "code": step["code"], "display": step["title"]},
    }
    if first and first.url:
        source["url"] = first.url
    return {
        "uuid": str(card_uuid),
        "summary": _one_line(
            f"Next step: {step['title']} (from the record; check red flags and adherence)"
        ),
        "detail": "\n\n".join(part for part in detail if part),
        "indicator": indicator(output),
        "source": source,
        # One suggestion without actions, so that "accepted" can be reported as the
        # specification asks (feedback with acceptedSuggestions).
        "suggestions": [
            {
                "label": f"Accept: {step['title']}",
                "uuid": str(uuid.uuid5(card_uuid, "accept")),
                "isRecommended": True,
            }
        ],
        "selectionBehavior": "at-most-one",
        "overrideReasons": codes.OVERRIDE_REASONS,
        "links": _link(prefill_url),
    }


def information_card(findings: Findings, prefill_url: str) -> dict[str, Any]:
    missing = "; ".join(findings.gaps)
    return {
        "uuid": str(uuid.uuid4()),
        "summary": _one_line(
            "Eczema Step-Up: not enough in the record for a next step; open the questionnaire"
        ),
        "detail": "\n\n".join(
            (
                f"**From the record:** {_found(findings)}.",
                f"**Not in the record, or unclear:** {missing}.",
                "The questionnaire opens with what the record gave and asks the rest.",
            )
        ),
        "indicator": "info",
        "source": {"label": SERVICE_LABEL},
        "links": _link(prefill_url),
    }
