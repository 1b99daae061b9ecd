"""Login-free probes for the proxy, load balancer or service manager.

- `/healthz` (liveness): "ok" as plain text, without touching the database, the session or a
  template, even when the request carries a session cookie. bench/load.py uses it as its
  baseline: the cost of a request through the full middleware stack with no work in the view.
- `/readyz` (readiness): "ready" when the database answers a query, else 503 and one log line, so
  the proxy stops sending clinicians to an instance that could not save their work.
"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _plain(text: str, status: int = 200) -> HttpResponse:
    return HttpResponse(text, content_type="text/plain; charset=utf-8", status=status)


@login_not_required
@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return _plain("ok")


@login_not_required
@require_safe
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.error("Not ready: the database does not answer: %s", error)
        return _plain("database unavailable", status=503)
    return _plain("ready")
