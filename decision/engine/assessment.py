"""The engine's input: frozen dataclasses plus parsing/validation into field errors.

Validation follows contract.md exactly: unknown keys, wrong types, out-of-range numbers and
unknown enum values are errors, each reported as ``field.path: message``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from decision.engine import knowledge

SEVERITIES: tuple[str, ...] = ("mild", "moderate", "severe")
SITES: tuple[str, ...] = (
    "face",
    "eyelids",
    "neck",
    "scalp",
    "flexures",
    "hands",
    "feet",
    "arms",
    "legs",
    "trunk",
    "genitals",
)
# Stage C: body sites need more than low potency; sensitive sites do not.
BODY_SITES: frozenset[str] = frozenset({"trunk", "arms", "legs", "hands", "feet", "scalp"})
SENSITIVE_SITES: frozenset[str] = frozenset({"face", "eyelids", "neck", "flexures", "genitals"})
POTENCIES: tuple[str, ...] = ("none", "low", "medium", "high", "very_high")
ADHERENCE: tuple[str, ...] = ("good", "partial", "poor")
TRIED_KEYS: tuple[str, ...] = (
    "wet_wraps",
    "tci",
    "crisaborole",
    "ruxolitinib",
    "tapinarof",
    "roflumilast",
    "phototherapy",
    "dupilumab",
    "other_systemic",
)
TRIED_OUTCOMES: tuple[str, ...] = ("not_tried", "helped", "inadequate_response", "not_tolerated")
FAILED_OUTCOMES: frozenset[str] = frozenset({"inadequate_response", "not_tolerated"})

PATIENT_FLAGS: tuple[str, ...] = (
    "immunocompromised",
    "pregnant_or_breastfeeding",
    "barrier_disorder",
    "on_phototherapy",
    "liver_impairment",
)
RED_FLAGS: tuple[str, ...] = (
    "herpeticum_signs",
    "infection_signs",
    "systemically_unwell",
    "infection_unresponsive",
)
OTHER_FACTORS: tuple[str, ...] = (
    "suspected_contact_dermatitis",
    "diagnostic_doubt",
    "documented_food_allergy",
    "elimination_diet_requested",
)

AGE_MONTHS_MAX = 1440
WEEKS_MAX = 520
GRAMS_PER_WEEK_MAX = 2000
APPLICATIONS_PER_DAY_MAX = 4


@dataclass(frozen=True)
class FieldError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class AssessmentError(ValueError):
    """Raised with every problem found, never just the first."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors: list[FieldError] = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


@dataclass(frozen=True)
class RedFlags:
    herpeticum_signs: bool = False
    infection_signs: bool = False
    systemically_unwell: bool = False
    infection_unresponsive: bool = False


@dataclass(frozen=True)
class CurrentTCS:
    potency: str
    applications_per_day: int
    weeks: float
    adherence: str
    grams_per_week: float | None = None
    # An id of knowledge.md § potency (tcs_agents.toml), or None when only the potency is known.
    agent: str | None = None


def _all_not_tried() -> dict[str, str]:
    return {key: "not_tried" for key in TRIED_KEYS}


