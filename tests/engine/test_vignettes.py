"""Every worked case of vignettes.json, compared on the whole skeleton (contract.md)."""

from __future__ import annotations

import pytest

from tests.engine.contract import skeleton
from tests.helpers import vignettes

CASES = vignettes()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_vignette_matches_the_expected_skeleton(case, run):
    result = run(case["input"])
    got = skeleton(result)
    assert set(case["expect"]) <= set(got)
    for key, expected in case["expect"].items():
        assert got[key] == expected, f"{case['id']}: {key}"


def test_there_are_vignettes_to_check():
    assert len(CASES) == 19
