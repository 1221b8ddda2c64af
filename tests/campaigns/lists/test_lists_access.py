"""Who may do what to a list: every action, pages and API, as owner, editor, viewer and stranger.

Viewers read (and export, and copy into a list of their own), editors also change, only the owner
shares, archives and deletes. Every other access answers 404 and changes nothing.
"""

from dataclasses import dataclass
from typing import Callable

import pytest
from django.urls import reverse

from campaigns.lists.models import CreatorList, CreatorListItem, ListCollaborator, ListExport

from ..test_api import api_for
from .support import make_creator, make_list, make_search, share

pytestmark = pytest.mark.django_db

ROLES = ("owner", "editor", "viewer", "stranger")
ALLOWED = {
    "read": {"owner", "editor", "viewer"},
    "edit": {"owner", "editor"},
    "own": {"owner"},
}


@dataclass
class Scene:
    people: dict
    creator_list: CreatorList
    item: CreatorListItem
    collaborator: ListCollaborator
    search_ids: dict  # per role: a search of theirs that found a creator not on the list
    current_search: int = 0

    def state(self) -> tuple:
        """Everything an action could change, to show a refused one changed nothing."""
        lists = list(CreatorList.objects.order_by("pk").values_list("pk", "name", "archived_at", "bucket_labels"))
        items = list(CreatorListItem.objects.order_by("pk").values_list(
            "pk", "creator_list_id", "bucket", "position", "notes", "pinned"))
        people = list(ListCollaborator.objects.order_by("pk").values_list("pk", "email", "role"))
        return lists, items, people, ListExport.objects.count()


@pytest.fixture
def scene(make_subscriber) -> Scene:
    people = {role: make_subscriber(email=f"{role}@agency.com") for role in ROLES}
    creator_list = make_list(people["owner"], [make_creator(handle="ana"), make_creator(handle="ben")])
    share(creator_list, people["editor"], "editor")
    share(creator_list, people["viewer"], "viewer")
    extra = make_creator(handle="dev")
    # Everyone ran a search that found "dev", so adding them is refused only by the list's rules.
    search_ids = {role: make_search(person, [extra]).pk for role, person in people.items()}
    return Scene(people=people, creator_list=creator_list,
                 item=CreatorListItem.objects.get(creator_list=creator_list, creator__handle="ana"),
                 collaborator=ListCollaborator.objects.get(creator_list=creator_list, email="viewer@agency.com"),
                 search_ids=search_ids)


@dataclass(frozen=True)
class Action:
    name: str
    needs: str
    method: str
    url: Callable[[Scene], str]
    data: Callable[[Scene], dict] = lambda scene: {}


def _list_url(name: str, *extra):
    return lambda scene: reverse(name, args=[scene.creator_list.pk, *(getattr(scene, attr).pk for attr in extra)])


