"""Casework settings: one module, every value from the environment (12-factor).

With no environment at all the app runs on an embedded SQLite file, runs Celery
tasks in-process and prints e-mail to the console, so a newcomer needs nothing
else installed. Production sets DEBUG=0 and the variables listed in README.md;
a bad value fails loudly at start rather than silently falling back.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=True)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-in-production-0123456789"
SECRET_KEY = env("SECRET_KEY", default=_DEV_SECRET if DEBUG else None)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0")
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("SECRET_KEY must not be the development key when DEBUG=0")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "simple_history",
    "axes",
    "csp",
    "django_htmx",
    "django_celery_beat",
    "cases",
    "contacts",
    "caseplans",
    "services",
    "alerts",
    "responses",
    "care",
    "simulation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Issue 12: after WhiteNoise (static files may be cached), around everything else.
    "casework.middleware.NoStoreMiddleware",
    "casework.middleware.RequestBodyLimitMiddleware",
    "casework.middleware.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Issue 12: idle sign-out that the page's background requests (autosave) do not defeat.
    "casework.middleware.IdleSignOutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Issue 12: every read of a child's record is recorded, one insert per request.
    "cases.access_log.AccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must be last: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "casework.urls"
WSGI_APPLICATION = "casework.wsgi.application"

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
                "casework.context_processors.casework",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Tests on a file, not shared-cache memory: browser tests run the server in another
    # thread, and a file database waits for a lock instead of failing at once.
    # One file per test process, so parallel runs never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}
    # Take the write lock when a transaction starts, so two writers queue instead of deadlocking.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side parameter binding: bulk writes pass arrays without client-side quoting,
    # several times faster for the nightly recompute. Turn off behind a transaction-mode pooler.
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = env.bool(
        "DATABASE_SERVER_SIDE_BINDING", default=True)
    # PostgreSQL's JIT compiler costs ~250 ms on the case search's plan, far more than the query.
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "cases.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user; every page requires sign-in

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:my_cases"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-au"
# One way of writing dates on every page: casework/formats/en_AU/formats.py.
FORMAT_MODULE_PATH = ["casework.formats"]
TIME_ZONE = env("TIME_ZONE", default="Australia/Brisbane")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Attachments (issue 16): documents and photos on a case ------------------
# Stored through Django's storage API under STORAGES["attachments"]: a local folder by default
# (ATTACHMENT_ROOT, outside anything the web server serves: files leave only through the app's
# download view, with the case's access rules), or an S3-compatible bucket with
# ATTACHMENT_STORAGE=s3 (django-storages; boto3 is imported only when that backend is used).
ATTACHMENT_STORAGE = env("ATTACHMENT_STORAGE", default="local")
ATTACHMENT_ROOT = env("ATTACHMENT_ROOT", default=str(BASE_DIR / "attachments"))
if ATTACHMENT_STORAGE == "local":
    STORAGES["attachments"] = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                               "OPTIONS": {"location": ATTACHMENT_ROOT, "base_url": None}}
elif ATTACHMENT_STORAGE == "s3":
    if not env("ATTACHMENT_S3_BUCKET", default=""):
        raise ImproperlyConfigured("ATTACHMENT_STORAGE=s3 needs ATTACHMENT_S3_BUCKET")
    STORAGES["attachments"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": env("ATTACHMENT_S3_BUCKET"),
        "endpoint_url": env("ATTACHMENT_S3_ENDPOINT_URL", default=None),
        "region_name": env("ATTACHMENT_S3_REGION", default=None),
        "location": env("ATTACHMENT_S3_PREFIX", default="attachments"),
        # Credentials: boto3's own chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a role).
        "default_acl": None, "querystring_auth": True, "file_overwrite": False,
    }}
else:
    raise ImproperlyConfigured("ATTACHMENT_STORAGE must be 'local' or 's3'")
# Largest file accepted, in bytes (default 10 MiB). Uploads to an attachment route may exceed
# REQUEST_BODY_MAX_BYTES by this much (casework.middleware.RequestBodyLimitMiddleware).
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
if ATTACHMENT_MAX_BYTES < 1024:
    raise ImproperlyConfigured("ATTACHMENT_MAX_BYTES must be at least 1024")
# Types accepted, told from the file's content (cases/attachment_rules.py), never its name.
ATTACHMENT_TYPES = env.list("ATTACHMENT_TYPES", default=["pdf", "png", "jpeg"])
if not ATTACHMENT_TYPES or set(ATTACHMENT_TYPES) - {"pdf", "png", "jpeg"}:
    raise ImproperlyConfigured("ATTACHMENT_TYPES must be one or more of: pdf, png, jpeg")

# --- Agency -----------------------------------------------------------------
# Prefix of generated case reference numbers, e.g. QLD-2026-000123.
CASE_REFERENCE_PREFIX = env("CASE_REFERENCE_PREFIX", default="QLD")
if not CASE_REFERENCE_PREFIX.isalnum():
    raise ImproperlyConfigured("CASE_REFERENCE_PREFIX must be letters and digits only")

# --- Sessions: expire after idle minutes, with a warning shown first ------------
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_WARNING_MINUTES = env.int("SESSION_WARNING_MINUTES", default=2)
if SESSION_IDLE_MINUTES < 2 or SESSION_WARNING_MINUTES >= SESSION_IDLE_MINUTES:
    raise ImproperlyConfigured("SESSION_IDLE_MINUTES must be >= 2 and larger than SESSION_WARNING_MINUTES")
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# Issue 12: only activity pushes the expiry forward, not every request: the page's own
# background requests (draft autosave) must not keep an idle session alive.
# casework.middleware.IdleSignOutMiddleware records activity (and so saves the session).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Request bodies (issue 12) ---------------------------------------------------
# A body larger than this answers 413 before it is read (casework.middleware.
# RequestBodyLimitMiddleware): the API and the inbound endpoint, and the pages' forms.
# Default: Django's own 2.5 MiB, which Django also applies when a view reads the body.
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=2_621_440)
if REQUEST_BODY_MAX_BYTES < 10_000:
    raise ImproperlyConfigured("REQUEST_BODY_MAX_BYTES must be at least 10000 (a long case note must fit)")
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES

# --- Access log (issue 12) -------------------------------------------------------
# Every read of a child's record is recorded (cases.access_log); off only to measure its cost.
ACCESS_LOG_ENABLED = env.bool("ACCESS_LOG_ENABLED", default=True)
# Looks older than this many days are deleted nightly (default 7 years).
ACCESS_LOG_RETENTION_DAYS = env.int("ACCESS_LOG_RETENTION_DAYS", default=2557)
if ACCESS_LOG_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("ACCESS_LOG_RETENTION_DAYS must be a whole number of days, at least 1")

# --- Sign-in throttling (django-axes) -------------------------------------------
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Keep every failed sign-in (AccessAttempt rows are reset on success): the managers' access report shows them.
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# --- Security -------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# --- E-mail -------------------------------------------------------------------
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="casework@localhost")

# --- Celery -----------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# No Redis configured: run tasks in-process so `make run` needs nothing else.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task past the soft limit gets SoftTimeLimitExceeded (a chunk records it as its error);
# at the hard limit its worker process is killed.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=600)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=660)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Queuing must never hold up a web request: one quick attempt, and if the broker is down
# the work is picked up by the next scheduled run.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
# Redis has no acknowledgements of its own: kombu keeps each delivered message (with
# acks_late, until its task ends) and puts it back in the queue once it is older than
# visibility_timeout, so a task whose worker was killed is delivered again. It must be
# longer than the hard time limit, or a task still running would be handed to a second
# worker, and longer than any countdown (retries back off at most 300 s), or a waiting
# retry would be delivered twice; the default 900 s (15 min) brings a lost task back
# within about 17 minutes (kombu looks for them every ~100 s), well within the night.
# The watchdog (contacts.tasks.runs_watch) covers what the broker cannot: a chunk killed
# at the hard limit is acknowledged as failed, and a publish that failed never reached
# the queue.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "visibility_timeout": env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=900),
}
if not 0 < CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]:
    raise ImproperlyConfigured("Need 0 < CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < "
                               "CELERY_BROKER_VISIBILITY_TIMEOUT (a running task must never be delivered twice)")

CACHES = (
    {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    if REDIS_URL
    else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)

# --- REST API ---------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Strict list parameters: what cannot be read is refused, not ignored (casework/api_query.py).
    "DEFAULT_PAGINATION_CLASS": "casework.api_query.StrictPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "casework.api_query.StrictFilterBackend",
        "rest_framework.filters.SearchFilter",
        "casework.api_query.StrictOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Casework API",
    "DESCRIPTION": "Case records and minimum-contact compliance. Same access rules as the web pages.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The document of the API is for signed-in staff, like every page.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Served from our own static files: no CDN, and the split view keeps scripts out of the page (CSP).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # A request and an answer are different shapes (write-only fields, read-only ones): one component each.
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents its error answers (400, 401, 403, 404, 409, 413): casework/openapi.py.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "casework.openapi.document_error_answers"],
    # Several apps have a "status" or "method" field with different choices: name each set.
    "ENUM_NAME_OVERRIDES": {
        "AlertStatusEnum": "alerts.models.AlertStatus",
        "CasePlanStatusEnum": "caseplans.models.PlanStatus",
        "PlanGoalStatusEnum": "caseplans.models.GoalStatus",
        "ScheduledVisitStatusEnum": "contacts.models.VisitStatus",
        "RequirementChangeStatusEnum": "contacts.models.RequestStatus",
        "CaseMonthStatusEnum": "contacts.models.MonthStatus",
        "InboundMessageStatusEnum": "responses.models.InboundStatus",
        "SafetyPlanStatusEnum": "responses.models.PlanStatus",
        "RecommendationStatusEnum": "responses.models.RecommendationStatus",
        "ReferralStatusEnum": "services.models.ReferralStatus",
        "CostApprovalStatusEnum": "services.models.CostApprovalStatus",
        "PaymentMethodEnum": "services.models.PaymentMethod",
        "InformationMethodEnum": "services.models.InformationMethod",
        "ExchangeMethodEnum": "services.models.ExchangeMethod",
        "CasePlanGoalEnum": "cases.models.CasePlanGoal",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- contacts (minimum-contact standard, case notes) --------------------------
# A saved contact or case note can be edited by its author for this long; then only addenda.
CASE_NOTE_EDIT_HOURS = env.int("CASE_NOTE_EDIT_HOURS", default=24)
# A contact recorded more than this many working days after it happened is marked late.
CONTACT_LATE_AFTER_WORKING_DAYS = env.int("CONTACT_LATE_AFTER_WORKING_DAYS", default=2)
# Public holidays that are not working days (python-holidays country and subdivision).
AGENCY_HOLIDAYS_COUNTRY = env("AGENCY_HOLIDAYS_COUNTRY", default="AU")
AGENCY_HOLIDAYS_SUBDIVISION = env("AGENCY_HOLIDAYS_SUBDIVISION", default="QLD")
# How often the contact form saves a draft while the worker types (seconds).
CONTACT_DRAFT_AUTOSAVE_SECONDS = env.int("CONTACT_DRAFT_AUTOSAVE_SECONDS", default=3)
# --- alerts and the compliance scheduler ----------------------------------------
# A month closes (its result frozen, shortfalls alerted) at the end of this day of the next month.
MONTH_CLOSE_GRACE_DAYS = env.int("MONTH_CLOSE_GRACE_DAYS", default=5)
# Hour (agency time) of the nightly recompute; edit the schedule itself in the admin (django-celery-beat).
NIGHTLY_COMPLIANCE_HOUR = env.int("NIGHTLY_COMPLIANCE_HOUR", default=2)
# A chunk of a run with no progress (sent, started or finished) for this long was lost:
# the broker would have delivered it again by now (visibility timeout plus its sweep), so
# the watchdog sends it again, at most COMPLIANCE_CHUNK_MAX_SENDS times in all; then the
# run is marked failed.
COMPLIANCE_CHUNK_STALE_MINUTES = env.int("COMPLIANCE_CHUNK_STALE_MINUTES", default=20)
COMPLIANCE_CHUNK_MAX_SENDS = env.int("COMPLIANCE_CHUNK_MAX_SENDS", default=3)
if COMPLIANCE_CHUNK_STALE_MINUTES * 60 <= CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]:
    raise ImproperlyConfigured("COMPLIANCE_CHUNK_STALE_MINUTES must be longer than CELERY_BROKER_VISIBILITY_TIMEOUT")
if COMPLIANCE_CHUNK_MAX_SENDS < 1:
    raise ImproperlyConfigured("COMPLIANCE_CHUNK_MAX_SENDS must be at least 1")
# Unacknowledged shortfall alerts older than this many days escalate to the office's managers.
ALERT_ESCALATION_DAYS = env.int("ALERT_ESCALATION_DAYS", default=7)
# Days a face-to-face visit needs to arrange comfortably, for the "at risk this month" warning.
AT_RISK_DAYS_PER_VISIT = env.int("AT_RISK_DAYS_PER_VISIT", default=3)
# The US federal monthly caseworker-visit measure (contacts.federal; README "The federal
# monthly caseworker-visit measure"): shown on the managers' dashboard and in the API when on.
# It is computed with every result either way, so switching it on shows past months at once.
_FEDERAL_VISIT_MEASURE = env("FEDERAL_VISIT_MEASURE", default="on").strip().lower()
if _FEDERAL_VISIT_MEASURE not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
    raise ImproperlyConfigured("FEDERAL_VISIT_MEASURE must be on or off (1/0, true/false, yes/no)")
FEDERAL_VISIT_MEASURE = _FEDERAL_VISIT_MEASURE in {"1", "true", "yes", "on"}
# Target share of child-months in care with a caseworker visit, in percent (the Act's 95 %).
FEDERAL_VISIT_TARGET = env.int("FEDERAL_VISIT_TARGET", default=95)
if not 1 <= FEDERAL_VISIT_TARGET <= 100:
    raise ImproperlyConfigured("FEDERAL_VISIT_TARGET must be a whole percentage from 1 to 100")
# Address used in e-mailed links.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# --- caseplans (statutory timeframes) -------------------------------------------
# First plan endorsed and a copy given to the child and parents within N days of substantiation.
CASEPLAN_FIRST_PLAN_DAYS = env.int("CASEPLAN_FIRST_PLAN_DAYS", default=21)
# A plan is reviewed by its review date and at least every N months.
CASEPLAN_REVIEW_MONTHS = env.int("CASEPLAN_REVIEW_MONTHS", default=12)
# A timeframe is "due soon" (and alerted) within N days of its due date.
CASEPLAN_DUE_SOON_DAYS = env.int("CASEPLAN_DUE_SOON_DAYS", default=7)
if min(CASEPLAN_FIRST_PLAN_DAYS, CASEPLAN_REVIEW_MONTHS) < 1 or CASEPLAN_DUE_SOON_DAYS < 0:
    raise ImproperlyConfigured("CASEPLAN_* timeframes must be positive numbers.")
# --- care (children in care) ----------------------------------------------------
# The carer of each current placement is visited at least every N months (a line of the month,
# counted separately from the child's minimum-contact requirement).
CARER_VISIT_MONTHS = env.int("CARER_VISIT_MONTHS", default=1)
if not 1 <= CARER_VISIT_MONTHS <= 12:
    raise ImproperlyConfigured("CARER_VISIT_MONTHS must be a whole number of months from 1 to 12.")
# --- services (referrals) ------------------------------------------------------
# --- responses (record alerts, new concerns, reviews, closure) ------------------
# Hours after receipt by which each step of a response to new information is due, per kind
# ("view,assess,further_action,safety_assessment,case_plan_review,placement_review").
RESPONSES_NEW_CONCERN_DUE_HOURS = env.list("RESPONSES_NEW_CONCERN_DUE_HOURS", cast=int,
                                           default=[4, 24, 72, 24, 240, 72])
RESPONSES_COURT_ALERT_DUE_HOURS = env.list("RESPONSES_COURT_ALERT_DUE_HOURS", cast=int,
                                           default=[24, 72, 120, 72, 240, 120])
# Supervision review interval in weeks by the case's latest risk level (the manual's minimum is 6).
RESPONSES_SUPERVISION_WEEKS_LOW = env.int("RESPONSES_SUPERVISION_WEEKS_LOW", default=6)
RESPONSES_SUPERVISION_WEEKS_MODERATE = env.int("RESPONSES_SUPERVISION_WEEKS_MODERATE", default=6)
RESPONSES_SUPERVISION_WEEKS_HIGH = env.int("RESPONSES_SUPERVISION_WEEKS_HIGH", default=4)
# Formal case review every N months.
RESPONSES_FORMAL_REVIEW_MONTHS = env.int("RESPONSES_FORMAL_REVIEW_MONTHS", default=6)
# Supervision and formal reviews are alerted this many days before they fall due.
RESPONSES_REVIEW_WARNING_DAYS = env.int("RESPONSES_REVIEW_WARNING_DAYS", default=7)
