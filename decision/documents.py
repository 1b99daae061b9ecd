"""Context for the two printed documents, built from a stored engine result.

`handout_context` turns the engine's `instructions` block into the patient handout: the numbers
(fingertip units, review days) and which blocks apply come from the engine; every word comes from
decision/handout_text.py, so a second language needs no change here. `summary_context` lays the
whole result out for the clinician, with referral paragraphs ready to paste into a letter.

Nothing here decides anything clinical: it formats what the engine already decided.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from decision import handout_text as words
from decision import labels
from decision.engine.handout import NAPPY_UNDER_MONTHS
from decision.engine.knowledge import (
    Citation,
    TcsAgent,
    citation,
    poem_band,
    severity_aids,
    tcs_agent_map,
)
from decision.engine.plans import MILD_ONLY_SITES
from decision.questionnaire import format_age


class Prescribed(Protocol):
    """What the documents read of a recorded prescription (decision.prescription.Prescribed,
    which builds on this module: described here rather than imported)."""

    @property
    def steroid(self) -> TcsAgent | None: ...

    @property
    def steroid_name(self) -> str: ...

    @property
    def product_ids(self) -> tuple[str, ...]: ...

    @property
    def sentence(self) -> str: ...


# What a specialist must know about the patient, named in the referral letter when present.
LETTER_FLAGS = {
    "pregnant_or_breastfeeding": "pregnant or breastfeeding",
    "immunocompromised": "immunocompromised",
}
COMPACT_FROM_PRODUCTS = 2
# Steps whose handout text tells the family the clinic will choose one of the medicines.
CHOICE_STEPS = ("NEWER_TOPICAL",)
POEM_ITEMS = len(severity_aids()["poem"]["items"])
HALF = 0.5
MANY = 2  # products from which what they say alike is printed once
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# Display order of alert levels: urgent alerts first (clinical/README.md § 4).
ALERT_LEVEL_ORDER = {"critical": 0, "warning": 1, "info": 2}


# --------------------------------------------------------------------------- small formatters
def join_list(items: list[str]) -> str:
    """The items joined as the current language joins a list: "a, b and c" in English."""
    items = [str(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    return str(words.LIST_LAST) % {
        "items": str(words.LIST_SEPARATOR).join(items[:-1]),
        "last": items[-1],
    }


def format_ftu(value: float) -> str:
    """Fingertip units as a parent reads them: 2.5 → "2½", 0.5 → "½", 3.0 → "3"."""
    whole = int(value)
    half = value - whole >= 0.5
    if half:
        return f"{whole}½" if whole else "½"
    return str(whole)


def fingertip_icons(value: float) -> list[str]:
    """One "full" per whole fingertip unit and a "half" for a half: the picture row."""
    whole = int(value)
    return ["full"] * whole + (["half"] if value - whole >= 0.5 else [])


def review_date(completed_on: dt.date, review_after_days: int) -> dt.date:
    """The review date printed on both documents: completion date + review_after_days."""
    return completed_on + dt.timedelta(days=review_after_days)


def long_date(day: dt.date) -> str:
    return date_format(day, "l j F Y")


# ----------------------------------------------------------------------------------- citations
def citation_text(source: Citation) -> str:
    """A source as people read it (README § 4): its display text, and its year when the text
    names no year. Never the bare key."""
    if source.year and not YEAR.search(source.text):
        return f"{source.text} ({source.year})"
    return source.text


class References:
    """The summary's numbered references: each source numbered once, in the order the document
    first cites it, listed at the end."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}

    def __call__(self, keys: list[str] | tuple[str, ...] | None) -> list[int]:
        """The numbers of these sources (new ones numbered next), smallest first."""
        return sorted(
            self._numbers.setdefault(key, len(self._numbers) + 1)
            for key in dict.fromkeys(keys or ())
        )

    def cite(self, item: dict[str, Any]) -> dict[str, Any]:
        """A copy of an output item with the numbers of its sources as `refs`."""
        return {**item, "refs": self(item.get("sources"))}

    def listed(self) -> list[dict[str, Any]]:
        return [
            {"number": number, "text": citation_text(citation(key)), "url": citation(key).url}
            for key, number in self._numbers.items()
        ]


