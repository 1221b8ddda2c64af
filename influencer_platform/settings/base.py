"""Settings shared by every environment; values come from the environment (see .env.example)."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdefghijklmnop")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# How many proxies of ours stand in front of the app, each appending to X-Forwarded-For: every
# limiter then counts the address the outermost one saw (influencer_platform.throttling). 0: the
# header is ignored, as a client can write anything in it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

INSTALLED_APPS = [
    "influencer_platform.apps.KernelConfig",
    "influencer_platform.apps.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_dramatiq",
    "dramatiq_crontab",
    "adminpanel",
    "accounts",
    "billing",
    "scraping",
    "campaigns.lists",
    "campaigns",
    # Operator tools act on every app above, so they come last (see adminpanel/operator).
    "adminpanel.operator",
]

MIDDLEWARE = [
    "influencer_platform.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.OnboardingMiddleware",
    "influencer_platform.middleware.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "influencer_platform.urls"
WSGI_APPLICATION = "influencer_platform.wsgi.application"
ASGI_APPLICATION = "influencer_platform.asgi.application"

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
                "influencer_platform.context_processors.product",
            ],
        },
    },
]

# SQLite is the embedded default; WAL + IMMEDIATE transactions let the in-process worker threads
# write while the web thread reads without "database is locked" errors.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="ip"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Everyone listed here who has confirmed the address is an operator with access to /admin/,
# whatever their is_admin flag says.
ADMIN_EMAILS = [email.strip().lower() for email in env.list("ADMIN_EMAILS", default=[])]

SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "landing"
ACCOUNT_SIGNUP_REDIRECT_URL = "onboarding"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# Mandatory, so that sign-up answers "check your email" for known and unknown addresses alike
# (allauth's enumeration prevention needs it) and no one uses an address they cannot read.
# Operators sign in with a confirmed address whatever this says (accounts.stages).
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PREVENT_ENUMERATION = True
# campaigns extends the accounts adapter (signing in accepts pending list invitations).
ACCOUNT_ADAPTER = "campaigns.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "signup": "accounts.forms.SignupForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.forms.ResetPasswordKeyForm",
    "change_password": "accounts.forms.ChangePasswordForm",
    "set_password": "accounts.forms.SetPasswordForm",
    "add_email": "accounts.forms.AddEmailForm",
}
# The subjects name the product themselves (templates/account/email/*_subject.txt).
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# allauth's limits read the client address through the adapter (influencer_platform.throttling);
# its own reading, used where it skips the adapter, gets the same count.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Email goes out through Resend when RESEND_API_KEY is set, and is printed to the console otherwise.
RESEND_API_KEY = env("RESEND_API_KEY", default="")
RESEND_API_URL = (env("RESEND_API_URL", default="") or "https://api.resend.com").rstrip("/")
RESEND_FROM_EMAIL = env("RESEND_FROM_EMAIL", default="")
EMAIL_BACKEND = env("EMAIL_BACKEND", default="") or (
    "influencer_platform.email_backends.ResendEmailBackend"
    if RESEND_API_KEY
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=RESEND_FROM_EMAIL or "Creator Radar <hello@creatorradar.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Billing: Stripe when STRIPE_SECRET_KEY is set; otherwise the demo provider, whose checkout
# completes inside the app (see billing.providers). Price ids live on the plans (admin) and can be
# given here as {"glow_up": {"monthly": "price_...", "yearly": "price_..."}, ...}.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
STRIPE_PRICE_IDS: dict = env.json("STRIPE_PRICE_IDS", default={})
BILLING_PROVIDER = env("BILLING_PROVIDER", default="") or ("stripe" if STRIPE_SECRET_KEY else "demo")
# Production sets it: billing then refuses to start on Stripe keys that would lose money (see billing.apps).
STRIPE_LIVE_KEYS_REQUIRED = False

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["billing.permissions.ApiAccess"],
    "DEFAULT_PARSER_CLASSES": [
        "influencer_platform.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "influencer_platform.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "influencer_platform.api.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_THROTTLE_CLASSES": [
        "influencer_platform.throttling.AnonRateThrottle",
        "influencer_platform.throttling.UserRateThrottle",
    ],
    # Read only by DRF's own get_ident, which the throttles above replace; kept equal for anything else.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/minute"),
        "user": env("API_THROTTLE_USER", default="600/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Creator Radar API",
    "DESCRIPTION": "Find creators, run searches and read results. Authenticate with "
    "`Authorization: Bearer <token>` (tokens are created on the account settings page).\n\n"
    "The API is part of plans with API access (Fame Flex), whatever the credentials: a token, or the "
    "browser session of someone signed in to the site (as this page's *Try it out* uses). On another plan "
    "every endpoint answers 403 with `code` `feature_unavailable` and the plan to choose in "
    "`extra.recommended_plan`. The site's own pages call none of these endpoints, so they keep working on "
    "every plan; this schema and these docs are open to everyone.\n\n"
    "Errors have one body: `{\"code\", \"message\", \"extra\"}`. Bodies are JSON of at most "
    "20 levels of nesting, without unpaired surrogates (`\\ud800`); ids and numbers fit in 64 bits.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Jobs: Dramatiq on Redis when REDIS_URL is set; otherwise an in-memory broker whose worker
# threads run inside the web process (see influencer_platform.jobs).
DRAMATIQ_IN_PROCESS = not REDIS_URL
DRAMATIQ_BROKER = {
    "BROKER": "dramatiq.brokers.redis.RedisBroker" if REDIS_URL else "dramatiq.brokers.stub.StubBroker",
    "OPTIONS": {"url": REDIS_URL, "namespace": env("DRAMATIQ_NAMESPACE", default="dramatiq")}
    if REDIS_URL
    else {},
    "MIDDLEWARE": [
        "dramatiq.middleware.AgeLimit",
        "dramatiq.middleware.TimeLimit",
        "dramatiq.middleware.Callbacks",
        "dramatiq.middleware.Pipelines",
        # Records every message for the admin; before Retries so that it sees Retries' verdict.
        "adminpanel.jobtracking.BackgroundJobMiddleware",
        "dramatiq.middleware.Retries",
        "dramatiq.middleware.CurrentMessage",
        "django_dramatiq.middleware.DbConnectionsMiddleware",
    ],
}
DRAMATIQ_AUTODISCOVER_MODULES = ["actors"]
DRAMATIQ_IN_PROCESS_THREADS = env.int("DRAMATIQ_IN_PROCESS_THREADS", default=4)
# Periodic work (`@cron` actors) is sent by one scheduler: `manage.py crontab` in production (a Redis
# lock keeps a second one idle), a thread of the web process in the embedded default.
DRAMATIQ_CRONTAB = {"REDIS_URL": REDIS_URL or None}

# Without an API key the app talks to the bundled sandbox provider, which `runserver` starts.
SCRAPECREATORS_API_KEY = env("SCRAPECREATORS_API_KEY", default="")
SANDBOX_PROVIDER = not SCRAPECREATORS_API_KEY
SANDBOX_PROVIDER_PORT = env.int("SANDBOX_PROVIDER_PORT", default=8765)
SANDBOX_PROVIDER_LATENCY_MS = env.int("SANDBOX_PROVIDER_LATENCY_MS", default=120)
# "realistic": each endpoint answers after seconds drawn from its own distribution, as the provider does.
SANDBOX_PROVIDER_LATENCY_PROFILE = env("SANDBOX_PROVIDER_LATENCY_PROFILE", default="none")
SCRAPECREATORS_BASE_URL = env(
    "SCRAPECREATORS_BASE_URL",
    default=f"http://127.0.0.1:{SANDBOX_PROVIDER_PORT}" if SANDBOX_PROVIDER else "https://api.scrapecreators.com",
)

SCRAPECREATORS_READ_TIMEOUT = env.float("SCRAPECREATORS_READ_TIMEOUT", default=20.0)

# Link-in-bio services whose pages are read for contact emails, sub-domains included (name.komi.io;
# see scraping.linkpages).
LINK_IN_BIO_HOSTS = set(env.list("LINK_IN_BIO_HOSTS", default=[
    "linktr.ee", "beacons.ai", "stan.store", "lnk.bio", "linkin.bio", "bio.link", "komi.io",
    "allmylinks.com", "campsite.bio", "hoo.be", "solo.to", "tap.bio", "carrd.co", "msha.ke",
]))
# Hosts on a private address that may still be read: only the local sandbox provider.
LINK_IN_BIO_PRIVATE_HOSTS: set[str] = set()
if SANDBOX_PROVIDER:
    _sandbox_host = SCRAPECREATORS_BASE_URL.split("://", 1)[-1].split("/", 1)[0]
    LINK_IN_BIO_HOSTS.add(_sandbox_host)
    LINK_IN_BIO_PRIVATE_HOSTS.add(_sandbox_host)

# Image proxy (scraping.images): the CDN hosts avatars and thumbnails are fetched from, matched as
# host name suffixes ("tiktokcdn.com" covers "p16-sign-va.tiktokcdn.com"); "host:port" matches exactly.
IMAGE_PROXY_HOSTS = set(env.list("IMAGE_PROXY_HOSTS", default=[
    "tiktokcdn.com", "tiktokcdn-us.com", "tiktokcdn-eu.com", "ibyteimg.com", "byteimg.com", "muscdn.com",
    "cdninstagram.com", "fbcdn.net", "ggpht.com", "ytimg.com", "googleusercontent.com",
]))
# Hosts on a private address that may still be fetched: only the local sandbox provider.
IMAGE_PROXY_PRIVATE_HOSTS: set[str] = set()
if SANDBOX_PROVIDER:
    _sandbox_host = SCRAPECREATORS_BASE_URL.split("://", 1)[-1].split("/", 1)[0]
    IMAGE_PROXY_HOSTS.add(_sandbox_host)
    IMAGE_PROXY_PRIVATE_HOSTS.add(_sandbox_host)
# Where a CDN refuses an image, the same path is tried on these hosts (key: a host name, or a
# ".suffix" for every host under it).
IMAGE_PROXY_ALTERNATE_HOSTS: dict[str, list[str]] = env.json("IMAGE_PROXY_ALTERNATE_HOSTS") if env(
    "IMAGE_PROXY_ALTERNATE_HOSTS", default="").strip() else {
    "p16-sign-va.tiktokcdn.com": ["p16-sign-sg.tiktokcdn.com", "p16-sign.tiktokcdn-us.com"],
    "p16-sign-sg.tiktokcdn.com": ["p16-sign-va.tiktokcdn.com", "p16-sign.tiktokcdn-us.com"],
    "p16-sign.tiktokcdn-us.com": ["p16-sign-va.tiktokcdn.com", "p16-sign-sg.tiktokcdn.com"],
    "p77-sign-va.tiktokcdn.com": ["p16-sign-va.tiktokcdn.com", "p16-sign-sg.tiktokcdn.com"],
    ".cdninstagram.com": ["scontent.cdninstagram.com"],
    ".fbcdn.net": ["scontent.cdninstagram.com"],
    ".ggpht.com": ["yt3.googleusercontent.com"],
    "yt3.googleusercontent.com": ["yt3.ggpht.com"],
}
IMAGE_PROXY_MAX_BYTES = env.int("IMAGE_PROXY_MAX_BYTES", default=10 * 1024 * 1024)
IMAGE_PROXY_TIMEOUT = (env.float("IMAGE_PROXY_CONNECT_TIMEOUT", default=3.0),
                       env.float("IMAGE_PROXY_READ_TIMEOUT", default=8.0))
# The STORAGES alias images are kept in (any django-storages backend in production).
IMAGE_PROXY_STORAGE = env("IMAGE_PROXY_STORAGE", default="default")

# The operator console: every admin page writes the audit log, and pages that belong to no model.
ADMIN_MODEL_ADMIN_MIXINS = ["adminpanel.audit.AuditedModelAdmin"]
ADMIN_EXTRA_VIEWS = [("ops/", "adminpanel.operator.views.ops_overview", "ops_overview")]

# Runtime settings (adminpanel.config) are edited in the admin; a key listed here, or in a JSON object
# in the environment, wins over the admin's value (worker subprocesses of tests and benchmarks).
RUNTIME_CONFIG_OVERRIDES: dict = env.json("RUNTIME_CONFIG_OVERRIDES", default={})

# Started inside `runserver` (and the foreground commands) for the embedded default; each returns a
# line to print, or None when it has nothing to start.
EMBEDDED_SERVICES = [
    "influencer_platform.jobs.embedded_worker_start",
    "scraping.sandbox.embedded.embedded_sandbox_start",
    "influencer_platform.jobs.embedded_scheduler_start",
]

LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "influencer_platform.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "influencer_platform.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.utils.autoreload": {"level": "WARNING"},
        "dramatiq": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
        "apscheduler": {"level": "WARNING"},
    },
}
