"""Creator lists: adding with dedupe, the board's positions, duplicate/archive/delete, sharing, exports."""

import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from campaigns.lists.models import Bucket, CreatorList, CreatorListItem, ListCollaborator, ListExport
from campaigns.lists.selectors import ListAccess, list_get, list_overview
from campaigns.lists.services import (
    ListError,
    list_add_creators,
    list_archive,
    list_delete,
    list_duplicate,
    list_item_move,
    list_item_update,
    list_items_move,
    list_items_remove,
    list_restore,
    list_share,
    list_update,
)
from influencer_platform.errors import NotFoundError
from scraping.export import HEADER
from scraping.models import CreatorProfile

from .support import assert_dense, board, make_creator, make_list, make_search, read_csv, share

pytestmark = pytest.mark.django_db


def item_of(creator_list, handle) -> CreatorListItem:
    return CreatorListItem.objects.get(creator_list=creator_list, creator__handle=handle)


# Adding, with duplicates skipped and reported


def test_list_add_creators_skips_and_reports_creators_already_on_the_list(paying):
    a, b, c, d = (make_creator(handle=h) for h in ("ana", "ben", "cleo", "dev"))
    creator_list = make_list(paying, [a, b])

    outcome = list_add_creators(creator_list=creator_list, actor=paying, creator_ids=[c.pk, a.pk, d.pk, b.pk, c.pk])

    assert (outcome.added, outcome.skipped) == (2, 2)
    assert sorted(outcome.skipped_handles) == ["ana", "ben"]
    assert "Added 2 creators to “Launch shortlist”. Skipped 2 already on the list" in outcome.message
    assert board(creator_list) == {"backlog": ["ana", "ben", "cleo", "dev"]}
    assert_dense(creator_list)


def test_list_add_keeps_a_snapshot_of_the_metrics_when_added(paying):
    creator = make_creator(followers=5_000, has_email=True)
    creator_list = make_list(paying, [creator])
    CreatorProfile.objects.filter(pk=creator.pk).update(followers=7_500)

    item = item_of(creator_list, creator.handle)

    assert item.snapshot["followers"] == 5_000 and item.snapshot["has_email"] is True
    assert item.snapshot["engagement_rate"] == "3.25"


def test_results_page_offers_row_selection_and_select_all_matching(client, paying):
    job = make_search(paying, [make_creator() for _ in range(30)])
    client.force_login(paying)

    page = client.get(reverse("search_detail", args=[job.pk])).content.decode()

    assert page.count('name="creator"') == 25
    assert "Select all 30 creators" in page
    assert 'action="/lists/add/"' in page


def test_results_ticked_rows_go_to_a_new_list(client, paying):
    creators = [make_creator() for _ in range(5)]
    job = make_search(paying, creators)
    client.force_login(paying)
    back = reverse("search_detail", args=[job.pk])

    response = client.post(reverse("list_add_results"), {
        "job": job.pk, "creator": [creators[3].pk, creators[1].pk], "new_list_name": "Glow shortlist",
        "next": back}, follow=True)

    creator_list = CreatorList.objects.get(name="Glow shortlist")
    assert response.redirect_chain[-1][0] == back
    assert "Added 2 creators to “Glow shortlist”." in response.content.decode()
    # In the order of the results, not the order the boxes were ticked in.
    assert board(creator_list) == {"backlog": [creators[1].handle, creators[3].handle]}
    assert creator_list.owner == paying


def test_results_select_all_matching_adds_every_filtered_row_not_only_the_page(client, paying):
    creators = [make_creator(has_email=n % 2 == 0) for n in range(80)]
    job = make_search(paying, creators)
    client.force_login(paying)

    response = client.post(reverse("list_add_results"), {
        "job": job.pk, "all_matching": "1", "filter_query": "has_email=on&sort=followers&page_size=25",
        "creator": [creators[0].pk], "new_list_name": "With email"}, HTTP_HX_REQUEST="true")

    creator_list = CreatorList.objects.get(name="With email")
    items = CreatorListItem.objects.filter(creator_list=creator_list)
    assert "Added 40 creators to “With email”." in response.content.decode()
    assert items.count() == 40 and all(item.creator.has_email for item in items)
    # The table's sort decides the order on the board: most followers first.
    assert board(creator_list)["backlog"][0] == creators[78].handle


def test_results_select_all_on_a_trial_takes_only_the_rows_the_trial_shows(client, make_subscriber):
    trial = make_subscriber("viral_surge")
    job = make_search(trial, [make_creator() for _ in range(60)])
    client.force_login(trial)

    client.post(reverse("list_add_results"), {"job": job.pk, "all_matching": "1", "new_list_name": "Trial"})

    assert CreatorListItem.objects.filter(creator_list__name="Trial").count() == 25


def test_results_ticked_rows_on_a_trial_cannot_reach_rows_past_the_limit(client, make_subscriber):
    trial = make_subscriber("viral_surge")
    creators = [make_creator() for _ in range(40)]
    job = make_search(trial, creators)
    client.force_login(trial)

    # The page only offers the first 25 rows; the ids of the hidden ones are guessable all the same.
    client.post(reverse("list_add_results"), {
        "job": job.pk, "creator": [creators[2].pk, creators[30].pk, creators[39].pk], "new_list_name": "Trial"})

    assert list(CreatorListItem.objects.values_list("creator_id", flat=True)) == [creators[2].pk]


