"""The CDS Hooks 2.0 service (https://cds-hooks.hl7.org/2.0/): an EHR discovers it at
/cds-services, calls it on `patient-view` with the patient, their atopic dermatitis conditions and
topical corticosteroid prescriptions prefetched, and shows the card it answers; it posts what the
clinician did with the card to /cds-services/<id>/feedback. Every call but discovery carries a JWT
signed by the EHR (decision.cds.client_auth)."""