# --------------------------------------------------------------------------------- the handout
def said(stored: str | None, build: Callable[[], Any] | None = None) -> Any:
    """A sentence of the engine's stored handout English, as the page shows it.

    `build` fills in one of handout_text's patterns (a number, the patient's sites): it is used
    when, in English, it says exactly what the engine said, so a catalogue can translate it. Any
    other sentence is looked up in the catalogue as it stands, and shown as stored when the
    catalogue has no translation: a consultation completed under an earlier rule set keeps its
    own words, and the handout never says anything the engine did not.
    """
    if not stored:
        return stored
    if build is not None:
        with translation.override(None):  # no catalogue: the msgids, which are the English
            english = str(build())
        if english == stored:
            return build()
    return gettext(stored)


@dataclass(frozen=True)
class HowMuchRow:
    region: str
    label: str
    ftu: str
    grams: float
    icons: list[str]


def _rows(rows: list[dict[str, Any]]) -> list[HowMuchRow]:
    return [
        HowMuchRow(
            region=row["region"],
            label=said(row["label"], lambda region=row["region"]: words.REGIONS[region]),
            ftu=format_ftu(row["ftu"]),
            grams=row["grams"],
            icons=fingertip_icons(row["ftu"]),
        )
        for row in rows
    ]


def _amount_line(ftu_each_time: float, basis: str) -> Any:
    """ "About 3 fingertip units each time, in all." (README § 4; "Up to" on a regions basis)."""
    if ftu_each_time == 0:
        return words.HOW_MUCH["tiny"]
    if ftu_each_time == HALF:
        amount = words.AMOUNT_HALF
    else:
        amount = words.AMOUNT_UNITS % {
            "amount": f"{ftu_each_time:g}",
            "count": math.ceil(ftu_each_time),
        }
    return words.AMOUNT[basis] % {"amount": amount}


def _age_row(label: str | None) -> Any:
    return words.AGE_ROW % {"age_row": label} if label else None


def _how_much(instructions: dict[str, Any]) -> dict[str, Any]:
    """How much each time, the whole-area table for the patient's regions, and what a fingertip
    unit is. Records made before rule set 2026.12 have the table only (no amount each time)."""
    how_much = instructions.get("how_much")
    if isinstance(how_much, dict):
        n, basis = how_much["ftu_each_time"], how_much["basis"]
        return {
            "amount": said(how_much["text"], lambda: _amount_line(n, basis)),
            "table_title": said(how_much["table_title"]),
            "rows": _rows(how_much["rows"]),
            "age_row": _age_row(how_much["age_row"]),
            "explained": [said(how_much[key]) for key in ("fingertip_unit", "grams", "hand_size")],
            "under_3_months": said(how_much["under_3_months_note"]),
        }
    blocks = instructions.get("products") or []
    return {
        "amount": None,
        "table_title": None,
        "rows": _rows(blocks[0]["how_much"]) if blocks else [],
        "age_row": _age_row(instructions.get("age_row")),
        "explained": [said(instructions.get("fingertip_unit"))],
        "under_3_months": said(instructions.get("under_3_months_note")),
    }


def _sentence(text: Any) -> str:
    """End a phrase with a full stop unless it already ends a sentence."""
    text = str(text)
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _text(item: Any) -> str:
    """A line of the handout: {code, text} from rule set 2026.12, a plain string before."""
    return item["text"] if isinstance(item, dict) else item


def _site_words(sites: list[str], age_months: int) -> str:
    """The patient's sites in plain words, joined as the language joins a list."""
    return join_list(
        [
            str(
                words.GENITALS_NAPPY
                if site == "genitals" and age_months < NAPPY_UNDER_MONTHS
                else words.SITES[site]
            )
            for site in sites
        ]
    )


def _strength(
    item: dict[str, str], block: dict[str, Any], prescribed: Prescribed | None = None
) -> Any:
    """Which steroid strength goes where; "keep" names the agent and its strength (the
    prescribed one, once recorded: "keep using" it when it is the agent in use, else "use")."""
    if item["code"] != "keep":
        return said(item["text"])
    if prescribed is not None and prescribed.steroid is not None:
        pattern = STEROID_KEEP_OR_USE[prescribed.steroid.id == block.get("agent")]
        return pattern % {
            "agent": prescribed.steroid_name,
            "strength": words.STRENGTH_WORDS[prescribed.steroid.potency],
        }
    agent = tcs_agent_map().get(block.get("agent") or "")

    def build() -> Any:
        return words.STEROID_KEEP % {
            "agent": agent.label if agent else words.STEROID_YOURS,
            "strength": words.STRENGTH_WORDS[block["potency"]],
        }

    return said(item["text"], build)


