"""Follow-up visits (issue 13): a patient's timeline, the reviews due, and the review visit.

**The same patient** is the same clinic reference: exactly the same string, after the
questionnaire's normalisation (decision.questionnaire.clean_reference: spaces collapsed; letter
case counts). The reference is the only link between visits: no names, no birth dates.

**Who sees which visits** (a visit is a completed consultation: decision.models.Visit). A
timeline, a list of reviews due and a trend chart only ever hold visits the user may open
themselves, so they never tell that anyone else's exists:
- a clinician: their own visits, so a patient seen by two clinicians has two timelines, one each
  (per clinician, not per clinic: a clinician cannot see a colleague's consultations);
- a reviewer or site administrator: every completed consultation, so the clinic's timeline;
- the printed clinician summary: the visits of its own clinician up to it, whoever prints it (the
  same document for everyone who may read it, so it can be cached).
A CDS Hooks card is not a visit (it has no Visit row): it never joins a timeline.

**The review visit** starts from the clinician's latest visit of the patient. Its one page asks
what changed (decision.questionnaire.REVIEW), today's red flags (always: never copied), severity,
sites and body surface area (as last time until changed) and POEM (today's: never copied); every
other answer is copied, and the last step's treatments go into `tried` as `tried_outcome` says.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from decision import labels, roles, trend
from decision.engine.knowledge import poem_band, products
from decision.models import EXTRAS_KEY, Consultation, Visit
from decision.prescription import prescription_for, resolve
from decision.questionnaire import REVIEW, REVIEW_FOLLOWED, REVIEW_RESPONSE, REVIEW_SIDE_EFFECTS

# -------------------------------------------------------------------- review answers → tried
# Steps whose treatment is the step itself, not a product (README § 3 D1/D3).
STEP_TREATMENTS = {"WET_WRAP_THERAPY": "wet_wraps"}


@dataclass(frozen=True)
class Rule:
    """One row of the mapping: the answers it covers (None: any) and the outcome it records."""

    followed: frozenset[str] | None
    side_effects: frozenset[str] | None
    response: frozenset[str] | None
    outcome: str | None  # None: the outcome stays as it was

    def covers(self, followed: str, side_effects: str, response: str) -> bool:
        return all(
            codes is None or answer in codes
            for codes, answer in (
                (self.followed, followed),
                (self.side_effects, side_effects),
                (self.response, response),
            )
        )


# The review's answers → the `tried` outcome of the last step's treatment: the first row that
# covers them. Conservative: a treatment counts as failed only after it was used as advised (as a
# steroid trial must be adequate before anything is called a failure, README § 3 C); one not
# started, or used only in part, is not recorded (its outcome stays as it was); "helped" only
# when the eczema is clear, almost clear or better; stopped for side effects is "not tolerated"
# however it was used.
NOT_STOPPED = frozenset({"none", "tolerated"})
MAPPING = (
    Rule(None, frozenset({"stopped"}), None, "not_tolerated"),
    Rule(frozenset({"yes"}), NOT_STOPPED, frozenset({"clear", "better"}), "helped"),
    Rule(frozenset({"yes"}), NOT_STOPPED, frozenset({"no_change", "worse"}), "inadequate_response"),
    Rule(frozenset({"partly", "no"}), NOT_STOPPED, None, None),
)


def _answers(codes: frozenset[str] | None, options: tuple[Any, ...]) -> str:
    if codes is None:
        return "Any"
    names = [option.short or option.label for option in options if option.code in codes]
    return ", or ".join([names[0], *(name[0].lower() + name[1:] for name in names[1:])])


def mapping_rows() -> list[dict[str, str]]:
    """The mapping in words, as the review page and the README show it."""
    return [
        {
            "followed": _answers(rule.followed, REVIEW_FOLLOWED),
            "side_effects": _answers(rule.side_effects, REVIEW_SIDE_EFFECTS),
            "response": _answers(rule.response, REVIEW_RESPONSE),
            "outcome": labels.TRIED_OUTCOMES[rule.outcome] if rule.outcome else "Left as it was",
        }
        for rule in MAPPING
    ]


def tried_outcome(followed: str, response: str, side_effects: str) -> str | None:
    """The `tried` outcome a review records for the last step's treatment (None: unchanged)."""
    for rule in MAPPING:
        if rule.covers(followed, side_effects, response):
            return rule.outcome
    return None


