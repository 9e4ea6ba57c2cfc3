"""InfoConnect settings: everything that differs between machines comes from the environment."""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

from infoconnect.accounts.oauth_scopes import SCOPES as OAUTH_SCOPES

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and os.environ.get("INFOCONNECT_REQUIRE_SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set in production")
    SECRET_KEY = "insecure-development-key-set-SECRET_KEY-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
if env_bool("SECURE_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

INSTALLED_APPS = [
    # Django's admin, opening on the operator's dashboard (infoconnect/core/admin_site.py).
    "infoconnect.core.apps.OperatorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "heroicons",
    "django_tasks",
    "django_tasks_db",
    "infoconnect.core",
    "infoconnect.accounts",
    "infoconnect.social",
    "infoconnect.messaging",
    "infoconnect.shop",
    "infoconnect.wallet",
    "infoconnect.procurement",
    "infoconnect.invoicing",
    "infoconnect.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # An htmx refresh whose session ended is not swapped a log-in page (core/htmx.py).
    "infoconnect.core.htmx.SessionEndedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "infoconnect.core.context_processors.header",
            ],
            "builtins": ["infoconnect.core.templatetags.infoconnect"],
        },
    }
]

# SQLite is the embedded default; DATABASE_URL=postgres://… selects PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        # A kept connection the server dropped (a restart, a failover, an idle timeout) is
        # found and replaced before a request or a worker's next task uses it.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_PREPARED_STATEMENTS", True
):
    # Server-side binding lets psycopg prepare a statement once it has run five times on a
    # connection, so PostgreSQL parses and plans checkout's and the ledger's statements once
    # instead of on every order (half the database's work in a flash sale). Set it to 0 behind
    # a connection pooler that cannot keep prepared statements (pgbouncer before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # The web server and the worker share one file: WAL lets readers run beside a writer,
        # IMMEDIATE takes the write lock at BEGIN so two writers queue instead of deadlocking.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME") or None}
else:
    test_name = os.environ.get("POSTGRES_TEST_NAME")
    if test_name:
        DATABASES["default"]["TEST"] = {"NAME": test_name}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Payment providers (wallet/providers; README "Payment providers"). The sandbox confirms
# money that is not real: it is on under DEBUG and off otherwise, unless enabled on purpose.
WALLET_SANDBOX_ENABLED = env_bool("WALLET_SANDBOX_ENABLED", DEBUG)
# Shared secret the sandbox payment provider signs its notifications with.
WALLET_SANDBOX_SECRET = os.environ.get("WALLET_SANDBOX_SECRET", "sandbox-development-secret")
# The site's public https:// address: the providers' notify and return URLs are built on it.
WALLET_SITE_URL = os.environ.get("WALLET_SITE_URL", "")
ALIPAY_APP_ID = os.environ.get("ALIPAY_APP_ID", "")
ALIPAY_PRIVATE_KEY_FILE = os.environ.get("ALIPAY_PRIVATE_KEY_FILE", "")
ALIPAY_PUBLIC_KEY_FILE = os.environ.get("ALIPAY_PUBLIC_KEY_FILE", "")
ALIPAY_NOTIFY_URL = os.environ.get("ALIPAY_NOTIFY_URL", "")
ALIPAY_SANDBOX_GATEWAY = env_bool("ALIPAY_SANDBOX_GATEWAY", False)
WECHATPAY_MCHID = os.environ.get("WECHATPAY_MCHID", "")
WECHATPAY_APPID = os.environ.get("WECHATPAY_APPID", "")
WECHATPAY_CERT_SERIAL_NO = os.environ.get("WECHATPAY_CERT_SERIAL_NO", "")
WECHATPAY_PRIVATE_KEY_FILE = os.environ.get("WECHATPAY_PRIVATE_KEY_FILE", "")
WECHATPAY_APIV3_KEY_FILE = os.environ.get("WECHATPAY_APIV3_KEY_FILE", "")
WECHATPAY_PUBLIC_KEY_FILE = os.environ.get("WECHATPAY_PUBLIC_KEY_FILE", "")
WECHATPAY_PUBLIC_KEY_ID = os.environ.get("WECHATPAY_PUBLIC_KEY_ID", "")
WECHATPAY_NOTIFY_URL = os.environ.get("WECHATPAY_NOTIFY_URL", "")
# The transfer scene (转账场景ID) WeChat Pay approved for payouts to merchants, e.g. 1001.
WECHATPAY_TRANSFER_SCENE_ID = os.environ.get("WECHATPAY_TRANSFER_SCENE_ID", "")
# The real providers to enable: by default each one whose account is configured.
WALLET_PROVIDERS = env_list(
    "WALLET_PROVIDERS",
    ",".join(
        name
        for name, configured in (("alipay", ALIPAY_APP_ID), ("wechatpay", WECHATPAY_MCHID))
        if configured
    ),
)
# The platform's account companies remit their wallet top-ups to (对公转账); demo values.
COMPANY_WALLET_RECEIVING_ACCOUNT = {
    "account_name": os.environ.get(
        "RECEIVING_ACCOUNT_NAME", "InfoConnect Demo Technology Co., Ltd."
    ),
    "bank": os.environ.get("RECEIVING_BANK", "China Merchants Bank, Beijing Branch (demo)"),
    "account_number": os.environ.get("RECEIVING_ACCOUNT_NUMBER", "6225 8801 2345 6789"),
}

