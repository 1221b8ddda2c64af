"""Creator list writes: the lists and their items on the pipeline board.

Every write to a list's items first locks the list row (``select_for_update``) and only then
touches items, always in that order. Positions are dense per bucket (0, 1, 2, ...) and a move
renumbers the buckets it touches while the lock is held, so two people dragging cards at the
same moment are applied one after the other and can never leave gaps or two cards in one slot.

Who may call what is decided before: views and the API fetch the list with ``list_get`` at the
access the action needs, so a list that reaches a service here is one the actor may change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from influencer_platform.errors import ApplicationError, NotFoundError
from influencer_platform.formatting import plural
from scraping.models import CreatorProfile

from ..models import Bucket, CreatorList, CreatorListItem, ListActivityKind, ListType
from ..selectors import BUCKET_ORDER
from .activity import creators_named, list_activity_record

MAX_TAGS = 20
MAX_TAG_LENGTH = 40
MAX_BUCKET_LABEL = 40
COPY_SUFFIX = " (copy)"


class ListError(ApplicationError):
    code = "list_invalid"


def list_locked(creator_list: CreatorList) -> CreatorList:
    locked = CreatorList.objects.select_for_update().filter(pk=creator_list.pk).first()
    if locked is None:
        raise NotFoundError("No such list.")
    return locked


def list_touch(creator_list: CreatorList) -> None:
    creator_list.save(update_fields=["updated_at"])


def list_writable_check(creator_list: CreatorList) -> None:
    if creator_list.archived_at:
        raise ListError("This list is archived. Restore it to change it.", code="list_archived", status_code=409)


def bucket_clean(bucket: str) -> None:
    if bucket not in Bucket.values:
        raise ListError("Choose a bucket.", extra={"field": "bucket"})


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ListError("Give the list a name.", extra={"field": "name"})
    if len(name) > 120:
        raise ListError("Keep the name under 120 characters.", extra={"field": "name"})
    return name


def _clean_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > 2000:
        raise ListError("Keep the description under 2,000 characters.", extra={"field": "description"})
    return description


def _clean_type(list_type: str) -> str:
    if list_type not in ListType.values:
        raise ListError("Choose a list type.", extra={"field": "list_type"})
    return list_type


def _clean_tags(tags: Iterable[str]) -> list[str]:
    cleaned: dict[str, str] = {}
    for tag in tags:
        tag = " ".join(str(tag).split())
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise ListError(f"Keep each tag under {MAX_TAG_LENGTH} characters.", extra={"field": "tags"})
        cleaned.setdefault(tag.lower(), tag)
    if len(cleaned) > MAX_TAGS:
        raise ListError(f"Use at most {MAX_TAGS} tags.", extra={"field": "tags"})
    return list(cleaned.values())


def _clean_bucket_labels(labels: dict[str, str]) -> dict[str, str]:
    cleaned = {}
    for key, label in (labels or {}).items():
        if key not in Bucket.values:
            raise ListError(f"There is no bucket called “{key}”.", extra={"field": "bucket_labels"})
        label = " ".join((label or "").split())
        if len(label) > MAX_BUCKET_LABEL:
            raise ListError(f"Keep bucket names under {MAX_BUCKET_LABEL} characters.",
                            extra={"field": "bucket_labels"})
        # Only renames are stored, so a later change of a default name reaches every list using it.
        if label and label != Bucket(key).label:
            cleaned[key] = label
    return cleaned


@transaction.atomic
def list_create(*, owner: User, name: str, description: str = "", list_type: str = ListType.CUSTOM,
                tags: Iterable[str] = (), bucket_labels: dict[str, str] | None = None) -> CreatorList:
    return CreatorList.objects.create(
        owner=owner, name=_clean_name(name), description=_clean_description(description),
        list_type=_clean_type(list_type), tags=_clean_tags(tags), bucket_labels=_clean_bucket_labels(bucket_labels),
    )


@transaction.atomic
def list_update(*, creator_list: CreatorList, name: str | None = None, description: str | None = None,
                list_type: str | None = None, tags: Iterable[str] | None = None,
                bucket_labels: dict[str, str] | None = None) -> CreatorList:
    locked = list_locked(creator_list)
    list_writable_check(locked)
    if name is not None:
        locked.name = _clean_name(name)
    if description is not None:
        locked.description = _clean_description(description)
    if list_type is not None:
        locked.list_type = _clean_type(list_type)
    if tags is not None:
        locked.tags = _clean_tags(tags)
    if bucket_labels is not None:
        # A partial rename keeps the other buckets' names.
        locked.bucket_labels = _clean_bucket_labels({**locked.bucket_labels, **bucket_labels})
    locked.save()
    return locked


@transaction.atomic
def list_archive(*, creator_list: CreatorList) -> CreatorList:
    """Archived lists leave the default views and refuse changes until restored; nothing is deleted."""
    locked = list_locked(creator_list)
    if not locked.archived_at:
        locked.archived_at = timezone.now()
        locked.save(update_fields=["archived_at", "updated_at"])
    return locked


@transaction.atomic
def list_restore(*, creator_list: CreatorList) -> CreatorList:
    locked = list_locked(creator_list)
    if locked.archived_at:
        locked.archived_at = None
        locked.save(update_fields=["archived_at", "updated_at"])
    return locked


@transaction.atomic
def list_delete(*, creator_list: CreatorList) -> None:
    """Delete the list with its items, collaborators and export history; creator profiles stay."""
    list_locked(creator_list).delete()


@transaction.atomic
def list_duplicate(*, creator_list: CreatorList, actor: User) -> CreatorList:
    """A copy owned by ``actor``: same details, items, buckets, positions and notes; not shared."""
    source = CreatorList.objects.get(pk=creator_list.pk)
    name = source.name[:120 - len(COPY_SUFFIX)].rstrip() + COPY_SUFFIX
    copy = CreatorList.objects.create(
        owner=actor, name=name, description=source.description, list_type=source.list_type,
        tags=list(source.tags), bucket_labels=dict(source.bucket_labels),
    )
    CreatorListItem.objects.bulk_create([
        CreatorListItem(creator_list=copy, creator_id=item.creator_id, bucket=item.bucket, position=item.position,
                        notes=item.notes, pinned=item.pinned, last_contacted_at=item.last_contacted_at,
                        snapshot=item.snapshot, added_by=actor)
        for item in CreatorListItem.objects.filter(creator_list=source).order_by("bucket", "position").iterator()
    ], batch_size=1000)
    return copy


# Items


# Items on the board


MAX_LIST_ITEMS = 10_000


def creator_snapshot(creator: CreatorProfile) -> dict:
    """The metrics kept with an item when it is added, to compare with today's."""
    return {
        "followers": creator.followers,
        "engagement_rate": str(creator.engagement_rate) if creator.engagement_rate is not None else None,
        "has_email": creator.has_email,
        "taken_at": timezone.now().isoformat(),
    }


