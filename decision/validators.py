"""The clinic reference's rules as a model-field validator, so the admin refuses what the
questionnaire refuses (the rules themselves: decision.questionnaire.clean_reference)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from decision.questionnaire import clean_reference


def validate_clinic_reference(value: str) -> None:
    try:
        clean_reference(value)
    except ValueError as error:
        raise ValidationError(str(error), code="clinic_reference") from None
