"""The only settings file. Everything that differs between machines comes from the environment.

Helpers fail loudly on malformed values: a typo in production must stop the server, not be ignored.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("YISHI_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def development_secret_key() -> str:
    """A key generated once per checkout and kept under var/, so sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


# "production" switches on every protection that needs HTTPS in front of the app.
PROFILE = os.environ.get("YISHI_PROFILE", "development")
if PROFILE not in {"development", "production"}:
    raise ImproperlyConfigured(f"YISHI_PROFILE must be development or production, got {PROFILE!r}")
PRODUCTION = PROFILE == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = os.environ.get("SECRET_KEY") or ""
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    SECRET_KEY = development_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "django_ratelimit",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "yishi.audit",
    "yishi.regions",
    "yishi.people",
    "yishi.access",
    "yishi.matters",
    "yishi.procedures",
    "yishi.meetings",
    "yishi.plans",
    "yishi.reviews",
    "yishi.votes",
    "yishi.works",
    "yishi.notices",
    "yishi.surveys",
    "yishi.funds",
    "yishi.reminders",
    "yishi.comments",
    "yishi.stats",
    "yishi.ops",
    "yishi.web",
    "yishi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, which answers static files itself: they carry the policy too.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "yishi.web.middleware.ElderlyModeMiddleware",
    # Writes the authority checks a request was refused to the security log, once it is answered.
    "yishi.web.security_log.RefusedAttemptsMiddleware",
    # Turns a tripped rate limit into the 429 page (RATELIMIT_VIEW).
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, as django-axes asks: it turns a lock-out into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yishi.urls"
WSGI_APPLICATION = "yishi.wsgi.application"

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
                "yishi.web.context.site",
            ],
            # |yuan (money as ¥150.00) on every template without a {% load %}.
            "builtins": ["yishi.web.templatetags.yishi_formats"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'yishi.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # IMMEDIATE takes the write lock when a transaction starts, so two writers queue instead of one
    # failing half-way ("database is locked"); the audit chain relies on writers being serialised.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith("redis://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL == "":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(f"CACHE_URL must be empty or redis://…, got {CACHE_URL!r}")

AUTH_USER_MODEL = "people.Person"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "yishi.people.backends.PhonePasswordBackend",
    "yishi.people.backends.OneTimeCodeBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "people:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# Lock-out: five wrong passwords or codes for one phone number lock it for 30 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "phone"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "people/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_SENSITIVE_PARAMETERS = ["password", "code"]
# django-axes keeps its logs of logins and failed attempts (the law wants network logs kept: 网络安全法 Art. 21),
# but they stay out of the admin. Each row is a phone number with the time of a login to the second; everyone,
# the system administrator included, reads the public audit chain, where a back-to-back raise keeps its time to
# the second and no actor: side by side they would name who raised it. Hiding them "from all but the superuser"
# would change nothing (the admin is the superuser's alone), and times to the day would still leak the order
# (ids, sorting, each row's title). A lock-out ends by itself in 30 minutes; `yishi axes_reset_username <phone>`
# lifts it sooner.
AXES_ENABLE_ADMIN = False
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
RATELIMIT_VIEW = "yishi.web.views.rate_limited"
# Rate limits need a counter shared by all workers; locmem is per process, so it is for one-process
# development and tests only. Production sets CACHE_URL to Redis.
# Behind a proxy every request comes from the proxy's address: name the header that carries the client's.
RATELIMIT_IP_META_KEY = os.environ.get("CLIENT_IP_META_KEY") or None
# Lock-out is per phone number only: a community office behind one address must not be locked out by
# one resident's typos. Per-address limits come from django-ratelimit on the login views instead.
# W001 warns about caches ratelimit does not know; Django's own Redis cache counts atomically.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "django_ratelimit.W001"]
if not CACHE_URL and not PRODUCTION:
    # One development process: local memory is a shared counter. Production must set CACHE_URL.
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003"]

# One-time login codes for residents, sent through a pluggable SMS backend.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "yishi.people.sms.ConsoleBackend")
ONE_TIME_CODE_TTL_SECONDS = env_int("ONE_TIME_CODE_TTL_SECONDS", 300)
ONE_TIME_CODE_MAX_ATTEMPTS = 5

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Dates as 2026年10月15日 in zh-hans (yishi/formats/zh_Hans); English keeps Django's English formats.
FORMAT_MODULE_PATH = ["yishi.formats"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
# In development WhiteNoise serves straight from the apps (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG and not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploads: spreadsheets and photos. Anything larger is refused before it is read.
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Security headers everywhere; the HTTPS-only ones in production, where a proxy terminates TLS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
CSRF_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Background work (reminders, escalation, digests): the django-tasks backport with its database backend and
# worker (`yishi db_worker`). The same task code can later run on a Redis queue.
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# Procedure rules. Defaults from the seed report; every region may come to override them (rules issue).
# Reviewer fields whose approval step 5 needs: one legal expert.
YISHI_REQUIRED_REVIEWS = env_list("YISHI_REQUIRED_REVIEWS", ["legal"])
# Eight-step vote: at least 2/3 of all representatives in favour (以上 includes the bound).
YISHI_VOTE_THRESHOLD = (2, 3)

# Personal data in the audit log is kept only as a keyed digest; the key never leaves the server.
AUDIT_KEY = os.environ.get("AUDIT_KEY") or SECRET_KEY
# The record's signing key signs its checkpoints; it lives in a file outside the database, so that whoever
# can write to the database cannot sign a rewritten record (`yishi audit-keygen` makes one). Development
# makes its own under var/ on first use; production refuses to start without one.
AUDIT_SIGNING_KEY_FILE = os.environ.get("AUDIT_SIGNING_KEY_FILE") or ""
if not AUDIT_SIGNING_KEY_FILE:
    if PRODUCTION:
        raise ImproperlyConfigured("AUDIT_SIGNING_KEY_FILE must name the record's signing key in production")
    AUDIT_SIGNING_KEY_FILE = str(VAR_DIR / "record_signing_key")
# The record's name in its checkpoints and the name of its key: unique to this deployment.
AUDIT_LOG_ORIGIN = os.environ.get("AUDIT_LOG_ORIGIN") or "yishi.localhost/record"
# The witnesses whose cosignatures the record accepts and publishes: their verifier keys (name+id+key).
AUDIT_WITNESSES = env_list("AUDIT_WITNESSES", [])
# While entries arrive, a new signed checkpoint at most this often (a receipt's proof waits for the next).
AUDIT_CHECKPOINT_SECONDS = env_int("AUDIT_CHECKPOINT_SECONDS", 1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "yishi": {"handlers": ["console"], "level": os.environ.get("YISHI_LOG_LEVEL", "INFO")},
    },
}

SITE_NAME = _("Yishi community consultation")
