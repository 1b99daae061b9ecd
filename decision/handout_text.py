"""Every patient-facing word of the handout, in one place, marked for translation.

Why a Python module and not {% translate %} tags spread over the templates: the handout is built
from one small template per step code plus shared sections, so template strings would be
scattered over a dozen files. Here every step code, product id, safety message and heading is one
`gettext_lazy` string keyed by its code, next to its siblings, and a test checks the English
against the engine's clinically reviewed wording (decision/engine/knowledge/handout.toml), so the
two cannot drift apart. The templates under templates/decision/handout/ hold markup only.

The engine's `instructions` block supplies the numbers (fingertip units, review days) and which
blocks apply; the words come from here, so a second language needs a .po file and no logic change.

Sentences that speak about the patient come in two full versions, one for a child ("your child",
under 16, as the engine's voice) and one for an adult ("you"): other languages change more than
the pronoun (verbs, possessives), so the translator needs whole sentences, never a pronoun slot.
Placeholders use the gettext convention `%(name)s`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy


@dataclass(frozen=True)
class Voiced:
    """One sentence in the child voice ("your child") and the adult voice ("you")."""

    child: str
    adult: str

    def for_audience(self, audience: str) -> str:
        return self.child if audience == "child" else self.adult


def same(text: str) -> Voiced:
    return Voiced(text, text)


@dataclass(frozen=True)
class ProductText:
    what: Voiced
    how_long: Voiced
    expect: tuple[Voiced, ...]
    safety: tuple[Voiced, ...]


# ------------------------------------------------------------------------- document headings
TITLE = Voiced(_("Your child's eczema treatment plan"), _("Your eczema treatment plan"))
HEADINGS = {
    "date": _("Date"),
    "reference": _("Reference"),
    "next_step": _("What to do now"),
    "products": _("Your medicine"),
    "products_choice": _("Your clinic will prescribe one of these. Use only the one prescribed."),
    "shared": _("For each of these medicines"),
    "what": _("What it is"),
    "where": _("Where to put it"),
    "how_often": _("How often"),
    "how_long": _("For how long"),
    "expect": _("What to expect"),
    "safety": _("Stay safe"),
    "how_much": _("How much to use each time"),
    "region": _("Part of the body"),
    "fingertip_units": _("Fingertip units"),
    "fingertip_picture": _(
        "Picture: cream squeezed along an adult's fingertip, from the tip to the first crease."
    ),
    "wet_wraps": _("Wet wraps: step by step"),
    "wet_wraps_safety": _("Wet wraps: stay safe"),
    "diet": _("Food and eczema"),
    "review": _("Your next check"),
    "page": _("Page"),
}
AGE_ROW = _("Amounts for age %(age_row)s.")
# knowledge.md § Fingertip units: "covers about two adult palms".
FINGERTIP_UNIT = same(
    _(
        "A fingertip unit is the cream or ointment squeezed from the tube along an adult's "
        "fingertip, from the tip to the first crease. It is about half a gram and covers about "
        "two adult hand palms."
    )
)
UNDER_3_MONTHS = same(_("Babies under 3 months need a smaller amount: ask your clinic."))

# --------------------------------------------------------------- the patient's sites and regions
SITES = {
    "face": _("face"),
    "eyelids": _("eyelids"),
    "neck": _("neck"),
    "scalp": _("scalp"),
    "flexures": _("skin creases (inside the elbows, behind the knees)"),
    "hands": _("hands"),
    "feet": _("feet"),
    "arms": _("arms"),
    "legs": _("legs"),
    "trunk": _("chest, tummy and back"),
    "genitals": _("private area (nappy area in babies)"),
}
# "face, arms and legs": the list joined the way the language joins lists.
LIST_SEPARATOR = pgettext_lazy("list separator", ", ")
LIST_LAST = pgettext_lazy("list: all but the last item, then the last", "%(items)s and %(last)s")
WHERE = Voiced(
    _("On the eczema on your child's %(sites)s."),
    _("On the eczema on your %(sites)s."),
)
REGIONS = {
    "face_neck": _("Face and neck"),
    "arm_hand": _("Each arm and hand"),
    "leg_foot": _("Each leg and foot"),
    "hand": _("Each hand"),
    "foot": _("Each foot"),
    "trunk_front": _("Front of the body (chest and tummy)"),
    "trunk_back": _("Back and bottom"),
    "genitals": _("Private area"),
}

# ------------------------------------------------------------------ headline per next-step code
STEPS = {
    "URGENT_REFERRAL": (
        Voiced(
            _("Your child must be seen by a specialist today."),
            _("You must be seen by a specialist today."),
        ),
        same(_("Go to the place your clinic tells you today. Do not wait.")),
    ),
    "TREAT_INFECTION": (
        same(_("The eczema looks infected: treat the infection first.")),
        same(
            _(
                "Use the antibiotic exactly as your clinic prescribed it. Keep using the "
                "moisturiser and the steroid cream as before. Do not cover infected skin with "
                "wraps or bandages, and do not use tacrolimus or pimecrolimus on it until the "
                "infection has cleared."
            )
        ),
    ),
    "REEVALUATE_DIAGNOSIS": (
        same(_("Your clinic wants to check that this rash is eczema.")),
        same(_("Keep using the moisturiser and the cream you have until your next visit.")),
    ),
    "OPTIMIZE_TCS": (
        same(_("Use the steroid cream the right way before trying something new.")),
        same(
            _(
                "Most creams fail because too little is used, or not for long enough. Use the "
                "amounts below, every day, for at least 2 weeks."
            )
        ),
    ),
    "START_TCI": (
        same(_("Start a new non-steroid cream or ointment.")),
        same(
            _(
                "This medicine calms eczema without being a steroid. It is useful on the face "
                "and in skin creases."
            )
        ),
    ),
    "WET_WRAP_THERAPY": (
        same(_("Use wet wraps for a few days to calm the eczema.")),
        same(
            _(
                "Wet wraps are damp bandages over the cream. A nurse or doctor will show you how "
                "the first time."
            )
        ),
    ),
    "NEWER_TOPICAL": (
        same(_("Try one of the newer non-steroid creams.")),
        same(_("Your clinic will choose one of the medicines below. Use only the one prescribed.")),
    ),
    "SPECIALIST_ESCALATION": (
        Voiced(
            _("Your clinic is referring your child to a skin specialist."),
            _("Your clinic is referring you to a skin specialist."),
        ),
        same(
            _(
                "The specialist may offer light treatment or a medicine taken by mouth or "
                "injection. Keep using the moisturiser and your creams until then."
            )
        ),
    ),
}

# ------------------------------------------------------------------------------------ products
FORMS = {"ointment": _("ointment"), "cream": _("cream")}
# The generic name and strength stay as printed on the pack; the form word is translated.
PRODUCT_NAME = pgettext_lazy("product: name strength form", "%(name)s %(strength)s %(form)s")
FREQUENCY = {
    "twice daily": same(_("Twice a day, morning and evening, on the eczema patches.")),
    "once daily": same(_("Once a day, on the eczema patches.")),
}

_SUN = same(_("Keep treated skin out of strong sun: use clothes and shade."))
_NO_COVER = same(_("Do not cover it with bandages, wraps or plastic."))
_CHECK_AT_REVIEW = same(_("Use it as prescribed. Your clinic will check it at the review."))

TCI = ProductText(
    what=same(_("a non-steroid ointment that calms eczema (a calcineurin inhibitor)")),
    how_long=same(
        _(
            "Use it until the skin is clear. If it has not helped by 6 weeks, your clinic will "
            "look again."
        )
    ),
    expect=(
        same(
            _(
                "It may burn, sting or feel warm for the first few days, in up to about 1 in 4 "
                "children. This usually settles as the skin heals."
            )
        ),
        same(_("Most people see the skin get better within 1 to 2 weeks.")),
    ),
    safety=(
        _SUN,
        _NO_COVER,
        same(_("Do not use it on infected skin (weeping, crusts, yellow spots).")),
    ),
)
TCI_CREAM_WHAT = same(_("a non-steroid cream that calms eczema (a calcineurin inhibitor)"))

PRODUCTS = {
    "tacrolimus-0.03": TCI,
    "tacrolimus-0.1": TCI,
    "pimecrolimus-1": ProductText(TCI_CREAM_WHAT, TCI.how_long, TCI.expect, TCI.safety),
    "ruxolitinib-1.5": ProductText(
        what=same(_("a non-steroid cream that calms eczema and itch")),
        how_long=_CHECK_AT_REVIEW,
        expect=(same(_("Your clinic will check how well it works at the review.")),),
        safety=(
            same(_("Use it on no more than a fifth (20 %) of the body.")),
            same(_("Use no more than 60 g in a week.")),
            _SUN,
            _NO_COVER,
            same(_("Do not use it while breastfeeding.")),
        ),
    ),
    "crisaborole-2": ProductText(
        what=same(_("a non-steroid ointment that calms eczema")),
        how_long=_CHECK_AT_REVIEW,
        expect=(same(_("It may sting a little when you put it on (about 1 in 25 people).")),),
        safety=(
            same(
                _("Stop it and ask your clinic if the skin swells or hives (itchy lumps) appear.")
            ),
        ),
    ),
    "tapinarof-1": ProductText(
        what=same(_("a non-steroid cream that calms eczema")),
        how_long=_CHECK_AT_REVIEW,
        expect=(same(_("Small spots around the hairs can appear (about 1 in 11 people).")),),
        safety=(same(_("Wash your hands after putting it on.")),),
    ),
}
PRODUCTS["roflumilast-0.15"] = ProductText(
    what=same(_("a non-steroid cream that calms eczema")),
    how_long=_CHECK_AT_REVIEW,
    expect=(same(_("Your clinic will check how well it works at the review.")),),
    safety=(same(_("Tell your clinic about any liver problems.")),),
)
PRODUCTS["roflumilast-0.05"] = PRODUCTS["roflumilast-0.15"]

# The steroid cream of OPTIMIZE_TCS and WET_WRAP_THERAPY (not a product of the engine's list).
STEROID_NAME = _("Steroid cream or ointment (topical corticosteroid)")
STEROID = ProductText(
    what=same(
        _(
            "a steroid cream or ointment that calms the redness and itch. Using the right amount "
            "for the full time is what makes it work."
        )
    ),
    how_long=same(_("Every day for at least 2 weeks, then follow your clinic's plan.")),
    expect=(
        same(
            _(
                "The itch and redness should settle. Keep going for the full time, even if the "
                "skin looks better."
            )
        ),
    ),
    safety=(),
)
STEROID_HOW_OFTEN = same(_("Once or twice a day, as your clinic says, on the red, itchy patches."))
STEROID_SENSITIVE_SITES = same(
    _(
        "Use only the weaker (mild) steroid on the face, eyelids and private area, unless your "
        "clinic says otherwise."
    )
)

# ------------------------------------------------------------------------------------ wet wraps
WET_WRAP_STEPS = (
    same(_("A nurse or doctor will show you how to do this the first time.")),
    same(
        _(
            "Put the steroid cream on the red, itchy patches and moisturiser on the rest of the "
            "skin."
        )
    ),
    same(
        _(
            "Put on a layer of tube bandage that has been soaked in warm water and squeezed out, "
            "so it is damp."
        )
    ),
    same(_("Put a dry layer of tube bandage on top.")),
    same(_("Leave the wraps on for at least 2 hours, or overnight.")),
    same(_("Do this for 3 to 7 days (never more than 14) unless your clinic says otherwise.")),
)
WET_WRAP_SAFETY = (
    same(_("Never put wet wraps on infected skin (weeping, crusts, yellow spots).")),
    same(_("Stop and ask your clinic if small spots appear around the hairs.")),
)

# ------------------------------------------------------------------ emollients (QS44, CKS, MHRA)
EMOLLIENTS_TITLE = _("Moisturiser (emollient) every day")
EMOLLIENTS_AMOUNT = Voiced(_("250 to 500 g a week"), _("at least 500 g a week"))
EMOLLIENTS_AMOUNT_LABEL = _("How much:")
EMOLLIENTS_HOW = (
    same(
        _(
            "Use it several times a day and after every bath or shower, even when the skin looks "
            "good."
        )
    ),
    same(_("Use it instead of soap for washing.")),
)
FIRE_WARNING = same(
    _(
        "Fire warning: moisturiser soaks into clothes, bedding and bandages and makes them catch "
        "fire easily. Keep away from flames, heaters and cigarettes, and wash fabrics often."
    )
)

# ------------------------------------------------------------------- maintenance, diet, help
MAINTENANCE_TITLE = _("When the skin is clear")
MAINTENANCE = same(
    _(
        "Keep the eczema away: twice a week, put the medium-strength steroid cream (or the "
        "non-steroid cream, if that is what worked) on the places that used to flare, for at "
        "least 16 weeks, as your clinic says. Keep using moisturiser every day all over."
    )
)
DIET = same(
    _(
        "Do not cut foods out of the diet to treat eczema: it does not help the skin. If a food "
        "allergy has been confirmed, avoid only that food, as the allergy specialist advises."
    )
)
GET_HELP_SAME_DAY_TITLE = _("Get help the same day if:")
GET_HELP_SAME_DAY = (
    same(_("Painful blisters, or small round open sores (punched-out sores)")),
    Voiced(_("A fever, or your child seems very unwell"), _("A fever, or you feel very unwell")),
)
GET_HELP_SOON_TITLE = _("Get help soon if:")
GET_HELP_SOON = (
    same(_("The skin is weeping or crusting")),
    same(_("Redness that is spreading")),
)
REVIEW_TODAY = same(_("Your clinic will arrange care today."))
REVIEW_IN_DAYS = same(
    ngettext_lazy(
        "Come back for a check in %(days)s day.", "Come back for a check in %(days)s days.", "days"
    )
)
REVIEW_DATE = _("Date of your check: %(date)s")
