"""Turn an engine input (contract.md) into the form posts a clinician would make, step by step."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from decision.engine import OTHER_FACTORS, PATIENT_FLAGS, RED_FLAGS, TRIED_KEYS
from decision.models import Consultation
from decision.questionnaire import CONDITIONS, QUESTIONS, STEP_OF

STEP_SLUGS = ("patient", "safety", "eczema", "treatment", "tried", "other")


def _ticks(data: dict[str, Any], names: tuple[str, ...] | list[str]) -> dict[str, str]:
    return {name: "on" for name in names if data.get(name)}


def _number(value: Any) -> str:
    return "" if value is None else str(value)


def patient_post(data: dict[str, Any], reference: str = "REF-1") -> dict[str, Any]:
    years, months = divmod(data["age_months"], 12)
    post: dict[str, Any] = {
        "patient_reference": reference,
        "age_years": str(years),
        "age_extra_months": str(months),
        # The conditional questions that were on the page for this age.
        "asked": [
            name
            for name, question in QUESTIONS.items()
            if question.type == "boolean"
            and CONDITIONS[name]
            and STEP_OF[name].applies(question, data)
        ],
    }
    post.update(_ticks(data, PATIENT_FLAGS))
    return post


def safety_post(data: dict[str, Any]) -> dict[str, Any]:
    return _ticks(data.get("red_flags") or {}, RED_FLAGS)


def eczema_post(data: dict[str, Any]) -> dict[str, Any]:
    post: dict[str, Any] = {
        "severity": data["severity"],
        "sites": list(data["sites"]),
        "bsa_percent": _number(data.get("bsa_percent")),
        "sleep_loss_nights_per_week": _number(data.get("sleep_loss_nights_per_week")),
    }
    post.update(_ticks(data, ["major_life_impact"]))
    return post


def treatment_post(data: dict[str, Any]) -> dict[str, Any]:
    tcs = data["current_tcs"]
    post: dict[str, Any] = {
        "potency": tcs["potency"],
        "applications_per_day": _number(tcs["applications_per_day"]),
        "weeks": _number(tcs["weeks"]),
        "adherence": tcs["adherence"],
        "grams_per_week": _number(tcs.get("grams_per_week")),
        "emollients_daily": "yes" if data.get("emollients_daily", True) else "no",
        "tcs_agent": tcs.get("agent") or "",
    }
    post.update(_ticks(data, ["steroid_concerns"]))
    return post


def tried_post(data: dict[str, Any]) -> dict[str, Any]:
    tried = data.get("tried") or {}
    return {key: tried.get(key, "not_tried") for key in TRIED_KEYS}


def other_post(data: dict[str, Any]) -> dict[str, Any]:
    return _ticks(data, OTHER_FACTORS)


POSTS = {
    "patient": patient_post,
    "safety": safety_post,
    "eczema": eczema_post,
    "treatment": treatment_post,
    "tried": tried_post,
    "other": other_post,
}


def step_url(consultation: Consultation, slug: str) -> str:
    return reverse("consultation_step", args=[consultation.pk, slug])


def versioned(consultation: Consultation, post: dict[str, Any]) -> dict[str, Any]:
    """The post as the page sends it: with the version it was built from (the stored one)."""
    version = Consultation.objects.values_list("version", flat=True).get(pk=consultation.pk)
    return {**post, "_version": str(version)}


def enter(client: Client, data: dict[str, Any], reference: str = "REF-1") -> Consultation:
    """Answer the six question steps through the forms; returns the draft consultation."""
    response = client.post(reverse("consultation_new"), patient_post(data, reference))
    assert response.status_code == 302, response.content.decode()
    consultation = Consultation.objects.latest("created_at")
    for slug in STEP_SLUGS[1:]:
        response = client.post(
            step_url(consultation, slug), versioned(consultation, POSTS[slug](data))
        )
        assert response.status_code == 302, (slug, response.content.decode())
    consultation.refresh_from_db()
    return consultation


def complete(client: Client, consultation: Consultation) -> Any:
    return client.post(step_url(consultation, "check"), versioned(consultation, {}))
