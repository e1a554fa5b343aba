"""One settings module: development defaults, production from the environment.

DEBUG defaults to off; `make run` turns it on. With DEBUG off a SECRET_KEY must be given.
"""

from pathlib import Path
from typing import Final

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from perfreport.env import envbool, envint, envlist, envstr
from perfreport.ldap_config import BACKEND as LDAP_BACKEND
from perfreport.ldap_config import ldap_settings
from perfreport.mail_config import smtp_mailers

# Generic Django classes (ModelChoiceField[Unit], ModelAdmin[Year]) subscriptable at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DEBUG", False)
TESTING = envbool("PERFREPORT_TESTING", False)

_DEV_SECRET = "dev-only-insecure-key-never-use-in-production"  # noqa: S105
SECRET_KEY = envstr("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "simple_history",
    "axes",
    "rules",
    "django_tasks_db",
    "strategies",
    "scoring",
    "perfreport.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The idle timeout with at most one session write a minute (perfreport/session_refresh.py).
    "perfreport.session_refresh.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signed-in responses and downloads: Cache-Control no-store (perfreport/cache_control.py).
    "perfreport.cache_control.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # A dropped database connection or a full disk: a clear 503/507 page, nothing half-saved.
    "perfreport.health.OutageMiddleware",
]

ROOT_URLCONF = "perfreport.urls"
WSGI_APPLICATION = "perfreport.wsgi.application"

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
                "strategies.context_processors.membership",
                "strategies.context_processors.notifications",
            ],
            # ROC years with the Gregorian year beside them in English.
            # ROC years everywhere without a {% load %}: "112 (2023)" in English.
            "builtins": ["perfreport.templatetags.roc"],
            "libraries": {
                "roc": "perfreport.templatetags.roc",
                "dashboard": "perfreport.templatetags.dashboard",
            },
        },
    },
]

# Production keeps each worker's connection open (a new PostgreSQL connection per request
# costs a backend process start and the sign-in), checked before reuse after a request so a
# restarted database is reconnected rather than failing the next request.
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("CONN_MAX_AGE", 0 if DEBUG or TESTING else 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Axes first (its lock-out must see every sign-in attempt); rules' backend answers has_perm
# for the named rules of strategies.access and never authenticates anyone.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "rules.permissions.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id first (perfreport/hashers.py); the older PBKDF2 hashes still verify and are rehashed
# with Argon2 on the next login.
PASSWORD_HASHERS = [
    "perfreport.hashers.TunedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
if TESTING:
    # Fast hashing in tests; PBKDF2 still verifies the demo users of the fixtures.
    PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hant"
LANGUAGES = [("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Taipei"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# In development and tests WhiteNoise serves straight from the app folders (no collectstatic).
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

# Evidence files live outside static files and are served only through a permission check.
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media-not-served/"
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
EVIDENCE_MAX_FILES_PER_ENTRY = envint("EVIDENCE_MAX_FILES_PER_ENTRY", 20)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Sessions expire after SESSION_COOKIE_AGE of inactivity. The session row and cookie are
# renewed at most once every SESSION_REFRESH_SECONDS (perfreport/session_refresh.py) instead of
# on every request, so the idle timeout is between SESSION_COOKIE_AGE minus that and itself.
SESSION_COOKIE_AGE = envint("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The language cookie like the others: HTTPS only when they are, same-site, not readable by script.
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_SAMESITE: Final = "Lax"
LANGUAGE_COOKIE_SAMESITE: Final = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG or TESTING else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
if envbool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

# Long work (PDF exports) runs as a task: `manage.py db_worker` runs the queue (started by
# `make run`); tests run tasks at once.
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"
        if TESTING
        else "django_tasks_db.DatabaseBackend"
    }
}

# Failed sign-ins lock one (user name, client address) pair, never a name from everywhere nor
# everyone behind one address (perfreport/login_security.py). Behind a proxy, the client address
# is the last X-Forwarded-For entry, and only on requests that come from TRUSTED_PROXIES.
BEHIND_PROXY = envbool("BEHIND_PROXY", False)
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", ["127.0.0.1", "::1"])
# The task worker (`manage.py run_worker`): its heartbeat, and the lease of a running export
# job (a job whose worker has been silent this long is retried or failed).
WORKER_HEARTBEAT_SECONDS = envint("WORKER_HEARTBEAT_SECONDS", 15)
EXPORT_JOB_LEASE_SECONDS = envint("EXPORT_JOB_LEASE_SECONDS", 120)
# `/healthz/?deep=1` for monitoring from elsewhere (unset: loopback without a proxy only).
HEALTHCHECK_TOKEN = envstr("HEALTHCHECK_TOKEN", "")

AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "perfreport.login_security.client_ip"
AXES_LOCKOUT_CALLABLE = "perfreport.login_security.lockout_response"
AXES_ENABLED = envbool("AXES_ENABLED", True)
# django-axes' own default, named here so the lock-out page's status is a known setting.
AXES_HTTP_RESPONSE_CODE = 429

# Directory sign-in (LDAP / Active Directory), off unless LDAP_SERVER_URI is set; see
# perfreport/ldap_config.py. Axes stays the first backend, so its lock-out covers directory
# sign-ins too; local accounts are tried before the directory (break-glass admins, demo).
_LDAP_SETTINGS = ldap_settings()
globals().update(_LDAP_SETTINGS)
if "AUTH_LDAP_SERVER_URI" in _LDAP_SETTINGS:
    AUTHENTICATION_BACKENDS.append(LDAP_BACKEND)

# Mail: the console in development, SMTP from the environment in production.
if DEBUG:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = smtp_mailers()  # perfreport/mail_config.py: host, port, STARTTLS, credentials
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "perfreport@localhost")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")

# The organization's signing certificate and key (PKCS#12) for issued reports, outside the
# database. Development (`make run`) uses a self-signed demo key made by make_demo_signing_key.
DEMO_SIGNING_PKCS12 = BASE_DIR / "var" / "signing" / "demo-signing.p12"
SIGNING_PKCS12 = envstr("SIGNING_PKCS12", str(DEMO_SIGNING_PKCS12) if DEBUG else "")
SIGNING_PKCS12_PASSPHRASE = envstr(
    "SIGNING_PKCS12_PASSPHRASE", "perfreport-demo-signing" if DEBUG else ""
)

# The PDF font: a TrueType Traditional Chinese font writes fast in WeasyPrint (see README).
PDF_FONT_FAMILY = envstr("PDF_FONT_FAMILY", "AR PL UKai TW")
# A report of more table rows is rendered to PDF in parts of at most this many rows, joined
# (perfreport/reports/exporters/pdf_parts.py): WeasyPrint's memory grows with the pages it lays
# out at once. 10x the seed (470 rows) is one part; 100x (4,700) is eleven.
PDF_PART_ROWS = envint("PDF_PART_ROWS", 500)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
    "loggers": {"fontTools": {"level": "ERROR"}, "weasyprint": {"level": "ERROR"}},
}
