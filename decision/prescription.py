"""What the clinician prescribed after a completed consultation (issue 11, item 2).

The choices come from the stored result: the next step's products (contract ids) and the
engine's steroid agent table. The record of the advice never changes; the prescription is its own
row (decision.models.Prescription), saved here with one conditional UPDATE on its version.

A prescription that departs from the step's first choice counts as feedback "modified" unless
the clinician already said what they did: `record` then writes that feedback (reason "Other",
with a comment saying how it departs), which the clinician can change like any feedback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crispy_forms.bootstrap import InlineRadios
from django import forms
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from decision import documents, labels
from decision.engine import CurrentTCS, potency_cautions
from decision.engine.handout import STEROID_STEPS
from decision.engine.knowledge import TcsAgent, tcs_agent_map, tcs_agents
from decision.engine.knowledge import products as knowledge_products
from decision.models import Consultation, Feedback, Prescription
from eczema_site.form_helpers import form_helper, submit

FORMS = tuple(Prescription.Form.values)
NO_STEROID = ""
# Conservative: an urgent referral (eczema herpeticum, a systemically unwell patient) does not
# start with the steroid in use pre-selected; the clinician chooses one if they mean to.
NO_STEROID_BY_DEFAULT = ("URGENT_REFERRAL",)


class PrescriptionConflict(Exception):
    """The stored prescription is no longer the version the page showed: nothing was written."""

    def __init__(self, current: Prescription | None) -> None:
        super().__init__("The prescription was changed elsewhere.")
        self.current = current


def prescription_for(consultation: Consultation) -> Prescription | None:
    try:
        return consultation.prescription
    except ObjectDoesNotExist:
        return None


def offered(output: dict[str, Any] | None) -> bool:
    """A full result has a next step to prescribe for; the stage-A-only fast path has none."""
    return bool(output) and not output.get("stage_a_only") and bool(output.get("next_step"))


def product_name(product: dict[str, Any]) -> str:
    """ "tacrolimus 0.03% ointment": name, strength and form, as the result page shows them."""
    return f"{product['name']} {product['strength']} {product['form']}"


def named_form(agent: TcsAgent) -> str:
    """The form an agent's own label names ("… 0.1 % ointment"), or "" when it names none."""
    last = agent.label.rsplit(" ", 1)[-1]
    return last if last in FORMS else ""


def steroid_name(agent: TcsAgent, form: str) -> str:
    """ "hydrocortisone 1 % cream": the agent with its strength, and the form unless the label
    already says it."""
    return agent.label if named_form(agent) else f"{agent.label} {form}"


@dataclass(frozen=True)
class Prescribed:
    """A recorded prescription, resolved against the stored result for the documents."""

    products: tuple[dict[str, Any], ...]  # the step's own product dicts, in the step's order
    steroid: TcsAgent | None
    steroid_form: str

    @property
    def product_ids(self) -> tuple[str, ...]:
        return tuple(product["id"] for product in self.products)

    @property
    def steroid_name(self) -> str:
        return steroid_name(self.steroid, self.steroid_form) if self.steroid else ""

    @property
    def names(self) -> list[str]:
        """Everything prescribed by name, products first; empty when nothing was."""
        names = [product_name(product) for product in self.products]
        return [*names, self.steroid_name] if self.steroid else names

    @property
    def sentence(self) -> str:
        """ "tacrolimus 0.03% ointment; steroid: hydrocortisone 1 % cream", or "nothing"."""
        parts = [product_name(product) for product in self.products]
        if self.steroid:
            parts.append(f"steroid: {self.steroid_name}")
        return "; ".join(parts) or "nothing"


def resolve(output: dict[str, Any], prescription: Prescription | None) -> Prescribed | None:
    """The prescription with the names of what it holds; None before one is recorded. Products
    are named as the stored result offered them, or from the engine's product table when the
    result is not at hand (a list of cases)."""
    if prescription is None:
        return None
    offered_products = (output.get("next_step") or {}).get("products") or []
    by_id = {**knowledge_products(), **{p["id"]: p for p in offered_products}}
    return Prescribed(
        products=tuple(by_id[pid] for pid in prescription.products if pid in by_id),
        steroid=tcs_agent_map().get(prescription.steroid_agent),
        steroid_form=prescription.steroid_form,
    )


