"""Search results as a CSV file, streamed row by row so a 100,000-creator export uses constant memory.

Rows are read as plain tuples, ``CHUNK_ROWS`` at a time, with the SQL the ORM compiles for the
results queryset (see ``_fetched``), never as model instances; each chunk is written as CSV text
and handed on, and nothing else is kept between chunks.

The lines are written here rather than by the stdlib ``csv`` module, which copies every cell
character by character through its quoting rules (numbers included) and took about 40% of the
export's time; here only text cells are searched, with ``str``'s fast substring tests. The
format is the same as that module's default dialect (RFC 4180): comma-separated, CRLF line ends, a
cell quoted only when it holds a comma, a double quote, CR or LF, and double quotes doubled in it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from itertools import islice

import psycopg
from django.core import signing
from django.db import connections
from django.db.models import CharField, Func, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.text import slugify

from accounts.models import User
from influencer_platform.errors import ApplicationError

from .models import JobCreator, Platform
from .selectors import rows_shown

# How long a download link handed out by an export stays good. The salt keeps its first name so links
# handed out before it moved here stay good.
EXPORT_LINK_MAX_AGE = 3600
_LINK_SALT = "campaigns.export-link"


class ExportLinkError(ApplicationError):
    code = "export_link_invalid"
    status_code = 400


def export_link_token(*, user: User, kind: str, target_id: int, query: str = "") -> str:
    """A signed token naming one recorded export of ``kind`` (search, campaign, list) for ``user``."""
    return signing.dumps({"u": user.pk, "k": kind, "t": target_id, "q": query}, salt=_LINK_SALT, compress=True)


def export_link_check(*, user: User, kind: str, target_id: int, token: str) -> str:
    """The filter query of the export ``token`` names; refused unless it is this user's, for this target."""
    try:
        data = signing.loads(token or "", salt=_LINK_SALT, max_age=EXPORT_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise ExportLinkError("This download link has expired. Choose Export CSV again.") from None
    except signing.BadSignature:
        raise ExportLinkError("Choose Export CSV to download this file.") from None
    if not isinstance(data, dict) or (data.get("u"), data.get("k"), data.get("t")) != (user.pk, kind, target_id):
        raise ExportLinkError("Choose Export CSV to download this file.")
    return str(data.get("q") or "")


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
LINE_END = "\r\n"
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


def csv_cell(value: str) -> str:
    """Text as one CSV cell: a leading formula trigger neutralised, then quoted if it must be."""
    if value and value[0] in _FORMULA_TRIGGERS:
        value = "'" + value
    # Four substring tests are about three times as fast as one regular expression search here.
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    if "," in value or "\n" in value or "\r" in value:
        return '"' + value + '"'
    return value


def platform_cell(platform: str) -> str:
    """A platform's name as a cell; a value that is not one of ours goes out neutralised like any text."""
    return _PLATFORM_LABELS.get(platform) or csv_cell(platform or "")


def _tags(hashtags_json: str) -> str:
    """A JSON list of hashtags as one space-separated string.

    Nearly every list is plain strings in the database's JSON text (``["glow", "spf"]``), which
    splitting reads at a third of the cost of decoding. With no backslash there is no escaped quote,
    so every quote is a delimiter and counting them proves the split right; anything else (escapes,
    numbers, other spacing) is decoded.
    """
    if hashtags_json[:2] == '["' and hashtags_json[-2:] == '"]' and "\\" not in hashtags_json:
        tags = hashtags_json[2:-2].split('", "')
        if hashtags_json.count('"') == 2 * len(tags):
            return " ".join(tags)
    return " ".join(map(str, json.loads(hashtags_json) or ()))


def _line(row: tuple) -> str:
    (platform, handle, display_name, profile_url, followers, engagement_rate, bio, emails_json, verified,
     post_url, caption, views, likes, comments, shares, hashtags_json, keyword, found_at) = row
    addresses = sources = ""
    # Most creators have no email: skip decoding their "[]".
    if emails_json and emails_json != "[]":
        emails = [email for email in json.loads(emails_json) or () if isinstance(email, dict)]
        addresses = csv_cell("; ".join([str(email.get("address", "")) for email in emails]))
        sources = csv_cell("; ".join([str(email.get("source", "")) for email in emails]))
    hashtags = csv_cell(_tags(hashtags_json)) if hashtags_json and hashtags_json != "[]" else ""
    # Our own numbers go out as numbers (None becomes an empty cell); only text is neutralised.
    return ",".join((
        platform_cell(platform), csv_cell(handle), csv_cell(display_name), csv_cell(profile_url),
        "" if followers is None else str(followers), "" if engagement_rate is None else str(engagement_rate),
        csv_cell(bio), addresses, sources, "yes" if verified else "no", csv_cell(post_url), csv_cell(caption),
        "" if views is None else str(views), "" if likes is None else str(likes),
        "" if comments is None else str(comments), "" if shares is None else str(shares),
        hashtags, csv_cell(keyword), found_at or "",
    )) + LINE_END


def _fetched(values: QuerySet) -> Iterator[list[tuple]]:
    """The rows of ``values`` in chunks of ``CHUNK_ROWS``, as the database driver returns them.

    The ORM's iterator would build the same tuples one at a time; a chunk is all the writer needs.
    Nothing the ORM converts is read here on PostgreSQL (JSON and timestamps arrive as text);
    SQLite's converters (0/1 to bool, floats to ``Decimal``) are applied as the ORM would.
    """
    connection = connections[values.db]
    compiler = values.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    converters = compiler.get_converters([column for column, _sql, _alias in compiler.select[:compiler.col_count]])
    if connection.vendor == "postgresql" and connection.get_autocommit() and psycopg.pq.version() >= 170000:
        # Outside a transaction (a streamed download) the ORM's server-side cursor is declared
        # WITH HOLD, and PostgreSQL then runs the whole query and stores its result before the
        # first row leaves. Instead the server sends rows as it produces them, in chunks (libpq
        # 17's chunked rows mode), while this process writes lines. Closing the stream early (a
        # download cut short) cancels the query; inside a transaction that would abort it, so
        # there the server-side cursor below is used, which is declared without HOLD and reads
        # as it goes.
        with connection.cursor() as cursor, connection.wrap_database_errors, \
                closing(cursor.cursor.stream(sql, params, size=CHUNK_ROWS)) as rows:
            while chunk := list(islice(rows, CHUNK_ROWS)):
                yield chunk
        return
    # A server-side cursor where the backend has one (unless settings turn them off, as for the
    # ORM's iterator), so that one chunk at a time is in memory.
    server_side = not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    with connection.chunked_cursor() if server_side else connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK_ROWS):
            yield list(compiler.apply_converters(chunk, converters)) if converters else chunk


