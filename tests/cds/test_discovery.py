"""GET /cds-services: the service as CDS Hooks 2.0 describes one (shaped like the
specification's discovery example), public, with CORS for browser-based EHRs."""

from __future__ import annotations

import pytest

from decision.cds import codes
from decision.engine.knowledge import RULESET_VERSION, tcs_agent_map
from tests.cds.conftest import SERVICE, spec
from tests.security.pages import assert_security_headers

pytestmark = pytest.mark.django_db


def test_discovery_lists_the_patient_view_service_with_its_prefetch(client):
    response = client.get("/cds-services")

    assert response.status_code == 200
    assert_security_headers(response)
    (service,) = response.json()["services"]
    assert (service["id"], service["hook"]) == ("eczema-step-up", "patient-view")
    assert service["title"] and service["description"]
    assert service["ruleset_version"] == RULESET_VERSION
    assert RULESET_VERSION in service["description"]
    prefetch = service["prefetch"]
    assert prefetch["patient"] == "Patient/{{context.patientId}}"
    assert prefetch["conditions"] == (
        "Condition?patient={{context.patientId}}&clinical-status=active"
        "&code=http://snomed.info/sct|24079001,http://hl7.org/fhir/sid/icd-10-cm|L20.9"
    )
    medications = prefetch["medications"]
    assert medications.startswith("MedicationRequest?patient={{context.patientId}}&status=active")
    assert medications.count(codes.SYSTEM_TCS_AGENT) == len(tcs_agent_map())
    assert f"{codes.SYSTEM_TCS_AGENT}|{next(iter(tcs_agent_map()))}" in medications


def test_discovery_has_the_fields_and_types_of_the_specifications_example(client):
    ours = client.get("/cds-services").json()["services"][0]

    for example in spec("discovery.json")["services"]:
        for name, value in example.items():
            assert type(ours[name]) is type(value), name


def test_discovery_answers_any_origin_and_its_preflight(client):
    simple = client.get("/cds-services", HTTP_ORIGIN="https://ehr.example.org")
    preflight = client.options(
        SERVICE,
        HTTP_ORIGIN="https://ehr.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )

    assert simple["Access-Control-Allow-Origin"] == "*"
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "authorization" in preflight["Access-Control-Allow-Headers"]
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in preflight


def test_the_sites_pages_send_no_cors_headers(client):
    for path in ("/accounts/login/", "/api/v1/schema", "/"):
        response = client.get(path, HTTP_ORIGIN="https://ehr.example.org")
        assert "Access-Control-Allow-Origin" not in response, path


def test_discovery_only_answers_get(client):
    assert client.post("/cds-services").status_code == 405
