"""Settings for Eczema Step-Up: one file, driven by environment variables.

Production is the default: DEBUG is off unless DJANGO_DEBUG=1, and the site refuses to start
without a real DJANGO_SECRET_KEY. `make run` sets DJANGO_DEBUG=1 for local use.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def secret_key_is_insecure(key: str) -> bool:
    """The same bar as Django's own security.W009: at least 50 characters, 5 distinct ones, and
    not a key that `startproject` generated (nor our development key)."""
    return len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-")


# pytest and `manage.py test` run with development defaults; everything else is production
# unless DJANGO_DEBUG says otherwise.
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]
DEBUG = envbool("DJANGO_DEBUG", False)

DEV_SECRET_KEY = "django-insecure-dev-only-never-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "") or DEV_SECRET_KEY
# Serving in production with the development key is refused by the decision.E001 system check
# (runserver, migrate, check) and by wsgi.py (gunicorn). Offline commands such as `recommend`
# need no secret and work without one.
SECRET_KEY_IS_INSECURE = secret_key_is_insecure(SECRET_KEY)
# Old keys still accepted for signatures while rotating (comma-separated).
SECRET_KEY_FALLBACKS = envlist("DJANGO_SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if (DEBUG or TESTING) else "")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS")

# The site's own name until the clinic sets its own (the handout then leaves a line for it).
CLINIC_NAME_DEFAULT = "Eczema Step-Up clinic"
CLINIC_NAME = os.environ.get("CLINIC_NAME", CLINIC_NAME_DEFAULT)
# The clinic's phone number, printed on the patient handout (a line to write on when empty).
CLINIC_PHONE = os.environ.get("CLINIC_PHONE", "")
# Where a patient goes for same-day care, in the clinic's own words: printed in the handout's
# "Get help today" box above the blank line the clinic writes on (clinical/README.md § 4).
CLINIC_SAME_DAY_CARE = os.environ.get("CLINIC_SAME_DAY_CARE", "")

INSTALLED_APPS = [
    # Django's admin with every list filter and history URL hardened (eczema_site/admin_site.py).
    "eczema_site.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "simple_history",
    "import_export",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django_permissions_policy",
    "corsheaders",
    "decision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that static files carry these headers too.
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "eczema_site.security.CrossOriginResourcePolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # CORS headers for the CDS Hooks endpoints only (CORS_URLS_REGEX); answers their preflights.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Renews a signed-in session's idle expiry at most once a minute instead of on every request.
    "eczema_site.security.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): has this session passed the second sign-in step (django-otp)?
    "django_otp.middleware.OTPMiddleware",
    # Every view needs a signed-in user unless marked @login_not_required (sign-in only). Django's
    # LoginRequiredMiddleware, plus a whole-page redirect for htmx requests.
    "eczema_site.security.LoginRequiredMiddleware",
    # Until a signed-in user owes no second step, every other page sends them to it.
    "eczema_site.two_factor.SecondFactorMiddleware",
    # A malformed id that reaches a model field is a 400, never a 500.
    "eczema_site.security.InvalidInputMiddleware",
    # Signed-in pages are never cached (Cache-Control: no-store, private).
    "eczema_site.security.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Oversized bodies (multipart too), charsets other than UTF-8 and NUL characters: 400 before
    # anything parses them. After the header middleware, so that the 400 page carries them.
    "eczema_site.security.RefuseUnreadableRequestsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # AxesMiddleware must be last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "eczema_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "decision.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "eczema_site.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite for 20 clinicians at once (issue 14): WAL lets readers and the one writer work
    # together; a transaction takes the write lock when it begins (IMMEDIATE), so it waits its
    # turn (up to the busy timeout) instead of failing with "database is locked" halfway through;
    # synchronous=NORMAL is safe with WAL (a power cut may lose the last commits, never corrupt).
    DATABASES["default"].update(
        # Django's backend with a flush that works despite the immutability triggers.
        ENGINE="eczema_site.sqlite3",
        OPTIONS={
            "transaction_mode": "IMMEDIATE",
            "timeout": envint("SQLITE_BUSY_TIMEOUT_SECONDS", 20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        },
        # Tests on a file, not in memory: an in-memory database shares one connection between
        # threads, so the race tests would not race (one file per run: runs never collide).
        TEST={"NAME": str(Path(tempfile.gettempdir()) / f"eczema-test-{os.getpid()}.sqlite3")},
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": envint("DJANGO_PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Tests create many users; the production hasher is slow by design.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Two-step sign-in (eczema_site/two_factor.py): optional for everyone; with
# DJANGO_2FA_FOR_STAFF=1, required of reviewers and admins (staff), at their next sign-in.
TWO_FACTOR_REQUIRED_FOR_STAFF = envbool("DJANGO_2FA_FOR_STAFF", False)
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = os.environ.get("DJANGO_2FA_ISSUER", "") or f"Eczema Step-Up ({CLINIC_NAME})"

# Sign-in throttling (django-axes; the policy is in README § Running in production):
# - a user name from one address: locked after AXES_FAILURE_LIMIT failures;
# - one address, whatever the user names: locked after AXES_ADDRESS_FAILURE_LIMIT failures;
# a lock lasts AXES_COOLOFF_TIME after the last failure that counted, attempts during it are not
# counted (they never extend it), and a successful sign-in clears that user name's failures.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_ADDRESS_FAILURE_LIMIT = envint("AXES_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
# In this order: eczema_site.signin.SignInThrottle reads the two counts in it.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "eczema_site.signin.SignInThrottle"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
# Behind a proxy every request comes from the proxy's address; take the client's address from the
# X-Forwarded-For entry the proxy appended instead (see eczema_site/security.py).
AXES_CLIENT_IP_CALLABLE = "eczema_site.security.client_ip_address"

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", "") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if (DEBUG or TESTING)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# In development and tests WhiteNoise serves straight from static/ (no collectstatic needed); in
# production it serves the collected, hashed and compressed files from STATIC_ROOT.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
# Source maps are three quarters of the vendored bytes and only a developer's tools fetch them:
# serve them uncompressed rather than spend most of collectstatic compressing them.
# The PDF fonts (vendor/dejavu-fonts-*) are read from disk by WeasyPrint, never downloaded.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map", "ttf"]

# The small ordinary forms render through crispy-forms (a FormHelper on each form); the
# questionnaire's steps do not (its lean widget templates, README "The questionnaire").
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# A layout naming a field its form lacks fails the tests instead of leaving the field out.
CRISPY_FAIL_SILENTLY = not (DEBUG or TESTING)

# Sessions: expire after an idle period (seconds). A request renews the clock, but the session is
# written at most once every SESSION_REFRESH_SECONDS (security.SessionRefreshMiddleware), so it
# expires between SESSION_IDLE_SECONDS minus that and SESSION_IDLE_SECONDS after the last request,
# without a database write per request.
SESSION_COOKIE_AGE = envint("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ENGINE = "eczema_site.security"  # the database store, remembering the stored expiry
SESSION_REFRESH_SECONDS = envint("SESSION_REFRESH_SECONDS", 60)
SESSION_COOKIE_HTTPONLY = True

# The cache: per process, in memory. It holds the PDFs of completed consultations (they never
# change; decision.views_print), at most MAX_ENTRIES of them (a few MB) per gunicorn worker.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "eczema-step-up",
        "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", 500)},
    }
}
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# Secure headers. HTTPS-only settings apply outside development and tests.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No page of the site uses a camera, microphone, location, payment or other powerful feature:
# every one is turned off for the site and anything it could embed (django-permissions-policy).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
# Cross-Origin-Resource-Policy: no other site may load the site's pages, PDFs or static files.
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
_HTTPS = not (DEBUG or TESTING) and envbool("DJANGO_HTTPS", True)
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
# "__Host-": the browser keeps these cookies only if they are Secure, for this host alone (no
# Domain) and for the whole site (Path=/), so a sibling subdomain cannot set or shadow them. Over
# plain HTTP (development, DJANGO_HTTPS=0) the browser would refuse such a cookie: plain names.
SESSION_COOKIE_NAME = "__Host-sessionid" if _HTTPS else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if _HTTPS else "csrftoken"
SECURE_SSL_REDIRECT = _HTTPS and envbool("DJANGO_SSL_REDIRECT", True)
# The proxy's health checks may talk plain HTTP to gunicorn: /healthz ("ok", nothing else) and
# /readyz ("ready" or 503 when the database does not answer).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", 31536000) if _HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _HTTPS
SECURE_HSTS_PRELOAD = _HTTPS
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto and appends X-Forwarded-For. Only
# turn this on when the proxy overwrites those headers: otherwise a client could forge them.
BEHIND_PROXY = envbool("DJANGO_BEHIND_PROXY", False)
PROXY_COUNT = envint("DJANGO_PROXY_COUNT", 1)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Strict CSP: no inline scripts or styles anywhere (htmx is configured by a meta tag).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# Oversized or over-long posts are refused with 400 (and logged by django.security); the size
# limit applies to the whole body, multipart included (eczema_site.security).
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DJANGO_MAX_POST_BYTES", 256 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400

# Errors go to standard error (gunicorn and the service manager collect it): django.request logs
# every 5xx with its traceback and every 4xx as a warning; django.security logs refused input
# (bad host, oversized post, CSRF). The browser only ever sees templates/4xx.html and 500.html.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# --- The JSON API (decision/api) ------------------------------------------------------------
# /api/v1/recommend reads its body itself, up to this size (a batch of 1,000 typical assessments
# is about 700 KB); the site's forms keep DATA_UPLOAD_MAX_MEMORY_SIZE.
API_MAX_BODY_BYTES = envint("API_MAX_BODY_BYTES", 2 * 1024 * 1024)
API_MAX_BATCH = envint("API_MAX_BATCH", 1000)
# Requests per token user, counted per process in the cache ("number/s|min|hour|day").
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120/min")

# FHIR (decision/fhir/): the canonical base of the Questionnaire and its code systems. A stable
# name, not an address the site must answer at: set it to the clinic's public /fhir URL.
FHIR_CANONICAL_BASE = os.environ.get("FHIR_CANONICAL_BASE", "http://eczema-step-up.example/fhir")


# --- The CDS Hooks service (decision/cds) -----------------------------------------------------
def cds_clients(path: str) -> dict:
    """The trusted EHRs: a JSON file mapping each JWT issuer (`iss`) to its public keys, as
    {"jwks": {"keys": [...]}} or {"jwks_url": "https://..."} (README: API and CDS Hooks)."""
    if not path:
        return {}
    try:
        clients = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"CDS_CLIENTS_FILE {path}: {exc}") from exc
    if not isinstance(clients, dict) or not all(
        isinstance(c, dict) and ("jwks" in c or "jwks_url" in c) for c in clients.values()
    ):
        raise ImproperlyConfigured(
            f"CDS_CLIENTS_FILE {path}: expected {{issuer: {{jwks or jwks_url}}}}"
        )
    return clients


CDS_CLIENTS = cds_clients(os.environ.get("CDS_CLIENTS_FILE", ""))
# The public address of this site (e.g. https://eczema.clinic.example): the JWT audience and the
# cards' links are built from it. Empty: from the request (fine when the proxy passes Host on).
CDS_BASE_URL = os.environ.get("CDS_BASE_URL", "")
CDS_JWT_MAX_LIFETIME = envint("CDS_JWT_MAX_LIFETIME", 3600)
CDS_MAX_BODY_BYTES = envint("CDS_MAX_BODY_BYTES", 1024 * 1024)
CDS_PREFILL_MAX_AGE = envint("CDS_PREFILL_MAX_AGE", 60 * 60)
CDS_SERVICE_USERNAME = os.environ.get("CDS_SERVICE_USERNAME", "cds-hooks")
# Per EHR (JWT issuer): its clinicians share it. An operational choice, not a clinical one:
# generous enough for a busy clinic opening charts, small enough to stop a runaway client.
CDS_RATE_LIMIT = os.environ.get("CDS_RATE_LIMIT", "600/min")
# CDS Hooks clients may run in a browser: CORS for /cds-services only. Calls carry a bearer JWT,
# never a cookie, so any origin may ask; CDS_CORS_ALLOWED_ORIGINS narrows it to a list.
CORS_URLS_REGEX = r"^/cds-services(/.*)?$"
CORS_ALLOWED_ORIGINS = envlist("CDS_CORS_ALLOWED_ORIGINS")
CORS_ALLOW_ALL_ORIGINS = not CORS_ALLOWED_ORIGINS
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ("GET", "OPTIONS", "POST")
CORS_ALLOW_HEADERS = ("accept", "authorization", "content-type")
