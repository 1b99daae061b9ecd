"""The API's documentation page: rendered on the server from the same OpenAPI schema that
/api/v1/schema serves, so it cannot drift from the code. Plain HTML, no script: it works under
the site's strict Content-Security-Policy."""

from __future__ import annotations

import json
import re
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from decision.api.api import EXAMPLE_ASSESSMENT, api

METHOD_ORDER = ("get", "post")


def inline_code(text: str) -> SafeString:
    """The schema's descriptions mark code with `backticks`: show it as <code>, escaped."""
    return mark_safe(re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text)))


def _ref_name(schema: dict[str, Any]) -> str:
    return schema.get("$ref", "").rsplit("/", 1)[-1]


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    name = _ref_name(schema)
    return components[name] if name else schema


def _type(schema: dict[str, Any], components: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " or ".join(_type(option, components) for option in schema["anyOf"])
    if "$ref" in schema:
        return "object"
    if schema.get("type") == "array":
        return f"list of {_type(schema.get('items', {}), components)}"
    return schema.get("type", "any")


def _values(schema: dict[str, Any]) -> str:
    for option in schema.get("anyOf", [schema]):
        if "enum" in option:
            return ", ".join(str(value) for value in option["enum"])
        if "minimum" in option or "maximum" in option:
            return f"{option.get('minimum', '')}–{option.get('maximum', '')}"
        if option.get("type") == "array" and "enum" in option.get("items", {}):
            return ", ".join(option["items"]["enum"])
    return ""


def field_rows(
    schema: dict[str, Any], components: dict[str, Any], prefix: str = ""
) -> list[dict[str, str]]:
    """One row per field of an object schema, nested objects as dotted paths."""
    schema = _resolve(schema, components)
    required = set(schema.get("required", []))
    rows = []
    for name, field in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        target = _resolve(field, components)
        if "properties" in target:
            rows += field_rows(target, components, prefix=f"{path}.")
            continue
        default = field.get("default")
        rows.append(
            {
                "path": path,
                "type": _type(field, components),
                "required": "yes" if name in required else "no",
                "values": _values(field),
                "default": "" if name in required else json.dumps(default),
                "description": field.get("description", ""),
            }
        )
    return rows


def operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for path, methods in schema["paths"].items():
        for method in METHOD_ORDER:
            operation = methods.get(method)
            if operation is None:
                continue
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": inline_code(operation.get("description", "")),
                    "parameters": operation.get("parameters", []),
                    "responses": [
                        {
                            "status": status,
                            "description": response.get("description", ""),
                            "schema": _ref_name(
                                response.get("content", {})
                                .get("application/json", {})
                                .get("schema", {})
                            ),
                        }
                        for status, response in operation["responses"].items()
                    ],
                }
            )
    return found


@login_not_required
@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    base = request.build_absolute_uri(reverse("api:api-root")).rstrip("/")
    return render(
        request,
        "api/docs.html",
        {
            "schema": schema,
            "base": base,
            "operations": operations(schema),
            "assessment_rows": field_rows(components["Assessment"], components),
            "example": json.dumps(EXAMPLE_ASSESSMENT, indent=2),
            "example_compact": json.dumps(EXAMPLE_ASSESSMENT),
        },
    )
