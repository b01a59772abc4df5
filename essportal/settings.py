"""ESS Portal settings, read from the environment (12-factor).

With nothing set, a developer checkout runs on the embedded defaults: SQLite, Celery tasks
executed in-process, a local-memory cache and mail printed to the console. Every variable is
documented in `.env.example` and the README.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from essportal.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A developer may keep their variables in a .env file; real environment variables win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    """A yes/no setting; anything unrecognised stops the start instead of meaning "no"."""
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int_or(name: str, default: int | None) -> int | None:
    """A whole number, or `default` when unset or empty (as `.env.example` leaves some)."""
    raw = env.str(name, default="").strip()
    return int(raw) if raw else default


# A checkout with nothing set is a developer's machine. Production is always explicit: the
# container image sets DEBUG=false, and gunicorn.conf.py refuses to serve with DEBUG on.
DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-never-in-production-0123456789"  # noqa: S105
if not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith(("insecure", "django-insecure"))):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off. "
        'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(64))"'
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name this site's host names when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Links in mails are built from SITE_URL, never from the request's Host header.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="ESS Portal")

INSTALLED_APPS = [
    "essportal",
    "employers",
    "employees",
    "invitations",
    "employers.hr",
    "employees.mfa",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Its widget templates, for the form renderer below.
    "django.forms",
    "anymail",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
]

MIDDLEWARE = [
    # First: a body over the limit is refused before anything reads it.
    "essportal.web.limits.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.otp_device / is_verified(): the second factor this session was verified with.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "essportal.web.middleware.IdleTimeoutMiddleware",
    "essportal.web.middleware.SecurityHeadersMiddleware",
    "essportal.web.limits.QueryStringGuardMiddleware",
    "essportal.web.middleware.WebhookGateMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "essportal.urls"
WSGI_APPLICATION = "essportal.wsgi.application"

# Widgets render through the project's templates, so that a widget of ours can have its own
# (templates/essportal/widgets/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
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
                "essportal.web.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so concurrent writers wait instead of
    # failing with "database is locked" half-way through a transaction.
    # WAL with synchronous=NORMAL: a commit survives the process being killed (only a power
    # loss can take the last ones), and costs no fsync — the outbox commits once per mail.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Web requests and jobs here are many small queries: starting parallel workers costs more
    # than it can win, and they compete for the same CPUs; compiling a query to machine code
    # (JIT) costs more than the query itself (the HR list's counts at 100,000 employees spent
    # 450 of 740 ms compiling; bench/hr_list.py, figures in bench/README.md).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c max_parallel_workers_per_gather=0 -c jit=off"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "essportal.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "essportal.backends.PortalModelBackend",
]

# argon2id first; the others only verify old hashes (and upgrade them at the next login).
# essportal/hashers.py explains the parameters (m=64 MiB, t=2, p=1; bench/argon2_cost.py).
PASSWORD_HASHERS = [
    "essportal.hashers.PortalArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
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

LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:signed_out"

# --- Internationalisation: Dutch first, English complete.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static files, served by whitenoise.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Written under a temporary name and renamed into place: a full disk leaves no half a file.
    "default": {"BACKEND": "essportal.storage.AtomicFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploaded files (employer logos for mails). Not served to the public: mails carry the logo.
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"

# --- Request size. A request whose Content-Length is over the limit is answered 413 before its
# body is read (essportal/web/limits.py). The largest form without a file, an email text, stays
# far below 1 MiB; only the views in UPLOAD_VIEWS (URL names) take a file, up to the larger
# limit, so that a logo that is too big still gets the form's own message.
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=1024 * 1024)
UPLOAD_BODY_MAX_BYTES = env.int("UPLOAD_BODY_MAX_BYTES", default=5 * 1024 * 1024)
UPLOAD_VIEWS = [
    "hr:email_sender",
    "admin:employers_employer_add",
    "admin:employers_employer_change",
]
# Django's own checks behind it: the fields of an upload's form are held to the general limit,
# and no upload is written to a temporary file (every accepted one fits in memory).
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_BODY_MAX_BYTES
# Every form here takes at most one file (the logo).
DATA_UPLOAD_MAX_NUMBER_FILES = 1

# --- Cache, Celery: Redis when REDIS_URL is set, in-process otherwise.
REDIS_URL = env.str("REDIS_URL", default="")
# A Redis that does not answer must cost a request little: without these a hung Redis held
# every signed-in page for a minute. They go to redis-py's connection pool.
REDIS_CONNECT_TIMEOUT_SECONDS = env.float("REDIS_CONNECT_TIMEOUT_SECONDS", default=0.5)
REDIS_TIMEOUT_SECONDS = env.float("REDIS_TIMEOUT_SECONDS", default=1.0)
# After a failed cache call each process leaves the cache alone this long before trying again
# (essportal/web/cache_guard.py), so an outage costs one timeout per interval, not per call.
CACHE_RETRY_SECONDS = env.float("CACHE_RETRY_SECONDS", default=10.0)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
            },
        }
    }
    # Sessions are read from Redis and written through to the database, which stays the record
    # (a Redis restart signs no one out). A database query less on every signed-in request. The
    # engine falls back to the database while Redis cannot be reached.
    SESSION_ENGINE = "essportal.web.sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # No cached sessions with a per-process cache: a sign-out in one process would not reach the
    # copy in another's.

# The HR list's tab counts per employer and search, kept this long at most in the cache
# (employees/access_cache.py): every service that changes access replaces them at once; this
# bounds a change made around the services (the admin site). Only with Redis, which all
# processes share (a per-process cache would not hear another process's change); 0: off.
ACCESS_COUNTS_CACHE_SECONDS = env_int_or("ACCESS_COUNTS_CACHE_SECONDS", 60 if REDIS_URL else 0)
# The employee's pages, kept rendered in the cache (employees/portal/page_cache.py) this long at
# most: every write they show replaces them at once; this bounds a write made by hand (SQL).
# Only with Redis, as above; 0: rendered on every request.
PORTAL_PAGE_CACHE_SECONDS = env_int_or("PORTAL_PAGE_CACHE_SECONDS", 600 if REDIS_URL else 0)

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://localhost/")
# Without a broker, tasks run in-process right after the transaction that started them commits.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# When the broker connection breaks, a running task finishes rather than being killed half-way
# through a mail (sent but not recorded would be sent twice). If the message comes back meanwhile
# and runs again, the outbox's claims keep each mail to one send. With kombu 5.7.0 a worker that
# loses Redis under a running acks_late task exits with status 1 once the task is done (kombu
# cannot restore the message: AttributeError in restore_unacked_once); the supervisor restarts
# it (docs/operating.md, "Broker outages").
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that is down or hung must not hang the request that queues a task (the outbox sweep
# catches up), nor the worker. The socket timeouts are the cache's: without them a SIGSTOPped
# Redis held `task.delay()` for good (and the worker's event heartbeat with it). kombu also drops
# a consumer connection whose BRPOP reply is overdue by health_check_interval (its default 25 s,
# 10 here), and keepalive lets the kernel notice a peer that left without closing the connection.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT_SECONDS,
    "socket_timeout": REDIS_TIMEOUT_SECONDS,
    "socket_keepalive": True,
    "health_check_interval": 10,
}
# One retry of a publish (a pooled connection that a Redis restart broke is replaced), not
# Celery's three: each attempt on a hung Redis costs REDIS_TIMEOUT_SECONDS.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE

# --- Mail. Any ESP that django-anymail supports works by setting EMAIL_BACKEND and its ANYMAIL_*.
# Unset: with DEBUG (`make run`) each mail is one line in the terminal with its first link, and
# the whole message an .eml file in EMAIL_FILE_PATH (essportal/mail/dev_backend.py); without
# DEBUG, printed whole to the console.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="") or (
    "essportal.mail.dev_backend.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default="") or str(BASE_DIR / "var" / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ESS Portal <noreply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Every ANYMAIL_<NAME> variable becomes ANYMAIL["<NAME>"], e.g. ANYMAIL_POSTMARK_SERVER_TOKEN.
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in env.ENVIRON.items()
    if key.startswith("ANYMAIL_") and value
}

# --- Security. HTTPS defaults on whenever DEBUG is off.
HTTPS = env_bool("HTTPS", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_SSL_REDIRECT = HTTPS
# Load balancers probe liveness and readiness over plain HTTP inside the network; the operator
# status carries a token and stays behind the redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz(/live|/ready)?$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Idle timeout: the session expires after SESSION_IDLE_MINUTES without a request
# (IdleTimeoutMiddleware refreshes it at most once a minute, so within a minute of that).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Reverse proxies in front that each append the address they saw to X-Forwarded-For: the client
# address for audit, throttles and the sign-in lockout is that many entries from the right
# (essportal/web/http.py client_ip).
PROXY_COUNT = env.int("PROXY_COUNT", default=0)

# --- Login throttling (django-axes): per username and client address.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.int("LOGIN_COOLOFF_MINUTES", default=15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The same client address as the throttles; without this axes would count every client behind
# the proxy as one (django-ipware is not installed).
AXES_CLIENT_IP_CALLABLE = "essportal.web.http.client_ip"
# Counted per username as sign-in compares it (case-folded, NFKC), not as typed.
AXES_USERNAME_CALLABLE = "essportal.web.lockout.lockout_username"
# Axes keeps the posted fields of a failure; a wrong current password on the change-password
# form counts as one (essportal.web.lockout), so its password fields are masked as well.
# Wrong second-step codes count too (employees/mfa); a mistyped recovery code is still a secret.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "old_password",
    "password1",
    "password2",
    "code",
    "recovery_code",
]
AXES_VERBOSE = False

# --- Two-step sign-in (django-otp; employees/mfa). After the password, the session is only
# "half signed in" (the user's id, no login) until the second step, for this many minutes.
TWO_FACTOR_PENDING_MINUTES = env.int("TWO_FACTOR_PENDING_MINUTES", default=5)
# Sensitive actions (password, factors, the mails' sender, the collective block) ask for the
# second factor again when the last check of this session is older than this.
TWO_FACTOR_RECHECK_MINUTES = env.int("TWO_FACTOR_RECHECK_MINUTES", default=15)
# The name authenticator apps show next to the code.
OTP_TOTP_ISSUER = SITE_NAME
# A wrong code also slows its device down (django-otp doubles the wait after each failure); the
# lockout per user and client address (axes, above) is what ends guessing.
OTP_TOTP_THROTTLE_FACTOR = 1
# The operators' admin lists devices but never shows their secrets.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Passkeys (WebAuthn, django-otp-webauthn). The relying party is this site: passkeys are bound
# to WEBAUTHN_RP_ID (a host name, the site's own or a parent domain) and stop working if it
# changes. The browser's origin must be one of WEBAUTHN_ALLOWED_ORIGINS (https, or
# http://localhost for development).
_site = urlsplit(SITE_URL)
OTP_WEBAUTHN_RP_ID = env.str("WEBAUTHN_RP_ID", default=_site.hostname or "localhost")
OTP_WEBAUTHN_RP_NAME = env.str("WEBAUTHN_RP_NAME", default=SITE_NAME)
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list(
    "WEBAUTHN_ALLOWED_ORIGINS", default=[f"{_site.scheme}://{_site.netloc}"]
)

# --- Product rules.
INVITATION_VALID_DAYS = 4  # R11
INVITATION_MAX_BIRTH_DATE_ATTEMPTS = 5
# "This username is taken" answers per invitation before it locks (until HR resends): each one
# tells whoever holds the link that an account, HR's included, has that name.
INVITATION_MAX_TAKEN_USERNAMES = 10
BIRTH_DATE_ATTEMPTS_PER_ADDRESS_PER_HOUR = env.int(
    "BIRTH_DATE_ATTEMPTS_PER_ADDRESS_PER_HOUR", default=30
)
# Forgotten password or username: mails per recipient address per hour, whoever asks from
# wherever (the client-address throttle alone let a handful of addresses flood one inbox).
ACCOUNT_MAILS_PER_RECIPIENT_PER_HOUR = env.int("ACCOUNT_MAILS_PER_RECIPIENT_PER_HOUR", default=3)
COLLECTIVE_CHUNK_SIZE = env.int("COLLECTIVE_CHUNK_SIZE", default=500)
# A worker sending invitation mail holds its rows for this long and renews the hold while it
# works; a worker that died (or was paused) loses them after it, and the outbox sweep (every
# minute) hands them to another. Keep it well above EMAIL_TIMEOUT: one mail may take that long.
MAIL_CLAIM_LEASE_SECONDS = env.int("MAIL_CLAIM_LEASE_SECONDS", default=90)
# Invitation mails per call to a provider that takes a batch (invitations/outbox_batch.py:
# Mandrill, through anymail). Unset: the provider's own limit (500); 0 or 1: one call per mail.
MAIL_BATCH_SIZE = env_int_or("MAIL_BATCH_SIZE", None)

LOG_FORMAT = env.str("LOG_FORMAT", default="plain")  # or "json", one object per line
# The same configuration as gunicorn's and Celery's (essportal/logging.py): one timestamp format,
# ISO 8601 with the UTC offset, in every process.
LOGGING = logging_config(
    log_format=LOG_FORMAT, level=env.str("LOG_LEVEL", default="INFO"), time_zone=TIME_ZONE
)

# --- The operator's status (`manage.py check_operations`, `/healthz/operations`).
# The JSON endpoint exists only with a token, sent as `Authorization: Bearer <token>`.
OPERATIONS_TOKEN = env.str("OPERATIONS_TOKEN", default="")
if OPERATIONS_TOKEN and len(OPERATIONS_TOKEN) < 32:
    raise ImproperlyConfigured(
        "OPERATIONS_TOKEN must be at least 32 characters (or unset to switch the endpoint off). "
        'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(32))"'
    )
# Beat and the worker's outbox sweep report every minute; older than this is a problem.
OPERATIONS_HEARTBEAT_MAX_AGE_SECONDS = env.int("OPERATIONS_HEARTBEAT_MAX_AGE_SECONDS", default=300)
OPERATIONS_OUTBOX_LATE_MINUTES = env.int("OPERATIONS_OUTBOX_LATE_MINUTES", default=10)
# A few refused addresses a day are HR's business (the access panel shows them); more is ours.
OPERATIONS_FAILED_MAILS_PER_DAY = env.int("OPERATIONS_FAILED_MAILS_PER_DAY", default=5)
OPERATIONS_BATCH_STALLED_MINUTES = env.int("OPERATIONS_BATCH_STALLED_MINUTES", default=10)

# The hour (local time, TIME_ZONE) of HR's daily mail about new leave requests (0-23).
LEAVE_DIGEST_HOUR = env.int("LEAVE_DIGEST_HOUR", default=7)
if not 0 <= LEAVE_DIGEST_HOUR <= 23:
    raise ImproperlyConfigured(
        f"LEAVE_DIGEST_HOUR must be an hour, 0 to 23, not {LEAVE_DIGEST_HOUR}."
    )

CELERY_BEAT_SCHEDULE = {
    "sweep-invitation-outbox": {
        "task": "invitations.tasks.sweep_invitation_outbox",
        "schedule": 60.0,
    },
    "notify-published-documents": {
        "task": "employees.tasks.notify_published_documents",
        "schedule": crontab(hour=7, minute=0),
    },
    "leave-digest": {
        "task": "employers.hr.tasks.send_leave_digest",
        "schedule": crontab(hour=LEAVE_DIGEST_HOUR, minute=0),
    },
}

PASSWORD_RESET_TIMEOUT = 3600  # reset links work for one hour