def test_results_campaign_selection_into_an_existing_list_reports_duplicates(client, paying):
    from campaigns.services import campaign_create

    campaign = campaign_create(user=paying, name="Spring launch")
    creators = [make_creator(handle=f"spring{n}") for n in range(4)]
    make_search(paying, creators, campaign=campaign)
    creator_list = make_list(paying, creators[:2])
    client.force_login(paying)

    response = client.post(reverse("list_add_results"), {
        "campaign": campaign.pk, "all_matching": "1", "target": creator_list.pk}, HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert "Added 2 creators to “Launch shortlist”. Skipped 2 already on the list: @spring" in page
    assert 'hx-swap-oob="true"' in page and f'value="{creator_list.pk}" selected' in page
    assert CreatorListItem.objects.filter(creator_list=creator_list).count() == 4


def test_results_selection_ignores_creators_the_user_never_found(client, paying, make_subscriber):
    someone_else = make_subscriber()
    their_creator = make_creator()
    make_search(someone_else, [their_creator])
    job = make_search(paying, [make_creator()])
    client.force_login(paying)

    response = client.post(reverse("list_add_results"), {
        "job": job.pk, "creator": [their_creator.pk], "new_list_name": "Sneaky"}, follow=True)

    assert "None of the selected creators are in these results any more." in response.content.decode()
    assert not CreatorList.objects.filter(name="Sneaky").exists()


def test_results_selection_needs_a_list_name_or_a_list(client, paying):
    job = make_search(paying, [creator := make_creator()])
    client.force_login(paying)

    response = client.post(reverse("list_add_results"), {"job": job.pk, "creator": [creator.pk]},
                           HTTP_HX_REQUEST="true")

    assert "Name the new list, or choose an existing one." in response.content.decode()
    assert not CreatorList.objects.exists()


# Board positions


def test_list_item_move_reorders_within_and_across_buckets(paying):
    creators = [make_creator(handle=h) for h in ("ana", "ben", "cleo", "dev", "eli")]
    creator_list = make_list(paying, creators)

    list_item_move(creator_list=creator_list, actor=paying, item_id=item_of(creator_list, "dev").pk,
                   bucket=Bucket.BACKLOG, before_item_id=item_of(creator_list, "ana").pk)
    list_item_move(creator_list=creator_list, actor=paying, item_id=item_of(creator_list, "ben").pk,
                   bucket=Bucket.SHORTLIST)
    list_item_move(creator_list=creator_list, actor=paying, item_id=item_of(creator_list, "eli").pk,
                   bucket=Bucket.SHORTLIST, before_item_id=item_of(creator_list, "ben").pk)
    list_item_move(creator_list=creator_list, actor=paying, item_id=item_of(creator_list, "ana").pk,
                   bucket=Bucket.SHORTLIST, position=1)
    list_item_move(creator_list=creator_list, actor=paying, item_id=item_of(creator_list, "cleo").pk,
                   bucket=Bucket.BOOKED, position=99)

    assert board(creator_list) == {"backlog": ["dev"], "shortlist": ["eli", "ana", "ben"], "booked": ["cleo"]}
    assert_dense(creator_list)


def test_list_item_move_before_a_card_that_moved_away_goes_last(paying):
    creators = [make_creator(handle=h) for h in ("ana", "ben", "cleo")]
    creator_list = make_list(paying, creators)
    ben = item_of(creator_list, "ben")
    list_item_move(creator_list=creator_list, actor=paying, item_id=ben.pk, bucket=Bucket.BOOKED)

    # Someone else's board still showed ben in the backlog and dropped cleo just before him.
    list_item_move(creator_list=creator_list, actor=paying, item_id=item_of(creator_list, "cleo").pk,
                   bucket=Bucket.BACKLOG, before_item_id=ben.pk)
    list_item_move(creator_list=creator_list, actor=paying, item_id=item_of(creator_list, "ana").pk,
                   bucket=Bucket.BACKLOG, before_item_id=ben.pk)

    assert board(creator_list) == {"backlog": ["cleo", "ana"], "booked": ["ben"]}
    assert_dense(creator_list)


def test_list_moving_into_contacted_records_the_last_contact(paying):
    creator_list = make_list(paying, [make_creator(handle="ana"), make_creator(handle="ben")])
    before = timezone.now()

    list_item_move(creator_list=creator_list, actor=paying, item_id=item_of(creator_list, "ana").pk,
                   bucket=Bucket.CONTACTED)
    list_items_move(creator_list=creator_list, actor=paying, item_ids=[item_of(creator_list, "ben").pk],
                    bucket=Bucket.CONTACTED)

    for handle in ("ana", "ben"):
        assert item_of(creator_list, handle).last_contacted_at >= before


def test_list_bulk_move_and_remove_close_the_gaps(paying):
    creators = [make_creator(handle=f"c{n}") for n in range(8)]
    creator_list = make_list(paying, creators)
    ids = {handle: item_of(creator_list, handle).pk for handle in (f"c{n}" for n in range(8))}

    moved = list_items_move(creator_list=creator_list, actor=paying, item_ids=[ids["c5"], ids["c1"], ids["c3"]],
                            bucket=Bucket.SHORTLIST)
    removed = list_items_remove(creator_list=creator_list, actor=paying, item_ids=[ids["c0"], ids["c3"], ids["c6"]])

    assert (moved, removed) == (3, 3)
    assert board(creator_list) == {"backlog": ["c2", "c4", "c7"], "shortlist": ["c1", "c5"]}
    assert_dense(creator_list)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_list_positions_stay_consistent_under_concurrent_moves(make_subscriber):
    """Two people dragging cards at the same moment: the list row lock applies the moves one by one."""
    owner = make_subscriber()
    creator_list = make_list(owner, [make_creator() for _ in range(12)])
    item_ids = list(CreatorListItem.objects.filter(creator_list=creator_list).values_list("pk", flat=True))
    buckets = Bucket.values
    errors = []
    start = threading.Barrier(4)

    def drag(worker: int) -> None:
        try:
            start.wait()
            for step in range(25):
                item_id = item_ids[(worker * 7 + step * 5) % len(item_ids)]
                before = item_ids[(worker + step * 3) % len(item_ids)]
                list_item_move(creator_list=creator_list, actor=owner, item_id=item_id,
                               bucket=buckets[(worker + step) % len(buckets)],
                               before_item_id=before if before != item_id else None)
        except Exception as exc:  # collected and asserted on in the test's own thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=drag, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert CreatorListItem.objects.filter(creator_list=creator_list).count() == 12
    assert_dense(creator_list)


def _in_threads(count: int, work) -> list[Exception]:
    """Run ``work(worker)`` in ``count`` threads, each on its own database connection, started together."""
    errors: list[Exception] = []
    start = threading.Barrier(count)

    def run(worker: int) -> None:
        try:
            start.wait()
            work(worker)
        except Exception as exc:  # collected and asserted on in the test's own thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(worker,)) for worker in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_list_concurrent_adds_of_the_same_creators_add_each_once(make_subscriber):
    """Four people saving overlapping selections at once: nobody's request fails, nobody is added twice."""
    owner = make_subscriber()
    creator_list = make_list(owner)
    creator_ids = [make_creator().pk for _ in range(30)]
    outcomes = []

    def add(worker: int) -> None:
        order = creator_ids[worker * 7:] + creator_ids[:worker * 7]
        outcomes.append(list_add_creators(creator_list=creator_list, actor=owner, creator_ids=order))

    assert _in_threads(4, add) == []
    assert sum(outcome.added for outcome in outcomes) == 30
    assert sum(outcome.skipped for outcome in outcomes) == 90
    assert CreatorListItem.objects.filter(creator_list=creator_list).count() == 30
    assert_dense(creator_list)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_list_positions_stay_dense_under_concurrent_moves_removes_and_adds(make_subscriber):
    owner = make_subscriber()
    creator_list = make_list(owner, [make_creator() for _ in range(16)])
    item_ids = list(CreatorListItem.objects.filter(creator_list=creator_list).values_list("pk", flat=True))
    newcomers = [make_creator().pk for _ in range(8)]

    def work(worker: int) -> None:
        for step in range(12):
            if worker == 0:
                list_items_move(creator_list=creator_list, actor=owner, item_ids=item_ids[step % 8::3],
                                bucket=Bucket.values[step % 4])
            elif worker == 1:
                list_items_remove(creator_list=creator_list, actor=owner, item_ids=[item_ids[step]])
            elif worker == 2:
                list_add_creators(creator_list=creator_list, actor=owner, creator_ids=newcomers[step % 8:],
                                  bucket=Bucket.values[step % 4])
            else:
                list_item_move(creator_list=creator_list, actor=owner, item_id=item_ids[(step * 5) % 16],
                               bucket=Bucket.values[(step + 1) % 4], position=step % 3)

    # Moving a card someone just removed is refused with "not on this list"; anything else is a bug.
    errors = _in_threads(4, work)
    assert all(isinstance(error, NotFoundError) for error in errors), errors
    items = CreatorListItem.objects.filter(creator_list=creator_list)
    assert items.count() == 16 - 12 + 8
    assert items.values("creator_id").distinct().count() == items.count()
    assert_dense(creator_list)


# Notes, pins, bucket names


def test_list_item_notes_pin_and_renamed_buckets(paying):
    creator_list = make_list(paying, [make_creator(handle="ana")])
    item = item_of(creator_list, "ana")

    list_item_update(creator_list=creator_list, actor=paying, item_id=item.pk, notes="  Loves skincare  ",
                     pinned=True)
    list_update(creator_list=creator_list, bucket_labels={"booked": "Signed", "backlog": "Backlog"})

    item.refresh_from_db()
    creator_list.refresh_from_db()
    assert (item.notes, item.pinned) == ("Loves skincare", True)
    assert creator_list.bucket_labels == {"booked": "Signed"}
    assert creator_list.buckets[-1] == ("booked", "Signed")


def test_list_update_refuses_unknown_buckets_and_long_names(paying):
    creator_list = make_list(paying)
    archived = make_list(paying, name="Archived")
    list_archive(creator_list=archived)
    with pytest.raises(ListError, match="archived"):
        list_update(creator_list=archived, name="Renamed")
    with pytest.raises(ListError, match="no bucket called"):
        list_update(creator_list=creator_list, bucket_labels={"lost": "Lost"})
    with pytest.raises(ListError, match="under 120 characters"):
        list_update(creator_list=creator_list, name="x" * 121)


# Duplicate, archive, delete


def test_list_duplicate_copies_items_notes_and_order_but_not_the_sharing(paying, make_subscriber):
    viewer = make_subscriber()
    creators = [make_creator(handle=h) for h in ("ana", "ben", "cleo")]
    creator_list = make_list(paying, creators, tags=["skincare"], bucket_labels={"booked": "Signed"})
    list_item_move(creator_list=creator_list, actor=paying, item_id=item_of(creator_list, "cleo").pk,
                   bucket=Bucket.SHORTLIST)
    list_item_update(creator_list=creator_list, actor=paying, item_id=item_of(creator_list, "ana").pk,
                     notes="Replied on Monday")
    share(creator_list, viewer, "viewer")

    copy = list_duplicate(creator_list=list_get(user=viewer, list_id=creator_list.pk), actor=viewer)

    assert copy.name == "Launch shortlist (copy)" and copy.owner == viewer
    assert (copy.tags, copy.bucket_labels) == (["skincare"], {"booked": "Signed"})
    assert board(copy) == board(creator_list) == {"backlog": ["ana", "ben"], "shortlist": ["cleo"]}
    assert item_of(copy, "ana").notes == "Replied on Monday"
    assert not ListCollaborator.objects.filter(creator_list=copy).exists()
    assert list_get(user=viewer, list_id=copy.pk, access=ListAccess.OWN)


def test_list_duplicate_keeps_a_long_name_within_the_limit(paying):
    copy = list_duplicate(creator_list=make_list(paying, name="n" * 120), actor=paying)
    assert len(copy.name) == 120 and copy.name.endswith(" (copy)")


def test_list_archive_makes_the_list_read_only_until_restored(client, paying):
    creator_list = make_list(paying, [make_creator(handle="ana")])
    list_archive(creator_list=creator_list)

    with pytest.raises(ListError, match="archived"):
        list_add_creators(creator_list=creator_list, actor=paying, creator_ids=[make_creator().pk])
    client.force_login(paying)
    assert "Launch shortlist" not in client.get(reverse("list_index")).content.decode()
    assert "Launch shortlist" in client.get(reverse("list_index"), {"status": "archived"}).content.decode()
    board_page = client.get(reverse("list_board", args=[creator_list.pk])).content.decode()
    assert "This list is archived" in board_page and 'draggable="true"' not in board_page

    list_restore(creator_list=creator_list)
    list_item_move(creator_list=creator_list, actor=paying, item_id=item_of(creator_list, "ana").pk,
                   bucket=Bucket.BOOKED)
    assert board(creator_list) == {"booked": ["ana"]}


def test_list_delete_takes_items_sharing_and_history_but_not_the_creators(client, paying, make_subscriber):
    creator = make_creator()
    creator_list = make_list(paying, [creator])
    share(creator_list, make_subscriber(), "editor")
    client.force_login(paying)
    client.post(reverse("list_export_start", args=[creator_list.pk]))

    list_delete(creator_list=creator_list)

    assert not CreatorList.objects.exists()
    assert not CreatorListItem.objects.exists() and not ListCollaborator.objects.exists()
    assert not ListExport.objects.exists()
    assert CreatorProfile.objects.filter(pk=creator.pk).exists()


# Sharing and invitations


def test_list_share_with_an_account_gives_access_at_once_and_emails_them(paying, make_subscriber,
                                                                         django_capture_on_commit_callbacks):
    colleague = make_subscriber(email="sam@agency.com")
    creator_list = make_list(paying)

    with django_capture_on_commit_callbacks(execute=True):
        share(creator_list, colleague, "editor")

    assert list_get(user=colleague, list_id=creator_list.pk, access=ListAccess.EDIT)
    with pytest.raises(NotFoundError):
        list_get(user=colleague, list_id=creator_list.pk, access=ListAccess.OWN)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@agency.com"]
    assert "“Launch shortlist”" in mail.outbox[0].subject
    assert f"/lists/{creator_list.pk}/" in mail.outbox[0].body
    [(html, kind)] = mail.outbox[0].alternatives
    assert kind == "text/html" and "Open the list" in html and f"/lists/{creator_list.pk}/" in html


def _confirmation_link() -> str:
    for message in reversed(mail.outbox):
        found = re.search(r"/accounts/confirm-email/[^/\s]+/", message.body)
        if found:
            return found.group(0)
    raise AssertionError("no confirmation email")


def test_list_invitation_without_an_account_is_accepted_at_sign_up_once_confirmed(
        client, paying, django_capture_on_commit_callbacks):
    creator_list = make_list(paying, [make_creator(handle="ana")])
    client.force_login(paying)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("list_share", args=[creator_list.pk]), {"email": "New.Person@Studio.co",
                                                                    "role": "viewer"})
    client.logout()
    assert "/accounts/signup/" in mail.outbox[0].body and "confirm it" in mail.outbox[0].body
    assert ListCollaborator.objects.get().is_pending

    client.post(reverse("account_signup"), {"email": "new.person@studio.co", "password1": "a-Sturdy-passphrase-42",
                                            "password2": "a-Sturdy-passphrase-42"})
    newcomer = User.objects.get(email="new.person@studio.co")
    # Signed in, but the address is not confirmed yet: anyone could have typed it.
    assert ListCollaborator.objects.get().is_pending
    with pytest.raises(NotFoundError):
        list_get(user=newcomer, list_id=creator_list.pk)

    client.post(_confirmation_link())

    collaborator = ListCollaborator.objects.get()
    assert collaborator.user == newcomer and collaborator.accepted_at is not None
    assert list_get(user=newcomer, list_id=creator_list.pk).role == "viewer"
    with pytest.raises(NotFoundError):
        list_get(user=newcomer, list_id=creator_list.pk, access=ListAccess.EDIT)
    # Reading a shared list asks for no business details or plan; their own product pages still do.
    board = client.get(reverse("list_board", args=[creator_list.pk]))
    assert board.status_code == 200 and "@ana" in board.content.decode()
    assert client.get(reverse("list_table", args=[creator_list.pk])).status_code == 200
    assert creator_list.name in client.get(reverse("list_index")).content.decode()
    assert client.get(reverse("dashboard"))["Location"] == reverse("onboarding_info")


