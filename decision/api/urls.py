"""/api/v1/: the API's operations, its OpenAPI schema and its documentation page.

None of them uses the session: the operations authenticate by API token (decision.api.auth);
the schema and the documentation are public, like the sign-in page. So every view here is
exempt from LoginRequiredMiddleware, which would otherwise redirect machines to a sign-in page.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.decorators.http import require_GET
from django.views.generic import RedirectView

from decision.api.api import api
from decision.api.docs import api_docs

patterns, _, _ = api.urls
for pattern in patterns:
    if pattern.name == "openapi-json":
        # Ninja's schema view would answer any method.
        pattern.callback = require_GET(pattern.callback)
    login_not_required(pattern.callback)

app_name = "api"
urlpatterns = [
    # /api/v1/ itself (ninja names it api-root): a page for people, so it needs sign-in.
    *[p for p in patterns if p.name != "api-root"],
    path("", require_GET(RedirectView.as_view(pattern_name="api:docs")), name="api-root"),
    path("docs", api_docs, name="docs"),
]
