from django.contrib import admin

from decision.models import Consultation


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    """A basic read-mostly list; the review admin is a later issue."""

    list_display = (
        "patient_reference",
        "created_by",
        "status",
        "age_months",
        "severity",
        "has_red_flags",
        "next_step_code",
        "most_urgent_referral",
        "updated_at",
    )
    list_filter = ("status", "severity", "has_red_flags", "next_step_code", "most_urgent_referral")
    search_fields = ("patient_reference",)
    readonly_fields = (
        "id",
        "created_at",
        "updated_at",
        "completed_at",
        "ruleset_version",
        "engine_input",
        "engine_output",
    )
    list_select_related = ("created_by",)
