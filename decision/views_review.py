"""Review of logged cases: the clinician's feedback on a result, and the reviewers' dashboard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from decision import dashboard, outcomes, roles
from decision.csv_safety import csv_response
from decision.feedback import FeedbackForm, feedback_for
from decision.models import Consultation

FEEDBACK_PANEL = "decision/feedback_panel.html"


def _get_own_consultation(request: HttpRequest, pk: UUID) -> Consultation:
    """Only the clinician who made the consultation records what they did with it.

    A reviewer, who may read it, gets 403; anyone else 404, as for every other consultation page.
    """
    consultation = get_object_or_404(Consultation, pk=pk)
    if consultation.created_by_id == request.user.pk:
        return consultation
    if consultation.is_completed and roles.can_review(request.user):
        raise PermissionDenied("Only the clinician who made this consultation records feedback.")
    raise Http404("No such consultation.")


@require_http_methods(["GET", "POST"])
def consultation_feedback(request: HttpRequest, pk: UUID) -> HttpResponse:
    consultation = _get_own_consultation(request, pk)
    if not consultation.is_completed:
        return redirect("consultation_resume", pk=consultation.pk)
    feedback = feedback_for(consultation)
    saved = False
    if request.method == "POST":
        form = FeedbackForm(request.POST, instance=feedback, consultation=consultation)
        if form.is_valid():
            if form.has_changed() or feedback is None:
                # Every save is a history row: who, when, what.
                with transaction.atomic():
                    feedback = form.save(commit=False)
                    feedback.consultation = consultation
                    feedback.recorded_by = request.user
                    feedback.save()
            if not request.htmx:
                messages.success(request, "Thank you: what you did has been recorded.")
                return redirect(
                    reverse("consultation_result", args=[consultation.pk]) + "#feedback"
                )
            saved = True
            form = FeedbackForm(instance=feedback, consultation=consultation)
    else:
        form = FeedbackForm(instance=feedback, consultation=consultation)
    context = {
        "consultation": consultation,
        "feedback": feedback,
        "form": form,
        "can_record": True,
        "saved": saved,
        # An invalid or first answer shows the form open; a recorded one shows it folded.
        "form_open": feedback is None or form.is_bound,
    }
    if request.htmx:
        return render(request, FEEDBACK_PANEL, context)
    return render(request, "decision/feedback_page.html", context)


def _period_form(request: HttpRequest) -> dashboard.PeriodForm:
    if not roles.can_review(request.user):
        raise PermissionDenied("The review dashboard is for reviewers and site administrators.")
    return dashboard.PeriodForm(request.GET or None)


def _period_query(start: date, end: date) -> str:
    return urlencode({"start": start.isoformat(), "end": end.isoformat()})


@require_GET
def review_dashboard(request: HttpRequest) -> HttpResponse:
    form = _period_form(request)
    if form.is_bound and not form.is_valid():
        messages.error(request, "Those dates could not be used; showing the last 30 days instead.")
    start, end = form.period()
    return render(
        request,
        "decision/dashboard.html",
        {
            "form": form,
            "report": dashboard.build(start, end),
            "period_query": _period_query(start, end),
            "last_month_query": _period_query(*dashboard.last_month(timezone.localdate())),
            "indicators": outcomes.build(start, end, *dashboard.bounds(start, end)),
        },
    )


def _period_csv(
    request: HttpRequest, stem: str, header: tuple[str, ...], rows: Callable[[date, date], Any]
) -> HttpResponse:
    """A table for the chosen period as a CSV file (every cell neutralised)."""
    form = _period_form(request)
    if form.is_bound and not form.is_valid():
        # A file for another period than the one asked for would mislead: show the message.
        return redirect(f"{reverse('review_dashboard')}?{request.GET.urlencode()}")
    start, end = form.period()
    return csv_response(
        f"{stem}-{start.isoformat()}-to-{end.isoformat()}.csv", header, rows(start, end)
    )


@require_GET
def review_dashboard_csv(request: HttpRequest) -> HttpResponse:
    """The dashboard's figures for the chosen period."""
    return _period_csv(
        request,
        "review",
        dashboard.CSV_HEADER,
        lambda start, end: dashboard.csv_rows(dashboard.build(start, end)),
    )


@require_GET
def indicators_csv(request: HttpRequest) -> HttpResponse:
    """The outcome indicators for the chosen period, with their definitions."""
    return _period_csv(
        request,
        "outcome-indicators",
        outcomes.CSV_HEADER,
        lambda start, end: outcomes.csv_rows(
            outcomes.build(start, end, *dashboard.bounds(start, end))
        ),
    )