def test_list_invitation_is_not_taken_by_someone_signing_up_with_an_address_they_cannot_confirm(client, paying):
    creator_list = make_list(paying)
    list_share(creator_list=creator_list, actor=paying, email="client@glowbrand.co", role="editor")

    client.post(reverse("account_signup"), {"email": "client@glowbrand.co", "password1": "a-Sturdy-passphrase-42",
                                            "password2": "a-Sturdy-passphrase-42"})
    client.logout()
    client.post(reverse("account_login"), {"login": "client@glowbrand.co", "password": "a-Sturdy-passphrase-42"})

    assert ListCollaborator.objects.get().is_pending
    with pytest.raises(NotFoundError):
        list_get(user=User.objects.get(email="client@glowbrand.co"), list_id=creator_list.pk)


def test_list_invitation_is_accepted_at_sign_up_where_the_site_asks_no_confirmation(client, paying, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "none"
    creator_list = make_list(paying)
    list_share(creator_list=creator_list, actor=paying, email="client@glowbrand.co", role="viewer")

    client.post(reverse("account_signup"), {"email": "client@glowbrand.co", "password1": "a-Sturdy-passphrase-42",
                                            "password2": "a-Sturdy-passphrase-42"})

    assert list_get(user=User.objects.get(email="client@glowbrand.co"), list_id=creator_list.pk).role == "viewer"


def test_list_invitation_is_accepted_at_first_sign_in_for_accounts_made_elsewhere(client, paying):
    creator_list = make_list(paying)
    list_share(creator_list=creator_list, actor=paying, email="ops-made@studio.co", role="editor")
    User.objects.create_user("ops-made@studio.co", "a-Sturdy-passphrase-42")
    assert ListCollaborator.objects.get().is_pending

    client.post(reverse("account_login"), {"login": "ops-made@studio.co", "password": "a-Sturdy-passphrase-42"})

    assert not ListCollaborator.objects.get().is_pending
    assert list_get(user=User.objects.get(email="ops-made@studio.co"), list_id=creator_list.pk,
                    access=ListAccess.EDIT)


def test_list_share_again_changes_the_role_without_a_second_email(client, paying,
                                                                 django_capture_on_commit_callbacks):
    creator_list = make_list(paying)
    client.force_login(paying)
    url = reverse("list_share", args=[creator_list.pk])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"email": "sam@agency.com", "role": "viewer"})
        client.post(url, {"email": "SAM@agency.com", "role": "editor"})

    assert ListCollaborator.objects.get().role == "editor"
    assert len(mail.outbox) == 1