def _product(
    block: dict[str, Any], by_id: dict[str, dict[str, Any]], prescribed: Prescribed | None = None
) -> dict[str, Any]:
    product = by_id.get(block["id"])

    def name() -> Any:
        return words.PRODUCT_NAME % {
            "name": product["name"],
            "strength": product["strength"],
            "form": words.FORMS.get(product["form"], product["form"]),
        }

    if block["id"] == STEROID_BLOCK and prescribed is not None and prescribed.steroid:
        # The prescribed agent by name, strength and form ("hydrocortisone 1 % cream").
        display_name = prescribed.steroid_name
    elif block.get("agent"):
        # A steroid named by its agent keeps the agent's label, as a product keeps its name.
        display_name = block["name"]
    else:
        display_name = said(block["name"], name if product else None)
    return {
        "id": block["id"],
        "name": display_name,
        "what": _sentence(said(block["what"])),
        "strengths": [_strength(item, block, prescribed) for item in block.get("strengths", [])],
        "how_often": said(block["how_often"]),
        "how_long": said(block["how_long"]),
        "expect": [said(_text(item)) for item in block["expect"]],
        "safety": [said(_text(item)) for item in block["safety"]],
        "availability": said(block.get("availability")),
    }


STEROID_BLOCK = "tcs"  # the id of the steroid's block in `instructions.products`
# Keep using the agent in use, or use the other one prescribed.
STEROID_KEEP_OR_USE = {True: words.STEROID_KEEP, False: words.STEROID_USE}


def _prescribed_steroid_card(prescribed: Prescribed, sites: list[str]) -> dict[str, Any]:
    """A prescribed steroid on a step whose handout has no steroid of its own (a TCI, a newer
    topical, a referral): its name, what it is, how often as the clinic says, and which strength
    goes where. Conservative: only the engine's general steroid words; the mild-only line
    whenever the face, eyelids, neck or private area are affected."""
    agent = prescribed.steroid
    strengths = [
        words.STEROID_USE
        % {"agent": prescribed.steroid_name, "strength": words.STRENGTH_WORDS[agent.potency]}
    ]
    if MILD_ONLY_SITES & set(sites):
        strengths.append(words.STEROID_WHERE["sensitive"])
    return {
        "id": STEROID_BLOCK,
        "name": prescribed.steroid_name,
        "what": _sentence(words.STEROID["what"]),
        "strengths": strengths,
        "how_often": words.STEROID["how_often"],
        "how_long": None,
        "expect": [],
        "safety": [],
        "availability": None,
    }


def _prescribed_products(
    blocks: list[dict[str, Any]],
    by_id: dict[str, dict[str, Any]],
    prescribed: Prescribed | None,
    sites: list[str],
) -> list[dict[str, Any]]:
    """The handout's medicines: every product of the step until a prescription is recorded,
    then only what was prescribed (a steroid added when the step's handout has none)."""
    if prescribed is None:
        return [_product(block, by_id) for block in blocks]
    kept = [
        _product(block, by_id, prescribed)
        for block in blocks
        if (block["id"] == STEROID_BLOCK and prescribed.steroid)
        or block["id"] in prescribed.product_ids
    ]
    if _adds_steroid(blocks, prescribed):
        kept.append(_prescribed_steroid_card(prescribed, sites))
    return kept


def _adds_steroid(blocks: list[dict[str, Any]], prescribed: Prescribed | None) -> bool:
    """A steroid was prescribed on a step whose handout has none of its own."""
    return (
        prescribed is not None
        and prescribed.steroid is not None
        and all(block["id"] != STEROID_BLOCK for block in blocks)
    )


# The facts of a product, in the order a parent needs them; `what` always stays on its card.
FACTS = ("strengths", "how_often", "how_long", "expect", "safety", "availability")


