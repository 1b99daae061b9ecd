"""The knowledge files agree with the specification the project ships (docs/clinical/)."""

from __future__ import annotations

import re
from pathlib import Path

from decision.engine import RULESET_VERSION, knowledge

DOCS = Path(__file__).resolve().parents[2] / "docs" / "clinical"


def section(name: str, heading: str) -> str:
    text = (DOCS / name).read_text(encoding="utf-8")
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end != -1 else None]


def table_rows(text: str) -> list[list[str]]:
    rows = [line for line in text.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def test_the_agent_table_is_knowledge_md_row_for_row():
    expected: dict[str, tuple[str, str, str, str]] = {}
    for ids, label, us_class, uk_group, engine in table_rows(
        section("knowledge.md", "## Topical corticosteroid potency")
    ):
        for agent_id in re.findall(r"`([^`]+)`", ids):
            us = "" if us_class == "—" else us_class
            uk = "" if uk_group == "—" else uk_group
            expected[agent_id] = (us, uk, engine, label)
    agents = {a.id: a for a in knowledge.tcs_agents()}
    assert set(agents) == set(expected)
    for agent_id, (us, uk, engine, label) in expected.items():
        agent = agents[agent_id]
        assert (agent.us_class, agent.uk_group, agent.potency) == (us, uk, engine), agent_id
        if not agent_id.startswith("hydrocortisone-"):
            assert agent.label == label, agent_id


def test_every_source_key_of_knowledge_md_has_a_citation():
    keys: set[str] = set()
    for key_cell, _display in table_rows(section("knowledge.md", "## Sources")):
        if key_cell.startswith("US PI"):
            continue  # one row per named product in sources.toml
        for part in re.split(r" / |; ", key_cell):
            keys.add(part)
    # "NICE TA81 / TA82" names TA82 without its prefix.
    keys = {"NICE TA82" if key == "TA82" else key for key in keys}
    assert keys <= knowledge.source_keys(), keys - knowledge.source_keys()


def test_the_seeds_are_shown_as_readme_section_4_words_them():
    readme = " ".join((DOCS / "README.md").read_text(encoding="utf-8").split())
    for key in ("SEED-PED", "SEED-TCS"):
        assert f'"{knowledge.citation(key).text}"' in readme


def test_the_contract_ends_with_the_stage_a_addition_and_names_this_rule_set():
    contract = (DOCS / "contract.md").read_text(encoding="utf-8")
    addition = "## Addition (not part of contract version 1's full evaluation): stage A alone"
    full, _, added = contract.partition(addition)
    assert added and "\n## " not in added
    assert f'"ruleset_version": "{RULESET_VERSION}"' in full
    assert '"stage_a_only": true' in added


def test_the_shipped_specification_s_vignettes_are_the_ones_the_tests_run():
    tests_copy = Path(__file__).resolve().parents[1] / "data" / "vignettes.json"
    assert (DOCS / "vignettes.json").read_bytes() == tests_copy.read_bytes()
