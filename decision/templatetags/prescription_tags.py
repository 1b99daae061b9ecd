"""Template tags for what was done with a result: the prescription panel and the record note."""

from __future__ import annotations

from typing import Any

from django import template

from decision import prescription, record_note
from decision.models import Consultation

register = template.Library()


@register.inclusion_tag("decision/prescription_panel.html", takes_context=True)
def prescription_panel(context: template.Context, consultation: Consultation) -> dict[str, Any]:
    """The result page's prescription section: a form for the clinician who made the
    consultation, what was prescribed (read-only) for everyone else who may read it. None for a
    result with nothing to prescribe (the stage-A-only fast path)."""
    output = consultation.engine_output or {}
    user = context.get("user")
    can_record = user is not None and consultation.created_by_id == user.pk
    stored = prescription.prescription_for(consultation)
    offered = prescription.offered(output)
    form = context.get("prescription_form")
    if form is None and can_record and offered:
        form = prescription.PrescriptionForm(consultation=consultation)
    return {
        **_recorded(consultation),
        "consultation": consultation,
        "offered": offered,
        "form": form,
        "can_record": can_record,
        # A first choice, or one with errors, shows the form open; a recorded one folds it.
        "form_open": stored is None or (form is not None and form.is_bound),
        "saved": context.get("prescription_saved"),
    }


def _recorded(consultation: Consultation) -> dict[str, Any]:
    """The stored prescription, resolved to names, and how it departs from the advice."""
    output = consultation.engine_output or {}
    stored = prescription.prescription_for(consultation)
    prescribed = prescription.resolve(output, stored)
    return {
        "prescription": stored,
        "prescribed": prescribed,
        "steroid_cautions": prescription.steroid_cautions(
            consultation.engine_input or {}, prescribed
        ),
        "departure": prescription.departure(output, stored.products, stored.steroid_agent)
        if stored is not None and prescription.offered(output)
        else None,
    }


@register.inclusion_tag("decision/prescription_summary.html")
def prescription_summary(consultation: Consultation) -> dict[str, Any]:
    """What was prescribed, read-only (the printable summary, the admin)."""
    return _recorded(consultation)


@register.filter
def prescribed(consultation: Consultation) -> str:
    """What was prescribed in a few words, for a list of cases (named from the engine's tables:
    a list does not load each result); "–" before a prescription is recorded."""
    recorded = prescription.resolve({}, prescription.prescription_for(consultation))
    return recorded.sentence if recorded else "–"


@register.inclusion_tag("decision/record_note.html")
def record_note_panel(consultation: Consultation) -> dict[str, Any]:
    note = record_note.for_consultation(consultation)
    return {"note": note, "rows": note.count("\n") + 1}