def test_list_share_refuses_the_owner_and_bad_addresses(client, paying):
    creator_list = make_list(paying)
    client.force_login(paying)
    url = reverse("list_share", args=[creator_list.pk])

    own = client.post(url, {"email": paying.email.upper(), "role": "editor"})
    bad = client.post(url, {"email": "not-an-email", "role": "editor"})

    assert "You own this list already." in own.content.decode()
    assert "Enter a valid email address." in bad.content.decode()
    assert not ListCollaborator.objects.exists()


def test_list_owner_changes_roles_and_removes_people(client, paying, make_subscriber):
    colleague = make_subscriber()
    creator_list = make_list(paying)
    share(creator_list, colleague, "viewer")
    collaborator = ListCollaborator.objects.get()
    client.force_login(paying)
    url = reverse("list_collaborator", args=[creator_list.pk, collaborator.pk])

    client.post(url, {"action": "role", "role": "editor"})
    assert list_get(user=colleague, list_id=creator_list.pk, access=ListAccess.EDIT)

    client.post(url, {"action": "remove"})
    with pytest.raises(NotFoundError):
        list_get(user=colleague, list_id=creator_list.pk)


def test_list_owner_cannot_leave_their_own_list(client, paying):
    creator_list = make_list(paying)
    client.force_login(paying)

    response = client.post(reverse("list_leave", args=[creator_list.pk]), follow=True)

    assert "You own this list, so you cannot leave it; delete it instead." in response.content.decode()
    assert CreatorList.objects.filter(pk=creator_list.pk).exists()


