"""The CDS Hooks endpoints, at the paths the specification fixes: {base}/cds-services[/…]."""

from __future__ import annotations

from django.urls import path

from decision.cds import views

app_name = "cds"
urlpatterns = [
    path("cds-services", views.discovery, name="discovery"),
    path("cds-services/<str:service_id>", views.service, name="service"),
    path("cds-services/<str:service_id>/feedback", views.feedback, name="feedback"),
]
