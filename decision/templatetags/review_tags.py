"""Template tags for reviewing cases: the feedback panel and summary, and the reviewer check."""

from __future__ import annotations

from typing import Any

from django import template

from decision import roles
from decision.feedback import FeedbackForm, feedback_for
from decision.models import Consultation

register = template.Library()


@register.filter
def can_review(user: Any) -> bool:
    return roles.can_review(user)


@register.inclusion_tag("decision/feedback_panel.html", takes_context=True)
def feedback_panel(context: template.Context, consultation: Consultation) -> dict[str, Any]:
    """The result page's feedback section: a form for the clinician who made the consultation,
    what was recorded (read-only) for everyone else who may read it."""
    feedback = feedback_for(consultation)
    user = context.get("user")
    can_record = user is not None and consultation.created_by_id == user.pk
    return {
        "consultation": consultation,
        "feedback": feedback,
        "form": FeedbackForm(instance=feedback, consultation=consultation) if can_record else None,
        "can_record": can_record,
        "form_open": feedback is None,
        "saved": False,
    }


@register.inclusion_tag("decision/feedback_summary.html")
def feedback_summary(consultation: Consultation) -> dict[str, Any]:
    """What the clinician did with the recommendation, read-only (for the printable summary)."""
    return {"feedback": feedback_for(consultation), "show_empty": True}
