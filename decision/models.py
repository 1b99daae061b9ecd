"""Consultation: the answers a clinician gives, step by step, and the engine's result snapshot.

`answers` is shaped like the engine's input (contract.md) plus one `extras` object for the
questionnaire's own helpers (chosen steroid agent, POEM answers). A few answers are copied into
real columns so they can be filtered and counted; `sync_columns()` keeps them in step.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.models import HistoricalRecords

from decision.engine.knowledge import texts
from decision.validators import validate_clinic_reference

# Most urgent first; `most_urgent_referral` keeps the first of these that any referral has.
URGENCY_ORDER = ("same_day", "within_2_weeks", "routine")
RED_FLAG_FIELDS = (
    "herpeticum_signs",
    "infection_signs",
    "systemically_unwell",
    "infection_unresponsive",
)
EXTRAS_KEY = "extras"
# The database refuses to change or delete a completed consultation's row (triggers, migration
# 0012); this phrase is in its error message on both SQLite and PostgreSQL.
IMMUTABLE_MESSAGE = "a completed consultation cannot change"


class ConsultationConflict(Exception):
    """The stored consultation is no longer the draft this change was made from: another tab or
    window saved it (its version moved on), or it was completed. Nothing was written."""

    def __init__(self, consultation: Consultation) -> None:
        super().__init__(
            f"Consultation {consultation.pk} is no longer the draft at version "
            f"{consultation.version}."
        )
        self.consultation = consultation


class ConsultationQuerySet(models.QuerySet):
    def for_user(self, user) -> ConsultationQuerySet:
        return self.filter(created_by=user)

    def drafts(self) -> ConsultationQuerySet:
        return self.filter(status=Consultation.Status.DRAFT)

    def completed(self) -> ConsultationQuerySet:
        return self.filter(status=Consultation.Status.COMPLETED)


class Consultation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        COMPLETED = "completed", "Completed"

    class Severity(models.TextChoices):
        MILD = "mild", "Mild"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe"

    class Urgency(models.TextChoices):
        SAME_DAY = "same_day", "Same day"
        WITHIN_2_WEEKS = "within_2_weeks", "Within 2 weeks"
        ROUTINE = "routine", "Routine"

    # UUIDs in URLs: no guessable, countable ids.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    patient_reference = models.CharField(
        max_length=30,
        help_text="A clinic-local reference only. No names, no dates of birth, no NHS numbers.",
        validators=[validate_clinic_reference],
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    # A review visit: the completed consultation it reviews (decision/followup.py).
    review_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reviews"
    )

    answers = models.JSONField(default=dict, blank=True)

    # Queryable copies of answers (sync_columns).
    age_months = models.PositiveSmallIntegerField(null=True, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, blank=True)
    has_red_flags = models.BooleanField(default=False)
    herpeticum_signs = models.BooleanField(default=False)
    infection_signs = models.BooleanField(default=False)
    systemically_unwell = models.BooleanField(default=False)
    infection_unresponsive = models.BooleanField(default=False)

    # The result snapshot, written once at completion.
    next_step_code = models.CharField(max_length=32, blank=True)
    # NULL, not "", when there is no referral: "has any referral" is then IS NOT NULL.
    most_urgent_referral = models.CharField(  # noqa: DJ001
        max_length=16,
        choices=Urgency.choices,
        null=True,
        blank=True,
        help_text="The most urgent urgency among the result's referrals; empty when none.",
    )
    ruleset_version = models.CharField(max_length=20, blank=True)
    engine_input = models.JSONField(null=True, blank=True)
    engine_output = models.JSONField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The one-time token of the "New consultation" page that made this draft: posting that page
    # again (Back, a resubmission) saves onto this draft instead of making a second one.
    creation_token = models.UUIDField(null=True, blank=True, editable=False)
    # "Refer now" on the safety step: completed with stage A alone (a same-day red flag).
    fast_path = models.BooleanField(
        "completed by the emergency fast path",
        default=False,
        help_text="Completed by Refer now: the result is stage A's alone (urgent referrals).",
    )
    # Raised by every change: a change applies only to the version its page was built from.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ConsultationQuerySet.as_manager()
    # Who changed what and when (the user comes from HistoryRequestMiddleware).
    history = HistoricalRecords()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "creation_token"], name="consultation_creation_token_unique"
            ),
            # One review draft per clinician and visit reviewed (decision/followup.py).
            models.UniqueConstraint(
                fields=["created_by", "review_of"],
                condition=models.Q(status="draft", review_of__isnull=False),
                name="consultation_one_review_draft",
            ),
        ]
        indexes = [
            # The home page: one clinician's drafts, then completed, newest first.
            models.Index(
                fields=["created_by", "status", "-updated_at"], name="consultation_home_idx"
            ),
            # The review dashboard: completed consultations in a date range, counted by next step,
            # referral and red flags from the index alone (covering: no table reads).
            models.Index(
                fields=[
                    "status",
                    "completed_at",
                    "id",
                    "next_step_code",
                    "most_urgent_referral",
                    "has_red_flags",
                ],
                name="consultation_review_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient_reference} ({self.get_status_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert a new consultation; change a stored one only if it is still the draft at the
        version this instance was read at (one conditional UPDATE: no lost update, and a
        completed record never changes). Raises ConsultationConflict when it is not."""
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        names = kwargs.get("update_fields") or [
            field.attname for field in self._meta.concrete_fields if not field.primary_key
        ]
        fields = [self._meta.get_field(name) for name in names]
        changes = {
            field.attname: field.pre_save(self, add=False)  # auto_now: updated_at
            for field in fields
            if field.attname not in ("version", "created_at")
        }
        self._update_if_current(changes)

    def _update_if_current(self, changes: dict[str, Any]) -> None:
        current = Consultation.objects.filter(
            pk=self.pk, version=self.version, status=self.Status.DRAFT
        )
        try:
            with transaction.atomic():
                if current.update(**changes, version=F("version") + 1) != 1:
                    raise ConsultationConflict(self)
                self.version += 1
                # .update() sends no signals: the audit trail's row is written here, with the
                # user from HistoryRequestMiddleware as for any save.
                Consultation.history.bulk_history_create(
                    [self], update=True, default_date=self.updated_at
                )
        except IntegrityError as error:
            # Only app code that forgot the status condition gets here: the trigger refused.
            if IMMUTABLE_MESSAGE in str(error):
                raise ConsultationConflict(self) from error
            raise

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED

    @property
    def extras(self) -> dict[str, Any]:
        return self.answers.get(EXTRAS_KEY, {})

    def update_answers(self, step_answers: dict[str, Any], extras: dict[str, Any]) -> None:
        """Merge one step's validated answers (and its helper extras) and refresh the columns."""
        answers = {**self.answers, **step_answers}
        answers[EXTRAS_KEY] = {**answers.get(EXTRAS_KEY, {}), **extras}
        self.answers = answers
        self.sync_columns()

    def sync_columns(self) -> None:
        answers = self.answers
        self.age_months = answers.get("age_months")
        self.severity = answers.get("severity") or ""
        red_flags = answers.get("red_flags") or {}
        for name in RED_FLAG_FIELDS:
            setattr(self, name, bool(red_flags.get(name, False)))
        self.has_red_flags = any(getattr(self, name) for name in RED_FLAG_FIELDS)

    def engine_input_from_answers(self) -> dict[str, Any]:
        """The engine's input: the answers without the questionnaire's helper extras."""
        return {key: value for key, value in self.answers.items() if key != EXTRAS_KEY}

    def complete(
        self,
        engine_input: dict[str, Any],
        engine_output: dict[str, Any],
        completed_at: datetime | None = None,
        fast_path: bool = False,
    ) -> None:
        """Store the result snapshot in the same conditional UPDATE that completes the version
        this instance holds (ConsultationConflict if it moved on); read-only from then on."""
        self.fast_path = fast_path
        self.engine_input = engine_input
        self.engine_output = engine_output
        self.ruleset_version = engine_output.get("ruleset_version", "")
        self.next_step_code = (engine_output.get("next_step") or {}).get("code", "")
        urgencies = {referral.get("urgency") for referral in engine_output.get("referrals", [])}
        self.most_urgent_referral = next((u for u in URGENCY_ORDER if u in urgencies), None)
        self.status = self.Status.COMPLETED
        self.completed_at = completed_at or timezone.now()
        # One transaction with the visit's row: a failure (a conflict too) undoes both, and
        # leaves any transaction around it usable.
        with transaction.atomic():
            self.save()
            Visit.record(self)

    def copy_as_draft(self, user) -> Consultation:
        """A new draft with the same answers, for a follow-up or a corrected consultation.

        Except the red flags: they are today's, so the safety screen is answered again.
        """
        copy = Consultation(
            created_by=user,
            patient_reference=self.patient_reference,
            answers={key: value for key, value in self.answers.items() if key != "red_flags"},
            copied_from=self,
        )
        copy.sync_columns()
        copy.save()
        return copy


