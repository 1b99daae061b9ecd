from django.contrib import admin
from django.urls import include, path

from decision.views_health import healthz, readyz
from eczema_site.signin import SignInView, SignOutView

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", SignOutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("decision.api.urls")),
    path("fhir/", include("decision.fhir.urls")),
    path("", include("decision.cds.urls")),
    path("", include("decision.urls")),
]