@dataclass(frozen=True)
class ListAddOutcome:
    creator_list: CreatorList
    added: int
    skipped: int
    skipped_handles: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        message = f"Added {plural(self.added, 'creator')} to “{self.creator_list.name}”."
        if self.skipped:
            handles = ", ".join(f"@{handle}" for handle in self.skipped_handles)
            more = self.skipped - len(self.skipped_handles)
            message += f" Skipped {self.skipped:,} already on the list"
            message += (f": {handles}" if handles else "") + (f" and {more:,} more." if more > 0 else ".")
        return message


@transaction.atomic
def list_add_creators(*, creator_list: CreatorList, actor: User, creator_ids: Sequence[int],
                      bucket: str = Bucket.BACKLOG) -> ListAddOutcome:
    """Append creators to the end of ``bucket``; creators already on the list are skipped and reported.

    ``creator_ids`` must come from a selector that scoped them to the actor (``result_creator_ids``,
    ``creators_known_to``); their order is the order they are added in.
    """
    bucket_clean(bucket)
    # The lock also makes two people adding the same creator at once add them once (the unique
    # constraint would refuse the second insert otherwise, failing the whole batch).
    locked = list_locked(creator_list)
    list_writable_check(locked)
    wanted = list(dict.fromkeys(creator_ids))
    on_list = set(CreatorListItem.objects.filter(creator_list=locked, creator_id__in=wanted)
                  .values_list("creator_id", flat=True))
    creators = CreatorProfile.objects.in_bulk([creator_id for creator_id in wanted if creator_id not in on_list])
    new = [creators[creator_id] for creator_id in wanted if creator_id in creators]
    size = CreatorListItem.objects.filter(creator_list=locked).count()
    if size + len(new) > MAX_LIST_ITEMS:
        raise ListError(f"A list holds at most {MAX_LIST_ITEMS:,} creators; this one has {size:,}.",
                        code="list_full", status_code=409, extra={"field": "creator_ids"})
    start = CreatorListItem.objects.filter(creator_list=locked, bucket=bucket).count()
    CreatorListItem.objects.bulk_create([
        CreatorListItem(creator_list=locked, creator=creator, bucket=bucket, position=start + offset,
                        snapshot=creator_snapshot(creator), added_by=actor)
        for offset, creator in enumerate(new)
    ], batch_size=1000)
    skipped = [creator_id for creator_id in wanted if creator_id in on_list]
    handles = list(CreatorProfile.objects.filter(pk__in=skipped[:5]).values_list("handle", flat=True))
    if new:
        list_touch(locked)
        list_activity_record(creator_list=locked, actor=actor, kind=ListActivityKind.ADDED,
                             message=f"added {_creators_named(new)} to {locked.bucket_label(bucket)}")
    return ListAddOutcome(creator_list=locked, added=len(new), skipped=len(skipped), skipped_handles=handles)


