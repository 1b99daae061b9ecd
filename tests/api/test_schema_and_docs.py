"""The OpenAPI schema is valid (openapi-spec-validator), describes the engine's contract exactly,
and the documentation page renders it without inline code; every operation refuses requests
without a token."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from decision.engine import evaluate, parse_assessment
from tests.helpers import vignettes
from tests.security.pages import assert_no_inline_code, assert_security_headers
from tests.security.urls import all_routes

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema")
    assert response.status_code == 200
    return response.json()


def validator(schema: dict, name: str) -> Draft202012Validator:
    """A JSON Schema validator for one component, its references resolved in the document."""
    return Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": schema["components"]}
    )


def test_the_schema_is_valid_openapi(schema):
    validate(schema)

    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/recommend",
        "/api/v1/consultations",
        "/api/v1/consultations/{consultation_id}",
    }
    assert schema["components"]["securitySchemes"]["BearerTokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }


def test_every_vignette_input_and_output_fits_the_schema(schema):
    assessment = validator(schema, "Assessment")
    recommendation = validator(schema, "Recommendation")

    for vignette in vignettes():
        assessment.validate(vignette["input"])
        parsed = parse_assessment(vignette["input"])
        assessment.validate(parsed.to_dict())
        recommendation.validate(evaluate(parsed).to_dict())


def test_the_schema_names_exactly_the_engines_fields(schema):
    components = schema["components"]["schemas"]
    full = parse_assessment(vignettes()[0]["input"]).to_dict()

    assert set(components["Assessment"]["properties"]) == set(full)
    assert set(components["CurrentTcsIn"]["properties"]) == set(full["current_tcs"])
    assert set(components["TriedIn"]["properties"]) == set(full["tried"])
    assert set(components["RedFlagsIn"]["properties"]) == set(full["red_flags"])
    assert set(components["Assessment"]["required"]) == {
        "age_months", "severity", "sites", "current_tcs",
    }  # fmt: skip


def test_the_schema_refuses_what_the_engine_refuses(schema):
    assessment = validator(schema, "Assessment")
    good = vignettes()[0]["input"]

    for bad in (
        {**good, "colour": "red"},
        {**good, "severity": "awful"},
        {**good, "sites": []},
        {**good, "age_months": 1441},
        {key: value for key, value in good.items() if key != "current_tcs"},
    ):
        assert not assessment.is_valid(bad)


def test_the_docs_page_is_public_plain_html_from_the_schema(client, schema):
    response = client.get("/api/v1/docs")

    html = response.content.decode()
    assert response.status_code == 200
    assert_security_headers(response)
    assert_no_inline_code(response)
    assert "<script" not in html.split("</head>")[1]
    for path in schema["paths"]:
        assert path.removeprefix("/api/v1") in html
    assert "<code>current_tcs.adherence</code>" in html
    assert "Authorization: Bearer" in html


def test_the_docs_page_links_a_signed_in_user_to_the_account_page(clinician_client):
    html = clinician_client.get("/api/v1/docs").content.decode()

    assert 'href="/account/"' in html


API_ROUTES = [route for route in all_routes() if route.namespace == "api"]
PAGES = ("api:openapi-json", "api:docs", "api:api-root")
OPERATIONS = [route for route in API_ROUTES if route.name not in PAGES]


def test_the_walk_finds_every_api_operation():
    assert {r.name for r in OPERATIONS} == {
        "api:recommend", "api:consultations", "api:consultation",
    }  # fmt: skip


@pytest.mark.parametrize("route", OPERATIONS, ids=[r.label for r in OPERATIONS])
def test_every_operation_refuses_a_request_without_a_token(route, clinician_client):
    statuses = {getattr(clinician_client, m)(route.url()).status_code for m in ("get", "post")}

    assert statuses in ({401}, {401, 405})
