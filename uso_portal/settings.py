"""Settings of the USO portal: one module, driven by environment variables.

Production differs from development only by environment values (see `.env.example` and the
README). A `.env` file in the project root is read when present.
"""

import datetime
from pathlib import Path

import environ
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    SECRET_KEY=(str, "django-insecure-development-key-do-not-use-in-production"),
    ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1", "[::1]"]),
    CSRF_TRUSTED_ORIGINS=(list, []),
    MEDIA_ROOT=(str, str(BASE_DIR / "media")),
    STATIC_ROOT=(str, str(BASE_DIR / "staticfiles")),
    CONN_MAX_AGE=(int, 600),
    SECURE_SSL_REDIRECT=(bool, None),
    SECURE_HSTS_SECONDS=(int, None),
    SECURE_COOKIES=(bool, None),
    SECURE_PROXY_SSL_HEADER=(bool, False),
    DEFAULT_FROM_EMAIL=(str, "USO-verkosto <uso@example.fi>"),
    SERVER_EMAIL=(str, "uso-portal@example.fi"),
    ADMINS=(list, []),
    LOG_LEVEL=(str, "INFO"),
    UPLOAD_MAX_MEGABYTES=(int, 20),
    REQUEST_MAX_MEGABYTES=(int, 0),  # 0: UPLOAD_MAX_MEGABYTES + 5
    EVENT_REMINDER_DAYS=(int, 3),
    FEEDBACK_ANSWER_DAYS=(int, 14),
    FEEDBACK_REMINDER_DAYS=(int, 4),
    FEEDBACK_LOOKBACK_DAYS=(int, 30),
    PORTAL_BASE_URL=(str, "http://127.0.0.1:8000"),
    TASKS_BACKEND=(str, "django.tasks.backends.immediate.ImmediateBackend"),
    TASK_WORKER_MAX_WAIT=(int, 300),
    TASK_LEASE=(int, 900),
    BILLING_BATCH_LEASE=(int, 120),
    LOG_FORMAT=(str, "plain"),
    LOGIN_FAILURE_LIMIT=(int, 5),
    LOGIN_COOLOFF_MINUTES=(int, 15),
    TRUSTED_PROXY_COUNT=(int, 0),
    STAFF_SESSION_HOURS=(int, 8),
    OTP_ISSUER=(str, "USO portal"),
    SESSION_DAYS=(int, 14),
    # outgoing e-mail (outbox) and password-reset limits
    OUTBOX_MAX_ATTEMPTS=(int, 15),
    OUTBOX_RETRY_SECONDS=(int, 60),
    OUTBOX_RETRY_MAX_SECONDS=(int, 6 * 3600),
    OUTBOX_LEASE_SECONDS=(int, 600),
    OUTBOX_KEEP_DAYS=(int, 180),
    PASSWORD_RESET_LIMIT_PER_ADDRESS=(int, 3),
    PASSWORD_RESET_LIMIT_PER_IP=(int, 20),
    PASSWORD_RESET_WINDOW_MINUTES=(int, 60),
    CACHE_URL=(str, "locmemcache://"),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env("DEBUG")
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "uso_portal.admin.PortalAdminConfig",  # django.contrib.admin, past the second factor only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "municipalities",
    "events",
    "workshops",
    "billing",
    "analysis",
    "feedback",
    "usage",
    "outbox",
    # After billing: billing's `db_worker` (this worker plus the stale-lease sweep) replaces it.
    "django_tasks_db",
]

