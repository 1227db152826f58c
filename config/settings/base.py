"""Settings shared by every environment. Values come from the environment (django-environ);
a malformed value fails loudly at start rather than being guessed at."""
import datetime as dt
import os
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",  # API tokens: hashed, expiring, revocable (accounts.tokens)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "accounts",
    "cases",
    "advocacy",
    "demo",  # the demo data set and `load_demo`: no models
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",  # security keys and passkeys as a second factor
    "csp",  # Content-Security-Policy (its system checks)
    "axes",  # sign-in lockout (last: its checks see every other app)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # which second factor this session passed, if any
    "accounts.middleware.UserLanguageMiddleware",
    "accounts.middleware.StaffSessionMiddleware",
    # After the idle check: nothing but the two-factor page until the session passes it.
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: turns a sign-in refused for lockout into the plain "try again later" answer (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.staff",
            ],
        },
    },
]

# Form widgets are drawn by Jinja2 (Django's own widget templates, in their Jinja2 edition; the
# admin's and other libraries' widgets by Django's engine, as before): config/form_renderer.py.
# Pages themselves stay Django templates.
FORM_RENDERER = "config.form_renderer.JinjaWidgets"

# Embedded default: a SQLite file next to the code. CI and production set DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses any sign-in (page, token, admin) for a locked-out account or address.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No guardian "anonymous user" row: anonymous visitors hold no object permission, ever.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
# Password reset links (and invitations) are valid for three days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Los_Angeles"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# A cache shared by every web process: the public form's rate limits count in it. The embedded
# default is one process, so memory will do; production sets CACHE_URL=redis://...
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache":
    # Redis away is a slower page, never a failed one: cache reads miss, writes are dropped (and
    # logged), and nothing waits on a dead server for more than a second. The rate limits decide
    # for themselves what to do then (config.ratelimit: they let the request through).
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1})
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# --- Encryption of PII at rest -------------------------------------------------------------
# FIELD_ENCRYPTION_KEYS: comma-separated Fernet keys; the first encrypts, all decrypt (rotation).
# BLIND_INDEX_KEY: secret for the keyed HMAC that lets staff find a person by exact A-number.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
BLIND_INDEX_KEY = env("BLIND_INDEX_KEY", default="")

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes a missing, expired or revoked token a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["config.api.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_THROTTLE_RATES": {"token": "10/minute", "public_progress": "120/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Family case tracker API",
    "DESCRIPTION": "Permissioned case records for separated families. Objects outside your "
    "permissions answer 404. Writes to versioned objects send the `version` they were based "
    "on; a stale version answers 409 and changes nothing.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files: no third-party script on staff pages.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation lists the errors it can answer (config.api.add_error_responses).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "config.api.add_error_responses"],
    "ENUM_NAME_OVERRIDES": {
        "ConsentLevelEnum": "cases.models.case.ConsentLevel",
        "FacilityKindEnum": "cases.models.facilities.FacilityKind",
        "CustodianKindEnum": "cases.models.people.CustodianKind",
        "PersonRoleEnum": "cases.models.people.PersonRole",
        "ReleaseTypeEnum": "cases.models.people.ReleaseType",
        "ProceedingKindEnum": "cases.models.process.ProceedingKind",
        "ProceedingStatusEnum": "cases.models.process.ProceedingStatus",
        "HearingStatusEnum": "cases.models.process.HearingStatus",
        "SponsorStatusEnum": "cases.models.process.SponsorStatus",
        "SponsorCategoryEnum": "cases.models.process.SponsorCategory",
        "FearKindEnum": "cases.models.process.FearKind",
        "FearOutcomeEnum": "cases.models.process.FearOutcome",
        "FearReviewEnum": "cases.models.process.FearReview",
        "ShareAccessEnum": "accounts.roles.ShareAccess",
        "DecisionMakerKindEnum": "advocacy.models.decision_makers.DecisionMakerKind",
        "ActionStatusEnum": "advocacy.models.actions.ActionStatus",
        "SupporterEditingEnum": "advocacy.models.actions.SupporterEditing",
        "LanguageEnum": "advocacy.models.actions.Language",
        "TallyKindEnum": "advocacy.models.actions.TallyKind",
        "LetterStatusEnum": "advocacy.models.letters.LetterStatus",
        "LetterChannelEnum": "advocacy.models.letters.Channel",
        "BatchStatusEnum": "advocacy.models.letters.BatchStatus",
    },
}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# No broker configured: run tasks in-process so the embedded default needs no services.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
# Letters and submissions that could not be sent to the broker (it was away), untouched this long,
# are sent again by the sweep.
LETTER_SWEEP_GRACE_SECONDS = env.int("LETTER_SWEEP_GRACE_SECONDS", default=600)
CELERY_BEAT_SCHEDULE: dict = {
    "sweep-letters": {"task": "advocacy.tasks.sweep_letters",
                      "schedule": env.float("LETTER_SWEEP_EVERY_SECONDS", default=60.0)},
    "send-notices": {"task": "advocacy.tasks.send_notices", "schedule": env.float("NOTICE_EVERY_SECONDS", default=60.0)},
    "close-due-actions": {"task": "advocacy.tasks.close_due_actions", "schedule": 60.0},
    "suggest-won-actions": {"task": "advocacy.tasks.suggest_won_actions", "schedule": 900.0},
    "forget-used-form-tokens": {"task": "cases.tasks.forget_used_form_tokens", "schedule": 3600.0},
    "sweep-stored-files": {"task": "cases.tasks.sweep_stored_files", "schedule": 3600.0},
    "resume-waiting-work": {"task": "cases.tasks.resume_waiting_work", "schedule": 300.0},
    "resume-pdf-batches": {"task": "advocacy.tasks.resume_pdf_batches", "schedule": 300.0},
    "plan-reminders": {"task": "cases.tasks.plan_reminders",
                       "schedule": env.float("REMINDER_PLAN_EVERY_SECONDS", default=300.0)},
    "send-reminders": {"task": "cases.tasks.send_reminders", "schedule": env.float("REMINDER_EVERY_SECONDS", default=60.0)},
}
# One message at a time per worker process: with acks_late, a killed worker strands one letter, not
# a prefetched dozen.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_ON_FAILURE_OR_TIMEOUT = True
# Redis redelivers a message no worker acknowledged after `visibility_timeout` seconds (looking for
# such messages every interval x throttle seconds); the sweep and the letter's claim make an early
# redelivery harmless.
# Letters on the default queue; the sweep and the organizers' notices on a queue of their own, so a
# backlog of letters never starves them. Declaring both makes every worker consume both.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (Queue("celery"), Queue("upkeep"))
CELERY_TASK_ROUTES = {
    "advocacy.tasks.sweep_letters": {"queue": "upkeep"},
    "advocacy.tasks.send_notices": {"queue": "upkeep"},
    "cases.tasks.plan_reminders": {"queue": "upkeep"},
    "cases.tasks.send_reminders": {"queue": "upkeep"},
    "cases.tasks.sweep_stored_files": {"queue": "upkeep"},
    "cases.tasks.resume_waiting_work": {"queue": "upkeep"},
    "advocacy.tasks.resume_pdf_batches": {"queue": "upkeep"},
}
# A web request never waits long on a broker that is away: the submission is stored and the sweep
# sends it later (config.celery.try_enqueue).
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
# A letter or submission sent to the broker longer ago than this and still not taken by a worker is
# sent again by the sweep (its message was lost); by default the time after which Redis hands an
# unacknowledged message out again, so a letter waiting in a long queue is never sent there twice.
LETTER_REQUEUE_SECONDS = env.int("LETTER_REQUEUE_SECONDS", default=CELERY_VISIBILITY_TIMEOUT)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="casetracker@localhost")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# A worker never waits forever on a mail server (the letter's claim would outlive it).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# Logs carry ids and event names, never names, A-numbers, addresses or notes.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint reports every page it lays out at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Reminders of hearings and deadlines (cases.services.reminders) ---------------------------
# Days before each hearing, judge's review deadline and sponsor vetting step that its advocates are
# reminded (0: the morning of), at this hour of the organisation's time zone.
REMINDER_DAYS_BEFORE = sorted({int(d) for d in env.list("REMINDER_DAYS_BEFORE", default=["7", "2", "0"])}, reverse=True)
REMINDER_HOUR = env.int("REMINDER_HOUR", default=7)
# A reminder first planned after its hour (the event was entered late, the beat was down) still goes
# out within this many hours of it; later, it is dropped (the next one comes).
REMINDER_LATE_HOURS = env.int("REMINDER_LATE_HOURS", default=12)
# Seconds before a reminder the mail server did not take is tried again (the last figure repeats).
REMINDER_RETRY_BACKOFF_SECONDS = [int(s) for s in env.list("REMINDER_RETRY_BACKOFF_SECONDS",
                                                           default=["60", "300", "900"])]

