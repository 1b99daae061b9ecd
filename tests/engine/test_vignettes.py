"""Every worked case of vignettes.json, compared on the whole skeleton (contract.md)."""

from __future__ import annotations

import pytest

from tests.engine.contract import skeleton
from tests.helpers import vignettes

CASES = vignettes()
# Stage C (quantity) is 2026.12 already; stages A, D and E follow in the next commit.
STAGE_C = ("adequacy_reasons", "expected_grams_per_week", "ftu_per_application", "quantity_basis")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_vignette_matches_the_expected_skeleton(case, run):
    result = run(case["input"])
    got = skeleton(result)
    assert set(case["expect"]) <= set(got)
    for key in STAGE_C:
        expected = case["expect"][key]
        assert got[key] == expected, f"{case['id']}: {key}"


def test_there_are_vignettes_to_check():
    assert len(CASES) >= 17
