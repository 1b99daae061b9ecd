"""Who looked (issue 14): each read of a consultation's content by anyone but its author.

Every page, document, file and API answer that shows a consultation's content calls
`record_read` (or `record_reads` for several at once) after its access check, with what it
shows (`ConsultationAccess.What`). The author's own reads write nothing and cost no query (the
author's id is on the row already read); anyone else's are one INSERT per request. Lists that
show a few columns of many consultations (the admin list, the dashboard's red-flag cases) are not
reads of one: what is recorded is opening one, a timeline, and the rows of an export.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.utils import timezone

from decision.models import Consultation, ConsultationAccess

What = ConsultationAccess.What
# Rows per INSERT for a large export (SQLite allows 32,766 parameters a statement).
BATCH_SIZE = 1000


def record_read(user: Any, consultation: Consultation, what: What) -> None:
    """`user` was shown this consultation's `what`: recorded unless they are its author."""
    record_reads(user, what, [(consultation.pk, consultation.created_by_id)])


def record_reads(user: Any, what: What, consultations: Iterable[tuple[UUID, int]]) -> None:
    """`user` was shown `what` of these consultations, given as (id, author's id): one row for
    each that is not their own, in one INSERT (per BATCH_SIZE rows)."""
    now = timezone.now()
    others = dict.fromkeys(pk for pk, author in consultations if author != user.pk)
    if others:
        ConsultationAccess.objects.bulk_create(
            [
                ConsultationAccess(consultation_id=pk, user_id=user.pk, what=what, at=now)
                for pk in others
            ],
            batch_size=BATCH_SIZE,
        )
