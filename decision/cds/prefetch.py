"""What the EHR's prefetch says about the patient, read the conservative way.

Only data that is unambiguous and coded as decision/cds/codes.py describes is used; everything
else is a gap, said in plain words on the card. Names, identifiers and the birth date are read
only to work out the age in completed months, and never kept.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from decision.cds import codes
from decision.engine import SITES
from decision.engine.assessment import AGE_MONTHS_MAX, APPLICATIONS_PER_DAY_MAX, WEEKS_MAX
from decision.engine.knowledge import TcsAgent, tcs_agent_map

FULL_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
ACTIVE_CLINICAL = {"active", "recurrence", "relapse"}
EXCLUDED_VERIFICATION = {"entered-in-error", "refuted"}
PERIOD_DAYS = {"h": 1 / 24, "d": 1, "wk": 7}
DURATION_WEEKS = {"d": 1 / 7, "wk": 1, "mo": 30 / 7}


@dataclass
class Findings:
    """What the record gave, and what it did not (`gaps`, in words for the card)."""

    age_months: int | None = None
    severity: str | None = None
    sites: tuple[str, ...] = ()
    agent: TcsAgent | None = None
    applications_per_day: int | None = None
    weeks: float | None = None
    gaps: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return None not in (
            self.age_months, self.severity, self.agent, self.applications_per_day, self.weeks
        ) and bool(self.sites)  # fmt: skip

    def engine_input(self) -> dict[str, Any]:
        """The assessment for the engine (only when complete). What the record cannot say takes
        the contract's defaults, and the card names each assumption."""
        assert self.complete and self.agent is not None
        return {
            "age_months": self.age_months,
            "severity": self.severity,
            "sites": list(self.sites),
            "current_tcs": {
                "potency": self.agent.potency,
                "applications_per_day": self.applications_per_day,
                "weeks": self.weeks,
                # Assumed: a prescription does not say how well it was used. The card says so.
                "adherence": "good",
                "agent": self.agent.id,
            },
        }

    def prefill(self) -> dict[str, Any]:
        """The questionnaire answers the record gives (the rest is asked): engine-shaped, with
        the chosen agent in the questionnaire's extras."""
        answers: dict[str, Any] = {}
        if self.age_months is not None:
            answers["age_months"] = self.age_months
        if self.severity:
            answers["severity"] = self.severity
        if self.sites:
            answers["sites"] = list(self.sites)
        if self.agent is not None:
            tcs: dict[str, Any] = {"potency": self.agent.potency}
            if self.applications_per_day is not None:
                tcs["applications_per_day"] = self.applications_per_day
            if self.weeks is not None:
                tcs["weeks"] = self.weeks
            answers["current_tcs"] = tcs
            answers["extras"] = {"tcs_agent": self.agent.id}
        return answers


def _codings(concept: Any) -> list[tuple[str, str]]:
    if not isinstance(concept, dict) or not isinstance(concept.get("coding"), list):
        return []
    return [
        (c.get("system"), c.get("code"))
        for c in concept["coding"]
        if isinstance(c, dict) and isinstance(c.get("system"), str)
        and isinstance(c.get("code"), str)
    ]  # fmt: skip


def _status(concept: Any) -> set[str]:
    """The codes of a status concept (clinicalStatus, verificationStatus), whatever the system."""
    if not isinstance(concept, dict) or not isinstance(concept.get("coding"), list):
        return set()
    return {c.get("code") for c in concept["coding"] if isinstance(c, dict)} - {None}


def _resources(value: Any, resource_type: str, patient_id: str) -> list[dict[str, Any]]:
    """The resources of one type in a prefetch value (a resource or a searchset Bundle) that are
    about this patient. A resource naming another patient is left out: never mix patients."""
    if not isinstance(value, dict):
        return []
    if value.get("resourceType") == "Bundle":
        entries = value.get("entry") if isinstance(value.get("entry"), list) else []
        items = [e.get("resource") for e in entries if isinstance(e, dict)]
    else:
        items = [value]
    found = []
    for item in items:
        if not isinstance(item, dict) or item.get("resourceType") != resource_type:
            continue
        subject = item.get("subject")
        reference = subject.get("reference") if isinstance(subject, dict) else None
        if reference is not None and reference != f"Patient/{patient_id}":
            continue
        found.append(item)
    return found


def _date(text: Any) -> date | None:
    match = FULL_DATE.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def age_in_months(birth: date, today: date) -> int:
    """Completed months: a month counts once its day of the month is reached."""
    months = (today.year - birth.year) * 12 + today.month - birth.month
    return months - (1 if today.day < birth.day else 0)


def _read_age(patient: Any, patient_id: str, findings: Findings, today: date) -> None:
    patients = _resources(patient, "Patient", patient_id)
    birth = _date(patients[0].get("birthDate")) if patients else None
    if patients and patients[0].get("id") not in (None, patient_id):
        birth = None
    months = age_in_months(birth, today) if birth else None
    if months is None or not 0 <= months <= AGE_MONTHS_MAX:
        # Conservative: a year or year-month alone could be 11 months out; ask instead.
        findings.gaps.append("the age (a full date of birth is needed)")
        return
    findings.age_months = months


