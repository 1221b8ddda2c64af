"""Test settings: real PostgreSQL and Redis, started by `make test` (scripts/test-services.sh)."""

import os
import re

# Parallel test workers (pytest-xdist: gw0, gw1, ...) each get a Redis database of their own, so one
# worker's job queues, cache and rate limits never reach another's; pytest-django gives each its own
# PostgreSQL database the same way. Processes a test starts inherit the worker's name and land on the
# same database.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = re.sub(r"(/\d*)?$", f"/{int(_worker[2:]) + 1}", os.environ["REDIS_URL"], count=1)

from .base import *  # noqa: E402, F403
from .base import DATABASES, env  # noqa: E402

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise RuntimeError("Tests run on PostgreSQL: run them with `make test`, which starts one.")

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ACCOUNT_RATE_LIMITS = False
DRAMATIQ_IN_PROCESS_THREADS = 2
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
LOG_LEVEL = env("LOG_LEVEL", default="WARNING")
LOGGING["root"]["level"] = LOG_LEVEL  # noqa: F405
