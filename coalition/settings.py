"""Django settings. Every value that differs between machines comes from the environment;
README.md has the table of variables.

COALITION_ENV selects the mode:
- development (default): DEBUG on, an embedded PostgreSQL when DATABASE_URL is unset, e-mail
  printed to the console, a file-system Celery broker when CELERY_BROKER_URL is unset;
- production: DEBUG off, every secret required (no defaults), HTTPS-only cookies and HSTS, so
  that `manage.py check --deploy --fail-level WARNING` passes.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("COALITION_VAR_DIR", BASE_DIR / "var"))

ENV = os.environ.get("COALITION_ENV", "development")
if ENV not in {"development", "production"}:
    raise ImproperlyConfigured("COALITION_ENV must be 'development' or 'production'.")
PRODUCTION = ENV == "production"


def env_required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when COALITION_ENV=production.")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION) and not PRODUCTION

if PRODUCTION:
    SECRET_KEY = env_required("DJANGO_SECRET_KEY")
    # Wraps the per-practice pseudonym secrets at rest (Fernet key, urlsafe base64, 32 bytes).
    PRACTICE_SECRETS_KEY = env_required("PRACTICE_SECRETS_KEY")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must be set when COALITION_ENV=production."
        )
else:
    SECRET_KEY = os.environ.get(
        "DJANGO_SECRET_KEY", "development-only-secret-key-never-use-in-production-0123456789"
    )
    PRACTICE_SECRETS_KEY = os.environ.get(
        "PRACTICE_SECRETS_KEY", "ZGV2ZWxvcG1lbnQtb25seS1rZXktMDEyMzQ1Njc4OTA="
    )
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "auditlog",
    "csp",
    "coalition",
    "practices",
    "practices.submissions",
    "benchmarks",
    "benchmarks.economics",
    "quality",
    "quality.pso",
    "coalition.purchasing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "coalition.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "coalition.middleware.StaffTwoFactorRequiredMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
]

ROOT_URLCONF = "coalition.urls"
WSGI_APPLICATION = "coalition.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "coalition" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coalition.context_processors.navigation",
            ],
        },
    },
]

# --- Database: PostgreSQL only. ---------------------------------------------------------------
if PRODUCTION:
    DATABASE_URL = env_required("DATABASE_URL")
else:
    from coalition import devdb

    DATABASE_URL = os.environ.get("DATABASE_URL") or devdb.database_url()
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
# A persistent connection the server dropped (a database restart) is noticed and replaced at
# the start of the next request or task, instead of failing it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits and login lockout counters live here). --------------------------------
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "coalition.cache.RedisCache", "LOCATION": CACHE_URL}}
elif PRODUCTION:
    # Shared between worker processes; `manage.py createcachetable` creates the table.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "coalition_cache",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A session is read on every signed-in request. With a shared cache it is read from the cache
# and written through to the database (a flushed cache signs nobody out); without one, from the
# database only, since a per-process cache would keep a signed-out session alive in the other
# processes.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if CACHE_URL.startswith(("redis://", "rediss://"))
    else "django.contrib.sessions.backends.db"
)

# --- Accounts -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "coalition.User"
# Django's and allauth's backends, loading the user with its staff and membership flags.
AUTHENTICATION_BACKENDS = ["coalition.backends.ModelBackend", "coalition.backends.AccountBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "coalition.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"  # addresses are proven by accepting an invitation
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
# Throttling and lockout: LOGIN_LOCKOUT_ATTEMPTS failures for one account lock it for
# LOGIN_LOCKOUT_SECONDS; any address is held to LOGIN_ATTEMPTS_PER_MINUTE_PER_IP failures.
LOGIN_LOCKOUT_ATTEMPTS = int(os.environ.get("LOGIN_LOCKOUT_ATTEMPTS", "5"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "900"))
LOGIN_ATTEMPTS_PER_MINUTE_PER_IP = int(os.environ.get("LOGIN_ATTEMPTS_PER_MINUTE_PER_IP", "20"))
ACCOUNT_RATE_LIMITS = {
    "login_failed": (
        f"{LOGIN_ATTEMPTS_PER_MINUTE_PER_IP}/m/ip,"
        f"{LOGIN_LOCKOUT_ATTEMPTS}/{LOGIN_LOCKOUT_SECONDS}s/key"
    ),
    "login": "60/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
# Sensitive account changes (two-factor, recovery codes) ask for the password again unless it
# was entered, at sign-in or since, within this many seconds (coalition.adapters).
ACCOUNT_REAUTHENTICATION_TIMEOUT = int(os.environ.get("ACCOUNT_REAUTHENTICATION_TIMEOUT", "300"))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = os.environ.get("MFA_TOTP_ISSUER", "Radiology Coalition")
MFA_RECOVERY_CODE_COUNT = 10

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "coalition@localhost")
INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "14"))
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# --- Security -----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(60 * 60 * 8)))
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content-Security-Policy (django-csp 4): scripts, styles, fonts and connections from the site
# itself only, so no inline script, inline event handler or inline style runs. Images may also
# be data: URIs (the TOTP QR code). The API docs pages add what Swagger UI and ReDoc need, on
# those views only (coalition/api/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- I18N / time --------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it to exist
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # Uploaded files; COALITION_MEDIA_DIR puts them elsewhere (the benchmarks use their own).
        "OPTIONS": {"location": os.environ.get("COALITION_MEDIA_DIR", str(VAR_DIR / "media"))},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- REST API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "coalition.api.authentication.PracticeAPIKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "coalition.api.schema.CoalitionAutoSchema",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_THROTTLE_CLASSES": [
        "coalition.api.throttling.AnonRateThrottle",
        "coalition.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "60/min"),
        "user": os.environ.get("API_THROTTLE_USER", "2000/min"),
    },
    "EXCEPTION_HANDLER": "coalition.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
API_KEY_CUSTOM_HEADER = "HTTP_X_API_KEY"
SPECTACULAR_SETTINGS = {
    "TITLE": "Radiology Coalition Data Platform API",
    "DESCRIPTION": (
        "Practice-scoped API of the coalition data platform. Authenticate with a session "
        "(the site's sign-in) or with a practice API key: `Authorization: Api-Key <key>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SafetyEventStatusEnum": "quality.pso.vocabularies.Status",
        "LessonStatusEnum": "quality.pso.models.Lesson.Status",
        "SafetyEventSourceEnum": "quality.pso.models.SafetyEvent.Source",
        "ContractCategoryEnum": "coalition.purchasing.models.Category",
        "PurchaseSourceEnum": "coalition.purchasing.models.PurchaseRecord.Source",
        "SupportAskCategoryEnum": "benchmarks.economics.models.SupportAsk.Category",
    },
}

# --- Celery -------------------------------------------------------------------------------------
# Redis in production. Without CELERY_BROKER_URL (development), kombu's file-system transport
# under var/celery: a real broker shared by processes on one machine that needs no server.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_DIR = VAR_DIR / "celery"
if PRODUCTION and not CELERY_BROKER_URL:
    raise ImproperlyConfigured("CELERY_BROKER_URL must be set when COALITION_ENV=production.")
# Redis hands an unacknowledged message (its worker was killed) to another worker once it has
# been out this long: longer than the longest task (a million-row import, a release), so that a
# running task is not handed out twice, and short enough that a killed worker's task runs again
# within minutes. (A task delivered while its first run is alive waits for it: see the import.)
CELERY_VISIBILITY_TIMEOUT_SECONDS = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT_SECONDS", "600"))
if CELERY_BROKER_URL:
    CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT_SECONDS,
        # Each worker looks for such messages this often (kombu's default scans every 100 s).
        "unacked_restore_interval": max(1, min(10, CELERY_VISIBILITY_TIMEOUT_SECONDS // 2)),
        "unacked_restore_throttle": 1,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    _queue_dir = CELERY_DIR / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(CELERY_DIR / "processed"),
        "control_folder": str(CELERY_DIR / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = os.environ.get(
        "CELERY_RESULT_BACKEND", f"file://{CELERY_DIR / 'results'}"
    )
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies mid-way is delivered again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# The sweepers: work saved but never started (the broker was down) or whose run went silent is
# sent again. `make run` starts `celery beat`; production runs one beat process.
CELERY_SWEEP_SECONDS = float(os.environ.get("CELERY_SWEEP_SECONDS", "60"))
CELERY_BEAT_SCHEDULE = {
    "requeue-stalled-submissions": {
        "task": "submissions.requeue_stalled",
        "schedule": CELERY_SWEEP_SECONDS,
        "options": {"expires": CELERY_SWEEP_SECONDS},
    },
    "requeue-stalled-releases": {
        "task": "benchmarks.requeue_stalled_releases",
        "schedule": CELERY_SWEEP_SECONDS,
        "options": {"expires": CELERY_SWEEP_SECONDS},
    },
    "purchasing-alerts": {
        "task": "purchasing.send_alerts",
        "schedule": timedelta(hours=int(os.environ.get("PURCHASING_ALERT_EVERY_HOURS", "6"))),
    },
}

# --- Audit trail --------------------------------------------------------------------------------
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False
# The previous state of a row is read through the plain base manager: practice-scoped default
# managers refuse unscoped reads by design.
AUDITLOG_USE_BASE_MANAGER = True

# --- Logging: never secrets, never uploaded values. -------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A refusal (403) is an expected answer: its one-line warning, without a traceback.
    "filters": {"refusal": {"()": "coalition.log_filters.RefusalWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["refusal"]},
    },
}

# --- Benchmarks ---------------------------------------------------------------------------------
# Disclosure thresholds (SPEC section 2). These are the initial values; staff change them on the
# rule settings page (stored in benchmarks.RuleSettings, copied into every release). None may be
# looser than the Statement 6 floor (benchmarks/rules.py FLOOR); `manage.py check` says so.
BENCHMARK_MIN_PRACTICES = int(os.environ.get("BENCHMARK_MIN_PRACTICES", "5"))
BENCHMARK_MAX_PRACTICE_SHARE = os.environ.get("BENCHMARK_MAX_PRACTICE_SHARE", "0.25")
BENCHMARK_MIN_OBSERVATIONS_CENTRAL = int(os.environ.get("BENCHMARK_MIN_OBSERVATIONS_CENTRAL", "5"))
BENCHMARK_MIN_OBSERVATIONS_TAILS = int(os.environ.get("BENCHMARK_MIN_OBSERVATIONS_TAILS", "10"))
BENCHMARK_PUBLICATION_LAG_MONTHS = int(os.environ.get("BENCHMARK_PUBLICATION_LAG_MONTHS", "3"))
BENCHMARK_MIN_CLINICAL_FTE = os.environ.get("BENCHMARK_MIN_CLINICAL_FTE", "0.5")

# --- Data submissions ---------------------------------------------------------------------------
# Uploads larger than this are refused before anything is read (bytes).
SUBMISSION_MAX_UPLOAD_BYTES = int(os.environ.get("SUBMISSION_MAX_UPLOAD_BYTES", str(100_000_000)))
# XLSX archives are checked before they are opened: number of parts, total declared size once
# expanded, and the expansion ratio of any large part (zip bombs fail these).
SUBMISSION_XLSX_MAX_ENTRIES = int(os.environ.get("SUBMISSION_XLSX_MAX_ENTRIES", "200"))
SUBMISSION_XLSX_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("SUBMISSION_XLSX_MAX_UNCOMPRESSED_BYTES", str(500_000_000))
)
SUBMISSION_XLSX_MAX_RATIO = int(os.environ.get("SUBMISSION_XLSX_MAX_RATIO", "100"))
SUBMISSION_XLSX_MAX_ROWS = int(os.environ.get("SUBMISSION_XLSX_MAX_ROWS", "1048576"))
# At most this many errors are listed per rejected file (their counts per kind stay exact).
SUBMISSION_MAX_STORED_ISSUES = int(os.environ.get("SUBMISSION_MAX_STORED_ISSUES", "100000"))
# A submission whose processing has shown no progress for this long may be retried.
SUBMISSION_STALE_MINUTES = int(os.environ.get("SUBMISSION_STALE_MINUTES", "15"))
# A run refreshes its heartbeat this often (seconds), storing included; a run silent for
# SUBMISSION_SILENT_SECONDS is taken for dead: a redelivered task takes over and the sweeper
# re-queues it. An upload not started after SUBMISSION_REQUEUE_SECONDS (its message was lost
# or never sent) is sent again; the sweeper gives up after SUBMISSION_MAX_ATTEMPTS runs.
SUBMISSION_HEARTBEAT_SECONDS = float(os.environ.get("SUBMISSION_HEARTBEAT_SECONDS", "10"))
SUBMISSION_SILENT_SECONDS = float(os.environ.get("SUBMISSION_SILENT_SECONDS", "120"))
SUBMISSION_REQUEUE_SECONDS = float(os.environ.get("SUBMISSION_REQUEUE_SECONDS", "300"))
SUBMISSION_MAX_ATTEMPTS = int(os.environ.get("SUBMISSION_MAX_ATTEMPTS", "3"))
# Outlier warnings compare against the coalition only when this many practices and
# observations contribute.
SUBMISSION_OUTLIER_MIN_PRACTICES = int(os.environ.get("SUBMISSION_OUTLIER_MIN_PRACTICES", "5"))
SUBMISSION_OUTLIER_MIN_OBSERVATIONS = int(
    os.environ.get("SUBMISSION_OUTLIER_MIN_OBSERVATIONS", "30")
)

# --- the PSO (docs/pso.md) -------------------------------------------------------------------------
# PSO staff are reminded of events still untriaged after this many days.
PSO_UNTRIAGED_DAYS = int(os.environ.get("PSO_UNTRIAGED_DAYS", "3"))
CELERY_BEAT_SCHEDULE["pso-reminders"] = {
    "task": "quality.pso.tasks.send_reminders",
    "schedule": 6 * 60 * 60,  # every six hours; each reminder goes out once a day
}

# --- Group purchasing ---------------------------------------------------------------------------
# Written agreements with vendors: kept outside the media root, read only through staff pages.
PURCHASING_PRIVATE_DIR = Path(
    os.environ.get("PURCHASING_PRIVATE_DIR", str(VAR_DIR / "private" / "purchasing"))
)
# Alerts: contracts ending within this many days; a tier within this share of its minimum.
PURCHASING_EXPIRY_ALERT_DAYS = int(os.environ.get("PURCHASING_EXPIRY_ALERT_DAYS", "90"))
PURCHASING_TIER_NEAR_SHARE = os.environ.get("PURCHASING_TIER_NEAR_SHARE", "0.10")
