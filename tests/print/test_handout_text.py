"""decision/handout_text.py: every patient-facing word, marked for translation, matching the
engine's clinically reviewed English (decision/engine/knowledge/handout.toml)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils.functional import Promise
from django.utils.translation import override

from decision import documents
from decision import handout_text as words
from decision.engine import SITES, evaluate, parse_assessment
from decision.engine.knowledge import policy, products
from tests.print.cases import CASES

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "decision" / "handout"
STEP_CODES = sorted(policy()["review_after_days"])

# Where the handout deliberately differs from the engine's English, with the reason.
KNOWN_DIFFERENCES: dict[str, str] = {}


def _engine_text(text: str) -> str:
    return KNOWN_DIFFERENCES.get(text, text)


def _strings(value):
    if isinstance(value, words.Voiced):
        yield value.child
        yield value.adult
    elif isinstance(value, words.ProductText):
        for part in (value.what, value.how_long, *value.expect, *value.safety):
            yield from _strings(part)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _strings(item)
    else:
        yield value


def test_every_patient_facing_string_is_marked_for_translation():
    names = [name for name in dir(words) if name.isupper()]
    assert len(names) > 30
    for name in names:
        for text in _strings(getattr(words, name)):
            assert isinstance(text, Promise), f"{name}: {text!r} is not a gettext_lazy string"


def test_every_step_code_has_a_headline_and_a_template():
    assert sorted(words.STEPS) == STEP_CODES
    for code in STEP_CODES:
        assert (TEMPLATES / "steps" / f"{code}.html").is_file(), code


def test_every_product_site_and_frequency_has_words():
    assert sorted(words.PRODUCTS) == sorted(products())
    assert sorted(words.SITES) == sorted(SITES)
    assert {p["frequency"] for p in products().values()} <= set(words.FREQUENCY)
    assert {p["form"] for p in products().values()} <= set(words.FORMS)


@pytest.mark.parametrize("case", sorted(CASES))
def test_handout_words_match_the_engines_english(case):
    output = evaluate(parse_assessment(CASES[case])).to_dict()
    instructions = output["instructions"]
    with override("en-gb"):
        handout = documents.handout_context(output, dt.date(2026, 11, 21))
        assert handout["headline"] == instructions["headline"]
        assert handout["text"] == instructions["text"]
        assert handout["fingertip_unit"] == instructions["fingertip_unit"]
        assert handout["under_3_months"] == instructions["under_3_months_note"]
        for block in instructions["products"]:
            assert handout["where"] == block["where"]
        for ours, theirs in zip(handout["products"], instructions["products"], strict=True):
            assert ours["id"] == theirs["id"]
            # The handout ends the phrase with a full stop; the words are the engine's.
            assert ours["what"].rstrip(".") == theirs["what"].rstrip(".")
            assert ours["how_often"] == theirs["how_often"]
            assert ours["how_long"] == theirs["how_long"]
            assert ours["expect"] == theirs["expect"]
            assert ours["safety"] == theirs["safety"]
            assert [row.label for row in handout["how_much"]] == [
                row["label"] for row in theirs["how_much"]
            ]
        if instructions["wet_wraps"]:
            assert handout["wet_wraps"]["steps"] == instructions["wet_wraps"]["steps"]
            assert handout["wet_wraps"]["safety"] == instructions["wet_wraps"]["safety"]
        else:
            assert handout["wet_wraps"] is None
        emollients = instructions["emollients"]
        assert handout["emollients"]["title"] == emollients["title"]
        assert handout["emollients"]["amount"] == emollients["amount_per_week"]
        assert handout["emollients"]["how"] == emollients["how"]
        assert handout["emollients"]["fire_warning"] == emollients["fire_warning"]
        assert handout["maintenance"]["title"] == instructions["maintenance"]["title"]
        assert handout["maintenance"]["text"] == instructions["maintenance"]["text"]
        assert handout["diet"] == instructions["diet"]
        for key in ("get_help_same_day", "get_help_soon"):
            assert handout[key]["title"] == instructions[key]["title"]
            assert handout[key]["items"] == [_engine_text(t) for t in instructions[key]["items"]]
        assert handout["review"] == instructions["review"]


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="msgfmt not installed (apt gettext)")
def test_a_second_language_needs_a_catalogue_and_no_logic_change(tmp_path, settings):
    messages = tmp_path / "locale" / "fr" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    (messages / "django.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Get help the same day if:"\nmsgstr "Consultez le jour même si :"\n\n'
        'msgid "A fever, or your child seems very unwell"\n'
        'msgstr "De la fièvre, ou votre enfant semble très malade"\n',
        encoding="utf-8",
    )
    subprocess.run(["msgfmt", "-o", messages / "django.mo", messages / "django.po"], check=True)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    output = evaluate(parse_assessment(CASES["seed-ped"])).to_dict()
    with override("fr"):
        handout = documents.handout_context(output, dt.date(2026, 11, 21))
        # Lazy strings: translated when the page renders, in the language active then.
        assert str(handout["get_help_same_day"]["title"]) == "Consultez le jour même si :"
        items = [str(item) for item in handout["get_help_same_day"]["items"]]
        assert "De la fièvre, ou votre enfant semble très malade" in items
