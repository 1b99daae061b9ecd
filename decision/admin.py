"""Review of logged cases in the admin: what was advised, what the clinician did, who changed what.

Reviewers have view permissions only; nobody edits a completed consultation here (the model refuses
too), nothing is deleted, and the history is read-only (no reverts).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django_otp.plugins.otp_totp.models import TOTPDevice
from import_export import fields, resources
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin

from decision import labels
from decision.access_log import What, record_read, record_reads
from decision.csv_safety import SafeCSV
from decision.models import (
    Consultation,
    ConsultationAccess,
    ConsultationConflict,
    Feedback,
    Prescription,
)
from decision.prescription import departure, offered, resolve
from eczema_site.admin_site import valid_object_id_or_404

# The printable summary if the print views provide one, else the result page.
SUMMARY_URL_NAMES = ("consultation_summary", "consultation_print", "consultation_result")


def summary_url(consultation: Consultation) -> str:
    for name in SUMMARY_URL_NAMES:
        try:
            return reverse(name, args=[consultation.pk])
        except NoReverseMatch:
            continue
    return ""


class NextStepFilter(admin.SimpleListFilter):
    title = "next step"
    parameter_name = "next_step"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(labels.STEP_CODES.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(next_step_code=self.value()) if self.value() else queryset


class FeedbackFilter(admin.SimpleListFilter):
    title = "feedback"
    parameter_name = "feedback"
    NONE = "none"
    OVERRIDDEN = "overridden"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            *Feedback.Outcome.choices,
            (self.OVERRIDDEN, "Modified or not followed"),
            (self.NONE, "None recorded"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == self.NONE:
            return queryset.filter(feedback__isnull=True)
        if value == self.OVERRIDDEN:
            return queryset.filter(feedback__outcome__in=Feedback.OVERRIDES)
        if value in Feedback.Outcome.values:
            return queryset.filter(feedback__outcome=value)
        return queryset


class FeedbackReasonFilter(admin.SimpleListFilter):
    title = "feedback reason"
    parameter_name = "feedback_reason"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(Feedback.Reason.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in Feedback.Reason.values:
            return queryset.filter(feedback__reason=self.value())
        return queryset


class CompletedDateFilter(admin.DateFieldListFilter):
    """Django's date filter plus the periods an audit asks for: last 30 days and last month.

    Any other range works too: ?completed_at__gte=YYYY-MM-DD&completed_at__lt=YYYY-MM-DD.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Aware midnights, as Django's own links use for a DateTimeField.
        today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        first_of_month = today.replace(day=1)
        first_of_last_month = (first_of_month - timedelta(days=1)).replace(day=1)
        extra = (
            (
                "Past 30 days",
                {
                    self.lookup_kwarg_since: str(today - timedelta(days=29)),
                    self.lookup_kwarg_until: str(today + timedelta(days=1)),
                },
            ),
            (
                "Last month",
                {
                    self.lookup_kwarg_since: str(first_of_last_month),
                    self.lookup_kwarg_until: str(first_of_month),
                },
            ),
        )
        self.links = (*self.links[:3], *extra, *self.links[3:])


class ConsultationResource(resources.ModelResource):
    """The CSV export: one row per consultation in the filtered list, codes and plain labels."""

    id = fields.Field(attribute="pk", column_name="id")
    reference = fields.Field(attribute="patient_reference", column_name="reference")
    clinician = fields.Field(column_name="clinician")
    created_at = fields.Field(attribute="created_at", column_name="created_at")
    completed_at = fields.Field(attribute="completed_at", column_name="completed_at")
    status = fields.Field(attribute="status", column_name="status")
    next_step = fields.Field(attribute="next_step_code", column_name="next_step")
    next_step_label = fields.Field(column_name="next_step_label")
    most_urgent_referral = fields.Field(
        attribute="most_urgent_referral", column_name="most_urgent_referral"
    )
    red_flags = fields.Field(column_name="red_flags")
    feedback_outcome = fields.Field(column_name="feedback_outcome")
    feedback_reason = fields.Field(column_name="feedback_reason")
    feedback_comment = fields.Field(column_name="feedback_comment")
    prescribed_products = fields.Field(column_name="prescribed_products")
    prescribed_steroid = fields.Field(column_name="prescribed_steroid")
    ruleset_version = fields.Field(attribute="ruleset_version", column_name="ruleset_version")

    class Meta:
        model = Consultation
        fields = (
            "id",
            "reference",
            "clinician",
            "created_at",
            "completed_at",
            "status",
            "next_step",
            "next_step_label",
            "most_urgent_referral",
            "red_flags",
            "feedback_outcome",
            "feedback_reason",
            "feedback_comment",
            "prescribed_products",
            "prescribed_steroid",
            "ruleset_version",
        )
        export_order = fields

    @staticmethod
    def _feedback(consultation: Consultation) -> Feedback | None:
        return getattr(consultation, "feedback", None)

    def dehydrate_clinician(self, consultation: Consultation) -> str:
        return consultation.created_by.get_username()

    def dehydrate_next_step_label(self, consultation: Consultation) -> str:
        return labels.label(consultation.next_step_code)

    def dehydrate_red_flags(self, consultation: Consultation) -> str:
        return "yes" if consultation.has_red_flags else "no"

    def dehydrate_feedback_outcome(self, consultation: Consultation) -> str:
        feedback = self._feedback(consultation)
        return feedback.outcome if feedback else ""

    def dehydrate_feedback_reason(self, consultation: Consultation) -> str:
        feedback = self._feedback(consultation)
        return feedback.reason if feedback else ""

    def dehydrate_feedback_comment(self, consultation: Consultation) -> str:
        feedback = self._feedback(consultation)
        return feedback.comment if feedback else ""

    # Ids as stored (contract product ids; the steroid agent id and its form): "" until recorded.
    def dehydrate_prescribed_products(self, consultation: Consultation) -> str:
        prescription = getattr(consultation, "prescription", None)
        return " ".join(prescription.products) if prescription else ""

    def dehydrate_prescribed_steroid(self, consultation: Consultation) -> str:
        prescription = getattr(consultation, "prescription", None)
        if prescription is None or not prescription.steroid_agent:
            return ""
        return f"{prescription.steroid_agent} {prescription.steroid_form}"


