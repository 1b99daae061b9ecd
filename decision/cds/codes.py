"""The codes the CDS Hooks service reads and writes.

What an EHR must send to be understood, and what it gets back, in one place. The steroid and the
sites use the FHIR Questionnaire's own code systems (decision/fhir: one per question, under
FHIR_CANONICAL_BASE), whose codes are the knowledge table's agent ids and the contract's site
codes: an EHR maps its terms to them once, for the questionnaire and this service alike.
"""

from __future__ import annotations

from decision import questionnaire
from decision.engine import SITES
from decision.fhir.resources import base, code_system
from decision.models import Feedback

SYSTEM_TCS_AGENT = code_system(questionnaire.QUESTIONS["tcs_agent"])  # the agent ids
SYSTEM_SITE = code_system(questionnaire.QUESTIONS["sites"])  # the contract's site codes
SYSTEM_OVERRIDE_REASON = f"{base()}/CodeSystem/override-reason"  # Feedback.Reason codes
SYSTEM_TOPIC = f"{base()}/CodeSystem/next-step"  # the engine's step codes

SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"

# Atopic dermatitis, as the prefetch query asks for it.
ATOPIC_DERMATITIS = ((SNOMED, "24079001"), (ICD10CM, "L20.9"))

# Condition.severity: FHIR R4's condition-severity value set (SNOMED CT).
SEVERITY_CODES = {
    (SNOMED, "255604002"): "mild",
    (SNOMED, "6736007"): "moderate",
    (SNOMED, "24484000"): "severe",
}

# Condition.bodySite and MedicationRequest.dosageInstruction.site: the contract's site codes.
SITE_CODES = {(SYSTEM_SITE, site): site for site in SITES}

# Dosage timing codes (HL7 v3 GTSAbbreviation) → applications per day.
TIMING_CODES = {"QD": 1, "AM": 1, "PM": 1, "BID": 2, "TID": 3, "QID": 4}
GTS_ABBREVIATION = "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation"

# Offered on each card; the feedback endpoint stores the code as Feedback.reason.
OVERRIDE_REASONS = [
    {"system": SYSTEM_OVERRIDE_REASON, "code": code, "display": str(label)}
    for code, label in Feedback.Reason.choices
]
