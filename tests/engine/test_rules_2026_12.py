"""Hand-worked cases for the stage A, D and E rules that rule set 2026.12 changed (CHANGES.md).

Stage C (amounts, quantity alerts, frequency, potency cautions) is in test_rules.py's table.
Baseline as there: a 7-year-old, moderate, flexures/arms/legs, 15 % BSA, medium TCS twice daily
for 3 weeks used well (an adequate trial → START_TCI).
"""

from __future__ import annotations

import json

import pytest

from tests.helpers import make_input

FAILED_TOPICALS = {"tci": "inadequate_response", "wet_wraps": "not_tolerated"}
SPECIALIST = {
    "severity": "severe",
    "sites": ["flexures"],
    "current_tcs": {"potency": "high"},
    "tried": FAILED_TOPICALS,
}


def step_text(step: dict) -> str:
    return " ".join([step["title"], step["summary"], step["rationale"]])


# ------------------------------------------------------------------------------------ stage A


@pytest.mark.parametrize("infection", [False, True])
def test_a3_systemically_unwell_is_urgent_with_or_without_infection(infection, run):
    flags = {"systemically_unwell": True, "infection_signs": infection}
    result = run(make_input(red_flags=flags))
    assert result["next_step"]["code"] == "URGENT_REFERRAL"
    assert result["after"] is None and result["alternatives"] == []
    assert {r["code"]: r["urgency"] for r in result["referrals"]} == {"EMERGENCY": "same_day"}
    assert result["follow_up"]["review_after_days"] == 0
    rationale = result["next_step"]["rationale"]
    assert ("must not delay the referral" in rationale) is infection
    assert "sepsis" in rationale


def test_herpeticum_with_infection_says_an_antibiotic_must_not_delay_it(run):
    result = run(make_input(red_flags={"herpeticum_signs": True, "infection_signs": True}))
    assert result["next_step"]["title"] == "Urgent referral: suspected eczema herpeticum"
    assert "must not delay the referral" in result["next_step"]["rationale"]


@pytest.mark.parametrize(
    ("pregnant", "age", "antibiotic", "not_named"),
    [
        (False, 84, "clarithromycin", "erythromycin"),
        (False, 336, "clarithromycin", "erythromycin"),
        (True, 336, "erythromycin", "clarithromycin"),
    ],
)
def test_infection_text_follows_ng190_with_the_pregnancy_variant(
    pregnant, age, antibiotic, not_named, run
):
    result = run(
        make_input(
            age_months=age, pregnant_or_breastfeeding=pregnant, red_flags={"infection_signs": True}
        )
    )
    step = result["next_step"]
    assert step["code"] == "TREAT_INFECTION"
    text = step_text(step)
    assert antibiotic in text and not_named not in text
    assert "do not routinely offer an antibiotic" in text
    assert "fusidic acid" in text and "flucloxacillin" in text
    assert "Replace open emollient tubs" in text
    assert "swab if not improving or recurrent" in text
    assert "NICE NG190" in step["sources"]


# ------------------------------------------------------------------------------------ stage D


def test_mild_tci_is_cited_to_aad_and_the_paediatric_summary_not_ta82(run):
    result = run(make_input(severity="mild"))
    step = result["next_step"]
    assert step["code"] == "START_TCI"
    assert "NICE TA82" not in step["sources"]
    assert {"AAD 2023", "SEED-PED"} <= set(step["sources"])
    assert all("NICE TA82" not in p["sources"] for p in step["products"])
    assert "NICE TA82 does not recommend TCIs for mild eczema" in step["rationale"]


def test_moderate_tci_still_cites_ta82(run):
    step = run(make_input())["next_step"]
    assert "NICE TA82" in step["sources"]
    assert "mild eczema" not in step["rationale"]


def test_tci_in_pregnancy_carries_the_caution_without_changing_the_products(run):
    plain = run(make_input(age_months=336))["next_step"]
    pregnant = run(make_input(age_months=336, pregnant_or_breastfeeding=True))["next_step"]
    assert [p["id"] for p in pregnant["products"]] == [p["id"] for p in plain["products"]]
    for product in pregnant["products"]:
        assert any("not on the breast while breastfeeding" in n for n in product["notes"])
    assert any("Limited data in pregnancy" in c for c in pregnant["cautions"])
    assert "ETFAD 2019" in pregnant["sources"]
    assert plain["cautions"] == [] and all(p["notes"] == [] for p in plain["products"])


