"""Campaign analytics: the figures on crafted data, who may see them, and the CSV of them."""

import csv
import io
from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import SubscriptionStatus
from billing.models import Feature, SubscriptionPlan
from campaigns.analytics import campaign_figures, campaigns_compared
from campaigns.selectors import campaign_get
from campaigns.services import campaign_create, campaign_search_start
from scraping.models import CreatorProfile, JobCreator, JobStatus, ScrapingJob
from tests.factories import CreatorProfileFactory

pytestmark = pytest.mark.django_db

_ids = count(1)


def search(user, campaign, *, platform="tiktok", keywords="skincare", credits=0) -> ScrapingJob:
    job = campaign_search_start(user=user, campaign=campaign, platform=platform, search_type="keyword",
                                keywords=keywords, target_results=100, dispatch=False)
    ScrapingJob.objects.filter(pk=job.pk).update(status=JobStatus.COMPLETED, credits_spent=credits)
    return job


def creator(platform="tiktok", *, followers=None, engagement=None, email=False) -> CreatorProfile:
    n = next(_ids)
    return CreatorProfileFactory(
        platform=platform, external_id=f"a{n}", handle=f"creator{n}", followers=followers,
        engagement_rate=None if engagement is None else Decimal(engagement),
        emails=[{"address": f"c{n}@studio.co", "source": "bio"}] if email else [], has_email=email)


def found(job: ScrapingJob, *creators: CreatorProfile, keyword="skincare") -> None:
    start = JobCreator.objects.filter(job=job).count()
    JobCreator.objects.bulk_create([JobCreator(job=job, creator=profile, keyword=keyword, rank=start + rank)
                                    for rank, profile in enumerate(creators, start=1)])
    ScrapingJob.objects.filter(pk=job.pk).update(found_count=start + len(creators))


def active(make_subscriber, plan_key):
    user = make_subscriber(plan_key)
    user.subscription.subscription_status = SubscriptionStatus.ACTIVE
    user.subscription.save()
    return user


@pytest.fixture
def glow_up(make_subscriber):
    return active(make_subscriber, "glow_up")


@pytest.fixture
def crafted(paying):
    """Two searches: TikTok "skincare" (4 creators) and Instagram "spf, skincare" (3, one also found by TikTok)."""
    campaign = campaign_create(user=paying, name="Spring launch")
    tiktok = search(paying, campaign, credits=6)
    shared = creator(followers=50_000, engagement="4.20", email=True)
    found(tiktok, creator(followers=500, engagement="0.5", email=True), creator(followers=5_000, engagement="2"),
          shared, creator(followers=2_000_000))
    instagram = search(paying, campaign, platform="instagram", keywords="spf, skincare", credits=3)
    found(instagram, creator("instagram", followers=150_000, engagement="12", email=True), keyword="spf")
    found(instagram, creator("instagram", followers=9_999, engagement="6"), shared, keyword="skincare")
    return campaign


def test_campaign_figures_count_each_creator_once_on_crafted_data(paying, crafted):
    figures = campaign_figures(user=paying, campaign=crafted)

    assert figures.creators == 6  # the creator both searches found counts once
    assert (figures.with_email, figures.email_share) == (3, 50)
    by_platform = {platform.label: (platform.creators, platform.with_email) for platform in figures.platforms}
    assert by_platform == {"TikTok": (4, 2), "Instagram": (2, 1), "YouTube": (0, 0)}
    assert dict(figures.followers) == {"Under 1K": 1, "1K–10K": 2, "10K–100K": 1, "100K–1M": 1, "1M+": 1,
                                       "Unknown": 0}
    assert dict(figures.engagement) == {"Under 1%": 1, "1–3%": 1, "3–6%": 1, "6–10%": 1, "10%+": 1, "Unknown": 1}
    # A keyword's yield counts the creators it found, the shared one for "skincare" once.
    assert figures.keywords == [("skincare", 5), ("spf", 1)]
    assert [(search.label, search.credits_per_creator) for search in figures.searches] == [
        ("TikTok · skincare", Decimal("1.50")), ("Instagram · spf, skincare", Decimal("1.00"))]
    assert (figures.credits, figures.credits_per_creator) == (9, Decimal("1.29"))  # 9 credits / 7 found