def csv_rows(rows: QuerySet[JobCreator], *, limit: int | None = None) -> Iterator[str]:
    """The BOM and header, then the rows' CSV lines in chunks, in the queryset's own order.

    ``rows`` is a scoped, possibly filtered and ordered result queryset (``job_results``,
    ``campaign_results``); ``limit`` keeps only the rows a trial is shown (``rows_shown``).
    """
    if limit is not None:
        rows = rows_shown(rows, limit=limit)
    values = rows.annotate(
        # JSON as text: the common empty list costs nothing to skip, unlike decoding every value.
        export_emails=Cast("creator__emails", TextField()),
        export_hashtags=Cast("post_hashtags", TextField()),
        export_found_at=UtcIsoText("found_at"),
    ).values_list(*_FIELDS)
    if limit is not None:
        values = values[:limit]
    # The BOM tells Excel the file is UTF-8; without it accented names and emoji come out garbled.
    yield BOM + ",".join(map(csv_cell, HEADER)) + LINE_END
    for chunk in _fetched(values):
        yield "".join([_line(row) for row in chunk])


def export_filename(name: str, day: date, *, allow_unicode: bool = False) -> str:
    """``"Spring Skincare Launch"`` on 22 Nov 2026 -> ``"spring-skincare-launch-2026-11-22.csv"``.

    ``allow_unicode`` keeps letters of any script (``"日本のスキンケア-2026-11-22.csv"``) for the
    header's ``filename*``; the plain name is ASCII for clients that read only ``filename``.
    """
    slug = slugify(name, allow_unicode=allow_unicode)[:80].strip("-_") or FALLBACK_FILENAME
    return f"{slug}-{day.isoformat()}.csv"
