from django.contrib import admin
from django.urls import include, path

from decision.views_health import healthz, readyz
from eczema_site import two_factor
from eczema_site.signin import SignInView, SignOutView

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    # Someone stopped at the second step may still sign out.
    path(
        "accounts/logout/",
        two_factor.second_factor_exempt(SignOutView.as_view()),
        name="logout",
    ),
    path("accounts/two-step/", two_factor.enrol, name="two_factor"),
    path("accounts/two-step/verify/", two_factor.verify, name="two_factor_verify"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("decision.api.urls")),
    path("fhir/", include("decision.fhir.urls")),
    path("", include("decision.cds.urls")),
    path("", include("decision.urls")),
]
