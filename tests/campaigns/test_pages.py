"""Campaign, search wizard and results pages as a signed-in user sees them."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.selectors import campaign_get
from campaigns.services import campaign_archive, campaign_create, campaign_search_start
from scraping.models import CreatorProfile, JobCreator, JobStatus, ScrapingJob
from scraping.services import job_cancel
from tests.factories import JobCreatorFactory

pytestmark = pytest.mark.django_db


def make_results(job: ScrapingJob, count: int, *, emails_every: int = 3) -> None:
    profiles = CreatorProfile.objects.bulk_create([
        CreatorProfile(platform=job.platform, external_id=f"{job.pk}-{n}", handle=f"creator{n:03d}",
                       display_name=f"Creator {n:03d}", followers=1000 * n, bio=f"bio of creator {n}",
                       emails=[{"address": f"c{n}@studio.co", "source": "bio"}] if n % emails_every == 0 else [],
                       has_email=n % emails_every == 0, verified=n % 10 == 0)
        for n in range(1, count + 1)
    ])
    JobCreator.objects.bulk_create([
        JobCreator(job=job, creator=profile, keyword="skincare", rank=rank)
        for rank, profile in enumerate(profiles, start=1)
    ])
    ScrapingJob.objects.filter(pk=job.pk).update(found_count=count, status=JobStatus.COMPLETED)


def started_search(user, campaign, target=100) -> ScrapingJob:
    return campaign_search_start(user=user, campaign=campaign, platform="tiktok", search_type="keyword",
                                 keywords="skincare", target_results=target, dispatch=False)


def test_campaign_status_moves_from_draft_to_archived(paying):
    campaign = campaign_create(user=paying, name="Spring launch")
    assert campaign_get(user=paying, campaign_id=campaign.pk).status == "draft"

    job = started_search(paying, campaign)
    assert campaign_get(user=paying, campaign_id=campaign.pk).status == "active"

    job_cancel(job=job)
    assert campaign_get(user=paying, campaign_id=campaign.pk).status == "completed"

    another = started_search(paying, campaign)
    assert campaign_get(user=paying, campaign_id=campaign.pk).status == "active"
    job_cancel(job=another)
    assert campaign_get(user=paying, campaign_id=campaign.pk).status == "completed"

    campaign_archive(campaign=campaign, actor=paying)
    assert campaign_get(user=paying, campaign_id=campaign.pk).status == "archived"


def test_campaign_archive_cancels_running_searches_and_blocks_new_ones(client, paying):
    campaign = campaign_create(user=paying, name="Spring launch")
    job = started_search(paying, campaign)
    client.force_login(paying)

    client.post(reverse("campaign_archive", args=[campaign.pk]))
    response = client.post(reverse("search_new", args=[campaign.pk]), {"tile": "tiktok:keyword"})

    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert response.status_code == 302
    assert ScrapingJob.objects.count() == 1


def test_campaign_list_filters_searches_and_sorts(client, paying):
    for name in ("Zebra drop", "apple launch", "Mango season"):
        campaign_create(user=paying, name=name)
    archived = campaign_create(user=paying, name="Old winter")
    campaign_archive(campaign=archived, actor=paying)
    client.force_login(paying)

    default = client.get(reverse("campaign_list"), {"sort": "name"}).content.decode()
    assert default.index("apple launch") < default.index("Mango season") < default.index("Zebra drop")
    assert "Old winter" not in default
    assert "Old winter" in client.get(reverse("campaign_list"), {"status": "archived"}).content.decode()
    searched = client.get(reverse("campaign_list"), {"q": "mango"}).content.decode()
    assert "Mango season" in searched and "Zebra drop" not in searched


def test_campaign_list_survives_odd_searches_and_pages_keep_them(client, make_subscriber):
    user = make_subscriber("fame_flex")
    for n in range(25):
        campaign_create(user=user, name=f"R&D sprint {n:02d}")
    client.force_login(user)

    nul = client.get(reverse("campaign_list"), {"q": "R&D\x00"})
    first = client.get(reverse("campaign_list"), {"q": "R&D", "sort": "name"})

    assert nul.status_code == 200
    assert "q=R%26D" in first.content.decode()
    second = client.get(reverse("campaign_list"), {"q": "R&D", "sort": "name", "page": 2}).content.decode()
    assert "R&amp;D sprint 24" in second and "R&amp;D sprint 00" not in second


def test_campaign_edit_page_saves_the_changes_and_logs_them(client, paying):
    campaign = campaign_create(user=paying, name="Spring launch")
    client.force_login(paying)

    response = client.post(reverse("campaign_edit", args=[campaign.pk]), {
        "name": "Autumn launch", "description": "Cosy skincare", "search_type": "similar"})

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.description, campaign.search_type) == ("Autumn launch", "Cosy skincare", "similar")
    assert campaign.activity.first().message == "Changed the name, description, search type"
    assert 'value="Autumn launch"' in client.get(reverse("campaign_edit", args=[campaign.pk])).content.decode()


def test_campaign_create_page_refuses_past_the_plan_limit(client, make_subscriber):
    user = make_subscriber("glow_up")
    for n in range(3):
        campaign_create(user=user, name=f"Campaign {n}")
    client.force_login(user)

    response = client.post(reverse("campaign_new"), {"name": "Fourth", "search_type": "keyword"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "includes 3 campaigns and you have 3: delete one you no longer need" in page
    assert "Viral Surge" in page
    assert Campaign.objects.filter(user=user).count() == 3


def test_campaign_create_page_names_an_unlimited_plan_as_unlimited(client, make_subscriber):
    user = make_subscriber("viral_surge")
    for n in range(10):
        campaign_create(user=user, name=f"Campaign {n}")
    client.force_login(user)

    page = client.get(reverse("campaign_new")).content.decode()

    assert "The Fame Flex plan includes unlimited campaigns." in page
    assert "-1" not in page


def test_campaign_create_page_explains_a_missing_name(client, paying):
    client.force_login(paying)
    response = client.post(reverse("campaign_new"), {"name": "  ", "search_type": "keyword"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_wizard_starts_a_search_and_shows_its_page(client, paying):
    campaign = campaign_create(user=paying, name="Spring launch")
    client.force_login(paying)

    response = client.post(reverse("search_new", args=[campaign.pk]), {
        "tile": "instagram:similar", "username": "https://www.instagram.com/Chef.Lena/", "target": "500",
    })

    job = ScrapingJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("search_detail", args=[job.pk])
    assert (job.platform, job.search_type, job.target_username, job.target_results) == (
        "instagram", "similar", "chef.lena", 500)
    assert job.campaign == campaign
    page = client.get(response.url).content.decode()
    assert "@chef.lena" in page and "Cancel search" in page


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"tile": "tiktok:keyword", "keywords": " , ", "target": "100"}, "keywords", "Enter at least one keyword."),
    ({"tile": "tiktok:keyword", "keywords": ",".join(f"k{n}" for n in range(12)), "target": "100"},
     "keywords", "Use at most 10 keywords per search."),
    ({"tile": "youtube:similar", "username": "https://www.youtube.com/watch?v=abc", "target": "100"},
     "username", "Enter a username such as @creator"),
    ({"tile": "tiktok:keyword", "keywords": "skincare", "target": "custom"}, "custom_target",
     "Enter how many creators to find."),
    ({"tile": "tiktok:keyword", "keywords": "skincare"}, "target", "This field is required."),
    ({"tile": "snapchat:keyword", "keywords": "skincare", "target": "100"}, "tile", "Select a valid choice."),
    ({"tile": "tiktok:similar", "username": "https://www.instagram.com/chef.lena/", "target": "100"},
     "username", "That link is not a TikTok profile."),
    ({"tile": "instagram:similar", "username": "youtube.com/@chef.lena", "target": "100"},
     "username", "That link is not an Instagram profile."),
    ({"tile": "tiktok:similar", "username": "https://vm.tiktok.com/ZMabc123/", "target": "100"},
     "username", "That is a share link to a post."),
    ({"tile": "youtube:similar", "username": "https://youtu.be/dQw4w9WgXcQ", "target": "100"},
     "username", "That is a share link to a post."),
])
def test_wizard_puts_each_mistake_next_to_its_field(client, paying, data, field, message):
    campaign = campaign_create(user=paying, name="Spring launch")
    client.force_login(paying)

    response = client.post(reverse("search_new", args=[campaign.pk]), data)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not ScrapingJob.objects.exists()


@pytest.mark.parametrize(("tile", "username", "handle"), [
    ("tiktok:similar", "https://www.tiktok.com/@Glow.Ana/video/7301", "glow.ana"),
    ("tiktok:similar", "@Glow.Ana", "glow.ana"),
    ("instagram:similar", "instagram.com/glow_ana/?hl=en", "glow_ana"),
    ("youtube:similar", "https://m.youtube.com/@GlowAna", "glowana"),
])
def test_wizard_reads_handles_and_profile_links_of_the_chosen_platform(client, paying, tile, username, handle):
    campaign = campaign_create(user=paying, name="Spring launch")
    client.force_login(paying)

    client.post(reverse("search_new", args=[campaign.pk]), {"tile": tile, "username": username, "target": "100"})

    assert ScrapingJob.objects.get().target_username == handle


@pytest.mark.parametrize("custom", ["abc", "0", "-5", "1e3"])
def test_wizard_gives_one_message_for_a_bad_custom_number(client, paying, custom):
    campaign = campaign_create(user=paying, name="Spring launch")
    client.force_login(paying)

    response = client.post(reverse("search_new", args=[campaign.pk]), {
        "tile": "tiktok:keyword", "keywords": "skincare", "target": "custom", "custom_target": custom})

    assert len(response.context["form"].errors["custom_target"]) == 1
    assert "Enter how many creators to find." not in response.content.decode()
    assert not ScrapingJob.objects.exists()


def test_wizard_refuses_a_target_beyond_the_remaining_quota(client, make_subscriber):
    user = make_subscriber("glow_up")
    user.usage.creators_used_this_month = 700
    user.usage.save()
    campaign = campaign_create(user=user, name="Spring launch")
    client.force_login(user)

    response = client.post(reverse("search_new", args=[campaign.pk]), {
        "tile": "tiktok:keyword", "keywords": "skincare", "target": "500"})

    page = response.content.decode()
    assert "You have 300 creators left this month" in page
    assert "700 of 1,000 creators used this month, 300 left" in " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Upgrade to Viral Surge" in page
    assert not ScrapingJob.objects.exists()


def test_search_page_paginates_sorts_and_filters(client, paying):
    campaign = campaign_create(user=paying, name="Spring launch")
    job = started_search(paying, campaign, target=120)
    make_results(job, 120)
    client.force_login(paying)
    url = reverse("search_detail", args=[job.pk])

    first = client.get(url, {"page_size": 50})
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.num_pages == 3

    by_followers = client.get(url, {"sort": "followers"}).context["page"].object_list
    assert by_followers[0].creator.handle == "creator120"

    with_email = client.get(url, {"has_email": "on", "min_followers": 60000, "page_size": 100})
    rows = with_email.context["page"].object_list
    assert with_email.context["total"] == 21
    assert all(row.creator.has_email and row.creator.followers >= 60000 for row in rows)

    text = client.get(url, {"q": "creator007"}).context["page"].object_list
    assert [row.creator.handle for row in text] == ["creator007"]


def test_search_page_reports_bad_filters_without_failing(client, paying):
    job = started_search(paying, campaign_create(user=paying, name="Spring launch"))
    make_results(job, 30)
    client.force_login(paying)

    response = client.get(reverse("search_detail", args=[job.pk]),
                          {"min_followers": "lots", "max_followers": 5, "page": "x"})

    assert response.status_code == 200
    assert "Enter a whole number." in response.content.decode()


def test_search_results_partial_for_htmx(client, paying):
    job = started_search(paying, campaign_create(user=paying, name="Spring launch"))
    make_results(job, 30)
    client.force_login(paying)

    response = client.get(reverse("search_detail", args=[job.pk]), {"has_email": "on"},
                          HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")

    page = response.content.decode()
    assert page.startswith('<div id="results"')
    assert "<html" not in page
    assert response.context["total"] == 10


def test_trial_users_see_the_first_25_rows(client, make_subscriber):
    user = make_subscriber("viral_surge")
    job = started_search(user, campaign_create(user=user, name="Spring launch"))
    make_results(job, 60)
    client.force_login(user)

    response = client.get(reverse("search_detail", args=[job.pk]), {"page_size": 100})

    page = response.content.decode()
    assert len(response.context["page"].object_list) == 25
    assert "35 more creators found." in page
    assert "creator026" not in page and "creator025" in page


def test_trial_sorting_and_filtering_choose_among_the_first_25_rows(client, make_subscriber):
    user = make_subscriber("viral_surge")
    job = started_search(user, campaign_create(user=user, name="Spring launch"))
    make_results(job, 60)
    client.force_login(user)
    url = reverse("search_detail", args=[job.pk])

    by_followers = client.get(url, {"sort": "followers", "page_size": 100})
    with_email = client.get(url, {"has_email": "on", "page_size": 100})

    assert [row.handle for row in by_followers.context["rows"]][:2] == ["creator025", "creator024"]
    assert "creator060" not in by_followers.content.decode()
    # 20 of the 60 have an email, 8 of them among the first 25: the other 12 wait for a plan.
    assert [row.handle for row in with_email.context["rows"]] == [f"creator{n:03d}" for n in range(3, 25, 3)]
    assert "12 more creators found." in with_email.content.decode()


def test_progress_polls_while_running_and_stops_when_done(client, paying):
    job = started_search(paying, campaign_create(user=paying, name="Spring launch"))
    client.force_login(paying)
    url = reverse("search_progress", args=[job.pk])

    running = client.get(url, {"seen": 0}, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' in running.content.decode()
    assert "HX-Trigger" not in running

    make_results(job, 100)
    finished = client.get(url, {"seen": 0}, HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in finished.content.decode()
    assert finished["HX-Trigger"] == "results-changed"


def test_progress_ignores_a_found_count_it_cannot_read(client, paying):
    job = started_search(paying, campaign_create(user=paying, name="Spring launch"))
    client.force_login(paying)

    response = client.get(reverse("search_progress", args=[job.pk]), {"seen": "9" * 5000})

    assert response.status_code == 200
    assert "HX-Trigger" not in response


def test_search_cancel_from_the_page(client, paying):
    job = started_search(paying, campaign_create(user=paying, name="Spring launch"))
    client.force_login(paying)

    response = client.post(reverse("search_cancel", args=[job.pk]), follow=True)

    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert "Search cancelled" in response.content.decode()
    again = client.post(reverse("search_cancel", args=[job.pk]), follow=True)
    assert "already ended" in again.content.decode()


def test_campaign_results_show_each_creator_once(client, paying):
    campaign = campaign_create(user=paying, name="Spring launch")
    first, second = started_search(paying, campaign), started_search(paying, campaign)
    make_results(first, 10)
    for rank, row in enumerate(JobCreator.objects.filter(job=first)[:4], start=1):
        JobCreatorFactory(job=second, creator=row.creator, keyword="makeup", rank=rank)
    client.force_login(paying)

    response = client.get(reverse("campaign_results", args=[campaign.pk]))

    assert response.context["total"] == 10


def test_campaign_detail_shows_each_search_with_its_duration_and_the_activity_not_provider_credits(client, paying):
    campaign = campaign_create(user=paying, name="Spring launch")
    finished, queued = started_search(paying, campaign), started_search(paying, campaign, target=500)
    now = timezone.now()
    ScrapingJob.objects.filter(pk=finished.pk).update(
        status=JobStatus.COMPLETED, found_count=100, credits_spent=1234,
        started_at=now - timedelta(seconds=4520), finished_at=now)
    client.force_login(paying)

    page = client.get(reverse("campaign_detail", args=[campaign.pk])).content.decode()

    assert "100 / 100" in page and "0 / 500" in page
    assert "1,234" not in page and "Credits" not in page  # the data provider's credits are the console's
    assert "1 h 15 min" in page
    assert "Started a TikTok search for skincare (500 creators)" in page
    assert "TikTok search for skincare completed: 100 of 100 creators" in page
    assert queued.started_at is None


@pytest.mark.parametrize("name", ["campaign_detail", "campaign_edit", "campaign_results", "search_new",
                                  "campaign_export"])
def test_other_users_campaigns_are_not_found(client, paying, make_subscriber, name):
    stranger = make_subscriber()
    campaign = campaign_create(user=stranger, name="Their launch")
    client.force_login(paying)

    assert client.get(reverse(name, args=[campaign.pk])).status_code == 404


@pytest.mark.parametrize(("name", "method"), [("search_detail", "get"), ("search_progress", "get"),
                                              ("search_cancel", "post"), ("search_export", "get")])
def test_other_users_searches_are_not_found(client, paying, make_subscriber, name, method):
    stranger = make_subscriber()
    job = started_search(stranger, campaign_create(user=stranger, name="Their launch"))
    client.force_login(paying)

    response = getattr(client, method)(reverse(name, args=[job.pk]))

    assert response.status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING


def test_other_users_cannot_archive_or_delete(client, paying, make_subscriber):
    stranger = make_subscriber()
    campaign = campaign_create(user=stranger, name="Their launch")
    client.force_login(paying)

    assert client.post(reverse("campaign_archive", args=[campaign.pk])).status_code == 404
    assert client.post(reverse("campaign_delete", args=[campaign.pk])).status_code == 404
    assert Campaign.objects.filter(pk=campaign.pk, archived_at__isnull=True).exists()


def test_export_needs_the_csv_feature(client, paying):
    job = started_search(paying, campaign_create(user=paying, name="Spring launch"))
    make_results(job, 5)
    plan = paying.subscription
    from billing.models import SubscriptionPlan

    SubscriptionPlan.objects.filter(plan_key=plan.current_plan).update(features=[])
    client.force_login(paying)

    response = client.get(reverse("search_export", args=[job.pk]), follow=True)

    assert "CSV export is not included in your Viral Surge plan." in response.content.decode()


def test_export_from_the_page_downloads_csv(client, paying):
    campaign = campaign_create(user=paying, name="Spring launch")
    job = started_search(paying, campaign)
    make_results(job, 5)
    client.force_login(paying)

    response = client.post(reverse("campaign_export_start", args=[campaign.pk]), follow=True)

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "spring-launch-" in response["Content-Disposition"]
    assert body.count("\n") == 6


def test_dashboard_shows_totals_recent_searches_and_chart(client, paying):
    job = started_search(paying, campaign_create(user=paying, name="Spring launch"))
    make_results(job, 12)
    client.force_login(paying)

    response = client.get(reverse("dashboard"))

    page = response.content.decode()
    assert response.context["totals"].creators == 12
    assert response.context["totals"].emails == 4
    assert "Spring launch" in page and "skincare" in page
    assert page.count('<g class="slot">') == 30
    assert response.context["chart"].slots[-1].title.endswith(", 12 creators")


def test_search_results_say_how_engagement_was_computed_and_why_a_creator_is_similar(client, paying):
    job = started_search(paying, campaign_create(user=paying, name="Spring launch"))
    make_results(job, 2)
    CreatorProfile.objects.filter(handle="creator001").update(engagement_rate="4.20", engagement_basis="all_posts")
    CreatorProfile.objects.filter(handle="creator002").update(engagement_rate="7.50", engagement_basis="post")
    JobCreator.objects.filter(job=job, creator__handle="creator001").update(similar_topics=["skincare", "spf"])
    client.force_login(paying)

    page = client.get(reverse("search_detail", args=[job.pk])).content.decode()

    assert re.search(r'4\.2%<div[^>]*title="Engagement avg of all posts">lifetime avg</div>', page)
    assert re.search(r"7\.5%<div[^>]*>per post</div>", page)
    assert "Why similar: skincare, spf" in page
