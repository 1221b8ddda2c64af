"""How the product writes numbers, moments and durations, once for every page, email and export."""

from __future__ import annotations

from django.contrib.humanize.templatetags.humanize import naturaltime


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