def offered_treatments(consultation: Consultation) -> tuple[str, ...]:
    """Every `tried` key of the products the next step offered, in its order."""
    step = (consultation.engine_output or {}).get("next_step") or {}
    table = products()
    keys = [table[p["id"]]["tried_key"] for p in step.get("products") or () if p["id"] in table]
    return tuple(dict.fromkeys(keys))


def step_treatments(consultation: Consultation) -> tuple[str, ...]:
    """The `tried` keys of what the consultation's next step started, when the record says it
    without doubt: the step itself (wet wraps), and the products prescribed (decision.prescription;
    all of them: each was used). Without a recorded prescription, the step's products when they
    are all one treatment (a TCI step's tacrolimus or pimecrolimus). Conservative: a step offering
    several treatments (newer topicals) says nothing of which was used, so none is recorded, and
    the review page says so."""
    code = ((consultation.engine_output or {}).get("next_step") or {}).get("code")
    keys = [STEP_TREATMENTS[code]] if code in STEP_TREATMENTS else []
    prescribed = prescription_for(consultation)
    if prescribed is not None:
        table = products()
        keys += [table[pid]["tried_key"] for pid in prescribed.products if pid in table]
    else:
        offered = offered_treatments(consultation)
        keys += list(offered) if len(offered) == 1 else []
    return tuple(dict.fromkeys(keys))


def base_answers(previous: Consultation) -> dict[str, Any]:
    """What a review starts from: the previous answers, without today's red flags, POEM and
    the previous review's own answers."""
    answers = deepcopy(previous.answers)
    answers.pop("red_flags", None)
    extras = answers.get(EXTRAS_KEY) or {}
    answers[EXTRAS_KEY] = {k: v for k, v in extras.items() if k not in ("poem", "review")}
    return answers


def apply_review(draft: Consultation, previous: Consultation) -> None:
    """Record the last step's treatments in the draft's `tried`, from its review answers (each
    key the review leaves alone keeps the previous visit's outcome)."""
    review = draft.extras.get("review") or {}
    outcome = tried_outcome(
        review.get("followed", ""), review.get("response", ""), review.get("side_effects", "")
    )
    before = previous.answers.get("tried") or {}
    tried = dict(draft.answers.get("tried") or {})
    for key in step_treatments(previous):
        tried[key] = outcome or before.get(key, "not_tried")
    draft.answers = {**draft.answers, "tried": tried}
    draft.sync_columns()


def new_review(previous: Consultation, user: Any, form: Any) -> Consultation:
    """A review draft: the previous answers, this page's answers, the treatments tried."""
    draft = Consultation(
        created_by=user,
        patient_reference=previous.patient_reference,
        answers=base_answers(previous),
        review_of=previous,
    )
    form.apply_to(draft)
    apply_review(draft, previous)
    draft.save()
    return draft


def save_review(previous: Consultation, user: Any, form: Any) -> Consultation:
    """Store the review page: a new draft, or the one started before changed. The database
    keeps one draft per user and visit reviewed (a page posted twice at once makes one)."""
    draft = review_in_progress(previous, user)
    if draft is None:
        try:
            with transaction.atomic():
                return new_review(previous, user, form)
        except IntegrityError:
            draft = review_in_progress(previous, user)
    form.apply_to(draft)
    apply_review(draft, previous)
    draft.save()
    return draft


def review_in_progress(previous: Consultation, user: Any) -> Consultation | None:
    """The user's draft reviewing this consultation, if one was started."""
    return (
        Consultation.objects.for_user(user)
        .drafts()
        .filter(review_of=previous)
        .order_by("-created_at")
        .first()
    )


# ------------------------------------------------------------------------------ who sees what
def visible_visits(user: Any) -> QuerySet[Visit]:
    """The visits the user may open: a reviewer's are the clinic's, a clinician's their own."""
    if roles.can_review(user):
        return Visit.objects.all()
    return Visit.objects.filter(clinician=user)


def later_visit(visits: QuerySet[Visit], previous: Consultation) -> Visit | None:
    """The latest of these visits of the same patient after this consultation, if any."""
    return (
        visits.filter(
            patient_reference=previous.patient_reference, completed_at__gt=previous.completed_at
        )
        .order_by("-completed_at")
        .first()
    )