def test_campaign_figures_of_a_trial_cover_only_the_rows_it_is_shown(make_subscriber):
    trial = make_subscriber("glow_up")
    campaign = campaign_create(user=trial, name="Trial campaign")
    job = search(trial, campaign, credits=30)
    found(job, *[creator(email=n < 5) for n in range(30)])

    figures = campaign_figures(user=trial, campaign=campaign)

    assert (figures.creators, figures.with_email, figures.row_limit) == (25, 5, 25)
    assert figures.creators_paid == 30


def test_campaign_analytics_page_draws_every_chart_with_a_table_of_its_figures(client, paying, crafted):
    client.force_login(paying)

    response = client.get(reverse("campaign_analytics", args=[crafted.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    for title in ("Creators per platform", "Creators by followers", "Creators by engagement rate",
                  "Creators found per keyword", "Credits per creator, per search"):
        assert f'role="img" aria-label="{title}' in page
    assert page.count("<table") == 5
    assert "<title>TikTok: 4 creators (2 with email, 2 no email)</title>" in page
    assert "<title>TikTok · skincare: 1.50 credits per creator</title>" in page
    assert "50%" in page and "Download figures (CSV)" in page


def test_campaign_page_links_to_its_analytics(client, paying, crafted):
    client.force_login(paying)

    page = client.get(reverse("campaign_detail", args=[crafted.pk])).content.decode()

    assert reverse("campaign_analytics", args=[crafted.pk]) in page


def test_campaign_analytics_of_another_users_campaign_is_not_found(client, paying, crafted, glow_up):
    client.force_login(glow_up)

    assert client.get(reverse("campaign_analytics", args=[crafted.pk])).status_code == 404
    assert crafted.name not in client.get(reverse("campaign_comparison")).content.decode()


def test_campaign_analytics_export_of_another_users_campaign_is_not_found(client, paying, crafted, make_subscriber):
    other = active(make_subscriber, "viral_surge")
    client.force_login(other)

    assert client.get(reverse("campaign_analytics_export", args=[crafted.pk])).status_code == 404


def test_campaign_analytics_without_the_feature_names_the_plan_that_has_it(client, glow_up):
    SubscriptionPlan.objects.filter(plan_key="glow_up").update(features=[Feature.CSV_EXPORT])
    campaign = campaign_create(user=glow_up, name="Spring launch")
    client.force_login(glow_up)

    response = client.get(reverse("campaign_analytics", args=[campaign.pk]))

    page = response.content.decode()
    assert response.status_code == 403
    assert "Basic analytics is not included in your Glow Up plan." in page
    assert "The Viral Surge plan includes campaign analytics" in page
    assert 'role="img"' not in page


def test_campaign_analytics_after_the_trial_ended_names_a_plan_with_analytics(client, make_subscriber):
    trial = make_subscriber("glow_up")
    campaign = campaign_create(user=trial, name="Spring launch")
    trial.subscription.trial_ends_at = timezone.now() - timedelta(minutes=1)
    trial.subscription.save()
    client.force_login(trial)

    page = client.get(reverse("campaign_analytics", args=[campaign.pk])).content.decode()

    assert "Your free trial has ended." in page
    assert "The Glow Up plan includes campaign analytics" in page


def test_campaign_analytics_on_basic_offers_the_comparison_only_as_an_upgrade(client, glow_up):
    campaign = campaign_create(user=glow_up, name="Spring launch")
    found(search(glow_up, campaign), creator())
    client.force_login(glow_up)

    page = client.get(reverse("campaign_analytics", args=[campaign.pk])).content.decode()
    comparison = client.get(reverse("campaign_comparison"))
    export = client.get(reverse("campaign_analytics_export", args=[campaign.pk]), follow=True)

    assert 'role="img"' in page and "Download figures (CSV)" not in page
    assert "come with the Viral Surge plan" in page
    assert comparison.status_code == 403
    assert "Advanced analytics is not included in your Glow Up plan." in comparison.content.decode()
    assert export.redirect_chain[-1][0] == reverse("campaign_analytics", args=[campaign.pk])
    assert "Advanced analytics is not included in your Glow Up plan. Viral Surge includes it." in \
        export.content.decode()


def test_campaign_analytics_export_lists_the_figures_as_numbers(client, paying, crafted):
    crafted.name = "=Spring launch"
    crafted.save()
    client.force_login(paying)

    response = client.get(reverse("campaign_analytics_export", args=[crafted.pk]))

    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="spring-launch-analytics-' in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == ["Figure", "Group", "Value", "Share of creators (%)"]
    assert ["Creators", "All", "6", "100"] in lines
    assert ["With a contact email", "All", "3", "50"] in lines
    assert ["Creators per platform", "Instagram", "2", "33"] in lines
    assert ["Followers", "1K–10K", "2", "33"] in lines
    assert ["Creators found per keyword", "skincare", "5", "83"] in lines
    assert ["Credits per creator", "TikTok · skincare", "1.50", ""] in lines
    assert ["Credits per creator", "All searches", "1.29", ""] in lines


def test_campaign_comparison_puts_each_campaign_side_by_side(client, paying, crafted):
    autumn = campaign_create(user=paying, name="=Autumn")
    found(search(paying, autumn, platform="youtube", keywords="vlog", credits=2),
          creator("youtube", followers=300, email=True), creator("youtube"))
    campaign_create(user=paying, name="Never searched")
    client.force_login(paying)

    page = client.get(reverse("campaign_comparison")).content.decode()
    response = client.get(reverse("campaign_comparison_export"))

    assert "Never searched" not in page
    assert "<title>Spring launch: 6 creators (4 TikTok, 2 Instagram)</title>" in page
    assert "<title>=Autumn: 50% with a contact email</title>" in page
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = lines[0]
    rows = {line[0]: dict(zip(header, line)) for line in lines[1:]}
    assert list(rows) == ["'=Autumn", "Spring launch"]  # newest first; a formula-looking name is neutralised
    assert rows["Spring launch"]["Creators"] == "6"
    assert rows["Spring launch"]["Instagram creators"] == "2"
    assert rows["Spring launch"]["Top keyword"] == "skincare"
    assert rows["'=Autumn"]["With a contact email (%)"] == "50"
    assert rows["'=Autumn"]["Credits per creator"] == "1.00"


def test_campaigns_compared_reads_in_a_fixed_number_of_queries(paying, crafted):
    campaigns_compared(user=paying)  # loads the user's subscription once, as any page before it would
    with CaptureQueriesContext(connection) as two_campaigns:
        campaigns_compared(user=paying)
    for n in range(3):
        another = campaign_create(user=paying, name=f"Campaign {n}")
        found(search(paying, another, keywords=f"k{n}"), creator(), creator(email=True))

    with CaptureQueriesContext(connection) as five_campaigns:
        compared = campaigns_compared(user=paying)

    assert len(compared) == 4
    assert len(five_campaigns) == len(two_campaigns)


def test_campaign_figures_read_in_a_fixed_number_of_queries(paying, crafted):
    campaign = campaign_get(user=paying, campaign_id=crafted.pk)
    campaign_figures(user=paying, campaign=campaign)
    with CaptureQueriesContext(connection) as few:
        campaign_figures(user=paying, campaign=campaign)
    found(search(paying, crafted, platform="youtube", keywords="more"), *[creator("youtube") for _ in range(20)])

    with CaptureQueriesContext(connection) as many:
        campaign_figures(user=paying, campaign=campaign)

    assert len(many) == len(few)


def test_campaign_without_analytics_offers_them_and_csv_behind_a_lock(client, glow_up):
    SubscriptionPlan.objects.filter(plan_key="glow_up").update(features=[])
    campaign = campaign_create(user=glow_up, name="Spring launch")
    found(search(glow_up, campaign), creator())
    client.force_login(glow_up)

    page = client.get(reverse("campaign_detail", args=[campaign.pk])).content.decode()

    assert "Analytics 🔒" in page and "Export CSV 🔒" in page
    assert reverse("campaign_export", args=[campaign.pk]) not in page