def test_list_collaborator_can_leave(client, paying, make_subscriber):
    colleague = make_subscriber()
    creator_list = make_list(paying)
    share(creator_list, colleague, "editor")
    client.force_login(colleague)

    response = client.post(reverse("list_leave", args=[creator_list.pk]), follow=True)

    assert "You left “Launch shortlist”." in response.content.decode()
    assert client.get(reverse("list_board", args=[creator_list.pk])).status_code == 404


# Export


def test_list_export_has_the_list_columns_and_is_recorded(client, paying):
    ana = make_creator(handle="ana", display_name="=HYPERLINK(\"x\")", followers=12_000,
                       emails=[{"address": "ana@studio.co", "source": "bio"},
                               {"address": "hi@ana.co", "source": "link"}], has_email=True)
    ben = make_creator(handle="ben", display_name="Ben Lee", followers=None, engagement_rate=None,
                       platform="youtube", profile_url="https://www.youtube.com/@ben")
    creator_list = make_list(paying, [ana, ben], name="Spring Launch", bucket_labels={"contacted": "Emailed"})
    list_item_move(creator_list=creator_list, actor=paying, item_id=item_of(creator_list, "ben").pk,
                   bucket=Bucket.CONTACTED)
    list_item_update(creator_list=creator_list, actor=paying, item_id=item_of(creator_list, "ana").pk,
                     notes="+ send samples")
    client.force_login(paying)

    response = client.post(reverse("list_export_start", args=[creator_list.pk]), follow=True)

    table = read_csv(response)
    assert f"spring-launch-{timezone.localdate().isoformat()}.csv" in response["Content-Disposition"]
    # The same columns, in the same order, as a search's or a campaign's CSV.
    assert table[0] == list(HEADER)
    rows = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
    listed = ("Username", "Display name", "Platform", "Profile URL", "List stage", "Followers", "Engagement rate",
              "Bio", "Emails", "Email source", "Notes", "Post URL", "Keyword")
    assert [[row[column] for column in listed] for row in rows] == [
        ["ana", "'=HYPERLINK(\"x\")", "TikTok", "https://www.tiktok.com/@ana", "Backlog", "12000", "3.25",
         ana.bio, "ana@studio.co; hi@ana.co", "bio; link", "'+ send samples", "", ""],
        ["ben", "Ben Lee", "YouTube", "https://www.youtube.com/@ben", "Emailed", "", "", ben.bio, "", "", "", "", ""],
    ]
    export = ListExport.objects.get()
    assert (export.user, export.row_count, export.filters) == (paying, 2, {})


