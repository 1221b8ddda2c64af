"""A shared list records who added, moved, noted, removed and exported creators, and shows it on its activity tab."""

import pytest
from django.urls import reverse

from campaigns.lists.models import CreatorListItem, ListActivity
from campaigns.lists.services import ListError, list_item_change

from ..test_api import api_for
from .support import board, make_creator, make_list, make_search, share

pytestmark = pytest.mark.django_db

LISTS = "/api/v1/lists/"


def _activity(creator_list) -> list[tuple[str, str]]:
    return [(entry.actor_email, entry.message)
            for entry in ListActivity.objects.filter(creator_list=creator_list).order_by("id")]


def test_shared_list_activity_shows_who_added_moved_noted_and_exported(paying, make_subscriber, client):
    editor = make_subscriber(email="sam@agency.com", full_name="Sam Rivera")
    mia, leo = make_creator(handle="mia"), make_creator(handle="leo")
    make_search(paying, [mia, leo])
    creator_list = make_list(paying, [mia, leo])
    share(creator_list, editor, "editor")
    mia_item = CreatorListItem.objects.get(creator_list=creator_list, creator=mia)

    api_for(editor).patch(f"{LISTS}{creator_list.pk}/items/{mia_item.pk}/",
                          {"bucket": "shortlist", "notes": "Loves the serum"}, format="json")
    client.force_login(paying)
    client.post(reverse("list_export_start", args=[creator_list.pk]))

    assert _activity(creator_list) == [
        (paying.email, "added @mia and @leo to Backlog"),
        (paying.email, f"shared the list with {editor.email} as an editor"),
        (editor.email, "moved @mia to Shortlist"),
        (editor.email, "changed the notes on @mia"),
        (paying.email, "exported 2 creators as " + creator_list.exports.get().filename),
    ]
    page = client.get(reverse("list_activity", args=[creator_list.pk])).content.decode()
    assert "Sam Rivera</strong>\n      moved @mia to Shortlist" in page
    assert "You</strong>\n      added @mia and @leo to Backlog" in page


def test_bulk_moves_and_removals_name_how_many_creators(paying):
    creators = [make_creator() for _ in range(3)]
    creator_list = make_list(paying, creators)
    ids = list(CreatorListItem.objects.filter(creator_list=creator_list).values_list("pk", flat=True))
    api = api_for(paying)

    api.post(f"{LISTS}{creator_list.pk}/items/bulk/", {"action": "move", "item_ids": ids, "bucket": "booked"},
             format="json")
    api.post(f"{LISTS}{creator_list.pk}/items/bulk/", {"action": "remove", "item_ids": ids[:1]}, format="json")

    assert [message for _email, message in _activity(creator_list)][-2:] == [
        "moved 3 creators to Booked", f"removed @{creators[0].handle} from the list"]


def test_an_item_edit_that_fails_changes_nothing(paying):
    mia = make_creator(handle="mia")
    creator_list = make_list(paying, [mia])
    item = CreatorListItem.objects.get(creator_list=creator_list)

    with pytest.raises(ListError):
        list_item_change(creator_list=creator_list, actor=paying, item_id=item.pk, bucket="booked",
                         notes="n" * 5001)

    assert board(creator_list) == {"backlog": ["mia"]}
    assert [message for _email, message in _activity(creator_list)] == ["added @mia to Backlog"]