def _fact(key: str, value: str | list[str]) -> dict[str, Any]:
    listed = isinstance(value, list)
    return {
        "key": key,
        "label": words.HEADINGS[key],
        "text": None if listed else value,
        "items": value if listed else None,
    }


def _share_facts(
    products: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What every product says alike is printed once, under the products; each card keeps what is
    its own (a fact, or the extra lines of a list such as tacrolimus's alcohol line).

    Alternatives of one class (tacrolimus or pimecrolimus) share their timing and safety
    advice; printing it once keeps the handout to two pages and easier to read.
    """
    if len(products) < MANY:
        return [], [{**p, "facts": [_fact(k, p[k]) for k in FACTS if p[k]]} for p in products]
    shared: dict[str, Any] = {}
    for key in FACTS:
        values = [p[key] for p in products]
        if isinstance(values[0], list):
            common = [item for item in values[0] if all(item in v for v in values[1:])]
            if common:
                shared[key] = common
        elif values[0] and all(v == values[0] for v in values):
            shared[key] = values[0]

    def own(key: str, value: Any) -> Any:
        if key not in shared:
            return value
        return (
            [item for item in value if item not in shared[key]] if isinstance(value, list) else None
        )

    cards = [
        {
            **product,
            "facts": [
                _fact(key, own(key, product[key])) for key in FACTS if own(key, product[key])
            ],
        }
        for product in products
    ]
    return [_fact(key, value) for key, value in shared.items()], cards


def _listed(box: dict[str, Any] | None, *keys: str) -> dict[str, Any] | None:
    """A block of titled lines, each line said as stored (None stays None)."""
    if not box:
        return None
    return {
        key: [said(_text(item)) for item in box[key]]
        if isinstance(box[key], list)
        else said(box[key])
        for key in keys
    }


def _step_text(text: str, code: str, prescribed: Prescribed | None, any_product: bool) -> Any:
    """The step's text; where it says the clinic will choose one of the medicines, once the
    clinic has said which: that it is the one named below (or nothing, when none was)."""
    if prescribed is None or code not in CHOICE_STEPS:
        return said(text)
    return words.PRESCRIBED_TEXT if any_product else None


def handout_context(
    output: dict[str, Any],
    completed_on: dt.date,
    engine_input: dict[str, Any] | None = None,
    prescribed: Prescribed | None = None,
) -> dict[str, Any]:
    """Everything the handout templates show, in the current language, from the stored result:
    the words of the rule set it was completed under. Once a prescription is recorded the
    handout names only what was prescribed (decision/prescription.py)."""
    engine_input = engine_input or output["input"]
    instructions = output["instructions"]
    audience = instructions["audience"]
    code = instructions["step_code"]
    age_months = engine_input["age_months"]
    sites = list(engine_input["sites"])
    by_id = {product["id"]: product for product in output["next_step"]["products"]}
    # Stage A alone (the emergency fast path) has only the urgent part: no products, emollients
    # or maintenance, and its step's template shows none of them.
    blocks = instructions.get("products") or []
    shared, products = _share_facts(_prescribed_products(blocks, by_id, prescribed, sites))
    steroid_added = _adds_steroid(blocks, prescribed)
    days = instructions["review_after_days"]
    review_on = review_date(completed_on, days)
    maintenance = instructions.get("maintenance")
    parts = (maintenance or {}).get("parts") or []

    def where() -> Any:
        return words.WHERE.for_audience(audience) % {"sites": _site_words(sites, age_months)}

    def maintenance_text() -> Any:
        separator = str(words.MAINTENANCE_PART_SEPARATOR)
        return words.MAINTENANCE % {
            "parts": separator.join(
                str(
                    words.MAINTENANCE_PARTS[part["kind"]]
                    % {"sites": _site_words(part["sites"], age_months)}
                )
                for part in parts
            )
        }

    def review() -> Any:
        return words.REVIEW_TODAY if days == 0 else words.REVIEW_IN_DAYS % {"days": days}

    emollients = instructions.get("emollients")
    return {
        "audience": audience,
        "title": words.TITLE.for_audience(audience),
        "headings": words.HEADINGS,
        "step_code": code,
        "step_template": f"decision/handout/steps/{code}.html",
        "urgent": instructions["urgent"],
        "get_help_today": _listed(
            instructions.get("get_help_today"), "title", "text", "where", "reasons"
        ),
        "headline": said(instructions["headline"]),
        "text": _step_text(instructions["text"], code, prescribed, bool(products)),
        # "Your clinic will prescribe one of these": only until it has said which.
        "choice_note": prescribed is None,
        "prescribed": prescribed is not None,
        "products": products,
        "shared_facts": shared,
        "several_products": len(products) > 1,
        # Three or four alternatives (NEWER_TOPICAL), or a product with a prescribed steroid
        # added beside it, print a little smaller to stay on 2 pages.
        "compact": len(products) > COMPACT_FROM_PRODUCTS or (len(products) > 1 and steroid_added),
        "where": said(blocks[0]["where"], where) if blocks else where(),
        "how_much": _how_much(instructions),
        "wet_wraps": _listed(instructions.get("wet_wraps"), "steps", "safety"),
        "infection": _listed(instructions.get("infection"), "title", "items"),
        "emollients": emollients
        and {
            "title": said(emollients["title"]),
            "amount_label": words.EMOLLIENTS_AMOUNT_LABEL,
            "amount": said(emollients["amount_per_week"]),
            "how": [said(item) for item in emollients["how"]],
            "fire_warning": said(emollients["fire_warning"]),
        },
        "maintenance": maintenance
        and {
            "title": said(maintenance["title"]),
            "text": said(maintenance["text"], maintenance_text if parts else None),
        },
        "diet": said(instructions.get("diet")),
        "get_help_same_day": _listed(instructions["get_help_same_day"], "title", "items"),
        "get_help_soon": _listed(instructions["get_help_soon"], "title", "items"),
        "review": said(instructions["review"], review),
        "review_date": review_on,
        "review_date_text": words.REVIEW_DATE % {"date": long_date(review_on)},
        "completed_on": completed_on,
    }


# ---------------------------------------------------------------------------------- the summary
def _step(step: dict[str, Any] | None, cite: References) -> dict[str, Any] | None:
    """A step for the summary, its parts cited in the order they are printed."""
    if not step:
        return None
    refs = cite(step["sources"])  # the step's own sources first: its products cite a subset
    products = [
        {
            **cite.cite(product),
            "display_name": f"{product['name']} {product['strength']} {product['form']}",
        }
        for product in step.get("products", [])
    ]
    return {
        **step,
        "label": labels.STEP_CODES.get(step["code"], step["code"]),
        "products": products,
        "corrections": [cite.cite(c) for c in step.get("corrections", [])],
        "options": [cite.cite(o) for o in step.get("options", [])],
        "refs": refs,
    }


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _potency_word(potency: str) -> str:
    return labels.POTENCIES_SHORT.get(potency, potency).lower()


def steroid_agent(engine_input: dict[str, Any], extras: dict[str, Any]) -> TcsAgent | None:
    """The steroid agent chosen, when known: `current_tcs.agent` from rule set 2026.12, the
    questionnaire's own record of it (extras) in consultations completed before."""
    tcs = engine_input.get("current_tcs") or {}
    return tcs_agent_map().get(tcs.get("agent") or extras.get("tcs_agent") or "")


def agent_description(agent: TcsAgent, potency: str) -> str:
    """The agent with its strength, engine potency, US class and its own UK group:
    "betamethasone valerate 0.1 % cream (medium potency, US class 5; UK potent)"."""
    grading = [f"{_potency_word(potency)} potency"]
    if agent.us_class:
        grading.append(f"US class {agent.us_class}")
    grading = [", ".join(grading)]
    if agent.uk_group:
        grading.append(f"UK {agent.uk_group}")
    return f"{agent.label} ({'; '.join(grading)})"


def current_tcs_sentence(engine_input: dict[str, Any], extras: dict[str, Any]) -> str:
    """The current steroid course in one sentence, for "treatments already tried"."""
    tcs = engine_input.get("current_tcs") or {}
    potency = tcs.get("potency", "none")
    if potency == "none":
        return "No topical corticosteroid in use"
    agent = steroid_agent(engine_input, extras)
    what = (
        agent_description(agent, potency)
        if agent
        else f"{_potency_word(potency)}-potency topical corticosteroid"
    )
    per_day = tcs.get("applications_per_day", 0)
    weeks = tcs.get("weeks", 0)
    sentence = (
        f"{what}, {per_day} application{'s' if per_day != 1 else ''} a day for "
        f"{_number(weeks)} week{'s' if weeks != 1 else ''}, adherence {tcs.get('adherence', '')}"
    )
    if tcs.get("grams_per_week") is not None:
        sentence += f", about {_number(tcs['grams_per_week'])} g a week"
    return sentence


def treatments_tried(engine_input: dict[str, Any], extras: dict[str, Any]) -> list[str]:
    """Current TCS, emollients and every step-5 treatment that was tried, with its outcome."""
    tried = engine_input.get("tried") or {}
    lines = [
        current_tcs_sentence(engine_input, extras),
        "emollients daily"
        if engine_input.get("emollients_daily", True)
        else "emollients not daily",
    ]
    for key, name in labels.TRIED.items():
        outcome = tried.get(key, "not_tried")
        if outcome != "not_tried":
            # "Tried: not tolerated" → "not tolerated": the list is already what was tried.
            result = labels.TRIED_OUTCOMES[outcome].split(": ", 1)[-1]
            lines.append(f"{name}: {result}")
    return lines


def poem_sentence(extras: dict[str, Any]) -> str | None:
    """ "POEM 14 of 28 (moderate)" when all seven items were scored, else None."""
    items = extras.get("poem") or []
    if len(items) != POEM_ITEMS or any(item is None for item in items):
        return None
    score = sum(items)
    return f"POEM {score} of 28 ({poem_band(score)['label'].lower()})"


def patient_sentences(engine_input: dict[str, Any], extras: dict[str, Any]) -> str:
    """Age and the flags a specialist must know, the eczema and its extent, POEM, lost sleep."""
    # "Flexures (elbow and knee creases, skin folds)" → "flexures": a letter needs the term.
    sites = [labels.SITES.get(site, site).split(" (")[0].lower() for site in engine_input["sites"]]
    who = [f"{format_age(engine_input['age_months'])} old"]
    who += [words for flag, words in LETTER_FLAGS.items() if engine_input.get(flag)]
    if "severity" not in engine_input:
        # Stage A alone (the emergency fast path): the eczema itself was not assessed.
        return f"{', '.join(who)}. Severity and extent not assessed (referred on the red flags)."
    eczema = (
        f"{engine_input['severity'].capitalize()} atopic eczema affecting the {join_list(sites)}"
    )
    if engine_input.get("bsa_percent") is not None:
        eczema += f", about {_number(engine_input['bsa_percent'])} % of the body surface"
    else:
        eczema += " (body surface area not estimated)"
    sentences = [", ".join(who), eczema]
    poem = poem_sentence(extras)
    if poem:
        sentences.append(poem)
    nights = engine_input.get("sleep_loss_nights_per_week") or 0
    sentences.append(f"Nights of lost sleep: {nights} a week")
    return " ".join(f"{sentence}." for sentence in sentences)


# The step whose own wording is the question for the specialist (README § 4): the first of the
# next step and `after` that hands the patient to a specialist, otherwise the next step.
SPECIALIST_STEPS = ("URGENT_REFERRAL", "SPECIALIST_ESCALATION", "REEVALUATE_DIAGNOSIS")
# Referrals whose reason already is the question (patch tests, a food allergy).
REASON_IS_THE_QUESTION = ("PATCH_TESTING", "ALLERGY")


def question_step(output: dict[str, Any]) -> dict[str, Any]:
    steps = [step for step in (output["next_step"], output.get("after")) if step]
    return next((s for s in steps if s["code"] in SPECIALIST_STEPS), output["next_step"])


def referral_letter(
    referral: dict[str, Any],
    output: dict[str, Any],
    engine_input: dict[str, Any],
    extras: dict[str, Any],
    prescribed: Prescribed | None = None,
) -> list[str]:
    """Paragraphs to paste into a referral letter (README § 4): reason, urgent actions, the
    question for the specialist, the patient, treatments already tried, the steroid trial, and
    what was prescribed today once the clinician has recorded it."""
    name = labels.REFERRALS.get(referral["code"], referral["code"])
    urgency = labels.URGENCIES.get(referral["urgency"], referral["urgency"]).lower()
    adequacy = output.get("adequacy")  # none from stage A alone (the emergency fast path)
    if adequacy is None:
        trial = None
    elif adequacy.get("adequate"):
        trial = (
            "The topical corticosteroid trial was adequate "
            "(potency, frequency, duration and adherence)."
        )
    else:
        trial = "The topical corticosteroid trial was not yet adequate: " + " ".join(
            adequacy.get("reason_texts") or []
        )
    paragraphs = [
        f"Referral: {name}, {urgency}.",
        "Reason for referral: " + " ".join(referral["reasons"]),
    ]
    step = question_step(output)
    urgent = step["code"] == "URGENT_REFERRAL"
    if urgent:
        # The actions the step asks for before the patient is seen (antiviral, no TCI, ...).
        paragraphs.append(f"Urgent actions: {step['summary']}")
    if referral["code"] not in REASON_IS_THE_QUESTION:
        question = step["title"] if urgent else f"{step['title']}. {step['summary']}"
        paragraphs.append(f"Question for the specialist: {_sentence(question)}")
    paragraphs.append(f"Patient: {patient_sentences(engine_input, extras)}")
    if trial is not None:
        paragraphs += [
            "Treatments already tried: " + "; ".join(treatments_tried(engine_input, extras)) + ".",
            trial,
        ]
    if prescribed is not None:
        paragraphs.append(f"Prescribed today: {prescribed.sentence}.")
    return paragraphs


def summary_context(
    output: dict[str, Any],
    completed_on: dt.date,
    engine_input: dict[str, Any] | None = None,
    extras: dict[str, Any] | None = None,
    prescribed: Prescribed | None = None,
) -> dict[str, Any]:
    engine_input = engine_input or output["input"]
    extras = extras or {}
    # Sources are numbered in the order the summary prints them (its template's order).
    cite = References()
    alerts = [
        {**cite.cite(a), "level_label": labels.ALERT_LEVELS.get(a["level"], a["level"])}
        for a in sorted(output["alerts"], key=lambda a: ALERT_LEVEL_ORDER.get(a["level"], 9))
    ]
    # Stage A alone (the emergency fast path) has no after, alternatives, also do, avoid,
    # adequacy or follow-up: its summary shows none of them.
    stage_a_only = bool(output.get("stage_a_only"))
    next_step = _step(output["next_step"], cite)
    after = _step(output.get("after"), cite)
    alternatives = [_step(step, cite) for step in output.get("alternatives", [])]
    also_do = [cite.cite(action) for action in output.get("also_do", [])]
    avoid = [
        {**cite.cite(item), "label": labels.AVOID.get(item["code"], item["code"])}
        for item in output.get("avoid", [])
    ]
    referrals = [
        {
            **cite.cite(referral),
            "label": labels.REFERRALS.get(referral["code"], referral["code"]),
            "urgency_label": labels.URGENCIES.get(referral["urgency"], referral["urgency"]),
            "letter": referral_letter(referral, output, engine_input, extras, prescribed),
        }
        for referral in output["referrals"]
    ]
    adequacy = output.get("adequacy") or {}
    adequacy = {
        **adequacy,
        "cautions": [cite.cite(c) for c in adequacy.get("cautions", [])],
        "refs": cite(adequacy.get("sources")),
    }
    follow_up = output.get("follow_up") or {
        "refer_if": [],
        "review_after_days": output["instructions"]["review_after_days"],
    }
    refer_if = [cite.cite(trigger) for trigger in follow_up["refer_if"]]
    days = follow_up["review_after_days"]
    return {
        "stage_a_only": stage_a_only,
        "urgent_alerts": [a for a in alerts if a["level"] == "critical"],
        "alerts": alerts,
        "next_step": next_step,
        "after": after,
        "alternatives": alternatives,
        "also_do": also_do,
        "avoid": avoid,
        "referrals": referrals,
        "adequacy": adequacy,
        "review_after_days": days,
        "review_date": review_date(completed_on, days),
        "refer_if": refer_if,
        "steroid_in_use": current_tcs_sentence(engine_input, extras),
        "references": cite.listed(),
        "ruleset_version": output["ruleset_version"],
        "completed_on": completed_on,
    }
