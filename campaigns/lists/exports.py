"""A creator list as a CSV download, shared by the list pages and the API.

Anyone who can read the list may export it if their own plan includes CSV export; every export is
recorded in the list's export history, by a POST (see ``campaigns.exports``). Rows stream in board order with the search export's
safeguards (UTF-8 BOM for Excel, formula-looking text neutralised, constant memory).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast
from django.http import StreamingHttpResponse
from django.utils import timezone

from accounts.models import User
from billing.models import Feature
from billing.services import feature_check
from scraping.export import BOM, CHUNK_ROWS, LINE_END, csv_cell, export_filename, export_link_token, platform_cell

from .selectors import ItemFilters, list_get, list_items
from .services import list_export_record
from .models import CreatorList, CreatorListItem

HEADER = ("Handle", "Display name", "Platform", "Profile URL", "Bucket", "Followers", "Engagement rate", "Emails",
          "Notes")
_FIELDS = ("creator__handle", "creator__display_name", "creator__platform", "creator__profile_url", "bucket",
           "creator__followers", "creator__engagement_rate", "export_emails", "notes")


def _addresses(emails_json: str | None) -> str:
    if not emails_json or emails_json == "[]":
        return ""
    emails = [email for email in json.loads(emails_json) or () if isinstance(email, dict)]
    return csv_cell("; ".join(str(email.get("address", "")) for email in emails))


def list_csv_rows(items: QuerySet[CreatorListItem], *, creator_list: CreatorList) -> Iterator[str]:
    """The BOM and header, then one line per item, in chunks; buckets under this list's names."""
    labels = dict(creator_list.buckets)
    values = items.annotate(export_emails=Cast("creator__emails", TextField())).values_list(*_FIELDS)
    yield BOM + ",".join(map(csv_cell, HEADER)) + LINE_END
    chunk: list[str] = []
    for handle, display_name, platform, profile_url, bucket, followers, engagement, emails, notes in \
            values.iterator(chunk_size=CHUNK_ROWS):
        chunk.append(",".join((
            csv_cell(handle), csv_cell(display_name), platform_cell(platform), csv_cell(profile_url),
            csv_cell(labels.get(bucket, bucket)), "" if followers is None else str(followers),
            "" if engagement is None else str(engagement), _addresses(emails), csv_cell(notes),
        )) + LINE_END)
        if len(chunk) == CHUNK_ROWS:
            yield "".join(chunk)
            chunk.clear()
    if chunk:
        yield "".join(chunk)


def list_export_start(*, user: User, list_id: int, filters: ItemFilters = ItemFilters(), query: str = "") -> str:
    """Record an export of the list (with ``filters``, from the filter ``query``) in its export history;
    the token downloads it."""
    # A list the user cannot read is "No such list." whatever their plan, as on every other action.
    creator_list = list_get(user=user, list_id=list_id)
    feature_check(user=user, feature=Feature.CSV_EXPORT).raise_if_denied()
    items = list_items(creator_list=creator_list, filters=filters)
    list_export_record(creator_list=creator_list, actor=user, row_count=items.order_by().count(),
                       filename=export_filename(creator_list.name, timezone.localdate()), filters=filters.as_dict())
    return export_link_token(user=user, kind="list", target_id=creator_list.pk, query=query)


def list_export_response(*, user: User, list_id: int, filters: ItemFilters = ItemFilters()) -> StreamingHttpResponse:
    """The list's items as CSV. Writes nothing: the export was recorded by ``list_export_start``."""
    creator_list = list_get(user=user, list_id=list_id)
    feature_check(user=user, feature=Feature.CSV_EXPORT).raise_if_denied()
    items = list_items(creator_list=creator_list, filters=filters)
    filename = export_filename(creator_list.name, timezone.localdate())
    return StreamingHttpResponse(
        list_csv_rows(items, creator_list=creator_list),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
