"""The knowledge files are complete, consistent and sourced."""

from __future__ import annotations

import itertools

from decision.engine import POTENCIES, SITES, knowledge


def test_every_tcs_agent_has_a_valid_potency_and_a_source():
    agents = knowledge.tcs_agents()
    assert len(agents) == 22
    for agent in agents:
        assert agent.potency in POTENCIES[1:] and agent.source


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
