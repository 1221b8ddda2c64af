"""Typed runtime settings: every tunable the engine and pages read, declared once with its default.

Code reads a value with ``config_get("scraping.enrichment_concurrency")``. The registry below is the
only list of keys; a deployment can override any default with ``RUNTIME_CONFIG_OVERRIDES`` in
Django settings (tests and benchmarks use that). This module imports no app, so every layer may
read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from django.conf import settings

ValueType = Literal["number", "duration", "boolean", "string", "json"]

_DURATION_RE = re.compile(r"^\s*(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>ms|s|m|h|d)\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class ConfigKey:
    key: str
    value_type: ValueType
    default: Any
    description: str

    @property
    def category(self) -> str:
        return self.key.split(".", 1)[0]


def parse_duration(text: str) -> timedelta:
    """``"2s"``, ``"250ms"``, ``"60m"``, ``"7d"`` as a timedelta; ValueError for anything else."""
    match = _DURATION_RE.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a duration such as 250ms, 2s, 60m, 12h or 7d.")
    return timedelta(seconds=float(match["amount"]) * _UNIT_SECONDS[match["unit"]])


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
                  "Most search pages read for one TikTok keyword before moving to the next."),
        ConfigKey("provider.max_pages_per_keyword.instagram", "number", 1,
                  "Instagram reels search has no paging: one reply per keyword."),
        ConfigKey("provider.max_pages_per_keyword.youtube", "number", 60,
                  "Most search pages read for one YouTube keyword before moving to the next."),
        ConfigKey("provider.requests_per_second", "number", 20,
                  "Calls per second to the data provider, shared by every worker."),
        ConfigKey("provider.retry_budget", "number", 6,
                  "Consecutive failed attempts of one job step before the job gives up."),
        ConfigKey("provider.call_retries", "number", 3,
                  "Attempts of one profile fetch inside a step before the step is retried later."),
        ConfigKey("scraping.enrichment_concurrency", "number", 8,
                  "Profile fetches in flight at once for one job step."),
        ConfigKey("scraping.freshness_window", "duration", "7d",
                  "A creator profile fetched this recently is reused instead of paying again."),
        ConfigKey("scraping.fetch_link_pages", "boolean", True,
                  "Read link-in-bio pages for contact emails."),
        ConfigKey("timeouts.standard_job_timeout", "duration", "30m",
                  "A running search with no progress for this long ends as timed out."),
        ConfigKey("timeouts.stalled_step_after", "duration", "2m",
                  "A running search with no progress for this long gets its next step re-sent."),
        ConfigKey("timeouts.sweep_interval", "duration", "1m",
                  "How often the sweep looks for stalled and timed-out searches."),
        ConfigKey("ui.progress_poll_interval", "duration", "2s",
                  "How often a search page refreshes its progress bar."),
    )
}


def config_get(key: str) -> Any:
    """The current value of ``key``, typed: int/float, timedelta, bool, str or JSON data."""
    entry = REGISTRY[key]
    overrides = getattr(settings, "RUNTIME_CONFIG_OVERRIDES", {})
    raw = overrides.get(key, entry.default)
    return coerce(entry, raw)


def coerce(entry: ConfigKey, raw: Any) -> Any:
    if entry.value_type == "duration":
        return raw if isinstance(raw, timedelta) else parse_duration(raw)
    if entry.value_type == "number":
        if isinstance(raw, bool):
            raise ValueError(f"{entry.key} must be a number.")
        number = float(raw)
        return int(number) if number.is_integer() else number
    if entry.value_type == "boolean":
        if isinstance(raw, str):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        return bool(raw)
    return raw
