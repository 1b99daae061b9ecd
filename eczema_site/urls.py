from django.contrib import admin
from django.urls import include, path

from decision.views_health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("decision.api.urls")),
    path("fhir/", include("decision.fhir.urls")),
    path("", include("decision.urls")),
]
