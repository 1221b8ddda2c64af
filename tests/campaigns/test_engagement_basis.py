"""Each engagement figure says how it was computed, on the results page and in the API."""

from decimal import Decimal

import pytest
from django.urls import reverse

from campaigns.services import campaign_create
from scraping.models import EngagementBasis, JobCreator

from .test_api import add_results, api_for, make_active, make_creator, make_search
from .test_pages import started_search

pytestmark = pytest.mark.django_db


def _creators():
    return [
        make_creator(platform="instagram", display_name="Averaged", engagement_rate=Decimal("3.10"),
                     engagement_basis=EngagementBasis.RECENT_POSTS, engagement_posts=12),
        make_creator(platform="youtube", display_name="One Video", engagement_rate=Decimal("4.75"),
                     engagement_basis=EngagementBasis.POST),
        make_creator(display_name="Lifetime", engagement_rate=Decimal("1.20"), engagement_basis=EngagementBasis.ALL_POSTS),
        make_creator(display_name="Unknown", engagement_rate=None, engagement_basis=""),
    ]


def _cells(page: str) -> dict[str, str]:
    """Each creator's row, as text from the creator's name to the end of the row."""
    rows = {}
    for name in ("Averaged", "One Video", "Lifetime", "Unknown"):
        start = page.index(f"<strong>{name}</strong>")
        rows[name] = page[start:page.index("</tr>", start)]
    return rows


def test_results_page_says_how_each_engagement_figure_was_computed(client, paying):
    campaign = campaign_create(user=paying, name="Breakfast")
    job = started_search(paying, campaign)
    add_results(job, _creators())
    client.force_login(paying)

    rows = _cells(client.get(reverse("search_detail", args=[job.pk])).content.decode())

    assert "3.1%" in rows["Averaged"] and 'title="Engagement avg of 12 recent posts">12-post avg<' in rows["Averaged"]
    assert "4.8%" in rows["One Video"] and "per post" in rows["One Video"]
    assert "avg of all posts" in rows["Lifetime"]
    assert not any(label in rows["Unknown"] for label in ("per post", "avg of"))


def test_list_table_and_board_say_how_each_engagement_figure_was_computed(client, paying):
    from .lists.support import make_list

    creator_list = make_list(paying, _creators())
    client.force_login(paying)

    table = _cells(client.get(reverse("list_table", args=[creator_list.pk])).content.decode())
    board = client.get(reverse("list_board", args=[creator_list.pk])).content.decode()

    assert 'title="Engagement avg of 12 recent posts">12-post avg<' in table["Averaged"]
    assert "per post" in table["One Video"]
    assert "avg of all posts" in table["Lifetime"]
    assert 'title="Engagement, avg of 12 recent posts"' in board and 'title="Engagement, per post"' in board


def test_api_results_carry_the_engagement_basis(make_subscriber):
    user = make_active(make_subscriber("fame_flex"))
    campaign = campaign_create(user=user, name="Breakfast")
    add_results(make_search(user, campaign), _creators())

    body = api_for(user).get(reverse("api_campaign_results", args=[campaign.pk])).json()

    by_name = {row["creator"]["display_name"]: row["creator"] for row in body["results"]}
    assert (by_name["Averaged"]["engagement_basis"], by_name["Averaged"]["engagement_posts"]) == ("recent_posts", 12)
    assert by_name["One Video"]["engagement_basis"] == "post"
    assert (by_name["Unknown"]["engagement_basis"], by_name["Unknown"]["engagement_rate"]) == ("", None)
    assert JobCreator.objects.filter(job__campaign=campaign).count() == 4
