"""/fhir/: a small FHIR R4-series endpoint for the questionnaire (decision/fhir/views.py)."""

from __future__ import annotations

from django.urls import path

from decision.fhir import views

app_name = "fhir"
urlpatterns = [
    path("Questionnaire/eczema-step-up", views.get_questionnaire, name="questionnaire"),
    path(
        "QuestionnaireResponse/$evaluate",
        views.evaluate_response,
        name="evaluate",
    ),
    path(
        "QuestionnaireResponse/<uuid:pk>",
        views.get_questionnaire_response,
        name="questionnaire_response",
    ),
    path("Observation", views.search_observations, name="observations"),
    path(
        "Observation/<uuid:pk>-<slug:kind>",
        views.get_observation,
        name="observation",
    ),
]
