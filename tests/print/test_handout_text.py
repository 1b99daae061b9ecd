"""decision/handout_text.py: the handout's translation catalogue, in step with the engine's
clinically reviewed English (decision/engine/knowledge/handout.toml), and the handout saying
exactly what the engine said."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils.functional import Promise
from django.utils.translation import override

from decision import documents
from decision import handout_text as words
from decision.engine import SITES, evaluate, parse_assessment
from decision.engine.handout import voice
from decision.engine.knowledge import handout, policy, products
from tests.print.cases import CASES
from tests.system_packages import skip_reason

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "decision" / "handout"
STEP_CODES = sorted(policy()["review_after_days"])
# The page's own words and the patterns filled in with numbers, dates and sites: everything
# else in the catalogue is a sentence of the engine's.
PAGE_WORDS = (
    "TITLE",
    "HEADINGS",
    "AGE_ROW",
    "REVIEW_DATE",
    "LIST_SEPARATOR",
    "LIST_LAST",
    "FORMS",
    "PRODUCT_NAME",
    "EMOLLIENTS_AMOUNT_LABEL",
    "WHERE",
    "AMOUNT",
    "AMOUNT_UNITS",
    "STEROID_YOURS",
    "STEROID_KEEP",
    "STEROID_USE",
    "PRESCRIBED_TEXT",
    "MAINTENANCE",
    "MAINTENANCE_PART_SEPARATOR",
    "MAINTENANCE_PARTS",
    "REVIEW_IN_DAYS",
)
# Placeholders the engine fills with numbers or the patient's sites: its patterns, not sentences.
DYNAMIC = re.compile(r"\{(amount|n|sites|agent|strength|days|parts)\}")


def _strings(value):
    if isinstance(value, words.Voiced):
        yield value.child
        yield value.adult
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _strings(item)
    else:
        yield value


def _catalogue(names) -> set[str]:
    with override(None):
        return {str(text) for name in names for text in _strings(getattr(words, name))}


def _engine_sentences(value) -> set[str]:
    """Every sentence of handout.toml (and products.toml's availability notes) as the engine
    can write it: voiced both ways, {form} filled in; patterns left out."""
    if isinstance(value, dict):
        return set().union(*(_engine_sentences(v) for k, v in value.items() if k != "sources"))
    if isinstance(value, list):
        return set().union(*(_engine_sentences(item) for item in value))
    if not isinstance(value, str) or DYNAMIC.search(value):
        return set()
    return {
        value.format(**voice(age), form=form) for age in (84, 400) for form in ("ointment", "cream")
    }


CATALOGUE = _catalogue(name for name in dir(words) if name.isupper())
ENGINE_SENTENCES = _catalogue(
    name for name in dir(words) if name.isupper() and name not in PAGE_WORDS
)


def test_every_patient_facing_string_is_marked_for_translation():
    names = [name for name in dir(words) if name.isupper()]
    assert len(names) > 30
    for name in names:
        for text in _strings(getattr(words, name)):
            assert isinstance(text, Promise), f"{name}: {text!r} is not a gettext_lazy string"


def test_the_catalogue_holds_exactly_the_engines_handout_sentences():
    engine = _engine_sentences(handout()) | {p["availability"] for p in products().values()}
    # "1 fingertip unit" fills {amount}: the catalogue's AMOUNT_UNITS says it in its singular.
    engine.discard(handout()["how_much"]["one"])
    assert engine - ENGINE_SENTENCES == set(), "engine sentences the catalogue cannot translate"
    assert ENGINE_SENTENCES - engine == set(), "catalogue sentences the engine no longer writes"


def test_every_step_code_has_a_headline_and_a_template():
    assert sorted(words.STEPS) == STEP_CODES
    for code in STEP_CODES:
        assert (TEMPLATES / "steps" / f"{code}.html").is_file(), code


def test_every_product_site_and_frequency_has_words():
    kinds = {
        ("tci" if pid.split("-")[0] in ("tacrolimus", "pimecrolimus") else pid.split("-")[0])
        for pid in products()
    }
    assert sorted(words.PRODUCTS) == sorted(kinds)
    assert sorted(words.SITES) == sorted(SITES)
    assert {p["frequency"] for p in products().values()} <= set(words.FREQUENCY)
    assert {p["form"] for p in products().values()} <= set(words.FORMS)


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_handout_says_what_the_engine_said_in_words_a_catalogue_can_translate(
    case, monkeypatch
):
    said = documents.said
    calls: list[tuple[str, str | None]] = []

    def recording(stored, build=None):
        if stored:
            with override(None):
                calls.append((stored, None if build is None else str(build())))
        return said(stored, build)

    monkeypatch.setattr(documents, "said", recording)
    output = evaluate(parse_assessment(CASES[case])).to_dict()
    with override("en-gb"):
        handout_page = documents.handout_context(output, dt.date(2026, 11, 21))
    assert calls
    for stored, built in calls:
        if built is not None:
            # A pattern filled in from the engine's numbers and sites says what the engine said.
            assert built == stored
        else:
            assert stored in CATALOGUE, f"not in decision/handout_text.py: {stored!r}"
    instructions = output["instructions"]
    assert handout_page["headline"] == instructions["headline"]
    assert handout_page["review"] == instructions["review"]
    assert handout_page["maintenance"]["text"] == instructions["maintenance"]["text"]
    if instructions["products"]:
        assert handout_page["how_much"]["amount"] == instructions["how_much"]["text"]
        assert handout_page["where"] == instructions["products"][0]["where"]


@pytest.mark.skipif(
    not shutil.which("msgfmt"), reason=skip_reason("msgfmt not installed", "gettext")
)
def test_a_second_language_needs_a_catalogue_and_no_logic_change(tmp_path, settings):
    messages = tmp_path / "locale" / "fr" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    (messages / "django.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
        'msgid "Get help the same day if:"\nmsgstr "Consultez le jour même si :"\n\n'
        'msgid "A fever, or your child seems very unwell"\n'
        'msgstr "De la fièvre, ou votre enfant semble très malade"\n\n'
        'msgid "Come back for a check in %(days)s day."\n'
        'msgid_plural "Come back for a check in %(days)s days."\n'
        'msgstr[0] "Revenez pour un contrôle dans %(days)s jour."\n'
        'msgstr[1] "Revenez pour un contrôle dans %(days)s jours."\n',
        encoding="utf-8",
    )
    subprocess.run(["msgfmt", "-o", messages / "django.mo", messages / "django.po"], check=True)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    output = evaluate(parse_assessment(CASES["seed-ped"])).to_dict()
    with override("fr"):
        handout_page = documents.handout_context(output, dt.date(2026, 11, 21))
        assert str(handout_page["get_help_same_day"]["title"]) == "Consultez le jour même si :"
        items = [str(item) for item in handout_page["get_help_same_day"]["items"]]
        assert "De la fièvre, ou votre enfant semble très malade" in items
        # A sentence with a number: the pattern, translated and filled in.
        assert str(handout_page["review"]) == "Revenez pour un contrôle dans 14 jours."
        # Not in this catalogue: the engine's English, as stored.
        assert handout_page["headline"] == output["instructions"]["headline"]
