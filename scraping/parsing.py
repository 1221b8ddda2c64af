"""Tolerant parsers for values as providers send them.

Provider JSON is untyped in practice: counts arrive as ints, floats or text such as "1.2M
subscribers", times as epoch seconds or ISO strings, images as strings, lists or
``{"url_list": [...]}``. These functions turn what they understand into Python values and return
None (or "") for anything else, so one odd field never fails a whole page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import unquote, urlsplit

_COUNT_RE = re.compile(
    r"""
    (?P<number>\d{1,3}(?:,\d{3})+          # 12,345
              |\d{1,3}(?:\.\d{3}){2,}      # 1.234.567 (dots group thousands in much of Europe)
              |\d+)
    (?:(?P<point>[.,])(?P<fraction>\d+))?   # 1.2 or, before a multiplier, 12,3
    \s*(?:(?P<suffix>thousand|million|billion|mil|mio|mln|mn|bn|[kmb])s?\.?(?![a-z]))?
    \+?                                     # "10K+"
    (?P<word>\s+[^\W\d].*)?                # a trailing word: "followers", "views"
    """,
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)
_MULTIPLIERS = {
    "": 1, "k": 1_000, "thousand": 1_000,
    "m": 1_000_000, "million": 1_000_000, "mil": 1_000_000, "mio": 1_000_000, "mln": 1_000_000, "mn": 1_000_000,
    "b": 1_000_000_000, "billion": 1_000_000_000, "bn": 1_000_000_000,
}

_RELATIVE_TIME_RE = re.compile(
    r"(?:streamed\s+|premiered\s+)?(?P<amount>\d+)\s+"
    r"(?P<unit>second|minute|hour|day|week|month|year)s?\s+ago",
    re.IGNORECASE,
)
_RELATIVE_UNITS = {
    "second": timedelta(seconds=1),
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    # Providers round these for display; an approximate date is all "posted 3 months ago" gives.
    "month": timedelta(days=30),
    "year": timedelta(days=365),
}
# Epoch values above this are milliseconds: as seconds they would be past the year 5000.
_EPOCH_MILLISECONDS_FROM = 100_000_000_000

_URL_KEYS = ("url_list", "url", "urls", "uri", "src", "thumbnails", "image", "sources")
_HANDLE_RE = re.compile(r"[\w.\-]{1,64}")
_PROFILE_HOST_RE = re.compile(
    r"^(?:[a-z0-9-]+\.)*(?:tiktok|instagram|youtube|youtu)\.(?:com|be)$", re.IGNORECASE
)
# First path segments of profile-site URLs that name a page, not an account.
_NON_HANDLE_SEGMENTS = frozenset(
    "p reel reels tv explore stories watch video tag hashtag channel shorts".split()
)
_LEGACY_CHANNEL_SEGMENTS = frozenset({"c", "user"})
_TRUE_WORDS = frozenset({"true", "yes", "1", "y"})


def parse_count(value: Any) -> int | None:
    """A non-negative count from an int, float or text like "12,345", "1.2M" or "3.4k views"."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return round(value) if math.isfinite(value) and value >= 0 else None
    if not isinstance(value, str):
        return None
    match = _COUNT_RE.fullmatch(value.strip())
    if match is None:
        return None
    suffix = (match["suffix"] or "").lower()
    # "123,45" may be a decimal comma or a typo, and "2.5 lakh" names a unit we do not know:
    # no count is better than one a hundred times off.
    if match["fraction"] and not suffix and (match["point"] == "," or match["word"]):
        return None
    digits = match["number"].replace(",", "").replace(".", "")
    if match["fraction"]:
        digits += "." + match["fraction"]
    multiplier = _MULTIPLIERS[suffix]
    amount = Decimal(digits) * multiplier
    return int(amount.to_integral_value(rounding=ROUND_HALF_UP))


def parse_flag(value: Any) -> bool:
    """True for True, non-zero numbers and "true"/"yes"/"1"; False for everything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_WORDS
    return False


def parse_timestamp(value: Any, *, now: datetime | None = None) -> datetime | None:
    """A timezone-aware UTC datetime from epoch seconds (or milliseconds), ISO text or "3 days ago".

    ``now`` anchors relative times such as YouTube's "2 weeks ago"; it defaults to the current time.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return _as_utc(value)
    if isinstance(value, (int, float)):
        return _from_epoch(value)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return _from_epoch(float(text))
    except ValueError:
        pass
    try:
        return _as_utc(datetime.fromisoformat(text))
    except ValueError:
        pass
    return _from_relative(text, now=now)


# A video length as a clock ("13:26", "1:02:03") or as ISO 8601 ("PT13M26S").
_CLOCK_RE = re.compile(r"(?:(?P<hours>\d+):)?(?P<minutes>\d{1,2}):(?P<seconds>\d{2})")
_ISO_DURATION_RE = re.compile(r"PT(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?",
                              re.IGNORECASE)
