from __future__ import annotations

from typing import Any

import pytest

from decision.engine import evaluate, parse_assessment


@pytest.fixture
def run():
    def _run(data: dict[str, Any]) -> dict[str, Any]:
        return evaluate(parse_assessment(data)).to_dict()

    return _run
