"""Creator list reads, each scoped to what the requesting user may see.

A user reaches a list as its owner or as a collaborator (editor or viewer). ``list_get`` answers
with the list only when the user's role allows the asked access; anything else, including a
viewer asking to edit, is "No such list." (404), the same as an id that never existed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Lower

from accounts.models import User
from influencer_platform.errors import NotFoundError
from scraping.models import CreatorProfile, JobCreator, Platform
from scraping.selectors import ResultFilters, campaign_owned, campaign_results, job_results, rows_shown

from .models import Bucket, CreatorList, CreatorListItem, ListActivity, ListCollaborator, ListExport, ListRole

OWNER = "owner"


class ListAccess(IntEnum):
    READ = 1
    EDIT = 2
    OWN = 3


ROLE_ACCESS = {OWNER: ListAccess.OWN, ListRole.EDITOR: ListAccess.EDIT, ListRole.VIEWER: ListAccess.READ}

# Board order of the buckets, for sorting items across buckets in the database.
BUCKET_ORDER = Case(*(When(bucket=key, then=Value(index)) for index, key in enumerate(Bucket.values)),
                    output_field=IntegerField())

# The board draws at most this many cards per bucket; the table view pages through the rest.
BOARD_CARDS_PER_BUCKET = 200


def _memberships(user: User) -> QuerySet[ListCollaborator]:
    return ListCollaborator.objects.filter(creator_list=OuterRef("pk"), user=user)


def lists_visible(*, user: User) -> QuerySet[CreatorList]:
    """Lists the user owns or collaborates on, each with the user's ``role`` on it."""
    memberships = _memberships(user)
    return (
        CreatorList.objects.filter(Q(owner=user) | Q(Exists(memberships)))
        .annotate(role=Case(When(owner=user, then=Value(OWNER)), default=Subquery(memberships.values("role")[:1])))
    )


def list_get(*, user: User, list_id: int, access: ListAccess = ListAccess.READ) -> CreatorList:
    creator_list = lists_visible(user=user).select_related("owner").filter(pk=list_id).first()
    if creator_list is None or ROLE_ACCESS[creator_list.role] < access:
        raise NotFoundError("No such list.")
    return creator_list


def can(creator_list: CreatorList, access: ListAccess) -> bool:
    """For a list from ``list_get``/``list_list``: may its reader do this? (Templates hide what they may not.)"""
    return ROLE_ACCESS[creator_list.role] >= access


def list_list(*, user: User, archived: bool = False, text: str = "", list_type: str = "") -> QuerySet[CreatorList]:
    """The lists, newest change first; count the page shown with ``lists_counted``."""
    lists = lists_visible(user=user).filter(archived_at__isnull=not archived).select_related("owner")
    if text:
        lists = lists.filter(Q(name__icontains=text) | Q(description__icontains=text))
    if list_type:
        lists = lists.filter(list_type=list_type)
    return lists.order_by("-updated_at", "-id")


def lists_for_adding(*, user: User) -> QuerySet[CreatorList]:
    """Lists the user may add creators to: not archived, owned or shared with them as an editor."""
    editor = _memberships(user).filter(role=ListRole.EDITOR)
    return (CreatorList.objects.filter(Q(owner=user) | Q(Exists(editor)), archived_at__isnull=True)
            .annotate(name_key=Lower("name")).order_by("name_key", "id"))


class BucketCount(NamedTuple):
    key: str
    label: str
    count: int


def lists_counted(lists: Iterable[CreatorList]) -> list[CreatorList]:
    """The lists, each given ``bucket_counts`` (a ``BucketCount`` per bucket in board order) and
    ``item_count``, counted in one query for all of them: what a page of lists shows."""
    lists = list(lists)
    counted: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (CreatorListItem.objects.filter(creator_list__in=lists).values_list("creator_list", "bucket")
            .annotate(n=Count("id")).order_by())
    for list_id, bucket, n in rows:
        counted[list_id][bucket] = n
    for creator_list in lists:
        counts = counted[creator_list.pk]
        creator_list.bucket_counts = [BucketCount(key, label, counts.get(key, 0))
                                      for key, label in creator_list.buckets]
        creator_list.item_count = sum(counts.values())
    return lists


def bucket_counts(creator_list: CreatorList) -> list[BucketCount]:
    """The list's items per bucket in board order, counted now."""
    return lists_counted([creator_list])[0].bucket_counts


@dataclass(frozen=True)
class ItemFilters:
    bucket: str = ""
    has_email: bool = False
    platform: str = ""
    text: str = ""

    @property
    def active(self) -> bool:
        return bool(self.bucket or self.has_email or self.platform or self.text)

    def as_dict(self) -> dict:
        return {key: value for key, value in (("bucket", self.bucket), ("has_email", self.has_email),
                                              ("platform", self.platform), ("q", self.text)) if value}


def list_items(*, creator_list: CreatorList, filters: ItemFilters = ItemFilters()) -> QuerySet[CreatorListItem]:
    """The list's items in board order: bucket by bucket, then by position."""
    items = CreatorListItem.objects.filter(creator_list=creator_list).select_related("creator")
    if filters.bucket in Bucket.values:
        items = items.filter(bucket=filters.bucket)
    if filters.has_email:
        items = items.filter(creator__has_email=True)
    if filters.platform in Platform.values:
        items = items.filter(creator__platform=filters.platform)
    if filters.text:
        items = items.filter(Q(creator__handle__icontains=filters.text)
                             | Q(creator__display_name__icontains=filters.text)
                             | Q(notes__icontains=filters.text))
    return items.annotate(bucket_order=BUCKET_ORDER).order_by("bucket_order", "position", "id")


