"""A login-free liveness probe: "ok" as plain text, without touching the database or templates.

Load balancers and uptime checks use it, and bench/load.py uses it as the baseline: the cost of a
request through the full middleware stack with no work in the view.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@login_not_required
@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
