"""The printable documents of a completed consultation: clinician summary and patient handout.

Each is a web page (with a Print button and the browser's print stylesheet) and a PDF download
(WeasyPrint). Access is the questionnaire's: a clinician sees only their own consultations (404
for anyone else's); a draft has no documents yet and goes back to its questionnaire.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from decision import documents, fast_path, followup, pdf, record_note, steps
from decision.access_log import What, record_read
from decision.feedback import feedback_for
from decision.models import Consultation
from decision.prescription import prescribed_for, prescription_for
from decision.questionnaire import format_age
from decision.views import _get_consultation_for_user

SUMMARY_DOCUMENT = "decision/print/summary_document.html"
HANDOUT_DOCUMENT = "decision/handout/document.html"
PDF_TEMPLATE = "decision/print/pdf.html"
# Part of every cached PDF's key: raise it when the documents' templates or stylesheet change in a
# way that must not wait for the cache to empty (the default cache is per process and in memory,
# so a restart after a deploy empties it anyway).
PDF_CACHE_VERSION = 1
PDF_CACHE_SECONDS = 24 * 60 * 60


def _completed_only(
    view: Callable[[HttpRequest, Consultation], HttpResponse],
) -> Callable[[HttpRequest, UUID], HttpResponse]:
    """GET-only view of a completed consultation the user may read; a draft goes back to its
    questions (access is checked first: another clinician's consultation is a 404)."""

    @require_GET
    @wraps(view)
    def wrapper(request: HttpRequest, pk: UUID) -> HttpResponse:
        consultation = _get_consultation_for_user(request, pk)
        if not consultation.is_completed:
            return redirect("consultation_resume", pk=consultation.pk)
        return view(request, consultation)

    return wrapper


def _completed_on(consultation: Consultation):
    return timezone.localdate(consultation.completed_at)


def _summary_context(consultation: Consultation) -> dict[str, Any]:
    prescribed = prescribed_for(consultation)
    completed_on = _completed_on(consultation)
    return {
        "consultation": consultation,
        "age": format_age(consultation.age_months),
        "summary": documents.summary_context(
            consultation.engine_output,
            completed_on,
            engine_input=consultation.engine_input,
            extras=consultation.extras,
            prescribed=prescribed,
        ),
        "prescribed": prescribed,
        # Its clinician's visits of the patient up to this one: the same for every reader.
        "trend": followup.summary_trend(consultation),
        "record_note": record_note.record_note(
            consultation.engine_output, completed_on, prescribed
        ),
        "sections": fast_path.shown_sections(
            consultation, steps.answer_sections(consultation, change_links=False)
        ),
    }


def clinic_details() -> dict[str, str]:
    """The clinic's name, phone and where to go for same-day help, for the handout; a value the
    clinic has not set is "" (the handout leaves a line to write on). The site's default name is
    no clinic's name."""
    name = settings.CLINIC_NAME if settings.CLINIC_NAME != settings.CLINIC_NAME_DEFAULT else ""
    return {
        "name": name,
        "phone": settings.CLINIC_PHONE,
        "same_day": settings.CLINIC_SAME_DAY_CARE,
    }


def _handout_context(consultation: Consultation) -> dict[str, Any]:
    return {
        "consultation": consultation,
        "handout": documents.handout_context(
            consultation.engine_output,
            _completed_on(consultation),
            engine_input=consultation.engine_input,
            prescribed=prescribed_for(consultation),
        ),
        # Where to go today, in the clinic's own words (the Get help today box).
        "same_day_care": settings.CLINIC_SAME_DAY_CARE,
        "clinic": clinic_details(),
    }


def _paper(request: HttpRequest) -> str:
    paper = request.GET.get("paper", "").lower()
    default = getattr(settings, "PRINT_PAPER", "a4")
    return paper if paper in pdf.PAPER_SIZES else default


def document_html(request: HttpRequest, consultation: Consultation, kind: str, paper: str) -> str:
    """The standalone HTML that WeasyPrint turns into the PDF of the summary or the handout."""
    if kind == "summary":
        context = _summary_context(consultation)
        template, title = SUMMARY_DOCUMENT, _("Clinician summary")
    else:
        context = _handout_context(consultation)
        template, title = HANDOUT_DOCUMENT, str(context["handout"]["title"])
    return render_to_string(
        PDF_TEMPLATE,
        {**context, "document_template": template, "document_title": title, "paper": paper},
        request=request,
    )


def documents_stamp(consultation: Consultation) -> str:
    """Changes with every write to what the documents print beside the completed record (which
    never changes): the feedback (its time of change, saved with every write) and the
    prescription (its version)."""
    feedback = feedback_for(consultation)
    prescription = prescription_for(consultation)
    return ":".join(
        (
            feedback.updated_at.isoformat() if feedback else "no-feedback",
            str(prescription.version) if prescription else "no-prescription",
        )
    )


def _pdf_cache_key(consultation: Consultation, kind: str, paper: str) -> str:
    """Names everything a PDF depends on: the record (its completion and rule set), what was
    recorded with it since (documents_stamp), the document, paper, language and the clinic's
    settings. Hashed: the clinic's words are free text of any length."""
    completed = consultation.completed_at.isoformat() if consultation.completed_at else ""
    parts = (
        PDF_CACHE_VERSION,
        consultation.pk,
        completed,
        consultation.ruleset_version,
        documents_stamp(consultation),
        kind,
        paper,
        translation.get_language() or "",
        settings.CLINIC_NAME,
        settings.CLINIC_PHONE,
        settings.CLINIC_SAME_DAY_CARE,
    )
    digest = hashlib.sha256("\n".join(str(part) for part in parts).encode()).hexdigest()
    return f"pdf:{digest}"


def _pdf_bytes(request: HttpRequest, consultation: Consultation, kind: str) -> bytes:
    """The PDF, rendered once per process and cached. Only ever called after the access check
    (_completed), so the cache never serves a document its requester could not see."""
    paper = _paper(request)
    key = _pdf_cache_key(consultation, kind, paper)
    data = cache.get(key)
    if data is None:
        data = pdf.render_pdf(document_html(request, consultation, kind, paper))
        cache.set(key, data, PDF_CACHE_SECONDS)
    return data


def _pdf_response(request: HttpRequest, consultation: Consultation, kind: str) -> HttpResponse:
    if pdf.unavailable_reason() is not None:
        # No font here (decision.pdf): a clear page, never a worker killed inside WeasyPrint.
        page_name = "consultation_summary" if kind == "summary" else "consultation_handout"
        return render(
            request,
            "pdf_unavailable.html",
            {"page_url": reverse(page_name, args=[consultation.pk])},
            status=503,
        )
    record_read(
        request.user, consultation, What.SUMMARY_PDF if kind == "summary" else What.HANDOUT_PDF
    )
    name = slugify(consultation.patient_reference) or "consultation"
    filename = f"{kind}-{name}-{_completed_on(consultation):%Y-%m-%d}.pdf"
    response = HttpResponse(_pdf_bytes(request, consultation, kind), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Patient documents: never kept in a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


def _toolbar(consultation: Consultation, pdf_name: str, other_name: str, other_label: str):
    return {
        "pdf_url": reverse(pdf_name, args=[consultation.pk]),
        "other_url": reverse(other_name, args=[consultation.pk]),
        "other_label": other_label,
    }


@_completed_only
def consultation_summary(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    record_read(request.user, consultation, What.SUMMARY)
    context = _summary_context(consultation)
    context.update(
        _toolbar(consultation, "consultation_summary_pdf", "consultation_handout", _("Handout"))
    )
    return render(request, "decision/summary.html", context)


@_completed_only
def consultation_summary_pdf(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    return _pdf_response(request, consultation, "summary")


@_completed_only
def consultation_handout(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    record_read(request.user, consultation, What.HANDOUT)
    context = _handout_context(consultation)
    context.update(
        _toolbar(
            consultation, "consultation_handout_pdf", "consultation_summary", _("Clinician summary")
        )
    )
    return render(request, "decision/handout.html", context)


@_completed_only
def consultation_handout_pdf(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    return _pdf_response(request, consultation, "handout")