# Longer than any video a platform hosts: such a number is milliseconds or nonsense.
_LONGEST_VIDEO_SECONDS = 24 * 3600


def parse_duration(*values: Any, milliseconds: bool = False) -> int | None:
    """A video's length in whole seconds from the first value that reads as one: seconds as a
    number or text (806, 107.879, "806"), a clock ("13:26", "1:02:03") or ISO 8601 ("PT13M26S").

    ``milliseconds`` reads bare numbers as milliseconds (TikTok's ``video.duration``).
    """
    for value in values:
        seconds = _duration_seconds(value, milliseconds=milliseconds)
        if seconds is not None:
            return seconds
    return None


def _duration_seconds(value: Any, *, milliseconds: bool) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    amount: float | None = None
    if isinstance(value, (int, float)):
        amount = float(value) / (1000 if milliseconds else 1)
    elif isinstance(value, str) and (text := value.strip()):
        if clock := _CLOCK_RE.fullmatch(text):
            amount = (int(clock["hours"] or 0) * 3600 + int(clock["minutes"]) * 60 + int(clock["seconds"]))
        elif (iso := _ISO_DURATION_RE.fullmatch(text)) and any(iso.groups()):
            amount = int(iso["hours"] or 0) * 3600 + int(iso["minutes"] or 0) * 60 + float(iso["seconds"] or 0)
        else:
            try:
                amount = float(text) / (1000 if milliseconds else 1)
            except ValueError:
                return None
    if amount is None or not math.isfinite(amount) or not 0 < amount <= _LONGEST_VIDEO_SECONDS:
        return None
    return max(1, round(amount))


def _from_epoch(seconds: float) -> datetime | None:
    # Zero and negative values are placeholders, not posts from 1970.
    if not math.isfinite(seconds) or seconds <= 0:
        return None
    if seconds >= _EPOCH_MILLISECONDS_FROM:
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _from_relative(text: str, *, now: datetime | None) -> datetime | None:
    match = _RELATIVE_TIME_RE.fullmatch(text)
    if match is None:
        return None
    anchor = _as_utc(now) if now is not None else datetime.now(UTC)
    return anchor - int(match["amount"]) * _RELATIVE_UNITS[match["unit"].lower()]


def first_url(value: Any) -> str:
    """The first http(s) URL in a string, a list, or an object such as ``{"url_list": [...]}``.

    Returns "" when there is none. Protocol-relative URLs ("//cdn...") become https.
    """
    if isinstance(value, str):
        return _as_web_url(value)
    if isinstance(value, dict):
        return first_url([value[key] for key in _URL_KEYS if key in value])
    if isinstance(value, (list, tuple)):
        for item in value:
            url = first_url(item)
            if url:
                return url
    return ""


def _as_web_url(text: str) -> str:
    text = text.strip()
    if text.startswith("//"):
        text = "https:" + text
    if urlsplit(text).scheme.lower() in ("http", "https") and len(text) > len("https://"):
        return text
    return ""


def hashtags_from(*sources: Iterable[Any] | str | None) -> tuple[str, ...]:
    """Hashtags from tag-name lists and free text: lower-cased, without "#", de-duplicated."""
    tags: dict[str, None] = {}
    for source in sources:
        if isinstance(source, str):
            names: Iterable[Any] = re.findall(r"#(\w+)", source)
        else:
            names = source or ()
        for name in names:
            if isinstance(name, str):
                tag = name.strip().lstrip("#").lower()
                if tag:
                    tags.setdefault(tag)
    return tuple(tags)


def normalise_handle(text: str) -> str:
    """A bare, lower-cased account name from "@Name", " name ", or a TikTok/Instagram/YouTube URL.

    Raises ValueError for an empty value or one that names no account (a post or channel-id URL).
    """
    if not isinstance(text, str):
        raise ValueError("A handle must be text.")
    candidate = text.strip()
    if _looks_like_url(candidate):
        candidate = _handle_from_url(candidate)
    candidate = candidate.lstrip("@").strip().lower()
    if not candidate:
        raise ValueError("The handle is empty.")
    if not _HANDLE_RE.fullmatch(candidate):
        raise ValueError(f"{text.strip()!r} is not a valid handle.")
    return candidate


def _looks_like_url(text: str) -> bool:
    if "://" in text:
        return True
    host = text.split("/", 1)[0]
    return "/" in text and bool(_PROFILE_HOST_RE.match(host))


def _handle_from_url(url: str) -> str:
    if "://" not in url:
        url = "https://" + url
    segments = [unquote(part) for part in urlsplit(url).path.split("/") if part]
    if not segments:
        raise ValueError(f"{url!r} does not name an account.")
    first = segments[0]
    if first.startswith("@"):
        return first
    if first.lower() in _LEGACY_CHANNEL_SEGMENTS and len(segments) > 1:
        return segments[1]
    if first.lower() in _NON_HANDLE_SEGMENTS:
        raise ValueError(f"{url!r} links to a page, not an account handle.")
    return first
