"""How the product writes numbers, counts, moments, durations and statuses, once for every page, the
console, emails and exports."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils.html import format_html
from django.utils.safestring import SafeString


def compact_number(value) -> str:
    """1234 → 1.2K, 5_600_000 → 5.6M; a dash for unknown."""
    if value is None or value == "":
        return "–"
    number = int(value)
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if abs(number) >= size:
            return f"{number / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(number)


def ago(moment) -> str:
    """``naturaltime`` that reads in a sentence: "started just now", not "started now"."""
    if moment is None:
        return ""
    text = naturaltime(moment)
    return "just now" if text == "now" else text


def plural(count: int, noun: str, plural_noun: str = "") -> str:
    """"1 creator", "1,250 creators"; ``plural_noun`` where adding an "s" is wrong ("searches")."""
    return f"{count:,} {noun if count == 1 else plural_noun or noun + 's'}"


def _hours_minutes_seconds(value: timedelta) -> tuple[int, int, int]:
    seconds = max(0, round(value.total_seconds()))
    return seconds // 3600, seconds // 60 % 60, seconds % 60


def duration_text(value: timedelta | None, *, unknown: str = "–") -> str:
    """How long something ran, for customers: 45 s, 2 min 5 s, 1 h 15 min."""
    if value is None:
        return unknown
    hours, minutes, seconds = _hours_minutes_seconds(value)
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    return f"{seconds} s"


def clock_length(seconds: int | None) -> str:
    """A video's length as players show it: 47 → 0:47, 806 → 13:26, 3723 → 1:02:03; "" for unknown."""
    if not seconds:
        return ""
    hours, minutes, secs = _hours_minutes_seconds(timedelta(seconds=seconds))
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def duration_compact(value: timedelta | None, *, unknown: str = "—") -> str:
    """How long something ran, in the console's columns: 45s, 4m 05s, 1h 05m."""
    if value is None:
        return unknown
    hours, minutes, seconds = _hours_minutes_seconds(value)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"


class Tone(StrEnum):
    """What a status means to the person reading it; each app says which tone its statuses take."""

    QUIET = "quiet"  # nothing to do: cancelled, skipped, stopped
    WAITING = "waiting"  # not started yet
    BUSY = "busy"  # under way
    GOOD = "good"  # done as asked
    WARN = "warn"  # done in part, or needs a look
    BAD = "bad"  # failed


# The console's badges, and the customer pages' badge classes (static/css/app.css), by tone.
_TONE_COLOURS = {Tone.QUIET: "#4b5563", Tone.WAITING: "#6b7280", Tone.BUSY: "#2563eb", Tone.GOOD: "#15803d",
                 Tone.WARN: "#b45309", Tone.BAD: "#b91c1c"}
_TONE_CLASSES = {Tone.BUSY: "badge-brand", Tone.GOOD: "badge-ok", Tone.WARN: "badge-warn", Tone.BAD: "badge-danger"}


def tone_badge(text: str, tone: Tone) -> SafeString:
    """A status as the console shows it: white text on its tone's colour."""
    return format_html(
        '<span style="background: {}; color: #fff; padding: 2px 8px; border-radius: 10px; white-space: nowrap;">'
        "{}</span>", _TONE_COLOURS.get(tone, _TONE_COLOURS[Tone.WAITING]), text)


def tone_class(tone: Tone | None) -> str:
    """The customer pages' badge class of a tone; none for a quiet one."""
    return _TONE_CLASSES.get(tone, "")
