"""The lists API under /api/v1/lists/: the same operations as the pages, with the house error body."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.lists.models import CreatorList, CreatorListItem, ListExport

from ..test_api import api_for
from .support import assert_dense, board, make_creator, make_list, make_search, share

pytestmark = pytest.mark.django_db

LISTS = "/api/v1/lists/"


def test_api_creates_lists_and_lists_them_with_roles_and_bucket_counts(paying, make_subscriber):
    friend = make_subscriber(email="friend@agency.com")
    api = api_for(paying)

    created = api.post(LISTS, {"name": "Q2 outreach", "list_type": "research", "tags": ["skincare"],
                               "bucket_labels": {"booked": "Signed"}}, format="json")
    theirs = make_list(friend, [make_creator()], name="Theirs")
    share(theirs, paying, "editor")

    assert created.status_code == 201
    body = created.json()
    assert body["role"] == "owner" and body["list_type"] == "research" and body["tags"] == ["skincare"]
    assert body["buckets"][-1] == {"key": "booked", "label": "Signed", "count": 0}
    listed = {row["name"]: row for row in api.get(LISTS).json()["results"]}
    assert listed["Theirs"]["role"] == "editor" and listed["Theirs"]["item_count"] == 1
    assert listed["Theirs"]["owner_email"] == "friend@agency.com"


def test_api_lists_a_page_of_lists_in_a_fixed_number_of_queries(paying):
    api = api_for(paying)
    make_list(paying, [make_creator()], name="First")
    api.get(LISTS)  # the token and subscription, as any call before it would
    with CaptureQueriesContext(connection) as one_list:
        api.get(LISTS)
    for n in range(4):
        make_list(paying, [make_creator(), make_creator()], name=f"More {n}")

    with CaptureQueriesContext(connection) as five_lists:
        listed = api.get(LISTS).json()["results"]

    assert sorted(row["item_count"] for row in listed) == [1, 2, 2, 2, 2]
    assert len(five_lists) == len(one_list)


def test_api_refuses_bad_list_details_with_the_error_body(paying):
    response = api_for(paying).post(LISTS, {"name": "n" * 121}, format="json")
    tags = api_for(paying).post(LISTS, {"name": "Fine", "tags": [f"tag{n}" for n in range(21)]}, format="json")

    assert response.status_code == 400
    assert response.json() == {"code": "list_invalid", "message": "Keep the name under 120 characters.",
                               "extra": {"field": "name"}}
    assert tags.json()["message"] == "Use at most 20 tags."
    assert not CreatorList.objects.exists()


def test_api_adds_creators_by_id_skipping_duplicates_and_strangers(paying, make_subscriber):
    mine = [make_creator(handle=h) for h in ("ana", "ben", "cleo")]
    make_search(paying, mine)
    not_mine = make_creator(handle="zed")
    make_search(make_subscriber(), [not_mine])
    creator_list = make_list(paying, mine[:1])

    response = api_for(paying).post(f"{LISTS}{creator_list.pk}/items/", {
        "creator_ids": [mine[0].pk, mine[2].pk, not_mine.pk, mine[1].pk], "bucket": "shortlist"}, format="json")

    body = response.json()
    assert response.status_code == 201
    assert (body["added"], body["skipped"], body["skipped_handles"], body["ignored"]) == (2, 1, ["ana"], 1)
    assert board(creator_list) == {"backlog": ["ana"], "shortlist": ["cleo", "ben"]}


def test_api_adds_every_creator_of_a_search_matching_filters(paying):
    job = make_search(paying, [make_creator(has_email=n % 3 == 0) for n in range(30)])
    creator_list = make_list(paying)

    response = api_for(paying).post(f"{LISTS}{creator_list.pk}/items/", {"search_id": job.pk, "has_email": True},
                                    format="json")

    assert response.json()["added"] == 10
    assert response.json()["list"]["item_count"] == 10


def test_api_add_needs_exactly_one_source(paying):
    creator_list = make_list(paying)
    response = api_for(paying).post(f"{LISTS}{creator_list.pk}/items/", {"bucket": "backlog"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_api_moves_items_by_position_and_neighbour_and_in_bulk(paying):
    creator_list = make_list(paying, [make_creator(handle=h) for h in ("ana", "ben", "cleo", "dev")])
    ids = dict(CreatorListItem.objects.filter(creator_list=creator_list).values_list("creator__handle", "pk"))
    api = api_for(paying)
    item_url = f"{LISTS}{creator_list.pk}/items/"

    moved = api.patch(f"{item_url}{ids['dev']}/", {"bucket": "contacted", "position": 0}, format="json")
    api.patch(f"{item_url}{ids['ana']}/", {"bucket": "contacted", "before_item_id": ids["dev"]}, format="json")
    api.patch(f"{item_url}{ids['cleo']}/", {"position": 0, "notes": "First pick", "pinned": True}, format="json")
    bulk = api.post(f"{item_url}bulk/", {"action": "move", "bucket": "booked", "item_ids": [ids["ben"]]},
                    format="json")

    assert moved.json()["bucket"] == "contacted" and moved.json()["last_contacted_at"] is not None
    assert bulk.json() == {"count": 1}
    assert board(creator_list) == {"backlog": ["cleo"], "contacted": ["ana", "dev"], "booked": ["ben"]}
    cleo = api.get(f"{item_url}{ids['cleo']}/").json()
    assert (cleo["notes"], cleo["pinned"], cleo["position"]) == ("First pick", True, 0)
    assert cleo["creator"]["handle"] == "cleo" and cleo["snapshot"]["followers"] is not None
    assert api.delete(f"{item_url}{ids['dev']}/").status_code == 204
    assert board(creator_list)["contacted"] == ["ana"]
    assert_dense(creator_list)


def test_api_filters_items_by_bucket_email_and_platform(paying):
    creator_list = make_list(paying, [make_creator(handle="ana", has_email=True),
                                      make_creator(handle="ben", platform="youtube")])
    api = api_for(paying)

    def handles(**params):
        rows = api.get(f"{LISTS}{creator_list.pk}/items/", params).json()["results"]
        return [row["creator"]["handle"] for row in rows]

    assert handles() == ["ana", "ben"]
    assert handles(has_email="true") == ["ana"]
    assert handles(platform="youtube") == ["ben"]
    assert handles(bucket="booked") == []
    assert api.get(f"{LISTS}{creator_list.pk}/items/", {"bucket": "lost"}).status_code == 400


def test_api_duplicate_archive_restore_and_delete(paying):
    creator_list = make_list(paying, [make_creator()], name="Spring")
    api = api_for(paying)

    copy = api.post(f"{LISTS}{creator_list.pk}/duplicate/").json()
    archived = api.post(f"{LISTS}{creator_list.pk}/archive/").json()
    refused = api.post(f"{LISTS}{creator_list.pk}/items/", {"creator_ids": []}, format="json")
    default_view = [row["name"] for row in api.get(LISTS).json()["results"]]
    archived_view = [row["name"] for row in api.get(LISTS, {"status": "archived"}).json()["results"]]
    restored = api.post(f"{LISTS}{creator_list.pk}/restore/").json()

    assert (copy["name"], copy["item_count"], copy["role"]) == ("Spring (copy)", 1, "owner")
    assert archived["archived"] is True and restored["archived"] is False
    assert refused.status_code == 409 and refused.json()["code"] == "list_archived"
    assert default_view == ["Spring (copy)"] and archived_view == ["Spring"]
    assert api.delete(f"{LISTS}{creator_list.pk}/").status_code == 204
    assert list(CreatorList.objects.values_list("name", flat=True)) == ["Spring (copy)"]


def test_api_shares_by_email_and_reports_pending_invitations(paying, make_subscriber):
    colleague = make_subscriber(email="sam@agency.com")
    creator_list = make_list(paying)
    api = api_for(paying)
    url = f"{LISTS}{creator_list.pk}/collaborators/"

    active = api.post(url, {"email": "SAM@agency.com", "role": "editor"}, format="json").json()
    invited = api.post(url, {"email": "new@studio.co", "role": "viewer"}, format="json").json()
    changed = api.patch(f"{url}{invited['id']}/", {"role": "editor"}, format="json").json()

    assert (active["email"], active["status"], active["role"]) == ("sam@agency.com", "active", "editor")
    assert (invited["status"], changed["role"]) == ("invited", "editor")
    assert [row["email"] for row in api.get(url).json()] == ["sam@agency.com", "new@studio.co"]
    assert api_for(colleague).get(f"{LISTS}{creator_list.pk}/").json()["role"] == "editor"
    assert api.delete(f"{url}{active['id']}/").status_code == 204
    assert api_for(colleague).get(f"{LISTS}{creator_list.pk}/").status_code == 404


def test_api_exports_csv_and_records_it_in_the_history(paying, make_subscriber):
    viewer = make_subscriber("glow_up")
    creator_list = make_list(paying, [make_creator(handle="ana"), make_creator(handle="ben")])
    share(creator_list, viewer, "viewer")

    response = api_for(viewer).post(f"{LISTS}{creator_list.pk}/export.csv", HTTP_ACCEPT="application/json")
    body = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    history = api_for(paying).get(f"{LISTS}{creator_list.pk}/exports/").json()["results"]

    assert response["Content-Type"].startswith("text/csv")
    assert body[0].startswith("Platform,Username,Display name") and len(body) == 3
    assert history[0]["exported_by"] == viewer.email and history[0]["row_count"] == 2
    assert ListExport.objects.count() == 1


def test_api_lists_need_a_plan_with_access(user):
    response = api_for(user).get(LISTS)
    assert response.status_code == 403


def test_schema_documents_the_list_endpoints_without_warnings(tmp_path):
    schema = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema))
    text = schema.read_text()
    for operation in ("lists_list", "lists_items_add", "lists_items_update", "lists_items_bulk",
                      "lists_collaborators_create", "lists_duplicate", "lists_leave", "lists_export",
                      "lists_exports_list"):
        assert f"operationId: {operation}" in text


def test_api_collaborator_leaves_a_list_and_the_owner_cannot(paying, make_subscriber):
    editor = make_subscriber()
    creator_list = make_list(paying)
    share(creator_list, editor, "editor")

    left = api_for(editor).post(f"{LISTS}{creator_list.pk}/leave/")
    again = api_for(editor).post(f"{LISTS}{creator_list.pk}/leave/")
    owner = api_for(paying).post(f"{LISTS}{creator_list.pk}/leave/")

    assert left.status_code == 204
    assert again.status_code == 404 and again.json()["message"] == "No such list."
    assert owner.status_code == 400
    assert owner.json()["message"] == "You own this list, so you cannot leave it; delete it instead."
    assert CreatorList.objects.filter(pk=creator_list.pk).exists()


def test_api_add_by_id_on_a_trial_ignores_creators_past_the_rows_the_trial_shows(make_subscriber):
    trial = make_subscriber("viral_surge")
    creators = [make_creator() for _ in range(30)]
    make_search(trial, creators)
    creator_list = make_list(trial)

    # Ids of the hidden rows are easy to guess: they are sequential.
    response = api_for(trial).post(f"{LISTS}{creator_list.pk}/items/", {
        "creator_ids": [creators[0].pk, creators[24].pk, creators[25].pk, creators[29].pk]}, format="json")

    assert (response.json()["added"], response.json()["ignored"]) == (2, 2)
    assert set(CreatorListItem.objects.values_list("creator_id", flat=True)) == {creators[0].pk, creators[24].pk}


def test_api_export_of_a_list_you_cannot_read_is_not_found_whatever_the_plan(paying, make_subscriber):
    from billing.models import SubscriptionPlan

    creator_list = make_list(paying, [make_creator()])
    stranger = make_subscriber("glow_up")
    SubscriptionPlan.objects.filter(plan_key="glow_up").update(features=[])

    response = api_for(stranger).post(f"{LISTS}{creator_list.pk}/export.csv")

    assert response.status_code == 404 and response.json()["message"] == "No such list."
    assert not ListExport.objects.exists()


def test_api_add_to_a_full_list_answers_conflict(paying, monkeypatch):
    import campaigns.lists.services.lists as list_board_services

    creator_list = make_list(paying, [make_creator()])
    make_search(paying, [extra := make_creator()])
    monkeypatch.setattr(list_board_services, "MAX_LIST_ITEMS", 1)

    full = api_for(paying).post(f"{LISTS}{creator_list.pk}/items/", {"creator_ids": [extra.pk]}, format="json")

    assert full.status_code == 409 and full.json()["code"] == "list_full"
    assert CreatorListItem.objects.filter(creator_list=creator_list).count() == 1