def options(result: dict) -> dict[str, dict]:
    assert result["next_step"]["code"] == "SPECIALIST_ESCALATION"
    return {o["code"]: o for o in result["next_step"]["options"]}


def test_pregnancy_leaves_out_jak_methotrexate_and_mycophenolate(run):
    result = run(make_input(**SPECIALIST, age_months=336, pregnant_or_breastfeeding=True))
    got = options(result)
    assert "ORAL_JAK_INHIBITOR" not in got
    conventional = got["CONVENTIONAL_SYSTEMIC"]["text"]
    assert "ciclosporin" in conventional and "contraindicated" in conventional
    assert "methotrexate, " not in conventional and "or mycophenolate" not in conventional
    caution = " ".join(result["next_step"]["cautions"])
    assert "narrow-band UVB and ciclosporin are the usual first choices" in caution
    assert "ETFAD 2019" in result["next_step"]["sources"]


def test_not_pregnant_lists_every_systemic_option(run):
    got = options(run(make_input(**SPECIALIST, age_months=336)))
    assert "ORAL_JAK_INHIBITOR" in got
    assert "methotrexate" in got["CONVENTIONAL_SYSTEMIC"]["text"]


def test_each_option_states_its_screening_in_one_line(run):
    got = options(run(make_input(**SPECIALIST, age_months=336)))
    for option in got.values():
        assert option["screening"] and "\n" not in option["screening"]
    assert (
        "TB, hepatitis B/C, blood count, lipids, VTE risk" in got["ORAL_JAK_INHIBITOR"]["screening"]
    )
    assert "onjunctivitis is common" in got["DUPILUMAB"]["screening"]
    assert "per specialist protocol" in got["CONVENTIONAL_SYSTEMIC"]["screening"]


def test_immunosuppression_cautions_the_systemic_options_only(run):
    got = options(run(make_input(**SPECIALIST, age_months=336, immunocompromised=True)))
    assert got["PHOTOTHERAPY"]["cautions"] == []
    for code in ("DUPILUMAB", "ORAL_JAK_INHIBITOR", "CONVENTIONAL_SYSTEMIC"):
        assert got[code]["cautions"] == [
            "Systemic immunomodulators need specialist assessment of the underlying "
            "immunosuppression."
        ]
    plain = options(run(make_input(**SPECIALIST, age_months=336)))
    assert all(option["cautions"] == [] for option in plain.values())


def test_conventional_systemics_are_offered_at_any_age_off_label_in_children(run):
    got = options(run(make_input(**SPECIALIST, age_months=30)))
    assert "off-label in children" in got["CONVENTIONAL_SYSTEMIC"]["text"]


@pytest.mark.parametrize(
    ("pid", "note"),
    [
        ("tacrolimus-0.03", "Licensed in the US, the UK and the EU."),
        ("ruxolitinib-1.5", "outside the US, check local availability"),
        ("crisaborole-2", "outside the US, check local availability"),
        ("tapinarof-1", "outside the US, check local availability"),
        ("roflumilast-0.15", "outside the US, check local availability"),
    ],
)
def test_each_product_carries_its_availability_note(pid, note, run):
    result = run(make_input(tried=FAILED_TOPICALS))  # → NEWER_TOPICAL, TCI not shown
    shown = {p["id"]: p for p in result["next_step"]["products"]}
    shown |= {p["id"]: p for p in run(make_input())["next_step"]["products"]}
    assert note in shown[pid]["availability"]


# ------------------------------------------------------------------------------------ stage E


def antihistamine_reason(result: dict) -> str:
    return next(a["reason"] for a in result["avoid"] if a["code"] == "ROUTINE_ORAL_ANTIHISTAMINES")


@pytest.mark.parametrize(
    ("age", "mentions_course"), [(0, False), (5, False), (6, True), (84, True)]
)
def test_the_sedating_antihistamine_course_is_mentioned_only_from_6_months(
    age, mentions_course, run
):
    reason = antihistamine_reason(run(make_input(age_months=age)))
    assert reason.startswith("Oral antihistamines do not treat eczema")
    assert ("sedating course" in reason) is mentions_course


