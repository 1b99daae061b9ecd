"""Personal API tokens: made, checked and revoked here; stored hashed (decision.models.ApiToken).

A token reads `esu_<prefix>_<secret>`: the prefix (random, not secret) finds the row; the secret
(32 random bytes) is compared by its SHA-256. A high-entropy secret needs no slow hash: nobody can
guess it, and a stolen database holds no usable token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from decision.models import ApiToken

SCHEME = "esu"
PREFIX_BYTES = 6  # 8 URL-safe characters
SECRET_BYTES = 32
# The last-used time is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_ACTIVE_TOKENS = 10


class TooManyTokens(Exception):
    pass


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`: the stored row and the token text (shown once, never stored)."""
    if ApiToken.objects.filter(user=user).active().count() >= MAX_ACTIVE_TOKENS:
        raise TooManyTokens(f"You can hold at most {MAX_ACTIVE_TOKENS} active tokens.")
    # URL-safe base64 may contain "_", the separator: hex for the prefix keeps parsing trivial.
    prefix = secrets.token_hex(PREFIX_BYTES)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, secret_sha256=_sha256(secret)
    )
    return token, f"{SCHEME}_{prefix}_{secret}"


def authenticate(text: str) -> ApiToken | None:
    """The active token `text` names, its user active too; None for anything else."""
    scheme, _, rest = text.partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != SCHEME or not prefix or not secret or len(text) > 200:
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(prefix=prefix, user__is_active=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_sha256, _sha256(secret)):
        return None
    now = timezone.now()
    # A conditional update, at most once a minute: no write on every request, no lost update.
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    return token


def revoke(user, token_id: int) -> bool:
    """Revoke one of `user`'s tokens; False when there is no such active token."""
    updated = (
        ApiToken.objects.filter(user=user, pk=token_id).active().update(revoked_at=timezone.now())
    )
    return bool(updated)
