"""The results tables as a user reads them: the columns they chose (remembered for them), every detail
the engine stores in a row's details, the campaign's platform filter, and pages that refresh themselves
while searches run."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from campaigns.services import campaign_create
from scraping.models import JobCreator, JobStatus

from .test_api import add_results, make_creator, make_search

pytestmark = pytest.mark.django_db


def header_cells(html: str) -> list[str]:
    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)]


def search_with_a_rich_result(user, **job_fields):
    job = make_search(user, **job_fields)
    creator = make_creator(
        handle="ana.glow", bio="Vegan skincare, every day", links=["https://linktr.ee/ana.glow", "https://ana.shop"],
        emails=[{"address": "ana@glow.co", "source": "link", "link": "linktr.ee/ana.glow"}], has_email=True)
    JobCreator.objects.create(
        job=job, creator=creator, rank=1, keyword="vegan skincare", post_url="https://www.tiktok.com/@ana.glow/video/1",
        post_caption="My night routine", post_views=120_000, post_likes=8_400, post_comments=310, post_shares=95,
        post_hashtags=["skincare", "vegan"], post_duration_seconds=806,
        post_thumbnail_url="https://p16.tiktokcdn.example/cover.jpeg", posted_at=datetime(2026, 11, 20, tzinfo=UTC))
    job.found_count = 1
    job.save(update_fields=["found_count"])
    return job


def test_results_table_shows_the_default_columns_and_every_detail_in_the_row(client, paying):
    job = search_with_a_rich_result(paying)
    client.force_login(paying)

    page = client.get(reverse("search_detail", args=[job.pk])).content.decode()
    details_url = re.search(r'hx-get="(/results/\d+/details/)"', page)[1]
    details = client.get(details_url).content.decode()

    assert header_cells(page) == ["", "Creator", "Followers", "Eng.", "Bio", "Emails", "Post", "Details"]
    for shown in ("My night routine", "Nov 20, 2026", "120K", "8.4K", "310", "95", "13:26", "#skincare", "#vegan",
                  "linktr.ee/ana.glow", "ana.shop", "vegan skincare", "Vegan skincare, every day"):
        assert shown in details, shown
    # The email's source names the link it came from; the thumbnail comes through the image proxy.
    assert "from link: linktr.ee/ana.glow" in details
    assert re.search(r'<img src="/img/[^"]+"', details)
    assert "tiktokcdn.example" not in details.split("<img", 1)[1].split(">", 1)[0].split("?", 1)[0]


def test_result_details_open_only_for_their_owner_and_the_rows_their_plan_shows(client, paying, make_subscriber):
    job = search_with_a_rich_result(paying)
    row = JobCreator.objects.get(job=job)
    trial = make_subscriber("viral_surge")
    trial_job = make_search(trial)
    add_results(trial_job, [make_creator() for _ in range(30)])
    shown, hidden = (JobCreator.objects.get(job=trial_job, rank=rank) for rank in (25, 26))

    client.force_login(make_subscriber("viral_surge"))
    stranger = client.get(reverse("result_details", args=[row.pk]))
    client.force_login(trial)
    trial_shown = client.get(reverse("result_details", args=[shown.pk]))
    trial_hidden = client.get(reverse("result_details", args=[hidden.pk]))

    assert stranger.status_code == 404 and "ana.glow" not in stranger.content.decode()
    assert trial_shown.status_code == 200
    assert trial_hidden.status_code == 404


def test_results_columns_are_chosen_once_and_remembered_for_that_user(client, paying, make_subscriber):
    job = search_with_a_rich_result(paying)
    other = make_subscriber("viral_surge")
    client.force_login(paying)

    response = client.post(reverse("result_columns"), {
        "columns": ["likes", "posted", "followers", "links", "unknown"],
        "next": reverse("search_detail", args=[job.pk])})
    page = client.get(response.url).content.decode()
    campaign_page = client.get(reverse("campaign_results", args=[
        campaign_create(user=paying, name="Another").pk])).content.decode()
    client.force_login(other)
    others = client.get(reverse("campaign_results", args=[campaign_create(user=other, name="Mine").pk]))

    assert response.status_code == 302 and response.url == reverse("search_detail", args=[job.pk])
    # In the table's own order, whatever order they were ticked in.
    assert header_cells(page) == ["", "Creator", "Followers", "Links", "Posted", "Likes", "Details"]
    assert "8.4K" in page and "Nov 20, 2026" in page
    assert 'value="likes" checked' in campaign_page and 'value="bio" checked' not in campaign_page
    assert 'value="bio" checked' in others.content.decode()


def test_results_columns_reset_to_the_default_set(client, paying):
    job = search_with_a_rich_result(paying)
    client.force_login(paying)
    client.post(reverse("result_columns"), {"columns": ["likes"]})

    client.post(reverse("result_columns"), {"columns": ["likes"], "reset": "1"})

    page = client.get(reverse("search_detail", args=[job.pk])).content.decode()
    assert header_cells(page) == ["", "Creator", "Followers", "Eng.", "Bio", "Emails", "Post", "Details"]


def test_results_columns_from_htmx_reload_the_table_and_refuse_a_get(client, paying):
    client.force_login(paying)

    saved = client.post(reverse("result_columns"), {"columns": ["shares"]}, headers={"HX-Request": "true"})
    refused = client.get(reverse("result_columns"))
    outside = client.post(reverse("result_columns"), {"columns": ["shares"], "next": "https://evil.example/"})

    assert (saved.status_code, saved["HX-Trigger"]) == (204, "results-changed")
    assert refused.status_code == 405
    assert outside.status_code == 302 and outside.url == reverse("campaign_list")


def test_campaign_results_filter_by_platform(client, paying):
    campaign = campaign_create(user=paying, name="Launch")
    job = make_search(paying, campaign)
    add_results(job, [make_creator(handle="tik.ana"), make_creator(handle="yt.ben", platform="youtube"),
                      make_creator(handle="ig.cleo", platform="instagram")])
    client.force_login(paying)
    url = reverse("campaign_results", args=[campaign.pk])

    youtube = client.get(url, {"platform": "youtube"}).content.decode()
    everyone = client.get(url).content.decode()
    bad = client.get(url, {"platform": "myspace"})

    assert "@yt.ben" in youtube and "@tik.ana" not in youtube and "@ig.cleo" not in youtube
    assert "1</strong> creator match" in youtube
    assert all(handle in everyone for handle in ("@yt.ben", "@tik.ana", "@ig.cleo"))
    assert '<option value="youtube"' in everyone
    assert bad.status_code == 200 and "Select a valid choice." in bad.content.decode()


def test_results_page_size_takes_any_number_up_to_100(client, paying):
    job = make_search(paying)
    add_results(job, [make_creator() for _ in range(40)])
    client.force_login(paying)
    url = reverse("search_detail", args=[job.pk])

    thirty = client.get(url, {"page_size": 30}).content.decode()
    too_many = client.get(url, {"page_size": 500}).content.decode()

    assert thirty.count('data-select-row') == 30 and '<option value="30" selected>' in thirty
    assert too_many.count('data-select-row') == 25 and "less than or equal to 100" in too_many


# Live refresh


def pages_while_a_search_runs(client, url: str, job, *, target: str, found: int) -> tuple[str, str, str]:
    """The page as loaded, its poll once ``found`` creators have arrived, and its poll after the search ended."""
    poll = {"HX-Request": "true", "HX-Target": target}
    loaded = client.get(url).content.decode()
    add_results(job, [make_creator() for _ in range(found)])
    running = client.get(url, headers=poll).content.decode()
    job.status = JobStatus.COMPLETED
    job.save(update_fields=["status"])
    return loaded, running, client.get(url, headers=poll).content.decode()


def test_campaign_page_refreshes_itself_while_a_search_runs(client, paying):
    campaign = campaign_create(user=paying, name="Launch")
    job = make_search(paying, campaign, status=JobStatus.PROCESSING, found_count=0, target_results=50)
    client.force_login(paying)

    running, polled, finished = pages_while_a_search_runs(
        client, reverse("campaign_detail", args=[campaign.pk]), job, target="campaign-live", found=21)

    assert 'id="campaign-live"' in running and 'hx-trigger="every 2s"' in running
    assert "updating while 1 search runs" in running
    # The poll answers the live part alone: the counts as they are now, and the campaign's status.
    assert "<html" not in polled and "21 / 50" in polled and 'hx-trigger="every 2s"' in polled
    assert 'id="campaign-status"' in polled and 'hx-swap-oob="true"' in polled and ">Active<" in polled
    assert "hx-trigger" not in finished.split(">", 1)[0] and ">Completed<" in finished


def test_campaign_all_creators_refreshes_while_a_search_runs_and_stops_after(client, paying):
    campaign = campaign_create(user=paying, name="Launch")
    job = make_search(paying, campaign, status=JobStatus.PROCESSING, found_count=0)
    client.force_login(paying)

    before, polled, after = pages_while_a_search_runs(
        client, reverse("campaign_results", args=[campaign.pk]), job, target="results", found=3)

    assert "results-changed from:body, every 2s" in before
    assert "<strong>3</strong> creators" in polled and "Updating while 1 search runs" in polled
    assert "every 2s" not in after and "<strong>3</strong> creators" in after


def test_search_page_table_reload_brings_the_progress_bar_with_the_same_count(client, paying):
    job = make_search(paying, status=JobStatus.PROCESSING, found_count=0, target_results=100)
    client.force_login(paying)
    add_results(job, [make_creator() for _ in range(38)])

    table = client.get(reverse("search_detail", args=[job.pk]),
                       headers={"HX-Request": "true", "HX-Target": "results"}).content.decode()

    assert "<strong>38</strong> creators" in table
    progress = table.split('id="progress"', 1)[1]
    assert 'hx-swap-oob="true"' in progress.split(">", 1)[0]
    assert "<strong>38</strong> / 100 creators" in progress
