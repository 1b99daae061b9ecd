"""Thin views: the home page, one view for every questionnaire step, completion and the result.

Every page works without JavaScript; htmx only asks the step view for a partial (a live panel or
a redrawn part of the form) with `_preview` set, which never saves anything.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlencode
from uuid import UUID, uuid4

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from decision import (
    fast_path,
    followup,
    forms,
    labels,
    panels,
    questionnaire,
    roles,
    steps,
    unsaved,
)
from decision.access_log import What, record_read
from decision.engine import AssessmentError, evaluate, parse_assessment
from decision.models import Consultation, ConsultationConflict
from decision.questionnaire import format_age

HOME_PAGE_SIZE = 20
PANELS_TEMPLATE = "decision/panels.html"
FAST_PATH_TEMPLATE = "decision/fast_path.html"


def _get_consultation_for_user(request: HttpRequest, pk: UUID) -> Consultation:
    """The consultation if the signed-in clinician created it; 404 for anyone else's.

    Reviewers and site administrators may also read (GET) anyone's completed consultation: its
    result and printable pages. Every change is a POST, and that stays the owner's alone.
    """
    consultations = Consultation.objects.for_user(request.user)
    if request.method in ("GET", "HEAD") and roles.can_review(request.user):
        consultations = Consultation.objects.filter(
            Q(created_by=request.user) | Q(status=Consultation.Status.COMPLETED)
        )
    # The result page shows the feedback and the prescription: joined here, not more queries.
    return get_object_or_404(
        consultations.select_related("feedback__recorded_by", "prescription__recorded_by"), pk=pk
    )


def _home_page(request: HttpRequest, queryset, param: str, other: str) -> dict[str, Any]:
    """One page (HOME_PAGE_SIZE rows) of a home-page table, with links to the newer and older
    pages that keep the other table's page."""
    page = Paginator(queryset, HOME_PAGE_SIZE).get_page(request.GET.get(param))
    keep = {other: request.GET[other]} if request.GET.get(other, "").isdigit() else {}

    def link(number: int) -> str:
        return "?" + urlencode({**keep, param: number})

    return {
        "page": page,
        "rows": list(page.object_list),
        "newer_url": link(page.previous_page_number()) if page.has_previous() else "",
        "older_url": link(page.next_page_number()) if page.has_next() else "",
    }


def _home_rows(rows: list[dict[str, Any]], url_name: str, when: str) -> list[dict[str, Any]]:
    """What each row shows, worked out here once rather than by a filter or {% url %} per cell."""
    placeholder = uuid4()
    url = reverse(url_name, args=[placeholder])
    before, after = url.split(str(placeholder))
    label = labels.label
    table = []
    for row in rows:
        moment = timezone.localtime(row[when])
        table.append(
            {
                "reference": row["patient_reference"],
                "has_red_flags": row["has_red_flags"],
                "age": format_age(row["age_months"]),
                "severity": label(row["severity"]),
                "next_step": label(row["next_step_code"]),
                "same_day": row["most_urgent_referral"] == "same_day",
                # Whole seconds: HTML's datetime allows at most three digits of a fraction.
                "iso": moment.isoformat(timespec="seconds"),
                "shown": dateformat.format(moment, "j M Y, H:i"),
                "url": f"{before}{row['pk']}{after}",
            }
        )
    return table


@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    # Plain values, not model instances: only what the tables show.
    mine = Consultation.objects.for_user(request.user).values(
        "pk",
        "patient_reference",
        "has_red_flags",
        "age_months",
        "severity",
        "next_step_code",
        "most_urgent_referral",
        "updated_at",
        "completed_at",
    )
    drafts = _home_page(request, mine.drafts().order_by("-updated_at"), "drafts", "completed")
    completed = _home_page(
        request, mine.completed().order_by("-completed_at"), "completed", "drafts"
    )
    drafts["rows"] = _home_rows(drafts["rows"], "consultation_resume", "updated_at")
    completed["rows"] = _home_rows(completed["rows"], "consultation_result", "completed_at")
    return render(
        request,
        "decision/home.html",
        {"drafts": drafts, "completed": completed, "due": followup.due_list(request.user)},
    )


