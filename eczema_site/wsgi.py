"""WSGI entry point (gunicorn eczema_site.wsgi). Refuses to start in production mode with a
missing or development secret key, or with no allowed hosts (every request would be a 400)."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eczema_site.settings")

from django.conf import settings

if not settings.DEBUG:
    problems = []
    if settings.SECRET_KEY_IS_INSECURE:
        problems.append("set DJANGO_SECRET_KEY to a long random value (50+ characters)")
    if not settings.ALLOWED_HOSTS:
        problems.append("set DJANGO_ALLOWED_HOSTS to the site's host name(s)")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production mode: " + "; ".join(problems))

application = get_wsgi_application()