REDIS_URL = os.environ.get("REDIS_URL", "")
_test_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _test_worker.startswith("gw"):
    # Parallel test processes each get a Redis database of their own: every test clears the
    # cache, which would wipe a neighbour's rate-limit counters and locks mid-test.
    _url = urlsplit(REDIS_URL)
    _db = int(_url.path.strip("/") or 0) + 1 + int(_test_worker[2:])
    REDIS_URL = urlunsplit(_url._replace(path=f"/{_db}"))
# The event bus (infoconnect/core/events.py) names its Redis pub/sub channels with this prefix.
EVENTS_CHANNEL_PREFIX = os.environ.get("EVENTS_CHANNEL_PREFIX", "infoconnect:events:")
if _test_worker:
    # Pub/sub channels are shared by every Redis database: parallel test processes keep apart.
    EVENTS_CHANNEL_PREFIX += f"{_test_worker}:"
ASGI_APPLICATION = "config.asgi.application"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "infoconnect"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The cron-safe sweeps `manage.py periodic` runs (and `manage.py serve` starts it), with the
# seconds between runs: (command name, seconds).
PERIODIC_COMMANDS = [
    ("sweep", 60),
    ("resume_campaigns", 300),
    ("idempotency_sweep", 3600),
    ("reclaim_tasks", 60),
    # Last month's statements for every company and merchant that ordered on terms in it.
    ("statements_sweep", 3600),
]
# A task RUNNING for longer than this (seconds) whose worker is gone runs again.
TASK_RUNNING_TIMEOUT = int(os.environ.get("TASK_RUNNING_TIMEOUT", "600"))

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "social:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Uploads: a request bigger than MAX_UPLOAD_BYTES is answered 413 from its Content-Length before
# its body is read (Django caps form fields, not the files of a multipart body); each kind of
# image has its own smaller limit in infoconnect/core/images.py. The middleware runs after the
# session, user and messages are known, and before any view reads request.POST or FILES.
MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "infoconnect.core.uploads.UploadLimitMiddleware",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Content security policy and headers
# Every script and style comes from our own static files, so neither needs 'unsafe-inline'.
# Forms may post (and be redirected) only to us and to the real payment providers' cashiers.
INSTALLED_APPS += ["csp"]
MIDDLEWARE += ["csp.middleware.CSPMiddleware"]
PAYMENT_FORM_ACTIONS = [
    "https://openapi.alipay.com",
    "https://openapi-sandbox.dl.alipaydev.com",
    "https://wx.tenpay.com",
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        # The web UI's live updates (an EventSource on our own origin).
        "connect-src": ["'self'"],
        "form-action": ["'self'", *PAYMENT_FORM_ACTIONS],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Login lockout, rate limits and e-mail ---------------------------------------------------
INSTALLED_APPS += ["axes"]
MIDDLEWARE += [
    "infoconnect.core.ratelimits.ApiRateLimitMiddleware",
    # Last, so it turns any login the lockout refused into the page saying when to try again.
    "axes.middleware.AxesMiddleware",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username, or
# from one IP, logins from it are refused for the cool-off period; the operator unlocks in the
# admin (Axes › Access attempts) or with `manage.py axes_reset`, `axes_reset_username`, `axes_reset_ip`.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_VERBOSE = False
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
# In hours, as django-axes reads a number.
AXES_COOLOFF_TIME = int(os.environ.get("AXES_COOLOFF_MINUTES", "15")) / 60
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts during a lockout do not move its end, so the time the person is shown stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "infoconnect.accounts.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "infoconnect.accounts.views.lockout_username"
# Behind the TLS proxy (SECURE_PROXY=1) the client is the address the proxy appends to
# X-Forwarded-For; without one, REMOTE_ADDR.
CLIENT_IP_FROM_PROXY = env_bool("SECURE_PROXY", False)
# One answer to "who is the client" for the lockout and the rate limits (see core/ratelimits.py).
AXES_CLIENT_IP_CALLABLE = "infoconnect.core.ratelimits.client_ip"
RATELIMIT_IP_META_KEY = "infoconnect.core.ratelimits.client_ip"

# Rate limits: "count/period" (s, m, h, d) per signed-in user, else per IP; sign-ups and
# password resets per IP. RATE_LIMIT_<NAME>=… overrides one, an empty value turns it off.
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
# A cache outage lets requests through rather than refusing everyone.
RATELIMIT_FAIL_OPEN = True
RATE_LIMITS = {
    name: os.environ.get(f"RATE_LIMIT_{name.upper()}", default)
    for name, default in {
        "api_read": "300/m",
        "api_write": "60/m",
        "signup": "5/h",
        "post": "30/m",
        "topup": "10/h",
        "upload": "30/h",
        # Pictures for posts: nine a post, several posts an hour.
        "media": "60/h",
        "password_reset": "5/h",
    }.items()
}
# Paths a payment provider calls: its signature is the proof, and its retries must get through.
RATE_LIMIT_API_EXEMPT = ["/api/v1/wallet/webhooks/"]

# E-mail (password resets): printed to the console unless EMAIL_BACKEND says SMTP.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "InfoConnect <noreply@localhost>")
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(60 * 60 * 24)))

