from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def secret_key_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Refuse to run the site in production mode with a missing or default secret key."""
    if settings.DEBUG or settings.TESTING or not settings.SECRET_KEY_IS_INSECURE:
        return []
    return [
        Error(
            "DJANGO_SECRET_KEY is missing, the development default, or weak (fewer than 50 "
            "characters or 5 distinct ones), and DEBUG is off.",
            hint=(
                "Set DJANGO_SECRET_KEY to a long random value (or DJANGO_DEBUG=1 for local "
                "development commands such as makemigrations)."
            ),
            id="decision.E001",
        )
    ]


@register()
def pdf_font_check(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """PDF downloads need a font WeasyPrint can load; without one they answer 503 (a warning:
    the rest of the site, browser printing included, works)."""
    from decision import pdf

    reason = pdf.unavailable_reason()
    if reason is None:
        return []
    return [
        Warning(
            f"PDF downloads are unavailable on this server: {reason}.",
            hint=(
                "Restore static/vendor/dejavu-fonts-2.37/ (then collectstatic), or install "
                "WeasyPrint's libraries and a font: sudo scripts/install-system-deps.sh."
            ),
            id="decision.W001",
        )
    ]