# --- Advocacy letters ---------------------------------------------------------------------------
# Where the site answers, for links in emails sent by workers (no request to take it from): the
# supporter's link to where their letters stand.
SITE_URL = env("SITE_URL", default=f"https://{ALLOWED_HOSTS[0]}" if ALLOWED_HOSTS else "http://127.0.0.1:8000")
# Letters go out from the organisation's name at this address; the supporter is the Reply-To.
LETTER_FROM_EMAIL = env("LETTER_FROM_EMAIL", default=DEFAULT_FROM_EMAIL)
# The right-hand side of every letter's Message-ID (<letter-KEY@domain>): the same letter always
# carries the same Message-ID, so a receiving system can recognise a repeat.
LETTER_MESSAGE_ID_DOMAIN = env("LETTER_MESSAGE_ID_DOMAIN", default="letters.invalid")
# How long a worker's claim on a letter holds before the sweep may hand it to another worker.
LETTER_CLAIM_LEASE_SECONDS = env.int("LETTER_CLAIM_LEASE_SECONDS", default=300)
LETTER_MAX_ATTEMPTS = env.int("LETTER_MAX_ATTEMPTS", default=6)
# Letters per delivery message: claimed, rendered and stored together, sent over one connection.
LETTER_BATCH_SIZE = env.int("LETTER_BATCH_SIZE", default=25)
# Seconds before attempt 2, 3, ... (the last figure repeats): a mail server down for an hour loses
# no letter.
LETTER_RETRY_BACKOFF_SECONDS = [int(s) for s in env.list("LETTER_RETRY_BACKOFF_SECONDS",
                                                         default=["60", "300", "900", "3600", "10800", "21600"])]
