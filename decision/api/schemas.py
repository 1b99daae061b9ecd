"""The API's request and response shapes, for the OpenAPI schema.

The contract (docs/clinical/contract.md) is validated by the engine itself (`parse_assessment`),
so the API gives exactly the command line's errors; these models describe it for clients. Enum
values come from the engine's own tables, and tests/api checks that the fields match the engine's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, create_model

from decision.engine import (
    ADHERENCE,
    POTENCIES,
    RED_FLAGS,
    SEVERITIES,
    SITES,
    TRIED_KEYS,
    TRIED_OUTCOMES,
)
from decision.engine.assessment import (
    AGE_MONTHS_MAX,
    APPLICATIONS_PER_DAY_MAX,
    GRAMS_PER_WEEK_MAX,
    WEEKS_MAX,
)
from decision.engine.knowledge import tcs_agent_map

Severity = Literal[SEVERITIES]  # type: ignore[valid-type]
Site = Literal[SITES]  # type: ignore[valid-type]
Potency = Literal[POTENCIES]  # type: ignore[valid-type]
Adherence = Literal[ADHERENCE]  # type: ignore[valid-type]
TriedOutcome = Literal[TRIED_OUTCOMES]  # type: ignore[valid-type]
# knowledge.md § potency ids, the legacy `hydrocortisone` included (rule set 2026.12).
AgentId = Literal[tuple(tcs_agent_map())]  # type: ignore[valid-type]


class _Closed(BaseModel):
    # Unknown keys are errors (contract.md).
    model_config = ConfigDict(extra="forbid")


class RedFlagsIn(_Closed):
    herpeticum_signs: bool = False
    infection_signs: bool = False
    systemically_unwell: bool = False
    infection_unresponsive: bool = False


assert tuple(RedFlagsIn.model_fields) == RED_FLAGS


class CurrentTcsIn(_Closed):
    potency: Potency
    applications_per_day: int = Field(ge=0, le=APPLICATIONS_PER_DAY_MAX)
    weeks: float = Field(ge=0, le=WEEKS_MAX)
    adherence: Adherence
    grams_per_week: float | None = Field(default=None, ge=0, le=GRAMS_PER_WEEK_MAX)
    agent: AgentId | None = Field(
        default=None, description="The steroid agent; its engine potency must equal `potency`."
    )


# One optional field per treatment, built from the engine's list.
TriedIn = create_model(
    "TriedIn",
    __base__=_Closed,
    __doc__="Outcome of each treatment tried; a missing key is `not_tried`.",
    **{key: (TriedOutcome, "not_tried") for key in TRIED_KEYS},
)


class Assessment(_Closed):
    """One assessment (contract.md, input). Only age, severity, sites and current_tcs are
    required; everything else has the default shown."""

    age_months: int = Field(ge=0, le=AGE_MONTHS_MAX, description="Age in completed months.")
    immunocompromised: bool = False
    pregnant_or_breastfeeding: bool = False
    barrier_disorder: bool = False
    on_phototherapy: bool = False
    liver_impairment: bool = False
    red_flags: RedFlagsIn = Field(default_factory=RedFlagsIn)
    severity: Severity
    sites: list[Site] = Field(min_length=1, description="At least one; no repeats.")
    bsa_percent: float | None = Field(default=None, ge=0, le=100)
    sleep_loss_nights_per_week: int = Field(default=0, ge=0, le=7)
    major_life_impact: bool = False
    current_tcs: CurrentTcsIn
    emollients_daily: bool = True
    steroid_concerns: bool = False
    tried: TriedIn = Field(default_factory=TriedIn)  # type: ignore[valid-type]
    suspected_contact_dermatitis: bool = False
    diagnostic_doubt: bool = False
    documented_food_allergy: bool = False
    elimination_diet_requested: bool = False


class _Open(BaseModel):
    # The contract may add fields: clients must ignore the ones they do not know.
    model_config = ConfigDict(extra="allow")


class StepOut(_Open):
    code: str
    title: str
    summary: str
    rationale: str
    products: list[dict[str, Any]]
    sources: list[str]


class CodedTextOut(_Open):
    code: str
    text: str
    sources: list[str] = []


class AvoidOut(_Open):
    code: str
    reason_code: str | None = None
    reason: str
    sources: list[str] = []


class ReferralOut(_Open):
    code: str
    urgency: Literal["same_day", "within_2_weeks", "routine"]
    reasons: list[str]


class AlertOut(_Open):
    code: str
    level: Literal["critical", "warning", "info"]
    text: str


class AdequacyOut(_Open):
    adequate: bool
    reasons: list[str]
    expected_grams_per_week: float | None
    ftu_per_application: float | None = None
    quantity_basis: Literal["bsa", "regions"] | None = None


class FollowUpOut(_Open):
    review_after_days: int
    refer_if: list[CodedTextOut]


class Recommendation(_Open):
    """The engine's result (contract.md, output), byte for byte what `manage.py recommend`
    prints for the same input."""

    contract: int
    ruleset_version: str
    next_step: StepOut
    after: StepOut | None
    alternatives: list[StepOut]
    also_do: list[CodedTextOut]
    avoid: list[AvoidOut]
    referrals: list[ReferralOut]
    alerts: list[AlertOut]
    adequacy: AdequacyOut
    follow_up: FollowUpOut
    instructions: dict[str, Any]
    fired_rules: list[str]


class Problem(BaseModel):
    path: str = Field(description="Where: a field path such as `current_tcs.weeks`; `[i].` "
                      "prefixes a batch item; `input` is the body as a whole.")  # fmt: skip
    message: str


class Error(BaseModel):
    """Every error response."""

    detail: str
    errors: list[Problem] = Field(description="Every problem found, never just the first.")
    messages: list[str] = Field(
        description="The same problems as `manage.py recommend` prints them: `path: message`."
    )


class FeedbackOut(BaseModel):
    outcome: str
    reason: str
    comment: str
    recorded_at: datetime


class ConsultationSummary(BaseModel):
    id: UUID
    patient_reference: str
    age_months: int | None
    severity: str
    next_step_code: str
    most_urgent_referral: str | None
    has_red_flags: bool
    ruleset_version: str
    completed_at: datetime
    url: str = Field(description="This consultation in the API.")


class ConsultationDetail(ConsultationSummary):
    engine_input: dict[str, Any] = Field(description="The assessment the engine evaluated.")
    engine_output: dict[str, Any] = Field(description="The recommendation it gave then.")
    feedback: FeedbackOut | None


class ConsultationPage(BaseModel):
    count: int
    page: int
    pages: int
    next: str | None
    previous: str | None
    results: list[ConsultationSummary]
