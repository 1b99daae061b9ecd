"""Every call to the service and its feedback needs a JWT signed by a configured EHR, for this
endpoint, fresh and used once; anything else gets 401 and nothing is stored."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from jwt.utils import base64url_encode

from decision.models import Consultation, Feedback, UsedJwtId
from tests.cds.conftest import (
    BASE,
    FEEDBACK,
    ISSUER,
    PRIVATE_KEY,
    SERVICE,
    SPEC,
    patient_view,
    sign,
    spec,
)
from tests.helpers import make_input

pytestmark = pytest.mark.django_db
NOW = int(time.time())
OTHER_EC_KEY = ec.generate_private_key(ec.SECP384R1())


def stored() -> tuple[int, int, int]:
    return Consultation.objects.count(), Feedback.objects.count(), UsedJwtId.objects.count()


def unsigned(path: str) -> str:
    return jwt.encode(
        {"iss": ISSUER, "aud": BASE + path, "exp": NOW + 300, "iat": NOW, "jti": "x"},
        None,
        algorithm="none",
        headers={"kid": "example-kid"},
    )


def hmac_with_public_key(path: str) -> str:
    """The algorithm-confusion attack: HS384 keyed with the EHR's public key (PyJWT refuses to
    make such a token, so it is made by hand)."""
    secret = PRIVATE_KEY.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    header = {"alg": "HS384", "typ": "JWT", "kid": "example-kid"}
    payload = {"iss": ISSUER, "aud": BASE + path, "exp": NOW + 300, "iat": NOW, "jti": "h"}
    signing_input = b".".join(
        base64url_encode(json.dumps(part).encode()) for part in (header, payload)
    )
    signature = hmac.new(secret, signing_input, hashlib.sha384).digest()
    return (signing_input + b"." + base64url_encode(signature)).decode()


REFUSED = {
    "no header": lambda path: None,
    "not a jwt": lambda path: "not-a-jwt",
    "unsigned (alg none)": unsigned,
    "hmac with the public key as secret": hmac_with_public_key,
    "signed by another key": lambda path: sign(path, key=OTHER_EC_KEY),
    "expired": lambda path: sign(path, exp=NOW - 600, iat=NOW - 900),
    "issued in the future": lambda path: sign(path, iat=NOW + 3600, exp=NOW + 3900),
    "lives too long": lambda path: sign(path, exp=NOW + 86_400),
    "wrong audience": lambda path: sign(path, aud="https://cds.example.org/cds-services/other"),
    "the discovery audience": lambda path: sign(path, aud=f"{BASE}/cds-services"),
    "unknown issuer": lambda path: sign(path, iss="https://evil.example/"),
    "no jti": lambda path: sign(path, jti=None),
    "no exp": lambda path: sign(path, exp=None),
    "no iat": lambda path: sign(path, iat=None),
    "unknown kid": lambda path: sign(path, headers={"kid": "other-kid"}),
    "no kid": lambda path: sign(path, headers={"kid": None}),
    "algorithm not allowed (ES256 header)": lambda path: sign(
        path, key=ec.generate_private_key(ec.SECP256R1()), headers={"alg": "ES256"}
    ),
}


@pytest.mark.parametrize("path", [SERVICE, FEEDBACK])
@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_call_without_a_valid_jwt_gets_401_and_stores_nothing(ehr, case, path):
    body = (
        patient_view(make_input())
        if path == SERVICE
        else spec("feedback-overridden-with-reason.json")
    )

    response = ehr.post(path, body, token=REFUSED[case](path))

    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert response.json()["errors"][0]["path"] == "Authorization"
    assert stored() == (0, 0, 0)


def test_the_specifications_own_example_token_is_refused(ehr):
    response = ehr.post(
        SERVICE, patient_view(make_input()), token=(SPEC / "jwt-example.txt").read_text().strip()
    )

    assert response.status_code == 401
    assert stored() == (0, 0, 0)


def test_a_fresh_token_is_accepted_once(ehr):
    token = sign(SERVICE)

    first = ehr.post(SERVICE, patient_view(make_input()), token=token)
    replay = ehr.post(SERVICE, patient_view(make_input()), token=token)

    assert first.status_code == 200
    assert replay.status_code == 401
    assert "replay" in replay.json()["messages"][0]
    assert stored() == (1, 0, 1)


def test_the_jwt_is_checked_before_the_body_is_read(ehr):
    response = ehr.post(SERVICE, b"{not json", token=None)

    assert response.status_code == 401


@pytest.fixture
def jwks_server(tmp_path):
    """A JWK Set served over HTTP on 127.0.0.1, as an EHR publishes its keys."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_an_rs384_key_from_a_jwks_url_is_accepted(ehr, settings, jwks_server):
    folder, address = jwks_server
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    (folder / "jwks.json").write_text(json.dumps({"keys": [{**public, "kid": "rsa-1"}]}))
    issuer = "https://rsa-ehr.example/"
    settings.CDS_CLIENTS = {**settings.CDS_CLIENTS, issuer: {"jwks_url": f"{address}/jwks.json"}}
    token = sign(SERVICE, key=key, headers={"alg": "RS384", "kid": "rsa-1"}, iss=issuer)

    response = ehr.post(SERVICE, patient_view(make_input()), token=token)

    assert response.status_code == 200
    assert UsedJwtId.objects.get().issuer == issuer


def test_used_jwt_ids_are_forgotten_once_expired(ehr):
    UsedJwtId.objects.create(issuer=ISSUER, jti="old", expires_at="2020-01-01T00:00:00Z")

    ehr.post(SERVICE, patient_view(make_input()))

    assert list(UsedJwtId.objects.values_list("jti", flat=True)) != ["old"]
    assert not UsedJwtId.objects.filter(jti="old").exists()