def steroid_cautions(engine_input: dict[str, Any], prescribed: Prescribed | None) -> list[Any]:
    """The engine's age and site cautions (README § 3 C) for a prescribed steroid other than
    the one in use: the result already gives those of the agent in use. Conservative: the
    clinician chose the agent, so the same cautions are shown beside it, never a refusal."""
    if prescribed is None or prescribed.steroid is None or "age_months" not in engine_input:
        return []
    agent = prescribed.steroid
    if agent.id == (engine_input.get("current_tcs") or {}).get("agent"):
        return []
    # Only the potency and the agent count for these cautions; how it is used does not.
    tcs = CurrentTCS(
        potency=agent.potency, applications_per_day=1, weeks=0, adherence="good", agent=agent.id
    )
    return list(potency_cautions(engine_input["age_months"], engine_input.get("sites") or [], tcs))


def prescribed_for(consultation: Consultation) -> Prescribed | None:
    return resolve(consultation.engine_output or {}, prescription_for(consultation))


def departure(output: dict[str, Any], product_ids: list[str], steroid_agent: str) -> str | None:
    """How a prescription departs from the step's first choice, in one sentence; None when it
    does not. The first choice is the step's first product; a step that uses a steroid and has
    no products (optimise the steroid, wet wraps) departs when no steroid is prescribed."""
    step = output["next_step"]
    products = step.get("products") or []
    if products:
        first = products[0]
        if list(product_ids) == [first["id"]]:
            return None
        chosen = [product_name(p) for p in products if p["id"] in product_ids]
        what = documents.join_list(chosen) if chosen else "none of the step's products"
        return f"Prescribed {what} instead of the first choice, {product_name(first)}."
    if step["code"] in STEROID_STEPS and not steroid_agent:
        return f"No steroid prescribed for the step “{step['title']}”."
    return None


def default_agent(consultation: Consultation) -> str:
    """The agent in use, to continue (a legacy id, which names no one strength, is not offered)."""
    output = consultation.engine_output or {}
    if (output.get("next_step") or {}).get("code") in NO_STEROID_BY_DEFAULT:
        return NO_STEROID
    agent = documents.steroid_agent(consultation.engine_input or {}, consultation.extras)
    return agent.id if agent and not agent.legacy else NO_STEROID