def test_list_export_follows_the_filters_and_shows_in_the_history(client, paying):
    creators = [make_creator(has_email=n < 2, emails=[{"address": f"c{n}@x.co", "source": "bio"}] if n < 2 else [])
                for n in range(5)]
    creator_list = make_list(paying, creators)
    client.force_login(paying)

    table = read_csv(client.post(f'{reverse("list_export_start", args=[creator_list.pk])}?has_email=on', follow=True))
    history = client.get(reverse("list_exports", args=[creator_list.pk])).content.decode()

    assert len(table) == 3
    assert ListExport.objects.get().filters == {"has_email": True}
    assert "has email" in history and paying.email in history


def test_list_export_get_of_the_file_url_records_nothing(client, paying):
    creator_list = make_list(paying, [make_creator(), make_creator()])
    client.force_login(paying)

    assert client.get(reverse("list_export", args=[creator_list.pk])).status_code == 302
    assert not ListExport.objects.exists()
    download = client.post(reverse("list_export_start", args=[creator_list.pk]))["Location"]
    assert len(read_csv(client.get(download))) == 3 and len(read_csv(client.get(download))) == 3
    assert ListExport.objects.count() == 1


def test_list_export_needs_the_csv_feature(client, paying):
    from billing.models import SubscriptionPlan

    creator_list = make_list(paying, [make_creator()])
    SubscriptionPlan.objects.filter(plan_key="viral_surge").update(features=[])
    client.force_login(paying)

    response = client.post(reverse("list_export_start", args=[creator_list.pk]), follow=True)

    assert "CSV export is not included in your Viral Surge plan." in response.content.decode()
    assert not ListExport.objects.exists()


# Pages