class FeedbackInline(admin.StackedInline):
    model = Feedback
    fields = (
        "outcome",
        "reason",
        "comment",
        "recorded_by",
        "created_at",
        "updated_at",
        "history_link",
    )
    readonly_fields = fields
    can_delete = False
    extra = 0

    @admin.display(description="changes")
    def history_link(self, obj: Feedback) -> str:
        url = reverse("admin:decision_feedback_history", args=[obj.pk])
        return format_html('<a href="{}">Who changed this feedback, and when</a>', url)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PrescriptionInline(admin.StackedInline):
    model = Prescription
    fields = ("prescribed", "departs", "recorded_by", "created_at", "updated_at", "history_link")
    readonly_fields = fields
    can_delete = False
    extra = 0

    @admin.display(description="prescribed")
    def prescribed(self, obj: Prescription) -> str:
        return resolve(obj.consultation.engine_output or {}, obj).sentence

    @admin.display(description="differs from the advice")
    def departs(self, obj: Prescription) -> str:
        output = obj.consultation.engine_output or {}
        if not offered(output):
            return "–"
        return departure(output, obj.products, obj.steroid_agent) or "No"

    @admin.display(description="changes")
    def history_link(self, obj: Prescription) -> str:
        url = reverse("admin:decision_prescription_history", args=[obj.pk])
        return format_html('<a href="{}">Who changed this prescription, and when</a>', url)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ViewOnlyMixin:
    """Evidence: shown in the admin to those allowed to view it, added, changed or deleted by
    nobody there (superusers included)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyHistoryMixin:
    """The audit trail is evidence: it can be read, never reverted."""

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if request.method != "GET":
            raise PermissionDenied("History cannot be reverted.")
        if not version_id.isascii() or not version_id.isdigit():
            raise Http404("No such version.")
        valid_object_id_or_404(self.model, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class RecordsReads:
    """A record page and history pages that show a consultation's content: each showing to
    anyone but its author is recorded (decision.access_log, "Who looked")."""

    read_what: What
    history_what: What

    def consultation_of(self, obj: Any) -> Consultation:
        return obj.consultation

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        if obj is not None:
            record_read(request.user, self.consultation_of(obj), self.read_what)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def render_history_view(
        self, request: HttpRequest, template: str, context: dict[str, Any], **kwargs: Any
    ) -> HttpResponse:
        # The history list names its record "object"; one version of it is "original".
        obj = context.get("original") or context["object"]
        record_read(request.user, self.consultation_of(obj), self.history_what)
        return super().render_history_view(request, template, context, **kwargs)


@admin.register(Consultation)
class ConsultationAdmin(RecordsReads, ReadOnlyHistoryMixin, ExportMixin, SimpleHistoryAdmin):
    list_display = (
        "patient_reference",
        "clinician",
        "created_at",
        "status",
        "next_step",
        "most_urgent_referral",
        "has_red_flags",
        "feedback_outcome",
        "prescribed",
        "fast_path",
        "ruleset_version",
    )
    list_filter = (
        "status",
        "fast_path",
        NextStepFilter,
        "most_urgent_referral",
        "has_red_flags",
        FeedbackFilter,
        FeedbackReasonFilter,
        ("created_by", admin.RelatedOnlyFieldListFilter),
        "ruleset_version",
        ("completed_at", CompletedDateFilter),
    )
    date_hierarchy = "created_at"
    search_fields = ("patient_reference",)
    search_help_text = "Search by the clinic reference."
    list_select_related = ("created_by", "feedback", "prescription")
    list_per_page = 50
    ordering = ("-created_at",)
    inlines = (PrescriptionInline, FeedbackInline)

    fieldsets = (
        (
            None,
            {
                "fields": (
                    "patient_reference",
                    "created_by",
                    "status",
                    "created_at",
                    "completed_at",
                    "updated_at",
                    "version",
                    "copied_from",
                    "summary_link",
                )
            },
        ),
        (
            "Recommendation",
            {
                "fields": (
                    "recommendation",
                    "fast_path",
                    "next_step_code",
                    "most_urgent_referral",
                    "ruleset_version",
                )
            },
        ),
        (
            "Patient",
            {
                "fields": (
                    "age_months",
                    "severity",
                    "has_red_flags",
                    "herpeticum_signs",
                    "infection_signs",
                    "systemically_unwell",
                    "infection_unresponsive",
                )
            },
        ),
        (
            "Stored snapshot (JSON)",
            {"classes": ("collapse",), "fields": ("answers", "engine_input", "engine_output")},
        ),
    )

    # Resource and format for the CSV export of the filtered list (the "Export" button); every
    # cell is neutralised against spreadsheet formulas (decision.csv_safety).
    resource_classes = (ConsultationResource,)
    export_formats = (SafeCSV,)
    skip_export_form = True

    # Only the clinic reference of a draft may be corrected here; everything else is the record.
    editable_on_drafts = ("patient_reference",)
    read_what = What.ADMIN_RECORD
    history_what = What.ADMIN_HISTORY

    def consultation_of(self, obj: Consultation) -> Consultation:
        return obj

    def get_export_data(
        self, file_format: Any, request: HttpRequest, queryset: QuerySet, **kwargs: Any
    ) -> Any:
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        # Every exported row is a read (one more query for the ids, one INSERT per 1,000 rows).
        record_reads(request.user, What.ADMIN_EXPORT, queryset.values_list("pk", "created_by_id"))
        return data

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not request.user.has_perm("decision.view_consultationaccess"):
            return fieldsets
        (name, options), *rest = fieldsets
        return ((name, {**options, "fields": (*options["fields"], "who_looked")}), *rest)

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> tuple:
        # A draft has nothing prescribed yet (and its reference form stays as it was).
        if obj is None or not obj.is_completed:
            return tuple(inline for inline in self.inlines if inline is not PrescriptionInline)
        return self.inlines

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConsultationConflict:
            # The save is conditional on the version read for it (Consultation.save).
            self.message_user(
                request,
                "Not saved: this consultation was changed or completed meanwhile. "
                "Here it is as it is now.",
                messages.ERROR,
            )
            return redirect(request.path)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        names = [field.name for field in Consultation._meta.fields]
        names += ["recommendation", "summary_link", "who_looked"]
        return [name for name in names if name not in self.editable_on_drafts]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_completed:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    @admin.display(description="clinician", ordering="created_by__username")
    def clinician(self, obj: Consultation) -> str:
        return obj.created_by.get_username()

    @admin.display(description="next step", ordering="next_step_code")
    def next_step(self, obj: Consultation) -> str:
        return labels.label(obj.next_step_code) or "–"

    @admin.display(description="feedback", ordering="feedback__outcome")
    def feedback_outcome(self, obj: Consultation) -> str:
        feedback = getattr(obj, "feedback", None)
        if feedback is None:
            return "–"
        if feedback.reason:
            return f"{feedback.get_outcome_display()}: {feedback.get_reason_display()}"
        return feedback.get_outcome_display()

    @admin.display(description="prescribed")
    def prescribed(self, obj: Consultation) -> str:
        prescription = getattr(obj, "prescription", None)
        if prescription is None:
            return "–"
        return resolve(obj.engine_output or {}, prescription).sentence

    @admin.display(description="recommendation")
    def recommendation(self, obj: Consultation) -> str:
        if not obj.engine_output:
            return "No recommendation yet (draft)."
        return render_to_string(
            "admin/decision/consultation/recommendation.html", {"result": obj.engine_output}
        )

    @admin.display(description="printable summary")
    def summary_link(self, obj: Consultation) -> str:
        if not obj.is_completed:
            return "–"
        return format_html('<a href="{}">Open the summary</a>', summary_url(obj))

    @admin.display(description="who looked")
    def who_looked(self, obj: Consultation) -> str:
        url = reverse("admin:decision_consultationaccess_changelist")
        return format_html('<a href="{}?q={}">Who else has read this consultation</a>', url, obj.pk)


@admin.register(Feedback)
class FeedbackAdmin(ViewOnlyMixin, RecordsReads, ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    list_display = ("consultation", "outcome", "reason", "recorded_by", "updated_at")
    list_filter = ("outcome", "reason", ("updated_at", admin.DateFieldListFilter))
    search_fields = ("consultation__patient_reference",)
    list_select_related = ("consultation", "recorded_by")
    readonly_fields = (
        "consultation",
        "outcome",
        "reason",
        "comment",
        "recorded_by",
        "created_at",
        "updated_at",
    )
    read_what = history_what = What.ADMIN_FEEDBACK


# Authenticator apps (two-step sign-in, eczema_site/two_factor.py). Administrators may remove a
# lost one, which lets its owner set up a new one; nobody reads or sets a key here: django-otp's
# own admin shows the secret key and its QR code.
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    list_select_related = ("user",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Prescription)
class PrescriptionAdmin(ViewOnlyMixin, RecordsReads, ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    list_display = ("consultation", "products", "steroid_agent", "recorded_by", "updated_at")
    list_filter = (("updated_at", admin.DateFieldListFilter),)
    search_fields = ("consultation__patient_reference",)
    list_select_related = ("consultation", "recorded_by")
    readonly_fields = (
        "consultation",
        "products",
        "steroid_agent",
        "steroid_form",
        "version",
        "recorded_by",
        "created_at",
        "updated_at",
    )
    read_what = history_what = What.ADMIN_PRESCRIPTION


class ConsultationAccessResource(resources.ModelResource):
    """The CSV export of "Who looked": the filtered list, one row per read."""

    at = fields.Field(attribute="at", column_name="when")
    who = fields.Field(column_name="who")
    what = fields.Field(attribute="what", column_name="what")
    what_label = fields.Field(column_name="what_label")
    consultation = fields.Field(attribute="consultation_id", column_name="consultation")
    reference = fields.Field(column_name="reference")
    clinician = fields.Field(column_name="clinician")

    class Meta:
        model = ConsultationAccess
        fields = ("at", "who", "what", "what_label", "consultation", "reference", "clinician")
        export_order = fields

    def dehydrate_who(self, access: ConsultationAccess) -> str:
        return access.user.get_username()

    def dehydrate_what_label(self, access: ConsultationAccess) -> str:
        return access.get_what_display()

    def dehydrate_reference(self, access: ConsultationAccess) -> str:
        return access.consultation.patient_reference

    def dehydrate_clinician(self, access: ConsultationAccess) -> str:
        return access.consultation.created_by.get_username()


@admin.register(ConsultationAccess)
class ConsultationAccessAdmin(ViewOnlyMixin, ExportMixin, admin.ModelAdmin):
    """Who looked: read-only, for site administrators (and staff given its view permission;
    reviewers are not). Nobody adds, changes or deletes a row here."""

    list_display = ("at", "user", "what", "reference", "consultation_link", "clinician")
    list_filter = (
        "what",
        ("user", admin.RelatedOnlyFieldListFilter),
        ("at", admin.DateFieldListFilter),
    )
    date_hierarchy = "at"
    # Searched by get_search_results below (the field here only turns the search box on).
    search_fields = ("consultation__patient_reference",)
    search_help_text = (
        "A consultation's id (as in its address), a clinic reference or a user name, exactly."
    )
    list_select_related = ("user", "consultation__created_by")
    list_per_page = 100
    fields = ("at", "user", "what", "consultation_link", "reference", "clinician")
    readonly_fields = fields

    resource_classes = (ConsultationAccessResource,)
    export_formats = (SafeCSV,)
    skip_export_form = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The list names the consultation; its answers and snapshot are never read here.
        return (
            super()
            .get_queryset(request)
            .defer(
                *(f"consultation__{name}" for name in ("answers", "engine_input", "engine_output"))
            )
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        try:
            return queryset.filter(consultation_id=uuid.UUID(term)), False
        except ValueError:
            found = Q(consultation__patient_reference=term) | Q(user__username=term)
            return queryset.filter(found), False

    @admin.display(description="reference", ordering="consultation__patient_reference")
    def reference(self, obj: ConsultationAccess) -> str:
        return obj.consultation.patient_reference

    @admin.display(description="consultation")
    def consultation_link(self, obj: ConsultationAccess) -> str:
        url = reverse("admin:decision_consultation_change", args=[obj.consultation_id])
        return format_html('<a href="{}">{}</a>', url, obj.consultation_id)

    @admin.display(description="its clinician", ordering="consultation__created_by__username")
    def clinician(self, obj: ConsultationAccess) -> str:
        return obj.consultation.created_by.get_username()

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)