def _agent_choices() -> list[tuple[str, Any]]:
    """ "No steroid", then the agents grouped by engine potency, each with its UK group beside."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for agent in tcs_agents():
        label = f"{agent.label} ({agent.uk_label})" if agent.uk_label else agent.label
        groups.setdefault(labels.POTENCIES[agent.potency], []).append((agent.id, label))
    return [(NO_STEROID, "No steroid"), *groups.items()]


class PrescriptionForm(forms.Form):
    products = forms.MultipleChoiceField(
        label="Which of the step's products do you prescribe?",
        help_text="Tick none if you prescribe none of them. The first is the step's first choice.",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    steroid_agent = forms.ChoiceField(
        label="Topical steroid to continue or start",
        help_text="The agent and its strength; its UK group is shown beside it.",
        required=False,
    )
    steroid_form = forms.ChoiceField(
        label="Cream or ointment?",
        help_text="Needed with a steroid, unless the agent's name already says which.",
        choices=Prescription.Form.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    # The prescription's version the page showed (0: none recorded yet).
    version = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, consultation: Consultation, **kwargs: Any) -> None:
        self.consultation = consultation
        current = prescription_for(consultation)
        if current is not None:
            initial = {
                "products": current.products,
                "steroid_agent": current.steroid_agent,
                "steroid_form": current.steroid_form,
                "version": current.version,
            }
        else:
            first = self.step_products[:1]
            agent = tcs_agent_map().get(default_agent(consultation))
            initial = {
                "products": [product["id"] for product in first],
                "steroid_agent": agent.id if agent else NO_STEROID,
                "steroid_form": named_form(agent) if agent else "",
                "version": 0,
            }
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["products"].choices = [
            (product["id"], product_name(product)) for product in self.step_products
        ]
        self.fields["steroid_agent"].choices = _agent_choices()
        url = reverse("consultation_prescription", args=[consultation.pk])
        # Posted by htmx, the answer redraws the prescription and the note for the record
        # (#record-region); without JavaScript, a page.
        self.helper = form_helper(
            url,
            "version",
            # A step with no products of its own asks about the steroid only.
            *(["products"] if self.step_products else []),
            "steroid_agent",
            InlineRadios("steroid_form"),
            submit("Record what I prescribe"),
            css_class="prescription-form mt-2",
            hx_post=url,
            hx_target="#record-region",
            hx_swap="outerHTML",
        )
        self.helper.label_class = "fw-semibold"

    @property
    def step_products(self) -> list[dict[str, Any]]:
        output = self.consultation.engine_output or {}
        return (output.get("next_step") or {}).get("products") or []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        agent = tcs_agent_map().get(cleaned.get("steroid_agent") or "")
        form = cleaned.get("steroid_form") or ""
        if agent is None:
            # No steroid: a form left ticked means nothing.
            cleaned["steroid_form"] = ""
        elif named_form(agent) and form not in ("", named_form(agent)):
            self.add_error(
                "steroid_form",
                f"{agent.label.capitalize()} is listed as an {named_form(agent)}: choose "
                f"{named_form(agent)}, or another agent.",
            )
        elif not form and not named_form(agent):
            self.add_error("steroid_form", "Choose cream or ointment for the steroid.")
        else:
            cleaned["steroid_form"] = form or named_form(agent)
        # The step's order, whatever order the browser sent them in.
        chosen = set(cleaned.get("products") or [])
        cleaned["products"] = [p["id"] for p in self.step_products if p["id"] in chosen]
        return cleaned


@dataclass(frozen=True)
class Recorded:
    prescription: Prescription
    feedback_recorded: bool  # "modified" was recorded for the clinician


def record(form: PrescriptionForm, user: Any) -> Recorded:
    """Store a valid form onto the version its page showed, in one transaction: the first
    prescription is an INSERT (one per consultation), a change one conditional UPDATE. Raises
    PrescriptionConflict, writing nothing, when the stored prescription moved on."""
    consultation = form.consultation
    data = form.cleaned_data
    fields = {
        "products": data["products"],
        "steroid_agent": data["steroid_agent"] or "",
        "steroid_form": data["steroid_form"],
        "recorded_by": user,
    }
    with transaction.atomic():
        if data["version"] == 0:
            try:
                with transaction.atomic():
                    saved = Prescription.objects.create(consultation=consultation, **fields)
            except IntegrityError as error:
                raise PrescriptionConflict(_stored(consultation)) from error
        else:
            current = Prescription.objects.filter(
                consultation=consultation, version=data["version"]
            )
            if current.update(**fields, updated_at=timezone.now(), version=F("version") + 1) != 1:
                raise PrescriptionConflict(_stored(consultation))
            saved = Prescription.objects.get(consultation=consultation)
            # .update() sends no signals: the audit trail's row is written here.
            Prescription.history.bulk_history_create(
                [saved], update=True, default_date=saved.updated_at
            )
        consultation.prescription = saved
        return Recorded(saved, _feedback_if_departed(consultation, data, user))


def _stored(consultation: Consultation) -> Prescription | None:
    return Prescription.objects.filter(consultation=consultation).first()


def _feedback_if_departed(consultation: Consultation, data: dict[str, Any], user: Any) -> bool:
    """Record "modified" when the prescription departs from the first choice and the clinician
    has not yet said what they did (their own feedback is never overwritten)."""
    why = departure(consultation.engine_output, data["products"], data["steroid_agent"])
    if why is None:
        return False
    comment = f"{why} Recorded with the prescription; change it if another reason applies."
    try:
        with transaction.atomic():
            _, created = Feedback.objects.get_or_create(
                consultation=consultation,
                defaults={
                    "outcome": Feedback.Outcome.MODIFIED,
                    "reason": Feedback.Reason.OTHER,
                    "comment": comment,
                    "recorded_by": user,
                },
            )
    except IntegrityError:  # recorded by the clinician meanwhile, in another tab
        return False
    if created:
        # The cached relation would otherwise still say "no feedback" to this request's pages.
        consultation._state.fields_cache.pop("feedback", None)
    return created
