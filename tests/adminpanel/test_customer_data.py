"""Customer data in the console: every page for an operator, refused to anyone else, flat query counts,
and the audited actions support needs (restore, hand a list over, resend an invitation)."""

from collections.abc import Callable

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from adminpanel.models import AdminAction
from campaigns.lists.models import CreatorList, CreatorListItem, ListActivity, ListCollaborator, ListExport, ListRole
from campaigns.models import Campaign, CampaignActivity
from scraping.models import CreatorProfile, ScrapingJob
from tests.adminpanel.test_admin_queries import assert_flat
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _customer_workspace(owner, index: int = 0) -> CreatorList:
    campaign = Campaign.objects.create(user=owner, name=f"Spring launch {index}")
    job = ScrapingJob.objects.create(user=owner, campaign=campaign, platform="tiktok", search_type="keyword",
                                     keywords=["clean skincare"], target_results=100)
    CampaignActivity.objects.create(campaign=campaign, actor=owner, kind="search_started", message="Started", job=job)
    creator_list = CreatorList.objects.create(owner=owner, name=f"Skincare shortlist {index}")
    creator = CreatorProfile.objects.create(platform="tiktok", external_id=f"c-{owner.pk}-{index}",
                                            handle=f"miavega{owner.pk}x{index}", display_name="Mia Vega")
    CreatorListItem.objects.create(creator_list=creator_list, creator=creator, bucket="shortlist", added_by=owner)
    ListCollaborator.objects.create(creator_list=creator_list, email=f"pending{owner.pk}-{index}@agency.example",
                                    role=ListRole.VIEWER, invited_by=owner)
    ListActivity.objects.create(creator_list=creator_list, actor=owner, actor_email=owner.email, kind="added",
                                message="added @miavega")
    ListExport.objects.create(creator_list=creator_list, user=owner, row_count=1, filename="shortlist.csv")
    return creator_list


@pytest.fixture
def customer_list(db) -> CreatorList:
    return _customer_workspace(UserFactory(email="maya@lumen.example"))


def _pages(creator_list: CreatorList) -> list[str]:
    owner = creator_list.owner
    campaign = Campaign.objects.get(user=owner)
    item = creator_list.items.get()
    collaborator = creator_list.collaborators.get()
    return [
        reverse("admin:campaigns_campaign_changelist") + f"?user__id__exact={owner.pk}",
        reverse("admin:campaigns_campaign_change", args=[campaign.pk]),
        reverse("admin:lists_creatorlist_changelist") + f"?owner__id__exact={owner.pk}",
        reverse("admin:lists_creatorlist_change", args=[creator_list.pk]),
        reverse("admin:lists_creatorlist_transfer", args=[creator_list.pk]),
        reverse("admin:lists_creatorlistitem_changelist") + f"?creator_list__id__exact={creator_list.pk}",
        reverse("admin:lists_creatorlistitem_change", args=[item.pk]),
        reverse("admin:lists_listcollaborator_changelist"),
        reverse("admin:lists_listcollaborator_change", args=[collaborator.pk]),
        reverse("admin:lists_listexport_changelist"),
        reverse("admin:lists_listactivity_changelist") + f"?creator_list__id__exact={creator_list.pk}",
        reverse("admin:adminpanel_alert_changelist"),
    ]


def test_customer_data_pages_show_the_customers_data_to_an_operator(client, operator, customer_list):
    for url in _pages(customer_list):
        response = client.get(url)
        assert response.status_code == 200, url
    board = client.get(reverse("admin:lists_creatorlist_change", args=[customer_list.pk])).content.decode()
    assert "Skincare shortlist 0" in board and "maya@lumen.example" in board
    assert "Shortlist: 1" in board and "pending" in board and "shortlist.csv" in board
    campaign = client.get(reverse("admin:campaigns_campaign_change",
                                  args=[Campaign.objects.get().pk])).content.decode()
    assert "clean skincare" in campaign and "Started" in campaign


def test_customer_page_links_to_their_campaigns_and_lists(client, operator, customer_list):
    owner = customer_list.owner
    page = client.get(reverse("admin:accounts_user_change", args=[owner.pk])).content.decode()
    lists_url = reverse("admin:lists_creatorlist_changelist") + f"?owner__id__exact={owner.pk}"
    assert lists_url in page
    assert reverse("admin:campaigns_campaign_changelist") + f"?user__id__exact={owner.pk}" in page
    assert client.get(lists_url).context["cl"].result_count == 1


