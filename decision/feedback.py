"""The clinician's feedback on a recommendation: what they did with it, and why (CDS Hooks idea)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse

from decision.models import Consultation, Feedback
from eczema_site.form_helpers import form_helper, submit

COMMENT_MAX_LENGTH = 1000


def feedback_for(consultation: Consultation) -> Feedback | None:
    try:
        return consultation.feedback
    except ObjectDoesNotExist:
        return None


class FeedbackForm(forms.ModelForm):
    outcome = forms.ChoiceField(
        label="What did you do with the recommended next step?",
        choices=Feedback.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you did with the recommendation."},
    )
    reason = forms.ChoiceField(
        label="Why was it modified or not followed?",
        help_text="Needed unless you followed the recommendation.",
        choices=Feedback.Reason.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    comment = forms.CharField(
        label="Comment (optional)",
        help_text="Needed when the reason is “Other”. No patient-identifiable details.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
    )

    class Meta:
        model = Feedback
        fields = ("outcome", "reason", "comment")

    def __init__(self, *args: Any, consultation: Consultation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = reverse("consultation_feedback", args=[consultation.pk])
        # Posted by htmx, the answer redraws the section (#feedback); without JavaScript, a page.
        self.helper = form_helper(
            url,
            "outcome",
            "reason",
            "comment",
            submit("Record what I did"),
            css_class="feedback-form mt-2 d-print-none",
            hx_post=url,
            hx_target="#feedback",
            hx_swap="outerHTML",
        )
        self.helper.label_class = "fw-semibold"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        reason = cleaned.get("reason") or ""
        comment = (cleaned.get("comment") or "").strip()
        if outcome == Feedback.Outcome.FOLLOWED:
            # A reason only explains a departure from the advice; drop a stale one.
            cleaned["reason"] = ""
        elif outcome and not reason:
            self.add_error("reason", "Choose why the recommendation was not followed as given.")
        if reason == Feedback.Reason.OTHER and outcome != Feedback.Outcome.FOLLOWED and not comment:
            self.add_error("comment", "Describe the other reason in the comment.")
        cleaned["comment"] = comment
        return cleaned
