"""Search results as a CSV file, streamed row by row so a 100,000-creator export uses constant memory.

Rows are read with ``values_list(...).iterator()`` (a server-side cursor on PostgreSQL), never as
model instances, and written with the stdlib ``csv`` module through a pseudo-buffer (Django's
"Streaming large CSV files"), one chunk of rows at a time; nothing else is kept between chunks.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date

from django.db.models import CharField, Func, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.text import slugify

from .models import JobCreator, Platform

HEADER = (
    "Platform", "Username", "Display name", "Profile URL", "Followers", "Engagement rate", "Bio", "Emails",
    "Email source", "Verified", "Post URL", "Caption", "Views", "Likes", "Comments", "Shares", "Hashtags",
    "Keyword", "Found at",
)
_FIELDS = (
    "creator__platform", "creator__handle", "creator__display_name", "creator__profile_url", "creator__followers",
    "creator__engagement_rate", "creator__bio", "export_emails", "creator__verified",
    "post_url", "post_caption", "post_views", "post_likes", "post_comments", "post_shares", "export_hashtags",
    "keyword", "export_found_at",
)
CHUNK_ROWS = 500  # rows per database fetch and per yielded chunk: about 5 MB at most in flight
BOM = "\ufeff"
FALLBACK_FILENAME = "creators"

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection); a leading
# quote makes it plain text. https://owasp.org/www-community/attacks/CSV_Injection
_FORMULA_TRIGGERS = frozenset("=+-@\t\r")
_PLATFORM_LABELS = dict(Platform.choices)


class UtcIsoText(Func):
    """A timestamp as ISO 8601 UTC text (``2026-11-22T09:30:05Z``), formatted by the database.

    Parsing timestamps in Python (psycopg's loader behind Django's time zone handling) took about
    half of the time spent reading rows; the database writes the text for a fraction of that.
    """

    output_field = CharField()

    def _formatted(self, compiler, connection, template: str, format_string: str, **extra_context):
        sql, params = self.as_sql(compiler, connection, template=template, **extra_context)
        return sql, (format_string, *params)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self._formatted(compiler, connection, "to_char(%(expressions)s AT TIME ZONE 'UTC', %%s)",
                               'YYYY-MM-DD"T"HH24:MI:SS"Z"', **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django stores SQLite datetimes as UTC text.
        return self._formatted(compiler, connection, "strftime(%%s, %(expressions)s)", "%Y-%m-%dT%H:%M:%SZ",
                               **extra_context)


class _Echo:
    """The pseudo-buffer from Django's "Streaming large CSV files": ``writerow`` returns the line."""

    def write(self, line: str) -> str:
        return line


def _text(value: str) -> str:
    return "'" + value if value and value[0] in _FORMULA_TRIGGERS else value


def _cells(row: tuple) -> tuple:
    (platform, handle, display_name, profile_url, followers, engagement_rate, bio, emails_json, verified,
     post_url, caption, views, likes, comments, shares, hashtags_json, keyword, found_at) = row
    addresses = sources = ""
    # Most creators have no email: skip decoding their "[]".
    if emails_json and emails_json != "[]":
        emails = [email for email in json.loads(emails_json) or () if isinstance(email, dict)]
        addresses = _text("; ".join(str(email.get("address", "")) for email in emails))
        sources = _text("; ".join(str(email.get("source", "")) for email in emails))
    hashtags = ""
    if hashtags_json and hashtags_json != "[]":
        hashtags = _text(" ".join(str(tag) for tag in json.loads(hashtags_json) or ()))
    # Our own numbers go out as numbers (None becomes an empty cell); only text is neutralised.
    return (
        _PLATFORM_LABELS.get(platform, platform), _text(handle), _text(display_name), _text(profile_url),
        followers, engagement_rate, _text(bio), addresses, sources, "yes" if verified else "no",
        _text(post_url), _text(caption), views, likes, comments, shares, hashtags, _text(keyword), found_at or "",
    )


def csv_rows(rows: QuerySet[JobCreator], *, limit: int | None = None) -> Iterator[str]:
    """The BOM and header, then the rows' CSV lines in chunks, in the queryset's own order.

    ``rows`` is a scoped, possibly filtered and ordered result queryset (``job_results``,
    ``campaign_results``); ``limit`` keeps only its first rows (trial accounts).
    """
    values = rows.annotate(
        # JSON as text: the common empty list costs nothing to skip, unlike decoding every value.
        export_emails=Cast("creator__emails", TextField()),
        export_hashtags=Cast("post_hashtags", TextField()),
        export_found_at=UtcIsoText("found_at"),
    ).values_list(*_FIELDS)
    if limit is not None:
        values = values[:limit]
    writer = csv.writer(_Echo())
    # The BOM tells Excel the file is UTF-8; without it accented names and emoji come out garbled.
    yield BOM + writer.writerow(HEADER)
    chunk: list[str] = []
    for row in values.iterator(chunk_size=CHUNK_ROWS):
        chunk.append(writer.writerow(_cells(row)))
        if len(chunk) == CHUNK_ROWS:
            yield "".join(chunk)
            chunk.clear()
    if chunk:
        yield "".join(chunk)


def export_filename(name: str, day: date) -> str:
    """``"Spring Skincare Launch"`` on 22 Nov 2026 -> ``"spring-skincare-launch-2026-11-22.csv"``."""
    slug = slugify(name)[:80].strip("-_") or FALLBACK_FILENAME
    return f"{slug}-{day.isoformat()}.csv"