# What /api/v1/instance gives as the site's contact: an e-mail address and an account's
# username (both optional).
INSTANCE_CONTACT_EMAIL = os.environ.get("INSTANCE_CONTACT_EMAIL", "")
INSTANCE_CONTACT_USERNAME = os.environ.get("INSTANCE_CONTACT_USERNAME", "")
# OAuth 2 and CORS: Mastodon apps register, log in and call the API -----------------------
# django-oauth-toolkit runs the authorization server (/oauth/…, accounts/oauth_views.py);
# the scopes are Mastodon's, and api/scopes.py names the one each API route needs.
INSTALLED_APPS += ["oauth2_provider", "corsheaders"]
# First, so every answer (a 429 or a CSRF refusal included) carries the CORS headers and a
# preflight is answered before the rate limiter or the API's 405 sees it.
MIDDLEWARE.insert(0, "corsheaders.middleware.CorsMiddleware")
OAUTH_OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob"
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    # Mastodon's, named in infoconnect/accounts/oauth_scopes.py (translated there).
    "SCOPES": OAUTH_SCOPES,
    # What an app gets when it asks for no scope, as Mastodon does.
    "DEFAULT_SCOPES": ["read"],
    # PKCE (S256) for public clients; a confidential client that sends no challenge (Mastodon.py,
    # toot) authenticates with its secret instead (MastodonOAuth2Validator.is_pkce_required).
    "OAUTH2_BACKEND_CLASS": "infoconnect.accounts.oauth.FormOrJSONOAuthLibCore",
    "OAUTH2_VALIDATOR_CLASS": "infoconnect.accounts.oauth.MastodonOAuth2Validator",
    "SCOPES_BACKEND_CLASS": "infoconnect.accounts.oauth.MastodonScopes",
    # Mastodon's tokens do not expire and most clients never refresh; a year, then a refresh.
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("OAUTH_ACCESS_TOKEN_SECONDS", 365 * 86400)),
    "REFRESH_TOKEN_EXPIRE_SECONDS": None,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 600,
    "ROTATE_REFRESH_TOKEN": True,
    # Apps' own URI schemes (elk://, tusky://) and the out-of-band page are registered apps'
    # redirect URIs, checked against what each app registered.
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    "REQUEST_APPROVAL_PROMPT": "force",
}
CORS_URLS_REGEX = r"^/(api/.*|oauth/token|oauth/revoke|\.well-known/.*)$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = [
    "accept",
    "authorization",
    "content-type",
    "idempotency-key",
    "user-agent",
    "x-requested-with",
]
CORS_EXPOSE_HEADERS = ["Link", "Retry-After", "X-RateLimit-Remaining"]