def list_item_get(*, creator_list: CreatorList, item_id: int) -> CreatorListItem:
    item = list_items(creator_list=creator_list).filter(pk=item_id).first()
    if item is None:
        raise NotFoundError("That creator is not on this list.")
    return item


@dataclass(frozen=True)
class BoardColumn:
    bucket: str
    label: str
    items: list[CreatorListItem]
    total: int

    @property
    def hidden(self) -> int:
        return self.total - len(self.items)


def list_board(*, creator_list: CreatorList, filters: ItemFilters = ItemFilters(),
               per_bucket: int = BOARD_CARDS_PER_BUCKET) -> list[BoardColumn]:
    items = list_items(creator_list=creator_list, filters=filters)
    totals = dict(items.values_list("bucket").annotate(n=Count("id")).order_by())
    columns = []
    for key, label in creator_list.buckets:
        if filters.bucket and filters.bucket != key:
            continue
        cards = list(items.filter(bucket=key)[:per_bucket]) if totals.get(key) else []
        columns.append(BoardColumn(bucket=key, label=label, items=cards, total=totals.get(key, 0)))
    return columns


def list_collaborators(*, creator_list: CreatorList) -> QuerySet[ListCollaborator]:
    return ListCollaborator.objects.filter(creator_list=creator_list).select_related("user")


def list_exports(*, creator_list: CreatorList) -> QuerySet[ListExport]:
    return ListExport.objects.filter(creator_list=creator_list).select_related("user")


# Lines of activity the list's activity page shows, newest first.
ACTIVITY_SHOWN = 100


def list_activity(*, creator_list: CreatorList, limit: int = ACTIVITY_SHOWN) -> list[ListActivity]:
    """Who added, moved, noted, removed, shared and exported on the list, newest first."""
    return list(ListActivity.objects.filter(creator_list=creator_list).select_related("actor")[:limit])


# Choosing creators to add


def result_creator_ids(*, user: User, job_id: int | None = None, campaign_id: int | None = None,
                       filters: ResultFilters = ResultFilters(), creator_ids: Sequence[int] | None = None,
                       limit: int | None = None) -> list[int]:
    """Creators of one of the user's searches (or campaigns), in the results' order.

    Without ``creator_ids``: every row matching ``filters`` ("select all N matching"). With them:
    those of them among these rows (what was ticked). Either way the rows are first cut to
    ``limit`` (trial accounts), as the results table cuts them, so neither "select all" nor a
    hand-made post of ids reaches creators the user was not shown.
    """
    if job_id is not None:
        rows = job_results(user=user, job_id=job_id, filters=filters)
    elif campaign_id is not None:
        # campaign_results scopes its rows to the user's own searches, so another user's campaign
        # would read as an empty one; say it is not there, as job_results does for a search.
        if not campaign_owned(user=user, campaign_id=campaign_id):
            raise NotFoundError("No such campaign.")
        rows = campaign_results(user=user, campaign_id=campaign_id, filters=filters)
    else:
        raise NotFoundError("No such search.")
    if limit is not None:
        shown = list(rows_shown(rows, limit=limit)[:limit].values_list("creator_id", flat=True))
        if creator_ids is None:
            return shown
        ticked = set(creator_ids)
        return [creator_id for creator_id in shown if creator_id in ticked]
    if creator_ids is not None:
        rows = rows.filter(creator_id__in=list(creator_ids))
    return list(rows.values_list("creator_id", flat=True))


def creators_known_to(*, user: User, creator_ids: Sequence[int], limit: int | None = None) -> list[int]:
    """Of ``creator_ids``, in that order, those the user's searches found or a list they read holds.

    Creator profiles are shared by every user; a user may only save the ones they have been shown.
    With ``limit`` (trial accounts see the first rows of each search) only a search's first
    ``limit`` creators count as found.
    """
    ids = list(dict.fromkeys(creator_ids))
    found = JobCreator.objects.filter(job__user=user, creator_id=OuterRef("pk"))
    if limit is not None:
        found = found.filter(rank__lte=limit)
    listed = CreatorListItem.objects.filter(creator_id=OuterRef("pk"),
                                            creator_list__in=lists_visible(user=user).values("pk"))
    known = set(CreatorProfile.objects.filter(pk__in=ids).filter(Q(Exists(found)) | Q(Exists(listed)))
                .values_list("pk", flat=True))
    return [creator_id for creator_id in ids if creator_id in known]


# Dashboard


@dataclass(frozen=True)
class ListOverview:
    pinned: list[CreatorListItem]
    recent: list[CreatorList]
    buckets: list[tuple[str, str, int]]
    list_count: int


def list_overview(*, user: User, pinned_limit: int = 8, recent_limit: int = 5) -> ListOverview:
    """Pinned creators (favorites), recently changed lists and items per bucket over the user's active lists."""
    active = lists_visible(user=user).filter(archived_at__isnull=True)
    items = CreatorListItem.objects.filter(creator_list__in=active.values("pk"))
    counted = dict(items.values_list("bucket").annotate(n=Count("id")).order_by())
    pinned = list(items.filter(pinned=True).select_related("creator", "creator_list")
                  .order_by("-updated_at", "-id")[:pinned_limit])
    recent = lists_counted(active.order_by("-updated_at", "-id")[:recent_limit])
    return ListOverview(
        pinned=pinned, recent=recent,
        buckets=[(key, label, counted.get(key, 0)) for key, label in Bucket.choices],
        list_count=active.count(),
    )
