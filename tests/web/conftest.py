from __future__ import annotations

from typing import Any

import pytest

from decision.models import Consultation
from tests.helpers import make_input
from tests.web.journey import enter


@pytest.fixture
def answered(clinician_client, clinician) -> Consultation:
    """A draft with every question step answered (the seed-ped case)."""
    return enter(clinician_client, make_input())


@pytest.fixture
def make_answered(clinician_client):
    def _make(**changes: Any) -> Consultation:
        return enter(clinician_client, make_input(**changes))

    return _make
