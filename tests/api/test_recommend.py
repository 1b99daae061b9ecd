"""POST /api/v1/recommend answers exactly what `manage.py recommend` answers: the same bytes for
every vignette and for a batch, the same problems (as {path, message} and as the command's lines)
for invalid input; oversized or non-JSON bodies get 4xx, never 500."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decision.engine.cli import recommend_json
from tests.helpers import make_input, vignettes

pytestmark = pytest.mark.django_db
URL = "/api/v1/recommend"
VIGNETTES = vignettes()


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def test_it_answers_each_vignette_with_the_commands_bytes(api, vignette):
    expected, errors = recommend_json(json.dumps(vignette["input"]))

    response = api.post(URL, vignette["input"])

    assert errors == []
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content.decode() == expected
    assert response.json()["next_step"]["code"] == vignette["expect"]["next_step"]


def test_it_answers_a_batch_in_order_with_the_commands_bytes(api):
    batch = [v["input"] for v in VIGNETTES]

    response = api.post(URL, batch)

    assert response.status_code == 200
    assert response.content.decode() == recommend_json(json.dumps(batch))[0]
    assert [r["next_step"]["code"] for r in response.json()] == [
        v["expect"]["next_step"] for v in VIGNETTES
    ]


def test_it_answers_an_empty_batch_with_an_empty_list(api):
    response = api.post(URL, [])

    assert (response.status_code, response.json()) == (200, [])


def test_it_gives_every_problem_as_path_and_message_and_as_the_commands_lines(api):
    bad = make_input(severity="very bad", sites=[], current_tcs={"weeks": -1}, colour="red")

    response = api.post(URL, bad)

    body = response.json()
    assert response.status_code == 400
    assert body["messages"] == recommend_json(json.dumps(bad))[1]
    assert {"path": "severity", "message": "must be one of: mild, moderate, severe"} in body[
        "errors"
    ]
    assert [f"{e['path']}: {e['message']}" for e in body["errors"]] == body["messages"]
    assert {"colour: unknown field", "sites: must name at least one site"} <= set(body["messages"])


def test_a_bad_batch_item_fails_the_whole_batch_with_prefixed_paths(api):
    batch = [make_input(), make_input(age_months=2000), make_input(severity=None)]

    response = api.post(URL, batch)

    assert response.status_code == 400
    assert response.json()["messages"] == [
        "[1].age_months: must be between 0 and 1440",
        "[2].severity: must be one of: mild, moderate, severe",
    ]
    assert response.json()["messages"] == recommend_json(json.dumps(batch))[1]


@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"not json", b"\xff\xfe", b"[" * 100_000, b"1" * 5000, b'"a string"', b"null"],
    ids=["empty", "truncated", "text", "not-utf8", "deep", "huge-int", "string", "null"],
)
def test_bodies_that_are_not_an_assessment_get_400_with_the_commands_message(api, body):
    response = api.post(URL, raw=body)

    assert response.status_code == 400
    problems = response.json()["messages"]
    assert problems and all(p.startswith("input: ") for p in problems)
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return
    assert problems == recommend_json(text)[1]


@override_settings(API_MAX_BODY_BYTES=1000)
def test_a_body_over_the_limit_gets_413(api):
    response = api.post(URL, raw=json.dumps([make_input()] * 10))

    assert response.status_code == 413
    assert response.json()["errors"] == [{"path": "input", "message": "too large"}]


def test_a_body_over_the_site_form_limit_is_still_read(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    batch = [make_input()] * 20

    response = api.post(URL, batch)

    assert response.status_code == 200
    assert len(response.json()) == 20


def test_a_batch_over_the_item_limit_gets_413(api, settings):
    settings.API_MAX_BATCH = 3

    response = api.post(URL, [make_input()] * 4)

    assert response.status_code == 413
    assert "at most 3" in response.json()["detail"]


def test_get_is_not_allowed(api):
    assert api.get(URL).status_code == 405


# The client fixture holds no state between examples.
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=12), children, max_size=5)
        ),
        max_leaves=20,
    )
)
def test_any_json_gets_200_or_400_with_the_commands_answer(api, data):
    text = json.dumps(data)
    output, errors = recommend_json(text)

    response = api.post(URL, raw=text)

    if errors:
        assert response.status_code == 400
        assert response.json()["messages"] == errors
    else:
        assert response.status_code == 200
        assert response.content.decode() == output