PAGE_ACTIONS = [
    Action("board", "read", "get", _list_url("list_board")),
    Action("table", "read", "get", _list_url("list_table")),
    Action("export history", "read", "get", _list_url("list_exports")),
    Action("activity", "read", "get", _list_url("list_activity")),
    Action("export", "read", "post", _list_url("list_export_start")),
    Action("export file", "read", "get", _list_url("list_export")),
    Action("duplicate", "read", "post", _list_url("list_duplicate")),
    Action("edit page", "edit", "get", _list_url("list_edit")),
    Action("edit", "edit", "post", _list_url("list_edit"),
           lambda scene: {"name": "Renamed", "list_type": "custom", "bucket_booked": "Signed"}),
    Action("move", "edit", "post", _list_url("list_move"),
           lambda scene: {"item": scene.item.pk, "bucket": "booked"}),
    Action("item edit", "edit", "post", _list_url("list_item_edit", "item"),
           lambda scene: {"notes": "Changed", "pinned": "1"}),
    Action("bulk move", "edit", "post", _list_url("list_bulk"),
           lambda scene: {"action": "move", "bucket": "shortlist", "item": [scene.item.pk]}),
    Action("bulk remove", "edit", "post", _list_url("list_bulk"),
           lambda scene: {"action": "remove", "item": [scene.item.pk]}),
    Action("add from results", "edit", "post", lambda scene: reverse("list_add_results"),
           lambda scene: {"job": scene.current_search, "all_matching": "1", "target": scene.creator_list.pk}),
    Action("share page", "own", "get", _list_url("list_share")),
    Action("share", "own", "post", _list_url("list_share"), lambda scene: {"email": "new@studio.co", "role": "editor"}),
    Action("change role", "own", "post", _list_url("list_collaborator", "collaborator"),
           lambda scene: {"action": "role", "role": "editor"}),
    Action("remove collaborator", "own", "post", _list_url("list_collaborator", "collaborator"),
           lambda scene: {"action": "remove"}),
    Action("archive", "own", "post", _list_url("list_archive")),
    Action("delete", "own", "post", _list_url("list_delete")),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", PAGE_ACTIONS, ids=lambda action: action.name)
def test_list_pages_allow_each_action_only_to_its_roles(client, scene, action, role):
    scene.current_search = scene.search_ids[role]
    client.force_login(scene.people[role])
    before = scene.state()

    response = getattr(client, action.method)(action.url(scene), action.data(scene))

    if role in ALLOWED[action.needs]:
        assert response.status_code in (200, 302), response.content[:500]
        if action.method == "post" or action.name == "export":
            assert scene.state() != before, "an allowed change changed nothing"
    else:
        assert response.status_code == 404
        assert scene.state() == before


API_ACTIONS = [
    Action("retrieve", "read", "get", lambda scene: f"/api/v1/lists/{scene.creator_list.pk}/"),
    Action("items", "read", "get", lambda scene: f"/api/v1/lists/{scene.creator_list.pk}/items/"),
    Action("item", "read", "get", lambda scene: f"/api/v1/lists/{scene.creator_list.pk}/items/{scene.item.pk}/"),
    Action("exports", "read", "get", lambda scene: f"/api/v1/lists/{scene.creator_list.pk}/exports/"),
    Action("export", "read", "post", lambda scene: f"/api/v1/lists/{scene.creator_list.pk}/export.csv"),
    Action("duplicate", "read", "post", lambda scene: f"/api/v1/lists/{scene.creator_list.pk}/duplicate/"),
    Action("update", "edit", "patch", lambda scene: f"/api/v1/lists/{scene.creator_list.pk}/",
           lambda scene: {"name": "Renamed"}),
    Action("add items", "edit", "post", lambda scene: f"/api/v1/lists/{scene.creator_list.pk}/items/",
           lambda scene: {"search_id": scene.current_search}),
    Action("move item", "edit", "patch", lambda scene: f"/api/v1/lists/{scene.creator_list.pk}/items/{scene.item.pk}/",
           lambda scene: {"bucket": "contacted", "position": 0}),
    Action("note item", "edit", "patch", lambda scene: f"/api/v1/lists/{scene.creator_list.pk}/items/{scene.item.pk}/",
           lambda scene: {"notes": "Changed"}),
    Action("remove item", "edit", "delete",
           lambda scene: f"/api/v1/lists/{scene.creator_list.pk}/items/{scene.item.pk}/"),
    Action("bulk", "edit", "post", lambda scene: f"/api/v1/lists/{scene.creator_list.pk}/items/bulk/",
           lambda scene: {"action": "move", "bucket": "booked", "item_ids": [scene.item.pk]}),
    Action("collaborators", "own", "get", lambda scene: f"/api/v1/lists/{scene.creator_list.pk}/collaborators/"),
    Action("share", "own", "post", lambda scene: f"/api/v1/lists/{scene.creator_list.pk}/collaborators/",
           lambda scene: {"email": "new@studio.co", "role": "viewer"}),
    Action("change role", "own", "patch",
           lambda scene: f"/api/v1/lists/{scene.creator_list.pk}/collaborators/{scene.collaborator.pk}/",
           lambda scene: {"role": "editor"}),
    Action("unshare", "own", "delete",
           lambda scene: f"/api/v1/lists/{scene.creator_list.pk}/collaborators/{scene.collaborator.pk}/"),
    Action("archive", "own", "post", lambda scene: f"/api/v1/lists/{scene.creator_list.pk}/archive/"),
    Action("delete", "own", "delete", lambda scene: f"/api/v1/lists/{scene.creator_list.pk}/"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", API_ACTIONS, ids=lambda action: action.name)
def test_list_api_allows_each_action_only_to_its_roles(scene, action, role):
    scene.current_search = scene.search_ids[role]
    api = api_for(scene.people[role])
    before = scene.state()

    response = getattr(api, action.method)(action.url(scene), action.data(scene), format="json")

    if role in ALLOWED[action.needs]:
        assert response.status_code in (200, 201, 204), response.content[:500]
        if action.method != "get" or action.name == "export":
            assert scene.state() != before, "an allowed change changed nothing"
    else:
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "message": "No such list.", "extra": {}}
        assert scene.state() == before


@pytest.mark.parametrize("role", ROLES)
def test_list_leave_is_for_collaborators_and_strangers_get_404(client, scene, role):
    client.force_login(scene.people[role])
    before = scene.state()

    page = client.post(reverse("list_leave", args=[scene.creator_list.pk]))

    if role == "stranger":
        assert page.status_code == 404 and scene.state() == before
    elif role == "owner":
        assert page.status_code == 302 and scene.state() == before
    else:
        assert page.status_code == 302
        assert not ListCollaborator.objects.filter(user=scene.people[role]).exists()


def test_list_restore_is_for_the_owner_only(scene):
    from campaigns.lists.services import list_archive

    list_archive(creator_list=scene.creator_list)
    for role in ("editor", "viewer", "stranger"):
        api = api_for(scene.people[role])
        assert api.post(f"/api/v1/lists/{scene.creator_list.pk}/restore/").status_code == 404
    owner = api_for(scene.people["owner"])
    assert owner.post(f"/api/v1/lists/{scene.creator_list.pk}/restore/").json()["archived"] is False


def test_list_pages_hide_what_a_role_may_not_do(client, scene):
    pages = {}
    for role in ("owner", "editor", "viewer"):
        client.force_login(scene.people[role])
        pages[role] = client.get(reverse("list_board", args=[scene.creator_list.pk])).content.decode()

    assert 'draggable="true"' in pages["owner"] and 'draggable="true"' in pages["editor"]
    assert 'draggable="true"' not in pages["viewer"] and "Drop creators here" not in pages["viewer"]
    assert ">Share</a>" in pages["owner"] and ">Share</a>" not in pages["editor"]
    assert ">Edit</a>" in pages["editor"] and ">Edit</a>" not in pages["viewer"]
    assert "Export CSV" in pages["viewer"] and ">Leave</button>" in pages["viewer"]


# Bad input: a clear 4xx (or the page with a message), never a server error.

HUGE = 10**20  # past PostgreSQL's bigint


def _page_requests(scene):
    list_id, item_id = scene.creator_list.pk, scene.item.pk
    job = scene.search_ids["owner"]
    return [
        ("get", reverse("list_index"), {"q": "a\x00b"}),
        ("get", reverse("list_index"), {"type": "nope", "page": "x"}),
        ("get", reverse("list_board", args=[list_id]), {"q": "a\x00b", "bucket": "lost", "platform": "myspace"}),
        ("get", reverse("list_table", args=[list_id]), {"q": "\x00", "page": "-1"}),
        ("get", reverse("list_export", args=[list_id]), {"q": "\x00"}),
        ("post", reverse("list_export_start", args=[list_id]) + "?q=%00&bucket=lost", {}),
        ("get", f"/lists/{HUGE}/", {}),
        ("post", reverse("list_add_results"), {"job": HUGE, "creator": [scene.item.creator_id], "new_list_name": "x"}),
        ("post", reverse("list_add_results"), {"job": job, "creator": [HUGE], "new_list_name": "x"}),
        ("post", reverse("list_add_results"), {"job": job, "creator": ["abc"], "new_list_name": "x"}),
        ("post", reverse("list_add_results"), {"job": job, "all_matching": "1", "target": HUGE}),
        ("post", reverse("list_add_results"), {"job": job, "all_matching": "1", "new_list_name": "a\x00b"}),
        ("post", reverse("list_add_results"), {"job": job, "all_matching": "1", "new_list_name": "x",
                                               "filter_query": "min_followers=abc&q=%00&sort=nope"}),
        ("post", reverse("list_move", args=[list_id]), {"item": HUGE, "bucket": "booked", "before": HUGE}),
        ("post", reverse("list_move", args=[list_id]), {"item": item_id, "bucket": "lost"}),
        ("post", reverse("list_bulk", args=[list_id]), {"action": "move", "bucket": "booked", "item": [HUGE]}),
        ("post", reverse("list_bulk", args=[list_id]), {"action": "explode", "item": [item_id]}),
        ("post", reverse("list_item_edit", args=[list_id, item_id]), {"notes": "a\x00b", "pinned": "maybe"}),
        ("post", f"/lists/{list_id}/items/{HUGE}/", {"notes": "x"}),
        ("post", reverse("list_edit", args=[list_id]), {"name": "a\x00b", "list_type": "custom"}),
        ("post", reverse("list_edit", args=[list_id]), {"name": "Fine", "list_type": "custom", "tags": "x" * 50}),
        ("post", reverse("list_share", args=[list_id]), {"email": "a\x00@b.co", "role": "owner"}),
        ("post", f"/lists/{list_id}/share/{HUGE}/", {"action": "remove"}),
        ("post", reverse("list_collaborator", args=[list_id, scene.collaborator.pk]), {"action": "role", "role": ""}),
    ]


def test_list_pages_answer_bad_input_without_a_server_error(client, scene):
    client.force_login(scene.people["owner"])
    client.raise_request_exception = False
    answers = [(method, url, data, getattr(client, method)(url, data).status_code)
               for method, url, data in _page_requests(scene)]

    assert [answer for answer in answers if answer[-1] not in (200, 302, 400, 404)] == []


def test_list_api_answers_bad_input_with_the_error_body(scene):
    list_id, item_id = scene.creator_list.pk, scene.item.pk
    base = f"/api/v1/lists/{list_id}/"
    requests = [
        ("get", f"/api/v1/lists/{HUGE}/", None),
        ("get", "/api/v1/lists/", {"q": "a\x00b"}),
        ("get", f"{base}items/", {"q": "a\x00b"}),
        ("post", f"{base}export.csv?q=a%00b", None),
        ("post", f"{base}export.csv?bucket=lost", None),
        ("post", "/api/v1/lists/", {"name": "a\x00b"}),
        ("post", "/api/v1/lists/", ["not", "an", "object"]),
        ("post", "/api/v1/lists/", {"name": "Fine", "tags": ["a\x00"], "bucket_labels": {"booked": "x\x00"}}),
        ("post", "/api/v1/lists/", {"name": "Fine", "list_type": "nope", "tags": "skincare"}),
        ("patch", base, {"bucket_labels": {"lost": "Lost"}}),
        ("post", f"{base}items/", {"creator_ids": [HUGE]}),
        ("post", f"{base}items/", {"creator_ids": ["abc"]}),
        ("post", f"{base}items/", {"search_id": HUGE}),
        ("post", f"{base}items/", {"campaign_id": HUGE}),
        ("post", f"{base}items/", {"search_id": scene.search_ids["owner"], "q": "a\x00b"}),
        ("patch", f"{base}items/{item_id}/", {"bucket": "booked", "before_item_id": HUGE, "position": HUGE}),
        ("patch", f"{base}items/{HUGE}/", {"notes": "x"}),
        ("patch", f"{base}items/{item_id}/", {"notes": "a\x00b"}),
        ("post", f"{base}items/bulk/", {"action": "remove", "item_ids": [HUGE]}),
        ("post", f"{base}collaborators/", {"email": "not-an-email", "role": "viewer"}),
        ("patch", f"{base}collaborators/{HUGE}/", {"role": "editor"}),
    ]
    api = api_for(scene.people["owner"])
    api.raise_request_exception = False
    wrong = []
    for method, url, data in requests:
        response = getattr(api, method)(url, data, format="json") if method != "get" else api.get(url, data)
        if response.status_code not in (200, 201, 400, 404) or (
                response.status_code >= 400 and set(response.json()) != {"code", "message", "extra"}):
            wrong.append((method, url, data, response.status_code))

    assert wrong == []