def _read_conditions(conditions: list[dict[str, Any]], findings: Findings) -> None:
    wanted = set(codes.ATOPIC_DERMATITIS)
    atopic = [
        c
        for c in conditions
        if wanted & set(_codings(c.get("code")))
        and _status(c.get("clinicalStatus")) & ACTIVE_CLINICAL
        and not _status(c.get("verificationStatus")) & EXCLUDED_VERIFICATION
    ]
    severities = {
        codes.SEVERITY_CODES[coding]
        for c in atopic
        for coding in _codings(c.get("severity"))
        if coding in codes.SEVERITY_CODES
    }
    if len(severities) == 1:
        findings.severity = severities.pop()
    elif severities:
        # Conservative: conditions that disagree are not averaged or ranked; the clinician says.
        findings.gaps.append("the severity (the conditions record different severities)")
    else:
        findings.gaps.append("the severity (not coded on an active atopic dermatitis condition)")
    for c in atopic:
        sites = c.get("bodySite") if isinstance(c.get("bodySite"), list) else []
        for concept in sites:
            findings.sites += tuple(
                codes.SITE_CODES[coding]
                for coding in _codings(concept)
                if coding in codes.SITE_CODES
            )


def _per_day(dosage: dict[str, Any]) -> int | None:
    if dosage.get("asNeededBoolean") is True or "asNeededCodeableConcept" in dosage:
        return None
    timing = dosage.get("timing") if isinstance(dosage.get("timing"), dict) else {}
    repeat = timing.get("repeat") if isinstance(timing.get("repeat"), dict) else {}
    frequency, period, unit = (
        repeat.get("frequency"),
        repeat.get("period", 1),
        repeat.get("periodUnit"),
    )
    per_day: float | None = None
    if (
        isinstance(frequency, int | float) and frequency >= 0
        and isinstance(period, int | float) and period > 0 and unit in PERIOD_DAYS
    ):  # fmt: skip
        per_day = frequency / (period * PERIOD_DAYS[unit])
    else:
        per_day = next(
            (
                codes.TIMING_CODES[code]
                for system, code in _codings(timing.get("code"))
                if system == codes.GTS_ABBREVIATION and code in codes.TIMING_CODES
            ),
            None,
        )
    if per_day is None or not math.isfinite(per_day):
        return None
    # Conservative: less than once a day counts as 0 a day (the trial is then called too
    # infrequent), never rounded up.
    whole = math.floor(per_day + 1e-9)
    return whole if whole <= APPLICATIONS_PER_DAY_MAX else None


def _weeks(request: dict[str, Any], dosage: dict[str, Any], today: date) -> float | None:
    timing = dosage.get("timing") if isinstance(dosage.get("timing"), dict) else {}
    repeat = timing.get("repeat") if isinstance(timing.get("repeat"), dict) else {}
    bounds = repeat.get("boundsPeriod") if isinstance(repeat.get("boundsPeriod"), dict) else {}
    start = _date(bounds.get("start")) or _date(request.get("authoredOn"))
    if start is None or start > today:
        return None
    weeks = (today - start).days / 7
    duration = repeat.get("boundsDuration")
    if isinstance(duration, dict) and isinstance(duration.get("value"), int | float):
        factor = DURATION_WEEKS.get(duration.get("code") or duration.get("unit"))
        if factor:
            # A course that ended is as long as it was planned.
            weeks = min(weeks, duration["value"] * factor)
    # Conservative: rounded down, so a trial is never made to look long enough by rounding.
    return min(math.floor(weeks * 10) / 10, WEEKS_MAX)


def _read_medications(requests: list[dict[str, Any]], findings: Findings, today: date) -> None:
    agents = tcs_agent_map()
    recognised = [
        (agents[code], request)
        for request in requests
        if request.get("status") == "active"
        for system, code in _codings(request.get("medicationCodeableConcept"))
        if system == codes.SYSTEM_TCS_AGENT and code in agents
    ]
    distinct = {agent.id for agent, _ in recognised}
    if not distinct:
        # Conservative: no recognised prescription is not taken to mean "no steroid used".
        findings.gaps.append(
            "the topical corticosteroid (no active prescription with a known code)"
        )
        return
    if len(distinct) > 1:
        names = ", ".join(sorted(agents[a].label for a in distinct))
        findings.gaps.append(f"which topical corticosteroid is the current one ({names})")
        return
    agent, request = max(recognised, key=lambda pair: str(pair[1].get("authoredOn") or ""))
    findings.agent = agent
    dosages = (
        request.get("dosageInstruction")
        if isinstance(request.get("dosageInstruction"), list)
        else []
    )
    dosage = dosages[0] if dosages and isinstance(dosages[0], dict) else {}
    findings.applications_per_day = _per_day(dosage)
    if findings.applications_per_day is None:
        findings.gaps.append("how often the steroid is applied (no daily frequency in the dosage)")
    findings.weeks = _weeks(request, dosage, today)
    if findings.weeks is None:
        findings.gaps.append("how long the course has lasted (no start date)")
    for item in dosages:
        if isinstance(item, dict):
            findings.sites += tuple(
                codes.SITE_CODES[coding]
                for coding in _codings(item.get("site"))
                if coding in codes.SITE_CODES
            )


def read(prefetch: dict[str, Any], patient_id: str, today: date | None = None) -> Findings:
    """Findings from the prefetch keys `patient`, `conditions` and `medications`."""
    today = today or timezone.localdate()
    findings = Findings()
    _read_age(prefetch.get("patient"), patient_id, findings, today)
    _read_conditions(_resources(prefetch.get("conditions"), "Condition", patient_id), findings)
    _read_medications(
        _resources(prefetch.get("medications"), "MedicationRequest", patient_id), findings, today
    )
    findings.sites = tuple(site for site in SITES if site in findings.sites)
    if not findings.sites:
        findings.gaps.append("the affected sites (no body site coded)")
    return findings
