"""Search results as a CSV file, streamed row by row so a 100,000-creator export uses constant memory.

Rows are read with ``values_list(...).iterator()`` (a server-side cursor on PostgreSQL), never as
model instances, and written with the stdlib ``csv`` module into one small buffer that is emptied
after every chunk (the pseudo-buffer pattern from Django's "Streaming large CSV files").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date

from django.db.models import QuerySet
from django.utils.text import slugify

from .models import JobCreator, Platform

HEADER = (
    "Platform", "Username", "Display name", "Profile URL", "Followers", "Engagement rate", "Bio", "Emails",
    "Email source", "Verified", "Post URL", "Caption", "Views", "Likes", "Comments", "Shares", "Hashtags",
    "Keyword", "Found at",
)
_FIELDS = (
    "creator__platform", "creator__handle", "creator__display_name", "creator__profile_url", "creator__followers",
    "creator__engagement_rate", "creator__bio", "creator__emails", "creator__verified",
    "post_url", "post_caption", "post_views", "post_likes", "post_comments", "post_shares", "post_hashtags",
    "keyword", "found_at",
)
CHUNK_ROWS = 2000
BOM = "\ufeff"
FALLBACK_FILENAME = "creators"

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection); a leading
# quote makes it plain text. https://owasp.org/www-community/attacks/CSV_Injection
_FORMULA_TRIGGERS = frozenset("=+-@\t\r")
_PLATFORM_LABELS = dict(Platform.choices)


def _text(value: str | None) -> str:
    if not value:
        return ""
    return "'" + value if value[0] in _FORMULA_TRIGGERS else value


def _cells(row: tuple) -> tuple:
    (platform, handle, display_name, profile_url, followers, engagement_rate, bio, emails, verified,
     post_url, caption, views, likes, comments, shares, hashtags, keyword, found_at) = row
    emails = [email for email in emails or () if isinstance(email, dict)]
    # Our own numbers go out as numbers (None becomes an empty cell); only text is neutralised.
    return (
        _PLATFORM_LABELS.get(platform, platform),
        _text(handle),
        _text(display_name),
        _text(profile_url),
        followers,
        engagement_rate,
        _text(bio),
        _text("; ".join(str(email.get("address", "")) for email in emails)),
        _text("; ".join(str(email.get("source", "")) for email in emails)),
        "yes" if verified else "no",
        _text(post_url),
        _text(caption),
        views,
        likes,
        comments,
        shares,
        _text(" ".join(str(tag) for tag in hashtags or ())),
        _text(keyword),
        found_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if found_at else "",
    )


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate(0)
    return text


def csv_rows(rows: QuerySet[JobCreator], *, limit: int | None = None) -> Iterator[str]:
    """The BOM and header, then the rows' CSV lines in chunks, in the queryset's own order.

    ``rows`` is a scoped, possibly filtered and ordered result queryset (``job_results``,
    ``campaign_results``); ``limit`` keeps only its first rows (trial accounts).
    """
    values = rows.values_list(*_FIELDS)
    if limit is not None:
        values = values[:limit]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    # The BOM tells Excel the file is UTF-8; without it accented names and emoji come out garbled.
    yield BOM + _drain(buffer)
    written = 0
    for row in values.iterator(chunk_size=CHUNK_ROWS):
        writer.writerow(_cells(row))
        written += 1
        if written == CHUNK_ROWS:
            yield _drain(buffer)
            written = 0
    if written:
        yield _drain(buffer)


def export_filename(name: str, day: date) -> str:
    """``"Spring Skincare Launch"`` on 22 Nov 2026 -> ``"spring-skincare-launch-2026-11-22.csv"``."""
    slug = slugify(name)[:80].strip("-_") or FALLBACK_FILENAME
    return f"{slug}-{day.isoformat()}.csv"
