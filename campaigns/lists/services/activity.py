"""Creator list writes: the list's activity record, written by the services that change the list."""

from __future__ import annotations

from accounts.models import User
from influencer_platform.formatting import plural

from ..models import CreatorList, ListActivity, ListActivityKind

MESSAGE_MAX = ListActivity._meta.get_field("message").max_length


def list_activity_record(*, creator_list: CreatorList, actor: User | None, kind: ListActivityKind,
                         message: str) -> ListActivity:
    """One line of the list's activity; called inside the transaction of the change it describes."""
    if len(message) > MESSAGE_MAX:
        message = message[:MESSAGE_MAX - 1] + "…"
    return ListActivity.objects.create(creator_list=creator_list, actor=actor,
                                       actor_email=getattr(actor, "email", ""), kind=kind, message=message)


def creators_named(handles: list[str], count: int) -> str:
    """"@mia", "@mia and @leo", or "5 creators" — how a line of activity names the creators it is about."""
    if count == 1 and handles:
        return f"@{handles[0]}"
    if count == 2 and len(handles) == 2:
        return f"@{handles[0]} and @{handles[1]}"
    return plural(count, "creator")
