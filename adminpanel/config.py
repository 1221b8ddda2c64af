"""Typed runtime settings: every tunable the engine and pages read, declared once with its default.

Code reads a value with ``config_get("scraping.enrichment_concurrency")``. The registry below is the
only list of keys: each one is seeded into the ``SystemConfiguration`` table on migrate, where
operators edit it in the admin. A deployment can pin any key with ``RUNTIME_CONFIG_OVERRIDES`` in
Django settings (tests and benchmarks use that); an override wins over the table.

Reads are served from a per-process snapshot of the table. Every ``RECHECK_SECONDS`` a process asks
whether the table changed since its snapshot (one Redis GET, or one indexed query when the cache is
local to the process) and reloads it (one query) only if it did, so an admin edit reaches every
web and worker process within a couple of seconds, without a restart, while the engine's many
reads per step cost a dict lookup. This module imports no app, so every layer may read it.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.transaction import TransactionManagementError

logger = logging.getLogger(__name__)

ValueType = Literal["number", "duration", "boolean", "string", "json"]
VALUE_TYPES: tuple[str, ...] = ("number", "duration", "boolean", "string", "json")

_DURATION_RE = re.compile(r"^\s*(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>ms|s|m|h|d)\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}

# How stale a process' snapshot may get before it asks whether the table changed.
RECHECK_SECONDS = 1.0
VERSION_CACHE_KEY = "adminpanel:config-version"


@dataclass(frozen=True)
class ConfigKey:
    key: str
    value_type: ValueType
    default: Any
    description: str
    # False: a process keeps the value it read first until it restarts (say so in the admin).
    hot_reload: bool = True
    # Bounds checked when an operator saves a value: numbers as such, durations in seconds.
    minimum: float | None = None
    maximum: float | None = None

    @property
    def category(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        """The key within its category: ``step_delay.tiktok`` for ``provider.step_delay.tiktok``."""
        return self.key.split(".", 1)[1]


def parse_duration(text: str) -> timedelta:
    """``"2s"``, ``"250ms"``, ``"60m"``, ``"7d"`` as a timedelta; ValueError for anything else."""
    match = _DURATION_RE.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a duration such as 250ms, 2s, 60m, 12h or 7d.")
    return timedelta(seconds=float(match["amount"]) * _UNIT_SECONDS[match["unit"]])


def format_duration(value: timedelta) -> str:
    """The shortest exact text ``parse_duration`` reads back: 90s -> ``90s``, 7 days -> ``7d``."""
    milliseconds = round(value.total_seconds() * 1000)
    for unit, factor in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if milliseconds and milliseconds % factor == 0:
            return f"{milliseconds // factor}{unit}"
    return f"{milliseconds}ms"


REGISTRY: dict[str, ConfigKey] = {
    entry.key: entry
    for entry in (
        ConfigKey("provider.step_delay.tiktok", "duration", "0s",
                  "Pause between two search pages of one TikTok job."),
        ConfigKey("provider.step_delay.instagram", "duration", "0s",
                  "Pause between two search pages of one Instagram job."),
        ConfigKey("provider.step_delay.youtube", "duration", "0s",
                  "Pause between two search pages of one YouTube job."),
        ConfigKey("provider.max_pages_per_keyword.tiktok", "number", 60,
                  "Most search pages read for one TikTok keyword before moving to the next.", minimum=1),
        ConfigKey("provider.max_pages_per_keyword.instagram", "number", 30,
                  "Most reels search pages (about 10 reels each) read for one Instagram keyword.", minimum=1),
        ConfigKey("provider.max_pages_per_keyword.youtube", "number", 60,
                  "Most search pages read for one YouTube keyword before moving to the next.", minimum=1),
        ConfigKey("provider.requests_per_second", "number", 20,
                  "Calls per second to the data provider, shared by every worker.", minimum=0.1),
        ConfigKey("provider.retry_budget", "number", 6,
                  "Consecutive failed attempts of one job step before the job gives up.", minimum=1),
        ConfigKey("provider.call_retries", "number", 3,
                  "Attempts of one profile fetch inside a step before the step is retried later.", minimum=1),
        ConfigKey("scraping.enrichment_concurrency", "number", 8,
                  "Profile fetches in flight at once for one job step (a step fetches about 16). Raise it "
                  "with provider.requests_per_second: at 40 requests/s, 16 keeps searches at the "
                  "provider's pace.",
                  minimum=1, maximum=64),
        ConfigKey("scraping.step_duration", "duration", "15s",
                  "How long one step of a search reads pages before handing over to the next step, which any "
                  "worker may take (a step reads at least one page).", maximum=600),
        ConfigKey("scraping.freshness_window", "duration", "7d",
                  "A creator profile fetched this recently is reused instead of paying again."),
        ConfigKey("scraping.fetch_link_pages", "boolean", True,
                  "Read link-in-bio pages for contact emails."),
        ConfigKey("images.placeholder_max_age", "duration", "10m",
                  "How long browsers keep the initial shown for an image that could not be fetched."),
        ConfigKey("images.source_ttl", "duration", "30d",
                  "How long the proxy remembers which stored image a CDN URL gave, instead of fetching it again."),
        ConfigKey("images.failure_ttl", "duration", "15m",
                  "An image URL the CDN refused is not asked for again before this much time has passed."),
        ConfigKey("timeouts.standard_job_timeout", "duration", "30m",
                  "A running search with no progress for this long ends as timed out.", minimum=60),
        ConfigKey("timeouts.stalled_step_after", "duration", "2m",
                  "A running search with no progress for this long gets its next step re-sent.", minimum=1),
        ConfigKey("timeouts.sweep_interval", "duration", "1m",
                  "How often the sweep looks for stalled and timed-out searches (it can run at most "
                  "once a minute).", minimum=60),
        ConfigKey("ui.progress_poll_interval", "duration", "2s",
                  "How often a search page refreshes its progress bar.", minimum=1),
        ConfigKey("images.browser_cache", "duration", "30d",
                  "How long browsers may keep a creator picture served by the image proxy."),
        ConfigKey("images.refresh_after", "duration", "7d",
                  "A stored creator picture older than this is downloaded again from the platform."),
        ConfigKey("billing.trial_length", "duration", "7d",
                  "Length of the free trial a new account starts.", minimum=3600),
        ConfigKey("emails.welcome_delay", "duration", "0s",
                  "Wait after sign-up before the welcome email is sent."),
        ConfigKey("emails.trial_day2_after", "duration", "2d",
                  "When the first trial reminder goes out, counted from the start of the trial."),
        ConfigKey("emails.trial_day5_after", "duration", "5d",
                  "When the second trial reminder goes out, counted from the start of the trial."),
        ConfigKey("emails.search_finished_min_duration", "duration", "1m",
                  "Searches that end sooner than this send no email: the user watched them finish."),
        ConfigKey("emails.search_digest_window", "duration", "10m",
                  "Searches of one user that end within this long of each other share one email."),
        ConfigKey("retention.background_jobs", "duration", "30d",
                  "Background job records older than this are deleted by the nightly clean-up.",
                  minimum=86400),
        ConfigKey("retention.admin_actions", "duration", "730d",
                  "Audit log entries older than this are deleted by the nightly clean-up.",
                  minimum=30 * 86400),
        ConfigKey("ops.worker_heartbeat_interval", "duration", "15s",
                  "How often each job worker reports that it is alive. Read when a worker starts.",
                  hot_reload=False, minimum=1, maximum=300),
        ConfigKey("ops.worker_offline_after", "duration", "1m",
                  "A worker silent for this long shows as offline on the operations overview.",
                  minimum=5),
        ConfigKey("alerts.email_interval", "duration", "1h",
                  "Operators get at most one email per kind of alert in this long; later alerts of the "
                  "same kind are only counted on the console.", minimum=60),
        ConfigKey("alerts.credits_threshold", "number", 5000,
                  "An alert is raised when the data provider reports fewer credits left than this.",
                  minimum=0),
        ConfigKey("alerts.workers_silent_after", "duration", "5m",
                  "An alert is raised when no job worker has reported for this long.", minimum=30),
        ConfigKey("alerts.scheduler_silent_after", "duration", "10m",
                  "An alert is raised when the scheduler has sent no periodic task for this long.",
                  minimum=120),
    )
}

# Feature switches: an operator turns a part of the product off without a deploy. Work already
# under way (a running search, an export being downloaded) finishes; only new work is refused.
SEARCH_SWITCH_PLATFORMS = {"tiktok": "TikTok", "instagram": "Instagram", "youtube": "YouTube"}
SEARCH_SWITCH_TYPES = {"keyword": "keyword", "similar": "similar-creator"}
EMAIL_SWITCHES = {
    "welcome": "welcome email at sign-up",
    "trial_started": "email when a trial starts",
    "trial_day_2": "trial reminder on day 2",
    "trial_day_5": "trial reminder on day 5",
    "trial_expired": "email when a trial ends unpaid",
    "subscription_welcome": "thank-you when a paid plan starts",
    "payment_failed": "email when a charge fails",
    "trial_payment_failed": "email when the first charge after a trial fails",
    "search_finished": "search finished emails (single and digest)",
}
FEATURE_SWITCHES: tuple[ConfigKey, ...] = (
    *(
        ConfigKey(f"features.search.{platform}.{search_type}", "boolean", True,
                  f"New {label} {type_label} searches can be started. Off: the wizard hides them with a "
                  "sentence, the API answers 409, and searches already running finish.")
        for platform, label in SEARCH_SWITCH_PLATFORMS.items()
        for search_type, type_label in SEARCH_SWITCH_TYPES.items()
    ),
    ConfigKey("features.csv_export", "boolean", True,
              "Users can download CSV files of searches, campaigns and lists."),
    ConfigKey("features.list_sharing", "boolean", True,
              "List owners can share lists with collaborators by email."),
    *(
        ConfigKey(f"features.email.{key}", "boolean", True,
                  f"Send the {label}. Off: emails that fall due are cancelled, not sent later.")
        for key, label in EMAIL_SWITCHES.items()
    ),
)
REGISTRY.update({entry.key: entry for entry in FEATURE_SWITCHES})


def feature_on(name: str) -> bool:
    """Whether the switch ``features.<name>`` is on (``"csv_export"``, ``"email.welcome"``)."""
    return bool(config_get(f"features.{name}"))


def search_switched_on(platform: str, search_type: str) -> bool:
    key = f"features.search.{platform}.{search_type}"
    return key not in REGISTRY or bool(config_get(key))


def coerce(entry: ConfigKey, raw: Any) -> Any:
    """``raw`` (stored text, a registry default or an override) as the key's Python type."""
    if entry.value_type == "duration":
        return raw if isinstance(raw, timedelta) else parse_duration(raw)
    if entry.value_type == "number":
        if isinstance(raw, bool):
            raise ValueError(f"{entry.key} must be a number.")
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise ValueError(f"{str(raw)!r} is not a number.") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(f"{str(raw)!r} is not a number.")
        return int(number) if number.is_integer() else number
    if entry.value_type == "boolean":
        if isinstance(raw, str):
            text = raw.strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError(f"{raw!r} is not a yes/no value: use true or false.")
        return bool(raw)
    if entry.value_type == "json":
        if isinstance(raw, str):
            try:
                return json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ValueError(f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from None
        return raw
    return "" if raw is None else str(raw)


def config_validate(entry: ConfigKey, raw: Any) -> tuple[Any, str]:
    """``raw`` checked against the key's type and bounds: the typed value and its stored text.

    Raises ValueError with a sentence an operator can act on.
    """
    value = coerce(entry, raw)
    measured = value.total_seconds() if isinstance(value, timedelta) else value
    shown = format_duration if isinstance(value, timedelta) else (lambda bound: f"{bound:g}")
    if entry.minimum is not None and measured < entry.minimum:
        bound = timedelta(seconds=entry.minimum) if isinstance(value, timedelta) else entry.minimum
        raise ValueError(f"Use at least {shown(bound)}.")
    if entry.maximum is not None and measured > entry.maximum:
        bound = timedelta(seconds=entry.maximum) if isinstance(value, timedelta) else entry.maximum
        raise ValueError(f"Use at most {shown(bound)}.")
    if entry.value_type == "duration" and isinstance(raw, str):
        # Kept as the operator wrote it ("48h" stays "48h"), minus spaces.
        return value, "".join(raw.split())
    return value, config_text(entry, value)


def config_text(entry: ConfigKey, value: Any) -> str:
    """The stored text of a typed value (what the admin shows and edits)."""
    if entry.value_type == "duration":
        return format_duration(value) if isinstance(value, timedelta) else str(value).strip()
    if entry.value_type == "boolean":
        return "true" if value else "false"
    if entry.value_type == "number":
        return f"{value:g}" if isinstance(value, float) else str(value)
    if entry.value_type == "json":
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


# The per-process snapshot


@dataclass(frozen=True)
class _Snapshot:
    values: dict[str, Any]
    version: Any
    checked_at: float


_EMPTY = _Snapshot(values={}, version=None, checked_at=float("-inf"))
_snapshot = _EMPTY
_reload_lock = threading.Lock()
# Keys that are not hot-reloadable keep the first value this process used.
_pinned: dict[str, Any] = {}
_defaults: dict[str, Any] = {}


def config_get(key: str) -> Any:
    """The current value of ``key``, typed: int/float, timedelta, bool, str or JSON data."""
    entry = REGISTRY[key]
    overrides = getattr(settings, "RUNTIME_CONFIG_OVERRIDES", None)
    if overrides and key in overrides:
        return coerce(entry, overrides[key])
    values = _current_values()
    value = values[key] if key in values else _default(entry)
    if not entry.hot_reload:
        return _pinned.setdefault(key, value)
    return value


def config_cache_reset() -> None:
    """Forget this process' snapshot so the next read loads the table (tests, after a change)."""
    global _snapshot
    _snapshot = _EMPTY
    _pinned.clear()


def config_changed() -> None:
    """Tell every process that the table changed; call inside the transaction that changed it.

    The version moves only once the change is committed: a process that reloaded earlier would
    otherwise keep the old values under the new version, and a rolled-back edit must not be seen.
    """

    def publish() -> None:
        global _snapshot
        if _shared_cache():
            try:
                cache.set(VERSION_CACHE_KEY, uuid.uuid4().hex, timeout=None)
            except Exception:  # the cache being down must not undo a committed edit
                logger.warning("could not publish the configuration version", exc_info=True)
        _snapshot = _EMPTY  # this process sees its own edit on its next read

    transaction.on_commit(publish)


def _default(entry: ConfigKey) -> Any:
    if entry.key not in _defaults:
        _defaults[entry.key] = coerce(entry, entry.default)
    return _defaults[entry.key]


def _current_values() -> dict[str, Any]:
    global _snapshot
    snapshot = _snapshot
    now = time.monotonic()
    if now - snapshot.checked_at < RECHECK_SECONDS:
        return snapshot.values
    with _reload_lock:
        snapshot = _snapshot
        if now - snapshot.checked_at < RECHECK_SECONDS:
            return snapshot.values  # another thread refreshed it while this one waited
        try:
            # The version is read before the rows: an edit committed in between moves the version
            # again, so the next check reloads instead of keeping what it missed.
            version = _current_version()
            values = snapshot.values if version is not None and version == snapshot.version else _load()
        except (DatabaseError, TransactionManagementError):
            # Before the first migrate, with the database briefly away, or read from inside a
            # transaction that already failed: keep what we had (the defaults at worst) and try
            # again at the next check.
            logger.warning("runtime configuration not readable; using the last known values", exc_info=True)
            version, values = None, snapshot.values
        _snapshot = _Snapshot(values=values, version=version, checked_at=now)
        return values


def _shared_cache() -> bool:
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    return not backend.endswith(("LocMemCache", "DummyCache"))


def _current_version() -> Any:
    if _shared_cache():
        try:
            version = cache.get(VERSION_CACHE_KEY)
            if version is None:
                # First process after a cache flush: any value will do, as long as all agree.
                cache.add(VERSION_CACHE_KEY, uuid.uuid4().hex, timeout=None)
                version = cache.get(VERSION_CACHE_KEY)
            if version is not None:
                return version
        except Exception:  # Redis away: fall back to asking the database below
            logger.warning("configuration version unavailable from the cache", exc_info=True)
    # A cache local to this process cannot carry news from other processes (the embedded default
    # runs `run_search` beside `runserver`), so the table itself says whether it changed.
    from django.db.models import Count, Max

    from .models import SystemConfiguration

    with transaction.atomic():
        summary = SystemConfiguration.objects.aggregate(changed=Max("updated_at"), rows=Count("id"))
    return (summary["changed"], summary["rows"])


def _load() -> dict[str, Any]:
    from .models import SystemConfiguration

    values: dict[str, Any] = {}
    # A savepoint inside a caller's transaction: a failing read must not poison it.
    with transaction.atomic():
        rows = list(SystemConfiguration.objects.values_list("category", "key", "value"))
    for category, name, text in rows:
        entry = REGISTRY.get(f"{category}.{name}")
        if entry is None:
            continue  # a key the code no longer declares
        try:
            values[entry.key] = coerce(entry, text)
        except ValueError:
            # Saving validates, so only a hand-edited row gets here; the default keeps things running.
            logger.error("invalid stored value for %s: %r; using the default", entry.key, text)
    return values