def test_customer_data_pages_are_refused_to_customers_and_visitors(client, customer_list):
    urls = _pages(customer_list)
    for url in urls:
        assert client.get(url, follow=True).request["PATH_INFO"] == "/accounts/login/", url
    client.force_login(customer_list.owner)
    for url in urls:
        assert client.get(url, follow=True).status_code == 403, url


def test_customer_data_is_read_only_in_the_console(client, operator, customer_list):
    change = reverse("admin:lists_creatorlist_change", args=[customer_list.pk])
    client.post(change, {"name": "Renamed by support"})
    customer_list.refresh_from_db()
    assert customer_list.name == "Skincare shortlist 0"
    assert client.get(reverse("admin:lists_creatorlist_add")).status_code == 403
    assert client.get(reverse("admin:lists_creatorlist_delete", args=[customer_list.pk])).status_code == 403


def _rows(make: Callable[[object, int], object]) -> Callable[[int], None]:
    def add(count: int) -> None:
        for index in range(count):
            make(UserFactory(), index)
    return add


@pytest.mark.parametrize("changelist", [
    "campaigns_campaign", "lists_creatorlist", "lists_creatorlistitem", "lists_listcollaborator",
    "lists_listexport", "lists_listactivity", "adminpanel_alert",
])
def test_customer_data_changelist_queries_do_not_grow_with_rows(client, operator, changelist):
    assert_flat(client, reverse(f"admin:{changelist}_changelist") + ("?state=all" if "alert" in changelist else ""),
                _rows(_customer_workspace))


def test_operator_restores_an_archived_list_and_campaign_with_audit_rows(client, operator, customer_list):
    campaign = Campaign.objects.get()
    CreatorList.objects.filter(pk=customer_list.pk).update(archived_at=timezone.now())
    Campaign.objects.filter(pk=campaign.pk).update(archived_at=timezone.now())
    client.post(reverse("admin:lists_creatorlist_changelist"),
                {"action": "restore_selected", "_selected_action": [customer_list.pk]})
    client.post(reverse("admin:campaigns_campaign_changelist"),
                {"action": "restore_selected", "_selected_action": [campaign.pk]})
    customer_list.refresh_from_db()
    campaign.refresh_from_db()
    assert customer_list.archived_at is None and campaign.archived_at is None
    entries = {entry.action: entry for entry in AdminAction.objects.filter(actor=operator)}
    assert entries["list.restore"].target_id == str(customer_list.pk)
    assert entries["campaign.restore"].target_id == str(campaign.pk)
    # Restoring what is not archived is refused and logs nothing more.
    client.post(reverse("admin:lists_creatorlist_changelist"),
                {"action": "restore_selected", "_selected_action": [customer_list.pk]})
    assert AdminAction.objects.filter(action="list.restore").count() == 1


def test_operator_gives_a_list_to_another_account_and_the_previous_owner_stays_editor(client, operator,
                                                                                     customer_list):
    colleague = UserFactory(email="sam@lumen.example")
    url = reverse("admin:lists_creatorlist_transfer", args=[customer_list.pk])
    refused = client.post(url, {"email": "nobody@lumen.example"})
    assert refused.status_code == 200 and "No account has that email address." in refused.content.decode()
    assert client.post(url, {"email": "not an email"}).status_code == 200
    response = client.post(url, {"email": "SAM@lumen.example"})
    assert response.status_code == 302
    customer_list.refresh_from_db()
    assert customer_list.owner == colleague
    previous = customer_list.collaborators.get(email="maya@lumen.example")
    assert (previous.role, previous.user.email) == (ListRole.EDITOR, "maya@lumen.example")
    entry = AdminAction.objects.get(action="list.transfer")
    assert (entry.before, entry.after) == ({"owner": "maya@lumen.example"}, {"owner": "sam@lumen.example"})
    assert customer_list.activity.filter(message__contains="gave the list to sam@lumen.example").exists()


def test_operator_resends_a_pending_invitation_once_per_click(client, operator, customer_list,
                                                             django_capture_on_commit_callbacks):
    pending = customer_list.collaborators.get()
    accepted = ListCollaborator.objects.create(creator_list=customer_list, email="sam@lumen.example",
                                               user=UserFactory(email="sam@lumen.example"), accepted_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:lists_listcollaborator_changelist"),
                    {"action": "resend_selected", "_selected_action": [pending.pk, accepted.pk]})
    assert [message.to for message in mail.outbox] == [[pending.email]]
    assert "Skincare shortlist 0" in mail.outbox[0].subject
    assert AdminAction.objects.filter(action="list.invitation_resend", target_id=str(pending.pk)).count() == 1
    assert not AdminAction.objects.filter(action="list.invitation_resend", target_id=str(accepted.pk)).exists()
