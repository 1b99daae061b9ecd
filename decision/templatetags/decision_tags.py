from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join

from decision import labels
from decision.documents import citation_text, current_tcs_sentence
from decision.engine import citations as engine_citations
from decision.engine.knowledge import severity_aids as severity_aids_table
from decision.questionnaire import format_age

register = template.Library()


@register.filter
def code_label(code: str | None) -> str:
    return labels.label(code)


@register.filter
def age(age_months: int | None) -> str:
    return format_age(age_months)


@register.simple_tag
def severity_aids() -> dict[str, Any]:
    """vIGA-AD, POEM and NICE descriptors (severity_aids.toml), beside the severity question."""
    return severity_aids_table()


@register.filter
def alert_level(level: str) -> str:
    return labels.ALERT_LEVELS.get(level, level)


@register.filter
def alert_class(level: str) -> str:
    """Bootstrap alert colour for an engine alert level."""
    return {"critical": "danger", "warning": "warning"}.get(level, "info")


@register.filter
def urgency_class(urgency: str) -> str:
    return {"same_day": "danger", "within_2_weeks": "warning"}.get(urgency, "secondary")


@register.filter
def add_days(moment: Any, days: int) -> Any:
    if moment is None or days is None:
        return None
    return moment + timedelta(days=days)


@register.filter
def joined(values: Any, separator: str = "; ") -> str:
    return separator.join(str(value) for value in values or ())


@register.filter
def citations(keys: Any) -> str:
    """Source keys (a list, or one string of "; "-separated keys, as the severity aids carry them)
    as people read them, "; "-separated, each linked to its public address when it has one
    (README § 4: never a bare key)."""
    if isinstance(keys, str):
        keys = [key.strip() for key in keys.split(";")]
    return format_html_join(
        "; ",
        "{}",
        (
            (
                format_html('<a href="{}">{}</a>', source.url, citation_text(source))
                if source.url
                else citation_text(source),
            )
            for source in engine_citations(keys or ())
        ),
    )


@register.filter
def steroid_in_use(consultation: Any) -> str:
    """The steroid course as the clinician reported it, the agent with its own UK group."""
    return current_tcs_sentence(consultation.engine_input or {}, consultation.extras)