@transaction.atomic
def list_create_with_creators(*, owner: User, name: str, creator_ids: Sequence[int],
                              list_type: str = ListType.CUSTOM) -> ListAddOutcome:
    """A new list holding the chosen creators, or nothing at all if they cannot be added."""
    creator_list = list_create(owner=owner, name=name, list_type=list_type)
    return list_add_creators(creator_list=creator_list, actor=owner, creator_ids=creator_ids)


def _bucket_ids(creator_list: CreatorList, bucket: str, *, exclude: Iterable[int] = ()) -> list[int]:
    return list(CreatorListItem.objects.filter(creator_list=creator_list, bucket=bucket).exclude(pk__in=list(exclude))
                .order_by("position", "id").values_list("pk", flat=True))


def _renumber(creator_list: CreatorList, bucket: str, ordered_ids: list[int]) -> None:
    """Give ``ordered_ids`` bucket ``bucket`` and positions 0..n-1, writing only rows that change."""
    current = {pk: (item_bucket, position) for pk, item_bucket, position in CreatorListItem.objects.filter(
        creator_list=creator_list, pk__in=ordered_ids).values_list("pk", "bucket", "position")}
    changed = [CreatorListItem(pk=pk, bucket=bucket, position=index) for index, pk in enumerate(ordered_ids)
               if current.get(pk) != (bucket, index)]
    if changed:
        CreatorListItem.objects.bulk_update(changed, ["bucket", "position"], batch_size=1000)


def _contacted_now(creator_list: CreatorList, item_ids: Iterable[int], *, when: datetime) -> None:
    CreatorListItem.objects.filter(creator_list=creator_list, pk__in=list(item_ids)).update(last_contacted_at=when)


def _item(creator_list: CreatorList, item_id: int) -> CreatorListItem:
    item = CreatorListItem.objects.filter(creator_list=creator_list, pk=item_id).select_related("creator").first()
    if item is None:
        raise NotFoundError("That creator is not on this list.")
    return item


def _creators_named(creators: Sequence[CreatorProfile]) -> str:
    return creators_named([creator.handle for creator in creators[:2]], len(creators))


def _items_named(creator_list: CreatorList, item_ids: Sequence[int]) -> str:
    handles = list(CreatorListItem.objects.filter(creator_list=creator_list, pk__in=list(item_ids)[:2])
                   .values_list("creator__handle", flat=True)) if len(item_ids) <= 2 else []
    return creators_named(handles, len(item_ids))


@transaction.atomic
def list_item_move(*, creator_list: CreatorList, actor: User, item_id: int, bucket: str,
                   position: int | None = None, before_item_id: int | None = None) -> CreatorListItem:
    """Move one item into ``bucket``: before ``before_item_id`` (the board), at ``position`` (the API) or last.

    Moving into "contacted" from another bucket records now as the last contact.
    """
    bucket_clean(bucket)
    locked = list_locked(creator_list)
    list_writable_check(locked)
    item = _item(locked, item_id)
    source = item.bucket
    target = _bucket_ids(locked, bucket, exclude=[item.pk])
    if before_item_id is not None and before_item_id in target:
        index = target.index(before_item_id)
    elif position is not None:
        index = min(max(position, 0), len(target))
    else:
        # A neighbour that moved away meanwhile (or none given): the end of the bucket.
        index = len(target)
    target.insert(index, item.pk)
    _renumber(locked, bucket, target)
    if source != bucket:
        _renumber(locked, source, _bucket_ids(locked, source, exclude=[item.pk]))
        if bucket == Bucket.CONTACTED:
            _contacted_now(locked, [item.pk], when=timezone.now())
    list_touch(locked)
    verb = f"moved @{item.creator.handle} to" if source != bucket else f"reordered @{item.creator.handle} in"
    list_activity_record(creator_list=locked, actor=actor, kind=ListActivityKind.MOVED,
                         message=f"{verb} {locked.bucket_label(bucket)}")
    item.refresh_from_db()
    return item