def test_list_board_shows_buckets_cards_and_filters(client, paying):
    tiktok = make_creator(handle="ana", has_email=True, emails=[{"address": "a@x.co", "source": "bio"}])
    youtube = make_creator(handle="ben", platform="youtube")
    creator_list = make_list(paying, [tiktok, youtube], bucket_labels={"booked": "Signed"})
    list_item_move(creator_list=creator_list, actor=paying, item_id=item_of(creator_list, "ben").pk,
                   bucket=Bucket.SHORTLIST)
    client.force_login(paying)
    url = reverse("list_board", args=[creator_list.pk])

    page = client.get(url).content.decode()
    assert "Signed" in page and page.index("@ana") < page.index("@ben")
    assert page.count('<li class="board-card') == 2

    by_platform = client.get(url, {"platform": "youtube"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-view")
    assert by_platform.content.decode().startswith('<div id="list-view"')
    assert "@ben" in by_platform.content.decode() and "@ana" not in by_platform.content.decode()
    with_email = client.get(url, {"has_email": "on"}).content.decode()
    assert "@ana" in with_email and "@ben" not in with_email
    shortlist = client.get(url, {"bucket": "shortlist"}).context["columns"]
    assert [column.bucket for column in shortlist] == ["shortlist"]


def test_list_filters_carry_into_the_export_link_and_the_view_tabs(client, paying):
    creator_list = make_list(paying, [make_creator()])
    client.force_login(paying)

    response = client.get(reverse("list_table", args=[creator_list.pk]), {"bucket": "contacted", "has_email": "on"},
                          HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-view")

    page = response.content.decode()
    export = f'action="{reverse("list_export_start", args=[creator_list.pk])}?bucket=contacted&amp;has_email=on" hx-swap-oob'
    assert export in page
    assert f'href="{reverse("list_board", args=[creator_list.pk])}?bucket=contacted&amp;has_email=on"' in page


def test_list_board_drop_answers_with_the_redrawn_board(client, paying):
    creator_list = make_list(paying, [make_creator(handle=h) for h in ("ana", "ben", "cleo")])
    client.force_login(paying)

    response = client.post(reverse("list_move", args=[creator_list.pk]), {
        "item": item_of(creator_list, "cleo").pk, "bucket": "contacted", "before": ""}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response.content.decode().startswith('<div id="list-view"')
    assert [column.items[0].creator.handle for column in response.context["columns"] if column.items] == \
        ["ana", "cleo"]
    assert board(creator_list) == {"backlog": ["ana", "ben"], "contacted": ["cleo"]}


def test_list_board_drop_of_a_removed_card_explains_and_redraws(client, paying):
    creator_list = make_list(paying, [make_creator(handle="ana")])
    gone = item_of(creator_list, "ana").pk
    list_items_remove(creator_list=creator_list, actor=paying, item_ids=[gone])
    client.force_login(paying)

    response = client.post(reverse("list_move", args=[creator_list.pk]), {"item": gone, "bucket": "booked"},
                           HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "That creator is not on this list." in response.content.decode()


def test_list_board_card_steps_up_and_down_its_bucket_and_says_where_it_is(client, paying):
    creator_list = make_list(paying, [make_creator(handle=h) for h in ("ana", "ben", "cleo")])
    client.force_login(paying)
    move = reverse("list_move", args=[creator_list.pk])
    cleo = item_of(creator_list, "cleo").pk

    up = client.post(move, {"item": cleo, "bucket": "backlog", "position": 1}, HTTP_HX_REQUEST="true")
    assert board(creator_list) == {"backlog": ["ana", "cleo", "ben"]}
    assert 'data-announce="Moved @cleo to Backlog, 2 of 3."' in up.content.decode()
    client.post(move, {"item": cleo, "bucket": "backlog", "position": 0}, HTTP_HX_REQUEST="true")
    assert board(creator_list) == {"backlog": ["cleo", "ana", "ben"]}
    # Without scripts the same buttons post a plain form, and the page says it as a message.
    down = client.post(move, {"item": cleo, "bucket": "backlog", "position": 1}, follow=True)
    assert board(creator_list) == {"backlog": ["ana", "cleo", "ben"]}
    assert "Moved @cleo to Backlog, 2 of 3." in down.content.decode()
    # Past the end is the end; a place that is not a number moves nothing.
    client.post(move, {"item": cleo, "bucket": "backlog", "position": 99}, HTTP_HX_REQUEST="true")
    assert board(creator_list) == {"backlog": ["ana", "ben", "cleo"]}
    bad = client.post(move, {"item": cleo, "bucket": "backlog", "position": "-1"}, HTTP_HX_REQUEST="true")
    assert "That move was not understood" in bad.content.decode()
    assert board(creator_list) == {"backlog": ["ana", "ben", "cleo"]}


def test_list_table_bulk_move_by_htmx_redraws_the_table_and_says_what_moved(client, paying):
    creator_list = make_list(paying, [make_creator(handle=h) for h in ("ana", "ben", "cleo")])
    client.force_login(paying)
    bulk = reverse("list_bulk", args=[creator_list.pk])

    moved = client.post(f"{bulk}?bucket=backlog", {"action": "move", "bucket": "booked",
                                                   "item": [item_of(creator_list, "ben").pk]}, HTTP_HX_REQUEST="true")
    page = moved.content.decode()
    assert moved.status_code == 200 and page.startswith('<div id="list-view"')
    assert 'data-announce="Moved 1 creator to Booked."' in page
    # The redrawn table keeps the filter it was posted from: ben is no longer in the backlog.
    assert "@ana" in page and "@ben" not in page
    nothing = client.post(bulk, {"action": "move", "bucket": "booked"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-announce="Select at least one creator."' in nothing and 'role="alert"' in nothing


def test_list_table_edits_bucket_notes_and_pin_inline_and_in_bulk(client, paying):
    creators = [make_creator(handle=h) for h in ("ana", "ben", "cleo")]
    creator_list = make_list(paying, creators)
    client.force_login(paying)
    ana = item_of(creator_list, "ana")
    edit = reverse("list_item_edit", args=[creator_list.pk, ana.pk])

    row = client.post(edit, {"bucket": "booked"}, HTTP_HX_REQUEST="true").content.decode()
    client.post(edit, {"notes": "Asked for rates"}, HTTP_HX_REQUEST="true")
    client.post(edit, {"pinned": "1"}, HTTP_HX_REQUEST="true")
    bulk = client.post(reverse("list_bulk", args=[creator_list.pk]), {
        "action": "move", "bucket": "shortlist",
        "item": [item_of(creator_list, "ben").pk, item_of(creator_list, "cleo").pk]}, follow=True)

    ana.refresh_from_db()
    assert row.startswith(f'<tr id="item-{ana.pk}"')
    assert (ana.bucket, ana.notes, ana.pinned) == ("booked", "Asked for rates", True)
    assert "Moved 2 creators to Shortlist." in bulk.content.decode()
    assert board(creator_list) == {"booked": ["ana"], "shortlist": ["ben", "cleo"]}
    table = client.get(reverse("list_table", args=[creator_list.pk])).content.decode()
    assert "Asked for rates" in table and 'aria-pressed="true"' in table


def test_list_index_shows_owned_and_shared_lists_with_bucket_counts(client, paying, make_subscriber):
    friend = make_subscriber(email="friend@agency.com")
    mine = make_list(paying, [make_creator(), make_creator()], name="Mine")
    list_item_move(creator_list=mine, actor=paying, item_id=CreatorListItem.objects.filter(
        creator_list=mine).first().pk, bucket=Bucket.BOOKED)
    theirs = make_list(friend, name="Theirs")
    share(theirs, paying, "viewer")
    make_list(make_subscriber(), name="Not mine")
    client.force_login(paying)

    response = client.get(reverse("list_index"))

    page = response.content.decode()
    assert "Mine" in page and "Theirs" in page and "Not mine" not in page
    assert "Shared by friend@agency.com · viewer" in page
    listed = {creator_list.name: creator_list for creator_list in response.context["page"]}
    assert [(key, count) for key, _label, count in listed["Mine"].bucket_counts] == [
        ("backlog", 1), ("shortlist", 0), ("contacted", 0), ("booked", 1)]
    assert 'title="Booked">Booked <b>1</b>' in page


def test_list_index_reads_a_page_of_lists_in_a_fixed_number_of_queries(client, paying):
    make_list(paying, [make_creator()], name="First")
    client.force_login(paying)
    client.get(reverse("list_index"))  # the session and subscription, as any page before it would
    with CaptureQueriesContext(connection) as one_list:
        client.get(reverse("list_index"))
    for n in range(4):
        make_list(paying, [make_creator(), make_creator()], name=f"More {n}")

    with CaptureQueriesContext(connection) as five_lists:
        response = client.get(reverse("list_index"))

    assert len(response.context["page"].object_list) == 5
    assert len(five_lists) == len(one_list)


def test_list_new_page_creates_a_list_with_renamed_buckets(client, paying):
    client.force_login(paying)

    response = client.post(reverse("list_new"), {
        "name": "Q2 outreach", "description": "", "list_type": "research", "tags": "skincare, Q2, skincare",
        "bucket_booked": "Signed"})

    creator_list = CreatorList.objects.get()
    assert response.url == reverse("list_board", args=[creator_list.pk])
    assert (creator_list.list_type, creator_list.tags, creator_list.bucket_labels) == (
        "research", ["skincare", "Q2"], {"booked": "Signed"})


def test_dashboard_shows_favorites_recent_lists_and_bucket_counts(client, paying, make_subscriber):
    creators = [make_creator(handle=h) for h in ("ana", "ben", "cleo")]
    creator_list = make_list(paying, creators, name="Spring picks")
    list_item_move(creator_list=creator_list, actor=paying, item_id=item_of(creator_list, "ben").pk,
                   bucket=Bucket.CONTACTED)
    list_item_update(creator_list=creator_list, actor=paying, item_id=item_of(creator_list, "cleo").pk,
                     pinned=True)
    archived = make_list(paying, [make_creator()], name="Old")
    list_archive(creator_list=archived)
    client.force_login(paying)

    response = client.get(reverse("dashboard"))

    page = response.content.decode()
    overview = response.context["lists"]
    assert [item.creator.handle for item in overview.pinned] == ["cleo"]
    assert dict((key, count) for key, _label, count in overview.buckets) == {
        "backlog": 2, "shortlist": 0, "contacted": 1, "booked": 0}
    assert "Spring picks" in page and "@cleo" in page and "Old" not in page
    assert list_overview(user=make_subscriber()).list_count == 0


def test_list_recently_changed_comes_first(paying):
    older = make_list(paying, name="Older")
    make_list(paying, name="Newer")
    CreatorList.objects.filter(pk=older.pk).update(updated_at=timezone.now() + timedelta(minutes=1))

    assert [creator_list.name for creator_list in list_overview(user=paying).recent] == ["Older", "Newer"]