# --------------------------------------------------------------------------------- the timeline
@dataclass(frozen=True)
class TimelineRow:
    visit: Visit
    poem_band: str
    next_step: str
    severity: str
    response: str
    followed: str
    side_effects: str
    prescribed: str  # "" before a prescription is recorded


def _label(options: Any, code: str) -> str:
    return next((option.label for option in options if option.code == code), "")


def timeline_rows(visits: list[Visit], prescriptions: bool = True) -> list[TimelineRow]:
    review = {q.link_id: q.options for q in REVIEW.questions}
    return [
        TimelineRow(
            visit=visit,
            poem_band=poem_band(visit.poem_total)["label"] if visit.poem_total is not None else "",
            next_step=labels.label(visit.next_step_code),
            severity=labels.label(visit.severity),
            response=_label(review["review_response"], visit.response),
            followed=_label(review["review_followed"], visit.followed),
            side_effects=_label(review["review_side_effects"], visit.side_effects),
            prescribed=_prescribed(visit.consultation) if prescriptions else "",
        )
        for visit in visits
    ]


def _prescribed(consultation: Consultation) -> str:
    # Named from the product table: the stored result is not read for a list of visits.
    prescribed = resolve({}, prescription_for(consultation))
    return prescribed.sentence if prescribed else ""


def timeline(user: Any, reference: str) -> list[Visit]:
    """The patient's visits the user may open, oldest first, each with its prescription (one
    query)."""
    return list(
        visible_visits(user)
        .filter(patient_reference=reference)
        .select_related("consultation__prescription")
        .defer(*(f"consultation__{name}" for name in ("answers", "engine_input", "engine_output")))
        .order_by("completed_at", "pk")
    )


def trend_chart(visits: list[Visit], width: int = trend.WIDTH) -> trend.Chart | None:
    if not visits:
        return None
    points = [
        trend.VisitPoint(timezone.localdate(v.completed_at), v.poem_total, v.severity)
        for v in visits
    ]
    return trend.chart(points, width)


def summary_trend(consultation: Consultation) -> dict[str, Any] | None:
    """The clinician summary's trend: its clinician's visits of the patient up to this one, when
    there are two or more (one visit is no trend)."""
    visits = list(
        Visit.objects.filter(
            clinician_id=consultation.created_by_id,
            patient_reference=consultation.patient_reference,
            completed_at__lte=consultation.completed_at,
        ).order_by("completed_at", "pk")
    )
    if len(visits) < 2:
        return None
    return {"chart": trend_chart(visits), "rows": timeline_rows(visits, prescriptions=False)}


# ---------------------------------------------------------------------------- reviews due
def reviews_due(user: Any, today: date) -> QuerySet[Visit]:
    """The user's patients whose review date is today or past and who have no later visit,
    earliest due first, each with whether a review draft was started (one query)."""
    later = Visit.objects.filter(
        clinician=user,
        patient_reference=OuterRef("patient_reference"),
        completed_at__gt=OuterRef("completed_at"),
    )
    started = Consultation.objects.filter(
        created_by=user, status=Consultation.Status.DRAFT, review_of=OuterRef("consultation")
    )
    return (
        Visit.objects.filter(clinician=user, review_due_on__lte=today)
        .filter(~Exists(later))
        .annotate(review_started=Exists(started))
        .order_by("review_due_on", "completed_at", "pk")
    )


DUE_LIMIT = 50


def due_list(user: Any) -> dict[str, Any]:
    """The home page's reviews due: at most DUE_LIMIT rows, the most overdue first (one query:
    one row more than shown says whether there are more)."""
    today = timezone.localdate()
    visits = list(reviews_due(user, today)[: DUE_LIMIT + 1])
    rows = [
        {
            "visit": visit,
            "reference": visit.patient_reference,
            "next_step": labels.label(visit.next_step_code),
            "overdue_days": (today - visit.review_due_on).days,
            "started": visit.review_started,
        }
        for visit in visits[:DUE_LIMIT]
    ]
    return {"rows": rows, "more": len(visits) > DUE_LIMIT, "limit": DUE_LIMIT}
