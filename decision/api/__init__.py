"""The JSON API (/api/v1/): the engine's contract over HTTP and read access to one's own
completed consultations, for callers holding a personal API token.

Reusable pieces for other machine endpoints (the CDS Hooks service, a FHIR endpoint):
- `decision.api.http`: reading a size-limited JSON body and the one JSON error shape;
- `decision.api.auth.BearerTokenAuth`: django-ninja authentication by personal API token.
"""
