"""Fixtures for the CDS Hooks tests: an EHR that signs its calls with the specification's own
example key (spec/jwk-private.json), and patient-view requests built from engine inputs."""

from __future__ import annotations

import json
import math
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from django.test import Client
from django.utils import timezone

from decision.cds import codes
from decision.engine.knowledge import tcs_agents

SPEC = Path(__file__).resolve().parent / "spec"
ISSUER = "https://fhir-ehr.example.com/"  # the specification's example issuer
BASE = "https://cds.example.org"  # and its example service address
SERVICE = "/cds-services/eczema-step-up"
FEEDBACK = f"{SERVICE}/feedback"


def spec(name: str) -> Any:
    return json.loads((SPEC / name).read_text(encoding="utf-8"))


PRIVATE_KEY = jwt.PyJWK.from_dict(spec("jwk-private.json")).key


def sign(path: str, key: Any = PRIVATE_KEY, headers: dict | None = None, **claims: Any) -> str:
    """A JWT as the specification's example EHR signs it, for a call to `path`."""
    now = int(time.time())
    payload = {
        "iss": ISSUER,
        "aud": BASE + path,
        "exp": now + 300,
        "iat": now,
        "jti": str(uuid.uuid4()),
        **claims,
    }
    payload = {name: value for name, value in payload.items() if value is not None}
    header = {"kid": "example-kid", "typ": "JWT", **(headers or {})}
    header = {name: value for name, value in header.items() if value is not None}
    algorithm = header.pop("alg", "ES384")
    return jwt.encode(payload, key, algorithm=algorithm, headers=header)


class Ehr:
    """Posts CDS Hooks calls with a fresh signed JWT unless told otherwise."""

    def __init__(self) -> None:
        self.client = Client()

    def post(self, path: str, body: Any, token: str | None = "sign", **extra: Any):
        headers = {}
        if token == "sign":
            token = sign(path)
        if token is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        return self.client.post(
            path, data=data, content_type="application/json", **headers, **extra
        )


@pytest.fixture
def ehr(settings) -> Ehr:
    settings.CDS_CLIENTS = {ISSUER: {"jwks": spec("jwks-public.json")}}
    settings.CDS_BASE_URL = BASE
    return Ehr()


def birth_date(age_months: int, today: date) -> date:
    """A birth date that is exactly `age_months` completed months before `today`."""
    month_index = today.year * 12 + today.month - 1 - age_months
    return date(month_index // 12, month_index % 12 + 1, min(today.day, 28))


def agent_for(potency: str) -> str:
    return next(agent.id for agent in tcs_agents() if agent.potency == potency)


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": resource} for resource in resources],
    }


def coding(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def patient_view(data: dict[str, Any], patient_id: str = "1288992") -> dict[str, Any]:
    """A patient-view request whose prefetch holds what an EHR would record for this engine
    input: date of birth, the atopic dermatitis condition (severity, sites) and the steroid."""
    today = timezone.localdate()
    subject = {"reference": f"Patient/{patient_id}"}
    severity = {v: k for k, v in codes.SEVERITY_CODES.items()}[data["severity"]]
    condition = {
        "resourceType": "Condition",
        "subject": subject,
        "clinicalStatus": coding(
            "http://terminology.hl7.org/CodeSystem/condition-clinical", "active"
        ),
        "code": coding(*codes.ATOPIC_DERMATITIS[0]),
        "severity": coding(*severity),
        "bodySite": [coding(codes.SYSTEM_SITE, site) for site in data["sites"]],
    }
    tcs = data["current_tcs"]
    medication = {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "subject": subject,
        "medicationCodeableConcept": coding(
            codes.SYSTEM_TCS_AGENT, tcs.get("agent") or agent_for(tcs["potency"])
        ),
        "authoredOn": str(today - timedelta(days=math.ceil(tcs["weeks"] * 7))),
        "dosageInstruction": [
            {
                "timing": {
                    "repeat": {
                        "frequency": tcs["applications_per_day"],
                        "period": 1,
                        "periodUnit": "d",
                        "boundsDuration": {"value": tcs["weeks"], "code": "wk"},
                    }
                }
            }
        ],
    }
    return {
        "hook": "patient-view",
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/example", "patientId": patient_id},
        "prefetch": {
            "patient": {
                "resourceType": "Patient",
                "id": patient_id,
                "birthDate": str(birth_date(data["age_months"], today)),
                "name": [{"family": "Example", "given": ["Pat"]}],
            },
            "conditions": bundle(condition),
            "medications": bundle(medication),
        },
    }