@transaction.atomic
def list_items_move(*, creator_list: CreatorList, actor: User, item_ids: Sequence[int], bucket: str) -> int:
    """Move several items to the end of ``bucket``, keeping their board order; answers how many moved."""
    bucket_clean(bucket)
    locked = list_locked(creator_list)
    list_writable_check(locked)
    moving = list(CreatorListItem.objects.filter(creator_list=locked, pk__in=list(item_ids)).exclude(bucket=bucket)
                  .annotate(bucket_order=BUCKET_ORDER).order_by("bucket_order", "position")
                  .values_list("pk", "bucket"))
    if not moving:
        return 0
    moving_ids = [pk for pk, _bucket in moving]
    _renumber(locked, bucket, _bucket_ids(locked, bucket) + moving_ids)
    for source in {source for _pk, source in moving}:
        _renumber(locked, source, _bucket_ids(locked, source, exclude=moving_ids))
    if bucket == Bucket.CONTACTED:
        _contacted_now(locked, moving_ids, when=timezone.now())
    list_touch(locked)
    list_activity_record(creator_list=locked, actor=actor, kind=ListActivityKind.MOVED,
                         message=f"moved {_items_named(locked, moving_ids)} to {locked.bucket_label(bucket)}")
    return len(moving_ids)


@transaction.atomic
def list_items_remove(*, creator_list: CreatorList, actor: User, item_ids: Sequence[int]) -> int:
    """Take items off the list, closing the gaps they leave; answers how many were removed."""
    locked = list_locked(creator_list)
    list_writable_check(locked)
    removing = CreatorListItem.objects.filter(creator_list=locked, pk__in=list(item_ids))
    removing_ids = list(removing.values_list("pk", flat=True))
    named = _items_named(locked, removing_ids)
    buckets = set(removing.values_list("bucket", flat=True))
    removed, _ = removing.delete()
    for bucket in buckets:
        _renumber(locked, bucket, _bucket_ids(locked, bucket))
    if removed:
        list_touch(locked)
        list_activity_record(creator_list=locked, actor=actor, kind=ListActivityKind.REMOVED,
                             message=f"removed {named} from the list")
    return removed


_UNSET = object()


@transaction.atomic
def list_item_update(*, creator_list: CreatorList, actor: User, item_id: int, notes: str | None = None,
                     pinned: bool | None = None, last_contacted_at: datetime | None | object = _UNSET
                     ) -> CreatorListItem:
    """Change an item's notes, pin or last contact (``None`` clears it); the bucket moves with ``list_item_move``."""
    locked = list_locked(creator_list)
    list_writable_check(locked)
    item = _item(locked, item_id)
    fields = []
    if notes is not None:
        notes = notes.strip()
        if len(notes) > 5000:
            raise ListError("Keep notes under 5,000 characters.", extra={"field": "notes"})
        item.notes = notes
        fields.append("notes")
    if pinned is not None:
        item.pinned = pinned
        fields.append("pinned")
    if last_contacted_at is not _UNSET:
        item.last_contacted_at = last_contacted_at
        fields.append("last_contacted_at")
    if fields:
        item.save(update_fields=[*fields, "updated_at"])
        list_touch(locked)
        list_activity_record(creator_list=locked, actor=actor, kind=ListActivityKind.NOTED,
                             message=_item_change_message(item, fields))
    return item


def _item_change_message(item: CreatorListItem, fields: list[str]) -> str:
    changes = []
    if "notes" in fields:
        changes.append("cleared the notes on" if not item.notes else "changed the notes on")
    if "pinned" in fields:
        changes.append("pinned" if item.pinned else "unpinned")
    if "last_contacted_at" in fields:
        changes.append("set the last contact of" if item.last_contacted_at else "cleared the last contact of")
    return " and ".join(changes) + f" @{item.creator.handle}"


@transaction.atomic
def list_item_change(*, creator_list: CreatorList, actor: User, item_id: int, bucket: str | None = None,
                     position: int | None = None, before_item_id: int | None = None, notes: str | None = None,
                     pinned: bool | None = None, last_contacted_at: datetime | None | object = _UNSET
                     ) -> CreatorListItem:
    """One edit of an item from a page or the API: a move and/or notes, pin and last contact, all or nothing.

    Naming the bucket the item is already in, without a place, leaves it where it is.
    """
    item = _item(list_locked(creator_list), item_id)
    target = bucket or item.bucket
    if target != item.bucket or position is not None or before_item_id is not None:
        item = list_item_move(creator_list=creator_list, actor=actor, item_id=item_id, bucket=target,
                              position=position, before_item_id=before_item_id)
    if notes is not None or pinned is not None or last_contacted_at is not _UNSET:
        item = list_item_update(creator_list=creator_list, actor=actor, item_id=item_id, notes=notes,
                                pinned=pinned, last_contacted_at=last_contacted_at)
    return item


# Sharing
