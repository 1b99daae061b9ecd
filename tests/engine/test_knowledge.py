"""The knowledge files are complete, consistent and sourced."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from decision.engine import POTENCIES, SITES, citation, citations, knowledge, potency_label

US_CLASS_LEVEL = {"1": "very_high", "2": "high", "3": "high", "4": "medium", "5": "medium"}
UK_GROUP_LEVEL = {"mild": "low", "moderate": "medium", "potent": "high", "very potent": "very_high"}


def test_every_tcs_agent_has_a_valid_potency_and_a_source():
    agents = knowledge.tcs_agents()
    assert len(agents) == 24  # knowledge.md § potency, hydrocortisone as its three strengths
    for agent in agents:
        assert agent.potency in POTENCIES[1:] and agent.sources
        assert agent.uk_group in ("", *UK_GROUP_LEVEL)


def test_engine_potency_follows_the_us_class_or_else_the_uk_group():
    for agent in knowledge.tcs_agents():
        expected = US_CLASS_LEVEL.get(agent.us_class, "low") if agent.us_class else None
        assert agent.potency == (expected or UK_GROUP_LEVEL[agent.uk_group]), agent.id


def test_legacy_hydrocortisone_is_accepted_but_not_offered():
    assert "hydrocortisone" in knowledge.tcs_agent_map()
    assert "hydrocortisone" not in {agent.id for agent in knowledge.tcs_agents()}
    assert {"hydrocortisone-0.5", "hydrocortisone-1", "hydrocortisone-2.5"} <= set(
        knowledge.tcs_agent_map()
    )


def test_betamethasone_valerate_cream_is_uk_potent_but_engine_medium():
    agent = knowledge.tcs_agent_map()["betamethasone-valerate-0.1-cream"]
    assert (agent.potency, agent.uk_label) == ("medium", "UK potent")
    assert knowledge.tcs_agent_map()["desonide-0.05"].uk_label == ""


@pytest.mark.parametrize(
    ("potency", "label"),
    [
        ("low", "Low (US class 6–7)"),
        ("medium", "Medium (US class 4–5)"),
        ("high", "High (US class 2–3)"),
        ("very_high", "Very high (US class 1)"),
    ],
)
def test_potency_labels_name_us_classes_only(potency, label):
    assert potency_label(potency) == label
    assert "UK" not in potency_label(potency)


def _source_keys_in(node: Any) -> set[str]:
    """Every source key a knowledge file cites (`sources` lists, `source` strings split at ';')."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sources":
                found.update(value)
            elif key == "source" and isinstance(value, str):
                found.update(part.strip() for part in value.split(";"))
            else:
                found |= _source_keys_in(value)
    elif isinstance(node, list):
        for item in node:
            found |= _source_keys_in(item)
    return found


KNOWLEDGE_FILES = sorted(
    path.stem for path in knowledge._DIR.glob("*.toml") if path.stem != "sources"
)


@pytest.mark.parametrize("name", KNOWLEDGE_FILES)
def test_every_source_a_knowledge_file_cites_has_a_readable_citation(name):
    keys = _source_keys_in(knowledge.load(name))
    missing = sorted(keys - knowledge.source_keys())
    assert not missing, missing


def test_citations_are_readable_in_order_without_repeats():
    got = citations(["SEED-TCS", "NICE CG57", "SEED-TCS"])
    assert [c.text for c in got] == [
        "Guideline summary (atopic dermatitis not improving on TCS, 2026)",
        "NICE CG57 Atopic eczema in under 12s (2007, updated 2023)",
    ]
    assert got[1].url == "https://www.nice.org.uk/guidance/cg57" and got[1].year == "2023"
    assert citation("SEED-PED").text == "Guideline summary (paediatric atopic dermatitis, 2026)"


def test_an_unknown_key_is_shown_as_itself_rather_than_failing():
    assert citation("Nobody 1999").to_dict() == {
        "key": "Nobody 1999",
        "text": "Nobody 1999",
        "year": "",
        "url": "",
    }


def test_every_source_row_is_complete():
    for row in knowledge.load("sources")["source"]:
        assert row["key"] and row["display"], row
        assert row["url"] == "" or row["url"].startswith("https://"), row
        assert row["year"] == "" or row["year"].isdigit(), row


def test_ftu_rows_cover_every_age_without_gaps():
    rows = knowledge.ftu_rows()
    assert rows[0].min_months == 0 and rows[-1].max_months == 1440
    for before, after in itertools.pairwise(rows):
        assert after.min_months == before.max_months + 1
    assert all(row.source for row in rows)


def test_every_site_maps_to_a_region():
    assert set(knowledge.ftu_settings()["site_regions"]) == set(SITES)


def test_every_product_has_sources_and_cautions():
    for pid, row in knowledge.products().items():
        assert row["sources"] and row["cautions"] and row["min_age_months"] >= 0, pid


def test_every_clinical_sentence_has_sources():
    texts = knowledge.texts()
    for group in ("alert", "also_do", "refer_if", "correction"):
        for code, entry in texts[group].items():
            assert entry["sources"], (group, code)
    for code, entry in texts["referral_reason"].items():
        assert entry["sources"] and entry["urgency"] in ("same_day", "within_2_weeks", "routine"), (
            code
        )


def test_poem_bands_cover_0_to_28():
    assert [knowledge.poem_band(s)["label"] for s in (0, 2, 3, 7, 8, 16, 17, 24, 25, 28)] == [
        "Clear or almost clear",
        "Clear or almost clear",
        "Mild",
        "Mild",
        "Moderate",
        "Moderate",
        "Severe",
        "Severe",
        "Very severe",
        "Very severe",
    ]
