import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eczema_site.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402  (settings are configured by now)

if not settings.DEBUG and settings.SECRET_KEY_IS_INSECURE:
    raise ImproperlyConfigured(
        "Refusing to start: set DJANGO_SECRET_KEY to a long random value in production."
    )