@pytest.mark.parametrize(
    ("changes", "prompted"),
    [
        ({"age_months": 23}, True),
        ({"age_months": 24}, False),
        ({"age_months": 0, "sites": ["trunk"]}, True),
        (
            {
                "age_months": 23,
                "severity": "severe",
                "sites": ["trunk"],
                "current_tcs": {"potency": "high"},
            },
            True,
        ),
        ({"age_months": 23, "severity": "severe", "sites": ["trunk"]}, False),  # medium too low
        ({"age_months": 23, "severity": "mild"}, False),
        ({"age_months": 23, "current_tcs": {"weeks": 1}}, False),  # trial not adequate
        ({"age_months": 23, "documented_food_allergy": True}, False),  # refers to allergy
        ({"age_months": 23, "red_flags": {"herpeticum_signs": True}}, True),
    ],
)
def test_food_allergy_prompt_under_24_months_when_moderate_severe_and_adequate(
    changes, prompted, run
):
    result = run(make_input(**changes))
    codes = [a["code"] for a in result["also_do"]]
    assert ("CONSIDER_FOOD_ALLERGY" in codes) is prompted
    assert codes[-1] == "MAINTENANCE_PLAN"
    if prompted:
        text = next(a for a in result["also_do"] if a["code"] == "CONSIDER_FOOD_ALLERGY")
        assert "paediatric allergy service" in text["text"] and text["sources"] == ["NICE CG57"]


def maintenance(result: dict) -> str:
    return result["also_do"][-1]["text"]


@pytest.mark.parametrize(
    ("changes", "present", "absent"),
    [
        # Infant, face only: a low-potency TCS, never "medium".
        (
            {"age_months": 8, "sites": ["face"], "current_tcs": {"potency": "low"}},
            ["on the face, a low-potency TCS"],
            ["medium", "TCI"],
        ),
        # Infant with body sites: low potency there too (under 12 months).
        (
            {"age_months": 11, "sites": ["trunk", "legs"]},
            ["on the legs and trunk, a low-potency TCS (under 12 months)"],
            ["medium", "TCI"],
        ),
        ({"age_months": 12, "sites": ["trunk"]}, ["on the trunk, a medium-potency TCS"], ["TCI"]),
        # TCIs possible: the TCI on sensitive sites, TCS or TCI on the body.
        (
            {"sites": ["face", "flexures", "trunk"]},
            [
                "on the trunk, a medium-potency TCS, or the TCI if that is what controlled it",
                "on the face and flexures, a TCI",
            ],
            [],
        ),
        # TCIs impossible (immunocompromised): low potency on sensitive sites, no TCI anywhere.
        (
            {"sites": ["eyelids", "neck", "genitals"], "immunocompromised": True},
            ["on the eyelids, neck and genital area, a low-potency TCS"],
            ["medium", "TCI"],
        ),
        ({"sites": ["hands"]}, ["on the hands, a medium-potency TCS, or the TCI"], ["face"]),
    ],
)
def test_maintenance_names_only_the_parts_for_the_patients_sites_and_age(
    changes, present, absent, run
):
    text = maintenance(run(make_input(**changes)))
    assert text.startswith("Once clear: proactive treatment twice a week")
    for words in present:
        assert words in text
    for words in absent:
        assert words not in text


def all_text(node) -> list[str]:
    """Every string value of a result, keys named sources and input left out."""
    if isinstance(node, dict):
        return [t for k, v in node.items() if k not in ("sources", "input") for t in all_text(v)]
    if isinstance(node, list):
        return [t for item in node for t in all_text(item)]
    return [node] if isinstance(node, str) else []


INTERNAL = ("seed", "SEED-", "this tool", "the engine", "rule set", "vignette")


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"severity": "mild"},
        {"age_months": 18},
        {
            "severity": "severe",
            "sites": ["trunk", "arms", "legs"],
            "current_tcs": {"potency": "high"},
        },
        {"tried": FAILED_TOPICALS},
        {**SPECIALIST, "pregnant_or_breastfeeding": True, "age_months": 336},
        {"red_flags": {"infection_signs": True}},
        {"red_flags": {"herpeticum_signs": True, "systemically_unwell": True}},
        {"current_tcs": {"potency": "none", "applications_per_day": 0, "weeks": 0}},
    ],
)
def test_no_page_text_carries_internal_wording(changes, run):
    text = "\n".join(all_text(run(make_input(**changes))))
    for words in INTERNAL:
        assert words not in text, words


def test_the_result_is_deterministic_json(run):
    data = make_input(**SPECIALIST, immunocompromised=True)
    assert json.dumps(run(data), sort_keys=True) == json.dumps(run(data), sort_keys=True)