@dataclass(frozen=True)
class Assessment:
    age_months: int
    severity: str
    sites: tuple[str, ...]
    current_tcs: CurrentTCS
    immunocompromised: bool = False
    pregnant_or_breastfeeding: bool = False
    barrier_disorder: bool = False
    on_phototherapy: bool = False
    liver_impairment: bool = False
    red_flags: RedFlags = field(default_factory=RedFlags)
    bsa_percent: float | None = None
    sleep_loss_nights_per_week: int = 0
    major_life_impact: bool = False
    emollients_daily: bool = True
    steroid_concerns: bool = False
    # Always holds every key of TRIED_KEYS (missing ones are "not_tried").
    tried: Mapping[str, str] = field(default_factory=_all_not_tried)
    suspected_contact_dermatitis: bool = False
    diagnostic_doubt: bool = False
    documented_food_allergy: bool = False
    elimination_diet_requested: bool = False

    def failed(self, treatment: str) -> bool:
        """True when `treatment` was already tried with an inadequate response or not tolerated."""
        return self.tried.get(treatment, "not_tried") in FAILED_OUTCOMES

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON form (every field explicit), which parses back to an equal value."""
        return {
            "age_months": self.age_months,
            **{name: getattr(self, name) for name in PATIENT_FLAGS},
            "red_flags": {name: getattr(self.red_flags, name) for name in RED_FLAGS},
            "severity": self.severity,
            "sites": list(self.sites),
            "bsa_percent": self.bsa_percent,
            "sleep_loss_nights_per_week": self.sleep_loss_nights_per_week,
            "major_life_impact": self.major_life_impact,
            "current_tcs": {
                "potency": self.current_tcs.potency,
                "applications_per_day": self.current_tcs.applications_per_day,
                "weeks": self.current_tcs.weeks,
                "adherence": self.current_tcs.adherence,
                "grams_per_week": self.current_tcs.grams_per_week,
                "agent": self.current_tcs.agent,
            },
            "emollients_daily": self.emollients_daily,
            "steroid_concerns": self.steroid_concerns,
            "tried": {key: self.tried[key] for key in TRIED_KEYS},
            **{name: getattr(self, name) for name in OTHER_FACTORS},
        }


class StageAFacts(Protocol):
    """What stage A reads: an Assessment, or a StageAInput for stage A alone."""

    @property
    def age_months(self) -> int: ...
    @property
    def pregnant_or_breastfeeding(self) -> bool: ...
    @property
    def red_flags(self) -> RedFlags: ...
    @property
    def sites(self) -> tuple[str, ...]: ...
    @property
    def bsa_percent(self) -> float | None: ...


@dataclass(frozen=True)
class StageAInput:
    """The partial input of stage A alone (the emergency fast path; contract.md's addition).

    `sites` may be empty (not yet known): it only adds ophthalmology for the eyelids (A1).
    `bsa_percent` may be null: it only decides erythroderma (A2).
    """

    age_months: int
    red_flags: RedFlags = field(default_factory=RedFlags)
    sites: tuple[str, ...] = ()
    bsa_percent: float | None = None
    immunocompromised: bool = False
    pregnant_or_breastfeeding: bool = False
    barrier_disorder: bool = False
    on_phototherapy: bool = False
    liver_impairment: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (every field explicit); parse_stage_a reads it back to an equal value."""
        return {
            "age_months": self.age_months,
            **{name: getattr(self, name) for name in PATIENT_FLAGS},
            "red_flags": {name: getattr(self.red_flags, name) for name in RED_FLAGS},
            "sites": list(self.sites),
            "bsa_percent": self.bsa_percent,
        }


_MISSING = object()


class _Reader:
    """Collects every problem while reading one JSON object (never stops at the first)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.errors: list[FieldError] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(FieldError(f"{self.prefix}{path}", message))

    def obj(self, value: Any, path: str, allowed: Sequence[str]) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.error(path, "must be an object")
            return None
        for key in value:
            if key not in allowed:
                where = f"{path}.{key}" if path else str(key)
                self.error(where, "unknown field")
        return value

    def boolean(self, data: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
        value = data.get(key, _MISSING)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.error(path, "must be true or false")
            return default
        return value

    def integer(
        self, data: Mapping[str, Any], key: str, path: str, lo: int, hi: int, default: Any
    ) -> Any:
        value = data.get(key, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                self.error(path, "is required")
            return None if default is _MISSING else default
        # JSON has one number type: 84.0 is the integer 84, 84.5 is not.
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(path, "must be a whole number")
            return None
        if isinstance(value, float):
            if not math.isfinite(value) or not value.is_integer():
                self.error(path, "must be a whole number")
                return None
            value = int(value)
        if not lo <= value <= hi:
            self.error(path, f"must be between {lo} and {hi}")
            return None
        return value

    def number(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        lo: float,
        hi: float,
        *,
        required: bool,
        nullable: bool,
    ) -> float | int | None:
        value = data.get(key, _MISSING)
        if value is _MISSING:
            if required:
                self.error(path, "is required")
            return None
        if value is None:
            if not nullable:
                self.error(path, "must be a number")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(path, "must be a number" + (" or null" if nullable else ""))
            return None
        if not math.isfinite(value):
            self.error(path, "must be a finite number")
            return None
        if not lo <= value <= hi:
            self.error(path, f"must be between {lo:g} and {hi:g}")
            return None
        return value

    def choice(
        self, data: Mapping[str, Any], key: str, path: str, choices: Sequence[str], default: Any
    ) -> str | None:
        value = data.get(key, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                self.error(path, "is required")
                return None
            return default
        if not isinstance(value, str) or value not in choices:
            self.error(path, f"must be one of: {', '.join(choices)}")
            return None
        return value


_TOP_LEVEL_KEYS: tuple[str, ...] = (
    "age_months",
    *PATIENT_FLAGS,
    "red_flags",
    "severity",
    "sites",
    "bsa_percent",
    "sleep_loss_nights_per_week",
    "major_life_impact",
    "current_tcs",
    "emollients_daily",
    "steroid_concerns",
    "tried",
    *OTHER_FACTORS,
)
_TCS_KEYS: tuple[str, ...] = (
    "potency",
    "applications_per_day",
    "weeks",
    "adherence",
    "grams_per_week",
    "agent",
)


def _read_sites(
    reader: _Reader, data: Mapping[str, Any], *, required: bool = True
) -> tuple[str, ...] | None:
    """`sites`: required and non-empty for the full contract; optional (and possibly empty)
    for stage A alone."""
    value = data.get("sites", _MISSING)
    if value is _MISSING:
        if required:
            reader.error("sites", "is required")
            return None
        return ()
    if not isinstance(value, list):
        reader.error("sites", "must be a list of sites")
        return None
    if not value and required:
        reader.error("sites", "must name at least one site")
        return None
    seen: list[str] = []
    ok = True
    for i, site in enumerate(value):
        if not isinstance(site, str) or site not in SITES:
            reader.error(f"sites[{i}]", f"must be one of: {', '.join(SITES)}")
            ok = False
        elif site in seen:
            reader.error(f"sites[{i}]", f"repeats '{site}'")
            ok = False
        else:
            seen.append(site)
    # Sites are a set: keep them in the contract's order so the same answers always give the
    # same result, however they were listed.
    return tuple(site for site in SITES if site in seen) if ok else None


def _read_agent(reader: _Reader, data: Mapping[str, Any], potency: str | None) -> str | None:
    """`current_tcs.agent`: a known id whose engine potency is `current_tcs.potency`."""
    value = data.get("agent")
    if value is None:
        return None
    path = "current_tcs.agent"
    agent = knowledge.tcs_agent_map().get(value) if isinstance(value, str) else None
    if agent is None:
        reader.error(
            path,
            "must be null or an agent id of the potency table (e.g. mometasone-0.1-cream)",
        )
        return None
    if potency is not None and agent.potency != potency:
        reader.error(
            path,
            f"{agent.label} is {agent.potency} ({knowledge.potency_label(agent.potency)}), "
            f"but current_tcs.potency is {potency}",
        )
        return None
    return agent.id


def _read_red_flags(reader: _Reader, root: Mapping[str, Any]) -> RedFlags:
    raw_flags = root.get("red_flags", _MISSING)
    if raw_flags is _MISSING:
        return RedFlags()
    flag_data = reader.obj(raw_flags, "red_flags", RED_FLAGS)
    if flag_data is None:
        return RedFlags()
    return RedFlags(**{n: reader.boolean(flag_data, n, f"red_flags.{n}", False) for n in RED_FLAGS})


def _read_bsa(reader: _Reader, root: Mapping[str, Any]) -> float | None:
    return reader.number(root, "bsa_percent", "bsa_percent", 0, 100, required=False, nullable=True)


def _read_root(data: Any, prefix: str, keys: Sequence[str]) -> tuple[_Reader, Mapping[str, Any]]:
    reader = _Reader(prefix)
    root = reader.obj(data, "", keys)
    if root is None:
        # An empty path reads badly; name the document itself.
        raise AssessmentError([FieldError(prefix.rstrip(".") or "input", "must be a JSON object")])
    return reader, root


STAGE_A_KEYS: tuple[str, ...] = ("age_months", *PATIENT_FLAGS, "red_flags", "sites", "bsa_percent")


def parse_stage_a(data: Any, prefix: str = "") -> StageAInput:
    """Validate the partial input of stage A alone (contract.md's addition) into a StageAInput.

    The fields are those of the full contract, with the same rules and the same
    ``field.path: message`` errors, except that `sites` is optional and may be empty. Any other
    key (severity, current_tcs, …) is an unknown field: the caller sends stage A's facts only
    (STAGE_A_KEYS). Raises AssessmentError listing every problem.
    """
    reader, root = _read_root(data, prefix, STAGE_A_KEYS)
    age = reader.integer(root, "age_months", "age_months", 0, AGE_MONTHS_MAX, _MISSING)
    flags = {name: reader.boolean(root, name, name, False) for name in PATIENT_FLAGS}
    red_flags = _read_red_flags(reader, root)
    sites = _read_sites(reader, root, required=False)
    bsa = _read_bsa(reader, root)
    if reader.errors:
        raise AssessmentError(reader.errors)
    assert age is not None and sites is not None
    return StageAInput(age_months=age, red_flags=red_flags, sites=sites, bsa_percent=bsa, **flags)


def parse_assessment(data: Any, prefix: str = "") -> Assessment:
    """Validate a JSON-like object against contract.md and build an Assessment.

    Raises AssessmentError listing every problem as ``field.path: message`` (paths prefixed by
    `prefix`, e.g. ``[3].`` for batch item 3).
    """
    reader, root = _read_root(data, prefix, _TOP_LEVEL_KEYS)

    age = reader.integer(root, "age_months", "age_months", 0, AGE_MONTHS_MAX, _MISSING)
    flags = {name: reader.boolean(root, name, name, False) for name in PATIENT_FLAGS}
    red_flags = _read_red_flags(reader, root)

    severity = reader.choice(root, "severity", "severity", SEVERITIES, _MISSING)
    sites = _read_sites(reader, root)
    bsa = _read_bsa(reader, root)
    sleep = reader.integer(
        root, "sleep_loss_nights_per_week", "sleep_loss_nights_per_week", 0, 7, 0
    )
    major_impact = reader.boolean(root, "major_life_impact", "major_life_impact", False)

    tcs: CurrentTCS | None = None
    raw_tcs = root.get("current_tcs", _MISSING)
    if raw_tcs is _MISSING:
        reader.error("current_tcs", "is required")
    else:
        tcs_data = reader.obj(raw_tcs, "current_tcs", _TCS_KEYS)
        if tcs_data is not None:
            potency = reader.choice(tcs_data, "potency", "current_tcs.potency", POTENCIES, _MISSING)
            per_day = reader.integer(
                tcs_data,
                "applications_per_day",
                "current_tcs.applications_per_day",
                0,
                APPLICATIONS_PER_DAY_MAX,
                _MISSING,
            )
            weeks = reader.number(
                tcs_data,
                "weeks",
                "current_tcs.weeks",
                0,
                WEEKS_MAX,
                required=True,
                nullable=False,
            )
            adherence = reader.choice(
                tcs_data, "adherence", "current_tcs.adherence", ADHERENCE, _MISSING
            )
            grams = reader.number(
                tcs_data,
                "grams_per_week",
                "current_tcs.grams_per_week",
                0,
                GRAMS_PER_WEEK_MAX,
                required=False,
                nullable=True,
            )
            agent = _read_agent(reader, tcs_data, potency)
            if None not in (potency, per_day, weeks, adherence):
                tcs = CurrentTCS(
                    potency=potency,  # type: ignore[arg-type]
                    applications_per_day=per_day,
                    weeks=weeks,  # type: ignore[arg-type]
                    adherence=adherence,  # type: ignore[arg-type]
                    grams_per_week=grams,
                    agent=agent,
                )

    emollients = reader.boolean(root, "emollients_daily", "emollients_daily", True)
    concerns = reader.boolean(root, "steroid_concerns", "steroid_concerns", False)

    tried = _all_not_tried()
    raw_tried = root.get("tried", _MISSING)
    if raw_tried is not _MISSING:
        tried_data = reader.obj(raw_tried, "tried", TRIED_KEYS)
        if tried_data is not None:
            for key in TRIED_KEYS:
                outcome = reader.choice(
                    tried_data, key, f"tried.{key}", TRIED_OUTCOMES, "not_tried"
                )
                if outcome is not None:
                    tried[key] = outcome

    factors = {name: reader.boolean(root, name, name, False) for name in OTHER_FACTORS}

    if reader.errors:
        raise AssessmentError(reader.errors)
    assert age is not None and severity is not None and sites is not None and tcs is not None
    return Assessment(
        age_months=age,
        severity=severity,
        sites=sites,
        current_tcs=tcs,
        red_flags=red_flags,
        bsa_percent=bsa,
        sleep_loss_nights_per_week=sleep,
        major_life_impact=major_impact,
        emollients_daily=emollients,
        steroid_concerns=concerns,
        tried=tried,
        **flags,
        **factors,
    )
