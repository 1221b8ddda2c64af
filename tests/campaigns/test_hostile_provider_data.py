"""Data from outside (the provider, a creator's profile) cannot become a script link or a spreadsheet formula."""

import pytest
from django.urls import reverse

from campaigns.exports import search_export_response
from campaigns.lists.exports import list_export_response
from campaigns.lists.services import list_item_update
from campaigns.services import campaign_create
from influencer_platform.http import web_url
from scraping.models import JobCreator

from tests.adminpanel.conftest import operator  # noqa: F401  (fixture)

from .lists.support import make_creator, make_list, read_csv
from .test_pages import make_results, started_search

pytestmark = pytest.mark.django_db

HOSTILE = ["javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "data:text/html,x",
           "vbscript:x", "//evil.example/x", "java\nscript:alert(1)", "https:///nohost"]


@pytest.mark.parametrize("url", HOSTILE)
def test_web_url_refuses_anything_but_an_http_address(url):
    assert web_url(url) == ""


def test_web_url_keeps_web_addresses():
    assert [web_url(url) for url in ("https://www.tiktok.com/@ana", "http://linktr.ee/ana")] == [
        "https://www.tiktok.com/@ana", "http://linktr.ee/ana"]


def test_results_board_table_and_dashboard_never_link_a_script_address(client, paying):
    campaign = campaign_create(user=paying, name="Glow")
    job = started_search(paying, campaign)
    make_results(job, 2)
    row = JobCreator.objects.filter(job=job).select_related("creator").first()
    row.creator.profile_url = "javascript:alert(document.cookie)"
    row.creator.save()
    JobCreator.objects.filter(pk=row.pk).update(post_url="javascript:alert(2)")
    creator_list = make_list(paying, [row.creator])
    list_item_update(creator_list=creator_list, actor=paying, item_id=creator_list.items.get().pk,
                     pinned=True)
    client.force_login(paying)

    pages = [client.get(url).content.decode() for url in (
        reverse("search_detail", args=[job.pk]), reverse("list_board", args=[creator_list.pk]),
        reverse("list_table", args=[creator_list.pk]), reverse("dashboard"))]

    for page in pages:
        assert "javascript:" not in page
    assert row.creator.display_name in pages[0] and row.creator.display_name in pages[1]


def test_admin_never_links_a_script_address(client, operator):
    creator = make_creator(profile_url="javascript:alert(1)")

    page = client.get(reverse("admin:scraping_creatorprofile_change", args=[creator.pk])).content.decode()

    assert 'href="javascript:' not in page


def test_csv_platform_cells_are_neutralised_in_search_and_list_exports(paying):
    campaign = campaign_create(user=paying, name="Glow")
    job = started_search(paying, campaign)
    make_results(job, 1)
    creator = JobCreator.objects.get(job=job).creator
    type(creator).objects.filter(pk=creator.pk).update(platform="=SUM(1+1)*cmd")
    creator_list = make_list(paying, [creator])

    search_rows = read_csv(search_export_response(user=paying, job_id=job.pk))
    list_rows = read_csv(list_export_response(user=paying, list_id=creator_list.pk))

    assert search_rows[1][0] == list_rows[1][2] == "'=SUM(1+1)*cmd"
