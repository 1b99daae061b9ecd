"""Who may call the CDS service: EHRs (CDS clients) that sign a JWT per call, checked against the
public keys configured for their issuer (CDS Hooks 2.0, "Trusting CDS Clients").

settings.CDS_CLIENTS maps each trusted `iss` to its keys: `{"jwks": {"keys": [...]}}` (a JWK Set
given here) or `{"jwks_url": "https://…"}` (fetched and cached), and optionally `"algorithms"`
(default ES384 and RS384, as the specification recommends; never `none` or HMAC). The token's own
`jku` header is ignored: keys come only from this configuration.

A call is refused (CdsAuthError → 401, nothing stored) unless its token is signed by a key of a
configured issuer, names this endpoint as `aud`, has not expired, was not issued in the future,
lives at most CDS_JWT_MAX_LIFETIME seconds, and its `jti` has not been seen before.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import jwt
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from decision.models import UsedJwtId

DEFAULT_ALGORITHMS = ("ES384", "RS384")
ALLOWED_ALGORITHMS = frozenset({"ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS384"})
LEEWAY_SECONDS = 60


class CdsAuthError(Exception):
    """Why a CDS client's call was refused (logged, and said in the 401 answer)."""


@cache
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)


def _signing_key(client: dict[str, Any], kid: str) -> Any:
    try:
        if "jwks_url" in client:
            return _jwks_client(client["jwks_url"]).get_signing_key(kid).key
        return jwt.PyJWKSet.from_dict(client["jwks"])[kid].key
    except (KeyError, jwt.PyJWKError, jwt.PyJWKClientError) as exc:
        raise CdsAuthError(f"no key {kid!r} for this issuer") from exc


def _bearer(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise CdsAuthError("no bearer JWT in the Authorization header")
    return token.strip()


def expected_audiences(request: HttpRequest, *also: str) -> list[str]:
    """The endpoint's own URL (and `also` paths): CDS_BASE_URL, when set, names the public
    address; otherwise the address the request came to."""
    base = settings.CDS_BASE_URL.rstrip("/") or request.build_absolute_uri("/").rstrip("/")
    urls = [base + path for path in (request.path, *also)]
    return [variant for url in urls for variant in (url.rstrip("/"), url.rstrip("/") + "/")]


def verify(request: HttpRequest, audiences: list[str]) -> dict[str, Any]:
    """The verified claims of the call's JWT; CdsAuthError when it must be refused. Records the
    `jti`, so it is accepted once only."""
    token = _bearer(request)
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise CdsAuthError(f"not a JWT ({exc})") from exc
    issuer = unverified.get("iss")
    client = settings.CDS_CLIENTS.get(issuer) if isinstance(issuer, str) else None
    if client is None:
        raise CdsAuthError("unknown issuer")
    algorithm = header.get("alg")
    allowed = set(client.get("algorithms", DEFAULT_ALGORITHMS)) & ALLOWED_ALGORITHMS
    if algorithm not in allowed:
        raise CdsAuthError(f"algorithm {algorithm!r} not accepted")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise CdsAuthError("no kid in the JWT header")
    try:
        claims = jwt.decode(
            token,
            key=_signing_key(client, kid),
            algorithms=[algorithm],
            audience=audiences,
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "jti"]},
        )
    except jwt.PyJWTError as exc:
        raise CdsAuthError(f"refused JWT ({exc})") from exc
    now = timezone.now()
    issued = datetime.fromtimestamp(claims["iat"], UTC)
    expires = datetime.fromtimestamp(claims["exp"], UTC)
    if issued > now + timedelta(seconds=LEEWAY_SECONDS):
        raise CdsAuthError("issued in the future")
    if expires > now + timedelta(seconds=settings.CDS_JWT_MAX_LIFETIME):
        raise CdsAuthError(f"lives longer than {settings.CDS_JWT_MAX_LIFETIME} seconds")
    _record_jti(issuer, str(claims["jti"]), expires, now)
    return claims


def _record_jti(issuer: str, jti: str, expires: datetime, now: datetime) -> None:
    if not jti or len(jti) > 255 or len(issuer) > 255:
        raise CdsAuthError("jti or iss too long or empty")
    # Forget tokens that can no longer be replayed (expired, leeway included).
    UsedJwtId.objects.filter(expires_at__lt=now - timedelta(seconds=LEEWAY_SECONDS)).delete()
    try:
        with transaction.atomic():
            UsedJwtId.objects.create(issuer=issuer, jti=jti, expires_at=expires)
    except IntegrityError:
        raise CdsAuthError("this JWT was already used (jti replay)") from None
