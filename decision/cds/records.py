"""How a card reaches the review dashboard: each card with a next step is stored as a completed
consultation, so the EHR's feedback on it is a Feedback like any other.

The consultation belongs to the CDS service user (CDS_SERVICE_USERNAME, in the clinician group,
no usable password), its clinic reference reads `EHR-…`, and its answers' extras say
`"source": "cds-hooks"` and which EHR (issuer) asked. Its id is the card's `uuid`: derived from
the issuer, the patient, the day and the engine input (keyed with the site's secret, so the EHR's
patient id is not recoverable and is never stored), so the same chart opened again the same day
with the same record gives the same card and counts once.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from decision import roles
from decision.engine import dumps
from decision.models import EXTRAS_KEY, Consultation

SOURCE = "cds-hooks"


def service_user() -> Any:
    user_model = get_user_model()
    user = user_model.objects.filter(username=settings.CDS_SERVICE_USERNAME).first()
    if user is None:
        with transaction.atomic():
            user, created = user_model.objects.get_or_create(username=settings.CDS_SERVICE_USERNAME)
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                roles.grant(user, roles.CLINICIAN)
    return user


def card_id(issuer: str, patient_id: str, engine_input: dict[str, Any]) -> uuid.UUID:
    message = "\n".join((issuer, patient_id, str(timezone.localdate()), dumps(engine_input)))
    digest = hmac.new(settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256).digest()
    return uuid.UUID(bytes=digest[:16], version=4)


def store_card(
    issuer: str,
    patient_id: str,
    engine_input: dict[str, Any],
    engine_output: dict[str, Any],
    agent_id: str,
) -> Consultation:
    """The completed consultation behind a card: found again, or made now."""
    pk = card_id(issuer, patient_id, engine_input)
    existing = Consultation.objects.filter(pk=pk).first()
    if existing is not None:
        return existing
    consultation = Consultation(
        id=pk,
        created_by=service_user(),
        patient_reference=f"EHR-{pk.hex[:8]}",
        answers={
            **engine_input,
            EXTRAS_KEY: {"tcs_agent": agent_id, "source": SOURCE, "cds_issuer": issuer},
        },
    )
    consultation.sync_columns()
    try:
        with transaction.atomic():
            # A new row: complete() stores it completed, in one INSERT.
            consultation.complete(engine_input, engine_output)
    except IntegrityError:  # the same card, stored by a call running at the same time
        return Consultation.objects.get(pk=pk)
    return consultation


def card_consultation(card: str, issuer: str) -> Consultation | None:
    """The consultation behind a card this issuer was given; None for anything else."""
    try:
        pk = uuid.UUID(card)
    except ValueError:
        return None
    consultation = (
        Consultation.objects.completed()
        .filter(pk=pk, created_by__username=settings.CDS_SERVICE_USERNAME)
        .first()
    )
    if consultation is None or consultation.extras.get("cds_issuer") != issuer:
        return None
    return consultation
