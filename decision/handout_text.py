"""Every patient-facing word of the handout, in one place, marked for translation.

The engine writes the handout's content in English (`instructions`, from
decision/engine/knowledge/handout.toml), and that stored English is what the handout says: a
consultation keeps the words it was given, whatever rule set it was completed under. This
module is the handout's translation catalogue:

- the page's own words (title, headings), which the engine does not write;
- every sentence the engine can write, as a msgid identical to the engine's English, so that a
  catalogue can translate it (decision/documents.py looks each stored sentence up);
- patterns for the sentences that carry a number, a date or the patient's own sites, filled in
  from the engine's structured fields. documents.py uses a pattern only when, filled in, it says
  exactly what the engine said in English; otherwise the stored English is shown.

tests/print/test_handout_text.py checks this catalogue against handout.toml both ways, so the two
cannot drift apart. The templates under templates/decision/handout/ hold markup only.

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


# =============================================================================== the page's words
TITLE = Voiced(_("Your child's eczema treatment plan"), _("Your eczema treatment plan"))
HEADINGS = {
    "date": _("Date"),
    "reference": _("Reference"),
    "products": _("Your medicine"),
    "products_choice": _("Your clinic will prescribe one of these. Use only the one prescribed."),
    "shared": _("For each of these medicines"),
    "what": _("What it is"),
    "where": _("Where to put it"),
    "strengths": _("Which strength where"),
    "how_often": _("How often"),
    "how_long": _("For how long"),
    "expect": _("What to expect"),
    "safety": _("Stay safe"),
    "availability": _("Availability"),
    "how_much": _("How much to use each time"),
    "region": _("Part of the body"),
    "fingertip_units": _("Fingertip units"),
    "fingertip_picture": _(
        "Picture: cream squeezed along an adult's fingertip, from the tip to the first crease."
    ),
    "write_here": _("Your clinic writes here where to go."),
    "wet_wraps": _("Wet wraps: step by step"),
    "wet_wraps_safety": _("Wet wraps: stay safe"),
    "diet": _("Food and eczema"),
    "review": _("Your next check"),
    "clinic_name": _("Clinic"),
    "clinic_phone": _("Phone"),
    "same_day_care": _("Same-day help"),
}
AGE_ROW = _("Amounts for age %(age_row)s.")
REVIEW_DATE = _("Date of your check: %(date)s")
# "face, arms and legs": the list joined the way the language joins lists.
LIST_SEPARATOR = pgettext_lazy("list separator", ", ")
LIST_LAST = pgettext_lazy("list: all but the last item, then the last", "%(items)s and %(last)s")
FORMS = {"ointment": _("ointment"), "cream": _("cream")}
# The generic name and strength stay as printed on the pack; the form word is translated.
PRODUCT_NAME = pgettext_lazy("product: name strength form", "%(name)s %(strength)s %(form)s")

# ================================================================ patterns (numbers, dates, sites)
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
    "trunk": _("body (chest, tummy and back)"),
    "genitals": _("private area"),
}
# Under 3 years the private area is the nappy area.
GENITALS_NAPPY = _("private area (nappy area)")
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
# How much each time, in all (README § 4): "about" on a body-surface basis, "up to" otherwise.
AMOUNT = {
    "bsa": _("About %(amount)s each time, in all."),
    "regions": _("Up to %(amount)s each time, in all."),
}
AMOUNT_HALF = _("half a fingertip unit")
# %(amount)s is the figure as the engine writes it ("2.5"); `count` (the next whole number)
# picks the plural form.
AMOUNT_UNITS = ngettext_lazy("%(amount)s fingertip unit", "%(amount)s fingertip units", "count")
STEROID_YOURS = _("the steroid you have")
STEROID_KEEP = _("Keep using %(agent)s (%(strength)s steroid) on the body.")
# A prescribed agent other than the one in use, where the engine said "keep using" (issue 11).
STEROID_USE = _("Use %(agent)s (%(strength)s steroid) on the body.")
# Once the clinic has recorded what it prescribed, the handout names only that: the engine's
# "choose one of the medicines below" no longer applies (issue 11).
PRESCRIBED_TEXT = _("Use the medicine your clinic prescribed, named below.")
STRENGTH_WORDS = {
    "low": _("mild"),
    "medium": _("medium-strength"),
    "high": _("strong"),
    "very_high": _("very strong"),
}
MAINTENANCE = _(
    "Keep the eczema away: once the skin is clear, twice a week, on the places that used to "
    "flare, for at least 16 weeks, as your clinic says: %(parts)s. Keep using moisturiser every "
    "day all over."
)
MAINTENANCE_PART_SEPARATOR = pgettext_lazy("between the parts of the maintenance plan", "; ")
MAINTENANCE_PARTS = {
    "body_medium": _("on the %(sites)s, a medium-strength steroid cream"),
    "body_medium_or_tci": _(
        "on the %(sites)s, a medium-strength steroid cream, or tacrolimus or pimecrolimus if "
        "that is what cleared it"
    ),
    "body_low": _("on the %(sites)s, a mild steroid cream"),
    "sensitive_tci": _(
        "on the %(sites)s, a non-steroid cream or ointment (tacrolimus or pimecrolimus)"
    ),
    "sensitive_low": _("on the %(sites)s, a mild steroid cream"),
}
REVIEW_TODAY = _("Your clinic will arrange care today.")
REVIEW_IN_DAYS = ngettext_lazy(
    "Come back for a check in %(days)s day.", "Come back for a check in %(days)s days.", "days"
)

# ============================================================= the engine's sentences (msgids)
STEPS = {
    "URGENT_REFERRAL": (
        Voiced(
            _("Your child must be seen by a doctor today."),
            _("You must be seen by a doctor today."),
        ),
        same(_("Go to the place your clinic tells you today. Do not wait.")),
    ),
    "TREAT_INFECTION": (
        same(_("The eczema looks infected.")),
        same(
            _(
                "Your clinic will tell you how to treat it. Keep using the eczema treatments, "
                "and follow the steps below."
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
                "Wet wraps are damp bandages over the steroid cream. A nurse or doctor will show "
                "you how the first time."
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

GET_HELP_TODAY = {
    "title": same(_("Get help today")),
    "text": Voiced(
        _("Your child must be seen today. Do not wait for the next check."),
        _("You must be seen today. Do not wait for the next check."),
    ),
    "where": same(_("Where to go today:")),
}
GET_HELP_TODAY_REASONS = {
    "HERPETICUM": same(
        _(
            "The eczema may be infected with the cold sore virus (eczema herpeticum). This needs "
            "treatment today."
        )
    ),
    "HERPETICUM_EYES": same(
        _("The skin around the eyes is affected: the eyes need checking today too.")
    ),
    "ERYTHRODERMA": same(_("Red skin over almost all of the body needs checking today.")),
    "UNWELL": Voiced(
        _("Your child seems very unwell with the eczema (fever, very tired or sleepy, looks ill)."),
        _("You feel very unwell with the eczema (fever, very tired or sleepy, looks ill)."),
    ),
}

HOW_MUCH = {
    "tiny": _("Less than half a fingertip unit each time, in all."),
    "table_title": _("If the whole area is affected"),
    "grams": _("1 fingertip unit is about half a gram (0.5 g)."),
    "hand_size": _(
        "One fingertip unit covers skin the size of two flat adult hands (palms and fingers)."
    ),
    "fingertip_unit": _(
        "A fingertip unit is the cream or ointment squeezed from the tube along an adult's "
        "fingertip, from the tip to the first crease."
    ),
    "under_3_months": _("Babies under 3 months need a smaller amount: ask your clinic."),
}

INFECTION = {
    "title": _("Infected eczema"),
    "antibiotic": _(
        "Your clinic may or may not prescribe an antibiotic. If they do, use it exactly as "
        "prescribed."
    ),
    "keep_going": _("Keep using the moisturiser and the eczema treatments as before."),
    "new_tubs": _(
        "Use new, unopened tubs of moisturiser and cream: old, open tubs can carry the germs."
    ),
    "no_cover": _(
        "Do not cover infected skin with wraps or bandages, and do not use tacrolimus or "
        "pimecrolimus on it until it has cleared."
    ),
}

FREQUENCY = {
    "twice daily": _("Twice a day, morning and evening, on the eczema patches."),
    "once daily": _("Once a day, on the eczema patches."),
}

_SUN = _("Keep treated skin out of strong sun: use clothes and shade.")
_EYES = _("Keep it out of the eyes.")
_CHECK_AT_REVIEW = _("Use it as prescribed. Your clinic will check it at the review.")
_CHECK_HOW_WELL = _("Your clinic will check how well it works at the review.")
# Per kind of product: what it is, how long, and its coded expect and safety lines.
PRODUCTS = {
    "tci": {
        "what": (
            _("a non-steroid ointment that calms eczema (a calcineurin inhibitor)"),
            _("a non-steroid cream that calms eczema (a calcineurin inhibitor)"),
        ),
        "how_long": _(
            "Use it until the skin is clear. If it has not helped by 6 weeks, your clinic will "
            "look again."
        ),
        "expect": {
            "burning_child": _(
                "It may burn, sting or feel warm for the first few days, in up to about 1 in 4 "
                "children. This usually settles as the skin heals."
            ),
            "burning_adult": _(
                "It may burn, sting or feel warm for the first few days, in many people. This "
                "usually settles as the skin heals."
            ),
            "better": _("Most people see the skin get better within 1 to 2 weeks."),
        },
        "safety": {
            "sun": _SUN,
            "no_cover": _(
                "Do not cover it with bandages, wraps or plastic. Wet wraps go over the steroid "
                "cream, never over this medicine."
            ),
            "eyes": _EYES,
            "not_infected": _("Do not use it on infected skin (weeping, crusts, yellow spots)."),
            "alcohol": _("With tacrolimus, the face may go red and hot after drinking alcohol."),
            "pregnancy": Voiced(
                _(
                    "If your child is pregnant or breastfeeding: use it only on small areas, and "
                    "never on the breast while breastfeeding."
                ),
                _(
                    "If you are pregnant or breastfeeding: use it only on small areas, and never "
                    "on the breast while breastfeeding."
                ),
            ),
        },
    },
    "ruxolitinib": {
        "what": _("a non-steroid cream that calms eczema and itch"),
        "how_long": _CHECK_AT_REVIEW,
        "expect": {"check": _CHECK_HOW_WELL},
        "safety": {
            "area": _("Use it on no more than a fifth (20 %) of the body."),
            "amount": _("Use no more than 60 g in a week."),
            "sun": _SUN,
            "no_cover": _("Do not cover it with bandages, wraps or plastic."),
            "eyes": _EYES,
            "breastfeeding": _("Do not use it while breastfeeding."),
        },
    },
    "crisaborole": {
        "what": _("a non-steroid ointment that calms eczema"),
        "how_long": _CHECK_AT_REVIEW,
        "expect": {"sting": _("It may sting a little when it goes on (about 1 in 25 people).")},
        "safety": {
            "swelling": _(
                "Stop it and ask your clinic if the skin swells or hives (itchy lumps) appear."
            )
        },
    },
    "tapinarof": {
        "what": _("a non-steroid cream that calms eczema"),
        "how_long": _CHECK_AT_REVIEW,
        "expect": {"spots": _("Small spots around the hairs can appear (about 1 in 11 people).")},
        "safety": {"wash": _("Wash your hands after putting it on.")},
    },
    "roflumilast": {
        "what": _("a non-steroid cream that calms eczema"),
        "how_long": _CHECK_AT_REVIEW,
        "expect": {"check": _CHECK_HOW_WELL},
        "safety": {"liver": _("Tell your clinic about any liver problems.")},
    },
}
# products.toml: the availability note beside each product (knowledge.md § Availability).
AVAILABILITY = (
    _("Licensed in the US, the UK and the EU."),
    _(
        "Licensed for atopic dermatitis in the US; outside the US, check local availability (not "
        "marketed for eczema in the UK at the time of writing)."
    ),
)

# The steroid of OPTIMIZE_TCS and WET_WRAP_THERAPY.
STEROID = {
    "name": _("Steroid cream or ointment (topical corticosteroid)"),
    "what": _(
        "a steroid cream or ointment that calms the redness and itch. Using the right amount for "
        "the full time is what makes it work."
    ),
    "how_often": _("Once or twice a day, as your clinic says, on the red, itchy patches."),
    "how_often_twice": _("Twice a day, morning and evening, on the red, itchy patches."),
    "how_long": _("Every day for at least 2 weeks, then follow your clinic's plan."),
    "expect": _(
        "The itch and redness should settle. Keep going for the full time, even if the skin "
        "looks better."
    ),
    "wraps_what": _("a steroid cream that goes on the red, itchy patches under the wet wraps"),
    "wraps_how_long": _(
        "Only while using the wet wraps: 3 to 7 days (never more than 14), unless your clinic "
        "says otherwise."
    ),
    "wraps_how_often": _("Once a day, before the wraps go on, unless your clinic says otherwise."),
}
STEROID_WHERE = {
    "sensitive": _(
        "On the face, eyelids, neck and private area: only a mild steroid, unless your clinic "
        "says otherwise."
    ),
    "under_12_months": _(
        "On the body: a mild or medium-strength steroid, as your clinic prescribes (never a "
        "strong one under 12 months)."
    ),
    "mild_body": _("On the body: a mild steroid is enough."),
    "moderate_body": _("On the body: a medium-strength steroid."),
    "severe_body_child": _(
        "On the body: a strong steroid, for no more than 14 days, then as your clinic says."
    ),
    "severe_body_adult": _("On the body: a strong steroid, then as your clinic says."),
    "wraps": _(
        "Under the wraps: a medium-strength steroid, or a stronger one mixed with moisturiser to "
        "make it weaker, as your clinic shows you."
    ),
    "wraps_face": _(
        "On the face: only a mild steroid, and wraps on the face only if a skin specialist says so."
    ),
}

WET_WRAPS = {
    "steps": (
        _("A nurse or doctor will show you how to do this the first time."),
        _(
            "Put the steroid cream on the red, itchy patches and moisturiser on the rest of the "
            "skin."
        ),
        _(
            "Put on a layer of tube bandage that has been soaked in warm water and squeezed out, "
            "so it is damp."
        ),
        _("Put a dry layer of tube bandage on top."),
        _("Leave the wraps on for at least 2 hours, or overnight."),
        _("Do this for 3 to 7 days (never more than 14) unless your clinic says otherwise."),
    ),
    "safety": (
        _("Never put wet wraps on infected skin (weeping, crusts, yellow spots)."),
        _("Never put wet wraps over tacrolimus or pimecrolimus."),
        _("Stop and ask your clinic if small spots appear around the hairs."),
    ),
}

# Emollients (NICE QS44, NICE CKS, MHRA 2020).
EMOLLIENTS = {
    "title": _("Moisturiser (emollient) every day"),
    "amount": Voiced(_("250 to 500 g a week"), _("at least 500 g a week")),
    "how": (
        _(
            "Use it several times a day and after every bath or shower, even when the skin looks "
            "good."
        ),
        _("Use it instead of soap for washing."),
    ),
    "fire": _(
        "Fire warning: moisturiser soaks into clothes, bedding and bandages and makes them catch "
        "fire easily. Keep away from flames, heaters and cigarettes, and wash fabrics often."
    ),
}
EMOLLIENTS_AMOUNT_LABEL = _("How much:")

MAINTENANCE_TITLE = _("When the skin is clear")
DIET = _(
    "Do not cut foods out of the diet to treat eczema: it does not help the skin. If a food "
    "allergy has been confirmed, avoid only that food, as the allergy specialist advises."
)
GET_HELP = {
    "same_day_title": _("Get help the same day if:"),
    "same_day": (
        same(_("Painful blisters, or small round open sores (punched-out sores)")),
        Voiced(
            _("A fever, or your child seems very unwell"), _("A fever, or you feel very unwell")
        ),
    ),
    "soon_title": _("Get help soon if:"),
    "soon": (_("The skin is weeping or crusting"), _("Redness that is spreading")),
}