MIDDLEWARE = [
    "uso_portal.guards.RequestGuardMiddleware",  # 400/411/413 before anything reads the request
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "uso_portal.guards.NoStoreMiddleware",  # private, no-store for logged-in pages and downloads
    "django_otp.middleware.OTPMiddleware",
    "uso_portal.twofactor.middleware.SecondFactorRequiredMiddleware",
    "uso_portal.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "uso_portal.urls"
# Widgets may use the project's templates (e.g. includes/private_file_input.html).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "uso_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "municipalities.context_processors.portal",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# The embedded default is SQLite in the project root; production sets DATABASE_URL to
# PostgreSQL (postgres://user:password@host:5432/name).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections, checked before reuse.
    DATABASES["default"]["CONN_MAX_AGE"] = env("CONN_MAX_AGE")
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users --------------------------------------------------------------------------------
AUTH_USER_MODEL = "municipalities.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out logins first
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "municipalities:dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day
PASSWORD_HASHERS = [
    "uso_portal.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # hashes made before; upgraded on login
]

# --- Login protection and sessions ------------------------------------------------------------
# django-axes locks out a username + IP combination after repeated failures, for a cool-off
# period (its defaults would lock by IP only, and forever).
AXES_FAILURE_LIMIT = env("LOGIN_FAILURE_LIMIT")
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env("LOGIN_COOLOFF_MINUTES"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the login forms' field (it holds the e-mail address)
AXES_USERNAME_CALLABLE = "uso_portal.security.login_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind N reverse proxies the client IP is the one they put in X-Forwarded-For.
AXES_IPWARE_PROXY_COUNT = env("TRUSTED_PROXY_COUNT") or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if env("TRUSTED_PROXY_COUNT") else ("REMOTE_ADDR",)
)
SESSION_COOKIE_AGE = env("SESSION_DAYS") * 24 * 3600
STAFF_SESSION_SECONDS = env("STAFF_SESSION_HOURS") * 3600
# Staff, consultants and finance pass a TOTP second factor (uso_portal/twofactor/). The issuer
# names the account in authenticator apps; a test installation can set another to tell them apart.
OTP_TOTP_ISSUER = env("OTP_ISSUER")

# --- Languages and time -------------------------------------------------------------------
LANGUAGE_CODE = "fi"
LANGUAGES = [
    ("fi", _("Finnish")),
    ("sv", _("Swedish")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Display formats: Finland-Swedish and English dates 1.1.2021, times 9.00 in fi and sv, 09:00 in en
# (Finnish is Django's own); the rest of the formats are Django's.
FORMAT_MODULE_PATH = ["uso_portal.formats"]
USE_I18N = True
TIME_ZONE = "Europe/Helsinki"
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"  # never served directly: uploads go through permission-checked views
MEDIA_ROOT = env("MEDIA_ROOT")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
    # Invoice PDFs and Finvoice messages, under MEDIA_ROOT/private: written to a temporary file
    # and renamed into place, so a full disk never leaves a partial document.
    "invoice_documents": {"BACKEND": "billing.storage.AtomicFileSystemStorage"},
}

# --- E-mail -------------------------------------------------------------------------------
# EMAIL_URL (smtp+tls://user:password@host:587, consolemail://, ...) becomes Django 6.1's
# MAILERS["default"].
_email = env.email_url("EMAIL_URL", default="consolemail://")
_smtp_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS"),
    "use_ssl": _email.get("EMAIL_USE_SSL"),
    "timeout": _email.get("EMAIL_TIMEOUT", 30),
}
if DEBUG and _email["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend":
    # `make run`: the text of each e-mail decoded, so its links can be copied from the terminal.
    _email["EMAIL_BACKEND"] = "uso_portal.mail_console.EmailBackend"
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": (
            {key: value for key, value in _smtp_options.items() if value not in (None, "")}
            if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL")
SERVER_EMAIL = env("SERVER_EMAIL")
ADMINS = [address.strip() for address in env("ADMINS") if address.strip()]

# --- Outgoing e-mail (outbox/) --------------------------------------------------------------
# Every portal e-mail is a row of the outbox, written with the change that causes it and sent
# after commit by a task; a failure is retried after OUTBOX_RETRY_SECONDS, doubling up to
# OUTBOX_RETRY_MAX_SECONDS, and given up after OUTBOX_MAX_ATTEMPTS (about 38 hours with the
# defaults). `manage.py send_outbox` (cron) sends what is due and takes back a message whose
# sender died: its lease (longer than the SMTP timeout) runs out after OUTBOX_LEASE_SECONDS.
# Sent and given-up messages are deleted after OUTBOX_KEEP_DAYS.
OUTBOX_MAX_ATTEMPTS = env("OUTBOX_MAX_ATTEMPTS")
OUTBOX_RETRY_SECONDS = env("OUTBOX_RETRY_SECONDS")
OUTBOX_RETRY_MAX_SECONDS = env("OUTBOX_RETRY_MAX_SECONDS")
OUTBOX_LEASE_SECONDS = env("OUTBOX_LEASE_SECONDS")
OUTBOX_KEEP_DAYS = env("OUTBOX_KEEP_DAYS")

# Password-reset e-mails per address and per client IP (TRUSTED_PROXY_COUNT, as for logins) in
# a window, counted in the cache. CACHE_URL: with several gunicorn workers use a shared cache
# (e.g. dbcache://uso_cache after `manage.py createcachetable`), else each counts on its own.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env("PASSWORD_RESET_LIMIT_PER_ADDRESS")
PASSWORD_RESET_LIMIT_PER_IP = env("PASSWORD_RESET_LIMIT_PER_IP")
PASSWORD_RESET_WINDOW_MINUTES = env("PASSWORD_RESET_WINDOW_MINUTES")
CACHES = {"default": env.cache_url("CACHE_URL")}

# --- Security -----------------------------------------------------------------------------
# Secure by default whenever DEBUG is off; each can be overridden by its variable.
_secure = not DEBUG
SECURE_SSL_REDIRECT = (
    env("SECURE_SSL_REDIRECT") if env("SECURE_SSL_REDIRECT") is not None else _secure
)
SECURE_HSTS_SECONDS = (
    env("SECURE_HSTS_SECONDS")
    if env("SECURE_HSTS_SECONDS") is not None
    else (31_536_000 if _secure else 0)
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _secure
SECURE_HSTS_PRELOAD = _secure
# Cookies only over HTTPS; SECURE_COOKIES=false only for a local plain-HTTP benchmark.
_secure_cookies = env("SECURE_COOKIES") if env("SECURE_COOKIES") is not None else _secure
SESSION_COOKIE_SECURE = _secure_cookies
CSRF_COOKIE_SECURE = _secure_cookies
# An expired form gets the portal's page that says so, not Django's raw 403.
CSRF_FAILURE_VIEW = "uso_portal.errors.csrf_failure"
LANGUAGE_COOKIE_SECURE = _secure_cookies
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env("SECURE_PROXY_SSL_HEADER"):
    # Behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Django's built-in Content Security Policy: no inline scripts or styles anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Background tasks ---------------------------------------------------------------------
# Django's Tasks API. Production: TASKS_BACKEND=django_tasks_db.DatabaseBackend and a worker
# (`manage.py db_worker`); development and tests run tasks immediately in the request.
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND"), "QUEUES": ["default"]}}
# /healthz answers 503 when a ready task has waited longer than this (the worker is down).
TASK_WORKER_MAX_WAIT = env("TASK_WORKER_MAX_WAIT")
# Leases (seconds): a task running longer than TASK_LEASE, or a billing batch without a sign of
# life (one per invoice) for BILLING_BATCH_LEASE, was abandoned by a worker that died. /healthz
# answers 503 then; `db_worker` (every lease/2) and `billing_resume` mark it and take it again.
TASK_LEASE = env("TASK_LEASE")
BILLING_BATCH_LEASE = env("BILLING_BATCH_LEASE")

# --- Logging ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "uso_portal.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": env("LOG_FORMAT")},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL")},
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "django.request": {
            "handlers": ["console", "mail_admins"],
            "level": "ERROR",
            "propagate": False,
        },
    },
}

# --- Portal -------------------------------------------------------------------------------
PORTAL_NAME = "USO"
# Absolute address of the portal, for links in e-mails and calendar files.
PORTAL_BASE_URL = env("PORTAL_BASE_URL").rstrip("/")
# Uploaded files (materials, deliverables, receipts) are refused above this size.
UPLOAD_MAX_MEGABYTES = env("UPLOAD_MAX_MEGABYTES")
# Request bodies are refused (413) above this size before they are read: one upload at the limit
# and its form fit; several large files go one request at a time (uso_portal/guards.py).
REQUEST_MAX_MEGABYTES = env("REQUEST_MAX_MEGABYTES") or UPLOAD_MAX_MEGABYTES + 5
# The fields of a form, files apart: the largest is an event's admin page with its registrations
# inline (a few fields per participant). Beyond these Django answers 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# Every file input of a page counts, empty ones too: an event's admin page has one per material.
DATA_UPLOAD_MAX_NUMBER_FILES = 100
# An uploaded file larger than this is streamed to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2621440  # 2.5 MB, Django's default, chosen
FILE_UPLOAD_PERMISSIONS = 0o640
# `send_event_reminders` reminds confirmed participants this many days before an event.
EVENT_REMINDER_DAYS = env("EVENT_REMINDER_DAYS")
# Feedback surveys (feedback/): a link answers for this many days; one reminder this many days
# after the invitation to those who have not answered; `send_feedback_surveys` surveys what was
# held in the last FEEDBACK_LOOKBACK_DAYS days.
FEEDBACK_ANSWER_DAYS = env("FEEDBACK_ANSWER_DAYS")
FEEDBACK_REMINDER_DAYS = env("FEEDBACK_REMINDER_DAYS")
FEEDBACK_LOOKBACK_DAYS = env("FEEDBACK_LOOKBACK_DAYS")
