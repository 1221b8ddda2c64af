"""Words customers read in activity and on the sharing page."""

import pytest
from django.urls import reverse

from campaigns.lists.models import CreatorList
from campaigns.services import campaign_create, campaign_search_start

pytestmark = pytest.mark.django_db


def test_campaign_activity_names_each_platform_with_its_article(client, paying):
    campaign = campaign_create(user=paying, name="Spring launch")
    for platform in ("instagram", "youtube", "tiktok"):
        campaign_search_start(user=paying, campaign=campaign, platform=platform, search_type="keyword",
                              keywords="skincare", target_results=100, dispatch=False)
    client.force_login(paying)

    page = client.get(reverse("campaign_detail", args=[campaign.pk])).content.decode()

    assert "Started an Instagram search for skincare" in page
    assert "Started a YouTube search for skincare" in page and "Started a TikTok search for skincare" in page
    assert "a Instagram" not in page and "an YouTube" not in page


def test_sharing_page_promises_viewers_exports_only_with_a_plan_of_their_own(client, paying):
    creator_list = CreatorList.objects.create(owner=paying, name="Launch shortlist")
    client.force_login(paying)

    page = client.get(reverse("list_share", args=[creator_list.pk])).content.decode()

    assert "Viewers read the list, and export it if their own plan includes CSV export." in page
    assert "Viewers read and export." not in page
