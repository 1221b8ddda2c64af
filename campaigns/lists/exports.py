"""A creator list as a CSV download, shared by the list pages and the API.

Anyone who can read the list may export it if their own plan includes CSV export; every export is
recorded in the list's export history, by a POST (see ``campaigns.exports``). Rows stream in board order with the search export's
safeguards (UTF-8 BOM for Excel, formula-looking text neutralised, constant memory).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from accounts.models import User
from billing.models import Feature
from billing.services import feature_check
from scraping.export import (
    CHUNK_ROWS,
    CREATOR_FIELDS,
    creator_export_annotations,
    creator_line,
    csv_cell,
    csv_header,
    export_filename,
    export_link_token,
)

from .selectors import ItemFilters, list_get, list_items
from .services import list_export_record
from .models import CreatorList, CreatorListItem

def list_csv_rows(items: QuerySet[CreatorListItem], *, creator_list: CreatorList) -> Iterator[str]:
    """The BOM and the header every creator CSV shares, then one line per item, in chunks; stages
    under this list's names."""
    labels = dict(creator_list.buckets)
    values = items.annotate(**creator_export_annotations()).values_list(*CREATOR_FIELDS, "bucket", "notes")
    yield csv_header()
    chunk: list[str] = []
    for *creator, bucket, notes in values.iterator(chunk_size=CHUNK_ROWS):
        chunk.append(creator_line(creator, listed=(csv_cell(labels.get(bucket, bucket)), csv_cell(notes))))
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