# Before a send the claim is extended to its whole deadline (EMAIL_TIMEOUT, CWC_TIMEOUT) plus this
# margin, which covers recording the outcome (retried on a fresh connection LETTER_RECORD_RETRIES
# times over about 7 s when the database connection broke during the send).
LETTER_CLAIM_MARGIN_SECONDS = env.int("LETTER_CLAIM_MARGIN_SECONDS", default=15)
LETTER_RECORD_RETRIES = env.int("LETTER_RECORD_RETRIES", default=8)
# Seconds before an organizer's notice is tried again (the last figure repeats, for ever: a notice
# is never given up).
NOTICE_RETRY_BACKOFF_SECONDS = [int(s) for s in env.list("NOTICE_RETRY_BACKOFF_SECONDS",
                                                         default=["30", "60", "300", "900"])]
# Communicating with Congress: with both set, letters to offices with a CWC code are posted there;
# without, their CWC XML is generated, validated and kept for export.
CWC_API_URL = env("CWC_API_URL", default="")
CWC_API_KEY = env("CWC_API_KEY", default="")
# The whole CWC request (connect, post, answer) ends within this many seconds.
CWC_TIMEOUT = env.int("CWC_TIMEOUT", default=30)
# CWC takes 5 to 10 messages a second per delivery agent: posts are paced to this many a second
# across all workers (counted in the shared cache).
CWC_RATE_PER_SECOND = env.int("CWC_RATE_PER_SECOND", default=5)
# Offices' maintenance windows, in TIME_ZONE, when no CWC post is started (letters wait, without an
# attempt counted, until the window ends), e.g. "sat 22:00-23:59,sun 00:00-06:00".
CWC_MAINTENANCE_WINDOWS = env.list("CWC_MAINTENANCE_WINDOWS", default=[])
CWC_DELIVERY_AGENT = {
    "id": env("CWC_DELIVERY_AGENT_ID", default=""),
    "name": env("CWC_DELIVERY_AGENT_NAME", default="Family case tracker (demo)"),
    "contact": env("CWC_DELIVERY_AGENT_CONTACT", default="letters@example.org"),
    "ack_email": env("CWC_DELIVERY_AGENT_ACK_EMAIL", default="letters@example.org"),
    "phone": env("CWC_DELIVERY_AGENT_PHONE", default="000-000-0000"),
}
# Supporters' names and addresses in printable batches: never under a served folder.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private-media")
# Families' documents (cases.services.documents), encrypted before they reach the store: on disk
# under PRIVATE_MEDIA_ROOT/documents (never served directly), or any Django storage by
# configuration, e.g. DOCUMENTS_STORAGE_BACKEND=storages.backends.s3.S3Storage with
# DOCUMENTS_STORAGE_OPTIONS='{"bucket_name": "...", "endpoint_url": "..."}' (django-storages).
DOCUMENTS_STORAGE = {
    "BACKEND": env("DOCUMENTS_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
    "OPTIONS": env.json("DOCUMENTS_STORAGE_OPTIONS", default={"location": os.path.join(str(PRIVATE_MEDIA_ROOT), "documents")}),
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "documents": DOCUMENTS_STORAGE,
}
# The largest document accepted, in bytes (a phone's photo of a paper is a few MB).
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
# The longest Excel sheet an import checks (about 13 s here); a longer one is refused with the
# advice to send it as CSV, which is checked at about 35,000 rows a second.
IMPORT_XLSX_MAX_ROWS = env.int("IMPORT_XLSX_MAX_ROWS", default=50_000)
# Public form limits, as "N/s", "N/m", "N/h" or "N/d" (config.ratelimit).
SUBMISSION_RATE_PER_IP = env("SUBMISSION_RATE_PER_IP", default="30/h")
# Where the client's address is, for every limit (accounts.client_ip): REMOTE_ADDR, or e.g.
# HTTP_X_REAL_IP behind a proxy that sets it. Never a header the client could send itself.
CLIENT_IP_META_KEY = env("CLIENT_IP_META_KEY", default=env("RATELIMIT_IP_META_KEY", default="REMOTE_ADDR"))

# Staff sessions end when the browser closes, after SESSION_IDLE_MINUTES without a request
# (accounts.middleware.StaffSessionMiddleware), and in any case after a working day.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = 12 * 3600

# Sign-in lockout (django-axes): SIGN_IN_FAILURE_LIMIT wrong passwords for one account, or from one
# client address, refuse sign-in there - even with the right password - for the cool-off period;
# an admin unlocks earlier (admin "Access attempts", or `manage.py axes_reset_username EMAIL`).
AXES_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=20)
# Password reset requests ("N/h"), per client address and per email address (config.ratelimit).
PASSWORD_RESET_RATE_PER_IP = env("PASSWORD_RESET_RATE_PER_IP", default="10/h")
PASSWORD_RESET_RATE_PER_EMAIL = env("PASSWORD_RESET_RATE_PER_EMAIL", default="3/h")
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("SIGN_IN_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each counted on its own
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.axes_client_ip"
AXES_USERNAME_CALLABLE = "accounts.client_ip.sign_in_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.client_ip.lockout_response"  # 429, Retry-After; JSON at the API
AXES_VERBOSE = False
# API tokens (django-rest-knox): each good for API_TOKEN_DAYS; kept as a SHA-512 hash; sent as
# `Authorization: Token <secret>`.
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(days=env.int("API_TOKEN_DAYS", default=30)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
# Content-Security-Policy on every response (django-csp): scripts, styles, images, fonts and
# requests from this site only; no inline script or event handler, no inline style, no plugin,
# no framing, forms post here only. htmx and Swagger UI are served from our own static files.
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
# Two-factor sign-in (django-otp; accounts.two_factor): the name authenticator apps show.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Family case tracker")
# Security keys (django-otp-webauthn): a second factor after the password, never instead of it.
# The relying party is the site's own host name; origins the browser may sign for are this site's.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = OTP_TOTP_ISSUER
OTP_WEBAUTHN_RP_ID_CALLABLE = "accounts.two_factor.webauthn_rp_id"
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list("WEBAUTHN_ORIGINS", default=[
    f"https://{host}" for host in ALLOWED_HOSTS if host and not host.startswith((".", "*"))])
SUBMISSION_RATE_PER_EMAIL = env("SUBMISSION_RATE_PER_EMAIL", default="5/h")
SUBMISSION_NOTE_MAX = 1000