@require_http_methods(["GET"])
def consultation_resume(request: HttpRequest, pk: UUID) -> HttpResponse:
    consultation = _get_consultation_for_user(request, pk)
    if consultation.is_completed:
        return redirect("consultation_result", pk=consultation.pk)
    step = steps.first_unanswered(consultation.answers)
    return redirect(steps.step_url(consultation, step))


def _version(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def _posted_version(request: HttpRequest) -> int | None:
    """The version of the consultation the posted page was built from (its hidden field)."""
    return _version(request.POST.get("_version", ""))


def _is_save(request: HttpRequest, step: steps.Step) -> bool:
    return request.method == "POST" and request.POST.get("_preview", "") not in (
        step.panels + step.regions
    )


@require_http_methods(["GET", "POST"])
@roles.clinician_required
def consultation_step(
    request: HttpRequest, pk: UUID | None = None, slug: str = steps.FIRST.slug
) -> HttpResponse:
    consultation = _get_consultation_for_user(request, pk) if pk else None
    step = steps.get_step(slug)
    if not step.has_questions:
        return _check_answers(request, consultation, step)
    form_class = forms.form_for(step)
    if consultation is not None and consultation.is_completed:
        if _is_save(request, step):
            if _referred_from(request, consultation):
                return redirect("consultation_result", pk=consultation.pk)
            # Completed in another tab: show what this page tried to save, never drop it.
            form = form_class(request.POST, answers=consultation.answers)
            return _conflict(request, consultation, step, form)
        messages.info(request, "This consultation is completed and cannot be changed.")
        return redirect("consultation_result", pk=consultation.pk)
    token = _draft_token(request) if consultation is None else None
    if consultation is None and token is None and request.method == "POST":
        token = uuid4()  # a post without one: its errors still need a page to come back to
    if consultation is None and request.method == "GET":
        # "New consultation" gets a one-time token in its URL: Back to this page after its
        # first save finds the draft it made (and shows its saved answers).
        if token is None:
            return redirect(f"{reverse('consultation_new')}?{urlencode({'draft': uuid4()})}")
        made = Consultation.objects.for_user(request.user).filter(creation_token=token).first()
        if made is not None:
            return redirect(steps.step_url(made, step))
    answers = consultation.answers if consultation else {}

    return_to_check = request.GET.get("return") == "check" and consultation is not None
    url = steps.step_url(consultation, step)
    form_action = f"{url}?return=check" if return_to_check else url
    if token is not None:
        form_action = f"{url}?{urlencode({'draft': token})}"
    form_kwargs = {"answers": answers, "live_url": url}
    owner = str(consultation.pk) if consultation else f"new-{token}"

    if request.method == "POST":
        preview = request.POST.get("_preview", "")
        if not _is_save(request, step):
            data = form_class.live_data(request.POST, preview)
            form = form_class(data, **form_kwargs)
            return _preview(request, step, form, preview, form_action, consultation)
        form = form_class(request.POST, **form_kwargs)
        action = unsaved.action(request.POST)
        if not form.is_valid():
            # Post/Redirect/Get for errors too: the step's GET shows them with what was typed,
            # so Back never meets a "Confirm form resubmission" page.
            unsaved.keep(request, owner, step.slug)
            return redirect(form_action)
        try:
            consultation = _save_step(request, consultation, form, token)
        except ConsultationConflict as conflict:
            return _conflict(request, _reload(conflict.consultation), step, form)
        unsaved.forget(request, owner, step.slug)
        answers = consultation.answers
        if action == fast_path.ACTION and "red_flags" in step.panels:
            return _refer_now(request, consultation, step)
        if action == "back":
            previous = steps.previous_before(step, answers)
            return redirect(steps.step_url(consultation, previous) if previous else "home")
        if return_to_check:
            return redirect(steps.step_url(consultation, steps.CHECK))
        return redirect(steps.step_url(consultation, steps.next_after(step, answers)))

    kept = unsaved.get(request, owner, step.slug)
    if kept is not None:
        # What was typed and not saved (it failed validation), with its messages; the page
        # still saves onto the version it was first built from.
        form = form_class(kept, **form_kwargs)
        context = {"back_not_saved": unsaved.action(kept) == "back"}
        page_version = _unsaved_page_version(consultation, step, kept.get("_version", ""))
    else:
        form = form_class(initial=form_class.initial_from(consultation), **form_kwargs)
        context = {}
        page_version = getattr(consultation, "version", "")
    values = form.valid_values()
    context.update(_panel_context(kept or {}, step, values, answers))
    context["page_version"] = page_version
    return _render_step(request, consultation, step, form, form_action, context)


def _unsaved_page_version(
    consultation: Consultation | None, step: steps.Step, version: str
) -> int | str:
    """The version a page showing this step's unsaved answers saves onto. They were typed on an
    earlier version; if this step's stored answers are the same now (only other steps were saved
    since, in this tab or another), the page is built afresh on the current version; otherwise
    it keeps the earlier one, and saving it shows the conflict."""
    earlier = _version(version)
    if consultation is None or earlier is None or earlier == consultation.version:
        return version
    then = _answers_at(consultation, earlier)
    if then is not None and _step_rows(then, step) == _step_rows(consultation, step):
        return consultation.version
    return version


def _draft_token(request: HttpRequest) -> UUID | None:
    try:
        return UUID(request.GET.get("draft", ""))
    except ValueError:
        return None


def _refer_now(request: HttpRequest, consultation: Consultation, step: steps.Step) -> HttpResponse:
    """Refer now (the emergency fast path): the saved red flags need same-day action, so the
    consultation is completed with stage A alone and the result shows what to do today."""
    answers = consultation.answers
    eyelids = fast_path.posted_eyelids(request.POST)
    evaluated = fast_path.evaluate(answers, answers.get("red_flags") or {}, eyelids)
    if evaluated is None or not fast_path.needs_same_day(evaluated[1]):
        messages.info(request, "No red flag needs same-day action: answer the next questions.")
        return redirect(steps.step_url(consultation, steps.next_after(step, answers)))
    stage_a_input, result = evaluated
    try:
        # The version the step's save just made, and nothing since (ConsultationConflict).
        consultation.complete(stage_a_input.to_dict(), result.to_dict(), fast_path=True)
    except ConsultationConflict:
        current = _reload(consultation)
        if not current.is_completed:
            return _conflict(request, current, steps.CHECK)
    return redirect("consultation_result", pk=consultation.pk)


def _referred_from(request: HttpRequest, consultation: Consultation) -> bool:
    """A second click on Refer now: the page's version was saved, then completed (two versions
    on) by the first click."""
    version = _posted_version(request)
    return (
        unsaved.action(request.POST) == fast_path.ACTION
        and consultation.fast_path
        and version is not None
        and consultation.version == version + 2
    )


def _save_step(
    request: HttpRequest, consultation: Consultation | None, form: Any, token: UUID | None = None
) -> Consultation:
    """Store a valid step, only onto the version its page was built from and only while it is a
    draft: one conditional UPDATE (Consultation.save). ConsultationConflict otherwise."""
    if consultation is None:
        return _draft_for(request, form, token)
    if _posted_version(request) != consultation.version:
        raise ConsultationConflict(consultation)
    form.apply_to(consultation)
    consultation.save()
    return consultation


def _draft_for(request: HttpRequest, form: Any, token: UUID | None) -> Consultation:
    """The first save, idempotent: the "New consultation" page with this token makes one draft
    (its first version). Posted again (Back, a resubmission), it saves onto that draft only while
    nothing has changed it since; otherwise the conflict page."""
    draft = Consultation(created_by=request.user, creation_token=token)
    form.apply_to(draft)
    if token is None:
        draft.save()
        return draft
    try:
        # One INSERT: two posts at once cannot both insert the token (unique per user).
        with transaction.atomic():
            draft.save()
        return draft
    except IntegrityError:
        made = Consultation.objects.for_user(request.user).get(creation_token=token)
    if made.version != 1:
        raise ConsultationConflict(made)
    form.apply_to(made)
    made.save()
    return made


def _reload(consultation: Consultation) -> Consultation:
    return Consultation.objects.get(pk=consultation.pk)


def _panel_context(
    data: Any, step: steps.Step, values: dict[str, Any], answers: dict[str, Any]
) -> dict:
    """The live panels' context; `data` is what was posted (or kept unsaved), if anything."""
    context: dict[str, Any] = {}
    for name in step.panels:
        context.update(panels.BUILDERS[name](values, answers))
    if "red_flags" in step.panels:
        # Refer now, beside Save and continue, while a ticked red flag needs same-day action.
        eyelids = fast_path.posted_eyelids(data)
        context["fast_path"] = fast_path.offer(answers, values, eyelids)
    return context


def _render_step(
    request: HttpRequest,
    consultation: Consultation | None,
    step: steps.Step,
    form: Any,
    form_action: str,
    context: dict[str, Any],
) -> HttpResponse:
    answers = consultation.answers if consultation else {}
    previous = steps.previous_before(step, answers)
    # A page shown again (a preview without JavaScript) keeps the version it was built from.
    context.setdefault(
        "page_version",
        request.POST.get("_version", "")
        if request.method == "POST"
        else getattr(consultation, "version", ""),
    )
    context.update(
        {
            "consultation": consultation,
            "step": step,
            "steps": steps.STEPS,
            "form": form,
            "form_action": form_action,
            "live_url": steps.step_url(consultation, step),
            "error_summary": form.error_summary() if form.is_bound else [],
            "previous_url": steps.step_url(consultation, previous) if previous else reverse("home"),
            # Urgent actions already raised stay in view on every later step.
            "banner_alerts": (panels.stored_red_flag_alerts(answers) if step.number > 2 else []),
        }
    )
    return render(request, "decision/step.html", context)


def _preview(
    request: HttpRequest,
    step: steps.Step,
    form: Any,
    preview: str,
    form_action: str,
    consultation: Consultation | None,
) -> HttpResponse:
    """Redraw a panel or part of the form from what is typed so far; nothing is saved."""
    answers = consultation.answers if consultation else {}
    values = form.valid_values()
    initial = form.raw_values()
    shown = type(form)(initial=initial, answers=answers, live_url=form.live_url)
    context = {"form": shown, "live_url": form.live_url}
    context.update(_panel_context(request.POST, step, values, answers))
    if not request.htmx:
        # Without JavaScript: the whole page again, typed values kept, no error messages.
        return _render_step(request, consultation, step, shown, form_action, context)
    if preview in step.panels:
        html = render_to_string(f"{PANELS_TEMPLATE}#{preview}_body", context, request)
        if "fast_path" in context:
            # The Refer now block follows the red flags (out of band, beside the buttons).
            html += render_to_string(FAST_PATH_TEMPLATE, {**context, "oob": True}, request)
        return HttpResponse(html)
    if preview in ("potency", "course"):
        # The region asked for, plus its linked region swapped out of band.
        main, linked = (
            ("tcs_potency", "tcs_course") if preview == "potency" else ("tcs_course", "tcs_agent")
        )
        html = render_to_string(f"{PANELS_TEMPLATE}#{main}", context, request)
        html += render_to_string(f"{PANELS_TEMPLATE}#{linked}", {**context, "oob": True}, request)
        response = HttpResponse(html)
        # The adequacy panel listens for this, so it re-checks with the settled potency.
        return trigger_client_event(response, "tcs-updated", after="settle")
    return render(request, f"{PANELS_TEMPLATE}#conditional_questions", context)


def _check_answers(
    request: HttpRequest, consultation: Consultation | None, step: steps.Step
) -> HttpResponse:
    if consultation is None:
        return redirect("consultation_new")
    if request.method == "POST":
        return _complete(request, consultation, step)
    if consultation.is_completed:
        return redirect("consultation_result", pk=consultation.pk)
    answers = consultation.answers
    context: dict[str, Any] = {"engine_errors": [], "missing": steps.unanswered(answers)}
    if request.GET.get("refused") and not context["missing"]:
        # The engine refused these answers at Complete: say why (worked out again, unchanged).
        context["engine_errors"] = _engine_errors(consultation)
    context.update(
        {
            "consultation": consultation,
            "step": step,
            "steps": steps.STEPS,
            "sections": steps.answer_sections(consultation, change_links=True),
            "previous_url": steps.step_url(consultation, steps.previous_before(step, answers)),
            "banner_alerts": panels.stored_red_flag_alerts(answers),
        }
    )
    return render(request, "decision/check.html", context)


def _engine_errors(consultation: Consultation) -> list[dict[str, Any]]:
    try:
        parse_assessment(consultation.engine_input_from_answers())
    except AssessmentError as error:
        return [
            {
                "path": problem.path,
                "message": problem.message,
                "url": steps.step_url(consultation, steps.step_for_path(problem.path)),
            }
            for problem in error.errors
        ]
    return []


def _complete(request: HttpRequest, consultation: Consultation, step: steps.Step) -> HttpResponse:
    """Complete the version the check page showed: the engine runs on exactly the answers of that
    version, and the snapshot is stored by the UPDATE that completes it (only if the stored
    record is still that draft). A second click on Complete lands on the same result. Otherwise
    Post/Redirect/Get: the check page in the history is always a GET."""
    version = _posted_version(request)
    if consultation.is_completed or version != consultation.version:
        return _completed_from(consultation, version) or _conflict(request, consultation, step)
    check_url = steps.step_url(consultation, step)
    if steps.unanswered(consultation.answers):
        return redirect(check_url)
    try:
        assessment = parse_assessment(consultation.engine_input_from_answers())
    except AssessmentError:
        return redirect(f"{check_url}?refused=1")
    try:
        consultation.complete(assessment.to_dict(), evaluate(assessment).to_dict())
    except ConsultationConflict:
        current = _reload(consultation)
        return _completed_from(current, version) or _conflict(request, current, step)
    return redirect("consultation_result", pk=consultation.pk)


def _completed_from(consultation: Consultation, version: int | None) -> HttpResponse | None:
    """The result, if this consultation was completed from `version`: the same answers were
    completed already (a double click, or the same page in two tabs)."""
    if consultation.is_completed and version is not None and consultation.version == version + 1:
        return redirect("consultation_result", pk=consultation.pk)
    return None


def _conflict(
    request: HttpRequest, current: Consultation, step: steps.Step, form: Any = None
) -> HttpResponse:
    """409: the posted page was built from an older version, or the consultation was completed
    meanwhile. Nothing was saved. The page shows what was saved elsewhere and what this page
    tried, and re-applies the latter in one click once the clinician has seen both."""
    then = _answers_at(current, _posted_version(request))
    context: dict[str, Any] = {
        "consultation": current,
        "step": step,
        "changes": _differences(then, current) if then else None,
        "attempted": None,
        "reapply": None,
    }
    if form is not None:
        context["attempted"] = _attempted_rows(current, step, form)
        kept = [
            (name, value)
            for name, values in request.POST.lists()
            if name not in ("csrfmiddlewaretoken", "_version", "_step")
            for value in values
        ]
        if current.is_completed:
            # Onto a new draft copied from the completed record.
            action = reverse("consultation_copy", args=[current.pk])
            context["reapply"] = {"action": action, "fields": [*kept, ("_step", step.slug)]}
        else:
            # The step's own page (also when the "New consultation" page was posted again).
            action = steps.step_url(current, step)
            if request.GET.get("return") == "check":
                action += "?return=check"
            fields = [*kept, ("_version", current.version)]
            context["reapply"] = {"action": action, "fields": fields}
    elif not current.is_completed:
        # Completion: complete the answers as they are now.
        fields = [("_version", current.version)]
        action = steps.step_url(current, steps.CHECK)
        context["reapply"] = {"action": action, "fields": fields}
    return render(request, "decision/conflict.html", context, status=409)


def _answers_at(consultation: Consultation, version: int | None) -> Any:
    """An earlier version of the consultation, from the audit trail (None if unknown)."""
    if version is None:
        return None
    return consultation.history.filter(version=version).order_by("-history_id").first()


def _rows(record: Any) -> dict[tuple[str, str], tuple[str, str]]:
    """(step slug, question) → (step title, answer), for every answered step of a record."""
    answers, columns = record.answers, questionnaire.columns_of(record)
    rows = {}
    for step in steps.question_steps(answers):
        if step.is_answered(answers):
            for row in questionnaire.summary_rows(step, answers, columns):
                rows[(step.slug, row.label)] = (step.title, row.value)
    return rows


def _step_rows(record: Any, step: steps.Step) -> dict[tuple[str, str], tuple[str, str]]:
    return {key: row for key, row in _rows(record).items() if key[0] == step.slug}


def _differences(before: Any, after: Any) -> list[dict[str, str]]:
    """The answers that differ between two versions, in questionnaire order."""
    old, new = _rows(before), _rows(after)
    keys = [*new, *(key for key in old if key not in new)]
    return [
        {
            "step": (new.get(key) or old[key])[0],
            "label": key[1],
            "before": old[key][1] if key in old else "Not answered",
            "after": new[key][1] if key in new else "Not answered",
        }
        for key in keys
        if old.get(key, (None, None))[1] != new.get(key, (None, None))[1]
    ]


def _attempted_rows(current: Consultation, step: steps.Step, form: Any) -> list[dict] | None:
    """This step's answers as stored now beside the ones the page tried to save."""
    if not form.is_valid():
        return None
    tried = Consultation(answers=current.answers, patient_reference=current.patient_reference)
    form.apply_to(tried)
    stored, yours = _rows(current), _rows(tried)
    keys = [*(key for key in yours if key[0] == step.slug)]
    keys += [key for key in stored if key[0] == step.slug and key not in yours]
    return [
        {
            "label": key[1],
            "stored": stored[key][1] if key in stored else "Not answered",
            "yours": yours[key][1] if key in yours else "Not asked",
            "differs": stored.get(key) != yours.get(key),
        }
        for key in keys
    ]


@require_http_methods(["GET"])
def consultation_result(request: HttpRequest, pk: UUID) -> HttpResponse:
    consultation = _get_consultation_for_user(request, pk)
    if not consultation.is_completed:
        return redirect("consultation_resume", pk=consultation.pk)
    record_read(request.user, consultation, What.RESULT)
    output = consultation.engine_output or {}
    return render(
        request,
        "decision/result.html",
        {
            "consultation": consultation,
            "result": output,
            "alerts": panels.by_urgency(output.get("alerts", [])),
            # Worked out only when the cached fragment that shows them has to be rendered.
            "sections": functools.cache(
                lambda: fast_path.shown_sections(
                    consultation, steps.answer_sections(consultation, change_links=False)
                )
            ),
        },
    )


@require_POST
@roles.clinician_required
def consultation_copy(request: HttpRequest, pk: UUID) -> HttpResponse:
    consultation = _get_consultation_for_user(request, pk)
    # From the conflict page: one step's answers, tried on a record completed meanwhile.
    step = steps.get_step(request.POST["_step"]) if "_step" in request.POST else None
    if step is not None and not step.has_questions:
        raise Http404("No such step")
    copy = consultation.copy_as_draft(request.user)
    if step is None:
        messages.success(
            request,
            "A new draft with the same answers, except the red flags: answer the safety screen "
            "for today, change what else differs, then complete it.",
        )
        return redirect(steps.step_url(copy, steps.get_step("safety")))
    url = steps.step_url(copy, step)
    form = forms.form_for(step)(request.POST, answers=copy.answers, live_url=url)
    if form.is_valid():
        form.apply_to(copy)
        copy.save()
        messages.success(request, "A new draft with your answers. Check them, then complete it.")
        return redirect(steps.step_url(copy, steps.CHECK))
    context = _panel_context(request.POST, step, form.valid_values(), copy.answers)
    context["page_version"] = copy.version
    return _render_step(request, copy, step, form, url, context)