class Feedback(models.Model):
    """What the clinician did with the recommendation, and why (the CDS Hooks feedback idea)."""

    class Outcome(models.TextChoices):
        FOLLOWED = "followed", "Followed"
        MODIFIED = "modified", "Modified"
        NOT_FOLLOWED = "not_followed", "Not followed"

    class Reason(models.TextChoices):
        PATIENT_PREFERENCE = "patient_preference", "Patient or family preference"
        CONTRAINDICATION_NOT_CAPTURED = (
            "contraindication_not_captured",
            "A contraindication the questions did not capture",
        )
        SPECIALIST_ADVICE = "specialist_advice", "Specialist advice"
        NOT_AVAILABLE = "not_available", "Treatment not available"
        OTHER = "other", "Other"

    # The outcomes that count as overriding the advice (the dashboard's override rate).
    OVERRIDES = (Outcome.MODIFIED, Outcome.NOT_FOLLOWED)

    consultation = models.OneToOneField(
        Consultation, on_delete=models.CASCADE, related_name="feedback"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    reason = models.CharField(max_length=32, choices=Reason.choices, blank=True)
    comment = models.TextField(max_length=1000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "feedback"
        verbose_name_plural = "feedback"
        indexes = [
            # The dashboard joins every consultation in the period to its feedback: covering.
            models.Index(fields=["consultation", "outcome", "reason"], name="feedback_review_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome="followed") | ~models.Q(reason=""),
                name="feedback_reason_unless_followed",
            ),
            models.CheckConstraint(
                condition=~models.Q(reason="other") | ~models.Q(comment=""),
                name="feedback_comment_for_other_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.consultation_id})"


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal token for the JSON API (decision/api), sent as `Authorization: Bearer …`.

    The token is `esu_<prefix>_<secret>`. Only the prefix (to find the row) and the SHA-256 of
    the secret are stored: the token itself is shown once, when it is created. A revoked token
    keeps its row, so the account page can say when it was revoked.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=60, help_text="What the token is for.")
    prefix = models.CharField(max_length=16, unique=True)
    secret_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} (esu_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class UsedJwtId(models.Model):
    """A CDS Hooks client's JWT already accepted (issuer + `jti`), kept until it expires, so the
    same token is refused a second time (decision.cds.client_auth). Only accepted tokens are
    recorded: a refused call stores nothing."""

    issuer = models.CharField(max_length=255)
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "used JWT id"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "jti"], name="used_jwt_id_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.jti}"


class Prescription(models.Model):
    """What the clinician prescribed after a completed consultation: the record of the advice
    stays as it was, and this row says what was done with it (one per consultation).

    Stored shape (kept simple for the follow-up visit, which puts these into `tried`):
    - ``products``: a list of product ids from the consultation's ``next_step.products``
      (contract.md ids such as ``"tacrolimus-0.03"``), in the step's order; ``[]`` is none of them.
    - ``steroid_agent``: an agent id of decision/engine/knowledge/tcs_agents.toml (``current_tcs.
      agent``, e.g. ``"hydrocortisone-1"``), ``""`` for no steroid; ``steroid_form`` is
      ``"cream"`` or ``"ointment"`` with an agent, ``""`` without.
    - ``version`` rises with every change; a change applies only to the version its page showed
      (decision/prescription.py saves it with one conditional UPDATE).
    """

    class Form(models.TextChoices):
        CREAM = "cream", "Cream"
        OINTMENT = "ointment", "Ointment"

    consultation = models.OneToOneField(
        Consultation, on_delete=models.CASCADE, related_name="prescription"
    )
    products = models.JSONField(default=list, blank=True)
    steroid_agent = models.CharField(max_length=60, blank=True)
    steroid_form = models.CharField(max_length=10, choices=Form.choices, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            # A form only with an agent, and an agent always with its form.
            models.CheckConstraint(
                condition=models.Q(steroid_agent="", steroid_form="")
                | (~models.Q(steroid_agent="") & ~models.Q(steroid_form="")),
                name="prescription_steroid_agent_with_form",
            ),
        ]

    def __str__(self) -> str:
        return f"Prescription ({self.consultation_id})"


# Referral reasons that say the eczema did not respond to treatment (texts.toml
# [referral_reason]): the outcome indicators' "referral for treatment failure". An infection
# treated without response (INFECTION_UNRESPONSIVE) is not among them: it is about the infection,
# not about stepping up the eczema treatment.
TREATMENT_FAILURE_REASONS = (
    "SEVERE_NOT_RESPONDING",
    "SPECIALIST_ESCALATION",
    "UNDER_2",
    "FACIAL_TCI_FAILED",
)
POEM_ITEMS = 7


class Visit(models.Model):
    """A completed consultation as one visit of its patient: the figures the timeline, the list of
    reviews due and the outcome indicators query (decision/followup.py, decision/outcomes.py).

    Written once, in the transaction that completes the consultation, from its stored answers and
    result, and never changed (the consultation it copies never changes either). Apart from the
    consultation's own row: a completed row is the record of the advice, and the figures of
    records completed before this table existed were added here (migration), not to them.
    A CDS Hooks card is not a visit: no row.
    """

    consultation = models.OneToOneField(
        Consultation, primary_key=True, on_delete=models.CASCADE, related_name="visit"
    )
    # Copies of the consultation's: the lists and indicators read this table alone.
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    patient_reference = models.CharField(max_length=30)
    completed_at = models.DateTimeField()
    next_step_code = models.CharField(max_length=32, blank=True)
    severity = models.CharField(max_length=10, blank=True)
    # Completion + the result's follow_up.review_after_days, as the result page shows it; null
    # when the result gives no review (a stage-A-only result without a step).
    review_due_on = models.DateField(null=True, blank=True)
    # The seven POEM items summed; null unless all seven were answered.
    poem_total = models.PositiveSmallIntegerField(null=True, blank=True)
    # The result's adequacy verdict; null when the result has none (stage A alone).
    adequate_trial = models.BooleanField(null=True, blank=True)
    # Some referral gives a reason of TREATMENT_FAILURE_REASONS.
    failure_referral = models.BooleanField(default=False)
    # A review visit's answers (decision/questionnaire.py REVIEW); "" for a first visit.
    followed = models.CharField(max_length=10, blank=True)
    response = models.CharField(max_length=10, blank=True)
    side_effects = models.CharField(max_length=10, blank=True)
    # The next step of the consultation reviewed, and the days since it was completed.
    reviewed_step_code = models.CharField(max_length=32, blank=True)
    interval_days = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["completed_at"]
        indexes = [
            # A clinician's timeline, and "no later visit" for their list of reviews due.
            models.Index(
                fields=["clinician", "patient_reference", "completed_at"],
                name="visit_clinician_patient_idx",
            ),
            # The same clinic-wide (reviewers, the overdue indicator).
            models.Index(fields=["patient_reference", "completed_at"], name="visit_patient_idx"),
            models.Index(fields=["clinician", "review_due_on"], name="visit_clinician_due_idx"),
            models.Index(fields=["review_due_on"], name="visit_due_idx"),
            models.Index(fields=["completed_at"], name="visit_completed_idx"),
        ]

    def __str__(self) -> str:
        return f"Visit {self.patient_reference} {self.completed_at:%Y-%m-%d}"

    @classmethod
    def record(cls, consultation: Consultation) -> Visit | None:
        """The visit of a consultation just completed (None for a CDS Hooks card)."""
        if consultation.extras.get("source") == "cds-hooks":
            return None
        return cls.objects.create(**visit_facts(consultation))


def poem_total(extras: dict[str, Any]) -> int | None:
    items = extras.get("poem") or []
    if len(items) != POEM_ITEMS or any(not isinstance(item, int) for item in items):
        return None
    return sum(items)


def failure_referral(output: dict[str, Any]) -> bool:
    """Whether the result refers for treatment failure. Results completed under rule set 2026.11
    carry no reason codes: their reasons are matched by wording."""
    wording = {texts()["referral_reason"][key]["text"] for key in TREATMENT_FAILURE_REASONS}
    for referral in output.get("referrals") or ():
        if set(referral.get("reason_codes") or ()) & set(TREATMENT_FAILURE_REASONS):
            return True
        if not referral.get("reason_codes") and set(referral.get("reasons") or ()) & wording:
            return True
    return False


def review_after_days(output: dict[str, Any]) -> int | None:
    """The result's review interval; a stage-A-only result (the emergency fast path) has no
    follow_up, and gives it in its instructions (contract.md, the addition)."""
    source = output.get("follow_up") or output.get("instructions") or {}
    return source.get("review_after_days")


def visit_facts(consultation: Consultation) -> dict[str, Any]:
    output = consultation.engine_output or {}
    days = review_after_days(output)
    completed_at = consultation.completed_at
    adequacy = output.get("adequacy")
    review = consultation.extras.get("review") or {}
    reviewed = consultation.review_of
    return {
        "consultation": consultation,
        "clinician_id": consultation.created_by_id,
        "patient_reference": consultation.patient_reference,
        "completed_at": completed_at,
        "next_step_code": consultation.next_step_code,
        "severity": consultation.severity,
        "review_due_on": (
            timezone.localdate(completed_at + timedelta(days=days)) if days is not None else None
        ),
        "poem_total": poem_total(consultation.extras),
        "adequate_trial": adequacy.get("adequate") if adequacy else None,
        "failure_referral": failure_referral(output),
        "followed": review.get("followed") or "",
        "response": review.get("response") or "",
        "side_effects": review.get("side_effects") or "",
        "reviewed_step_code": reviewed.next_step_code if reviewed else "",
        "interval_days": (
            (timezone.localdate(completed_at) - timezone.localdate(reviewed.completed_at)).days
            if reviewed and reviewed.completed_at
            else None
        ),
    }


class ConsultationAccess(models.Model):
    """Who looked (issue 14): one read of a consultation's content by someone other than its
    author (a reviewer, an administrator), written by decision.access_log. Only who, which
    consultation, what was shown and when: no address, nothing of the patient's but the link.

    Append-only: the admin offers no add, change or delete, and the database refuses any UPDATE
    (trigger, migration 0013). Both links are PROTECT: a user who looked, and a consultation
    looked at, stay (deactivate users, never delete them).
    """

    class What(models.TextChoices):
        RESULT = "result", "Result page"
        SUMMARY = "summary", "Clinician summary (with referral letters)"
        SUMMARY_PDF = "summary_pdf", "Clinician summary PDF"
        HANDOUT = "handout", "Patient handout"
        HANDOUT_PDF = "handout_pdf", "Patient handout PDF"
        TIMELINE = "timeline", "Timeline of the patient's visits"
        ADMIN_RECORD = "admin_record", "Admin: consultation record"
        ADMIN_HISTORY = "admin_history", "Admin: consultation history"
        ADMIN_FEEDBACK = "admin_feedback", "Admin: feedback or its history"
        ADMIN_PRESCRIPTION = "admin_prescription", "Admin: prescription or its history"
        ADMIN_EXPORT = "admin_export", "Admin: CSV export of consultations"
        API = "api", "API (JSON)"
        FHIR = "fhir", "FHIR resource"

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="accesses", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="consultation_accesses",
        verbose_name="who",
    )
    what = models.CharField(max_length=20, choices=What.choices)
    at = models.DateTimeField("when", default=timezone.now, db_index=True, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "read of a consultation"
        verbose_name_plural = "who looked"
        indexes = [
            # "Who looked at this consultation", newest first (also serves the link's FK).
            models.Index(fields=["consultation", "-at"], name="access_consultation_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_what_display()}, {self.at:%Y-%m-%d %H:%M}"
