import codecs
import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import factory
import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import Feature, SubscriptionPlan
from billing.services import PlanLimitError
from campaigns.exports import (
    campaign_export_response,
    campaign_export_start,
    search_export_response,
    search_export_start,
)
from campaigns.models import ActivityKind, CampaignActivity
from influencer_platform.errors import NotFoundError
from scraping.export import csv_rows, export_filename
from scraping.models import CreatorProfile, JobCreator, ScrapingJob
from scraping.selectors import ResultFilters, job_results
from tests.factories import CampaignFactory

from .test_api import grant_api_access

HEADER = [
    "Platform", "Username", "Display name", "Profile URL", "Followers", "Engagement rate", "Verified", "Bio",
    "Links", "Emails", "Email source", "Post URL", "Post date", "Caption", "Views", "Likes", "Comments", "Shares",
    "Hashtags", "Duration (seconds)", "Keyword", "Found at", "List stage", "Notes",
]
COLUMN = {name: index for index, name in enumerate(HEADER)}


class CreatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CreatorProfile

    platform = "tiktok"
    external_id = factory.Sequence(lambda n: f"ext{n}")
    handle = factory.Sequence(lambda n: f"creator{n}")
    display_name = factory.Sequence(lambda n: f"Creator {n}")
    profile_url = factory.LazyAttribute(lambda creator: f"https://www.tiktok.com/@{creator.handle}")
    followers = 12_000
    engagement_rate = Decimal("3.50")
    bio = "Skincare every day"


class SearchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScrapingJob

    platform = "tiktok"
    search_type = "keyword"
    keywords = ["skincare"]
    target_results = 1000
    status = "completed"


class ResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobCreator

    creator = factory.SubFactory(CreatorFactory)
    keyword = "skincare"
    # 1, 2, 3... within each search, as the engine numbers them.
    rank = factory.LazyAttribute(lambda result: JobCreator.objects.filter(job=result.job).count() + 1)
    post_url = factory.Sequence(lambda n: f"https://www.tiktok.com/@x/video/{n}")
    post_caption = "My routine"


@pytest.fixture
def paying(make_subscriber):
    """A Glow Up customer past the trial (csv_export included, no row cap)."""

    def make(**fields):
        user = make_subscriber("glow_up", **fields)
        user.subscription.subscription_status = "active"
        user.subscription.save()
        return user

    return make


@pytest.fixture
def customer(paying):
    return paying()


def read_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def exported(response) -> list[list[str]]:
    content = b"".join(response.streaming_content)
    assert content.startswith(codecs.BOM_UTF8)
    return read_csv(content.decode("utf-8"))


def search_csv(user, job, **filters) -> list[list[str]]:
    return read_csv("".join(csv_rows(job_results(user=user, job_id=job.pk, filters=ResultFilters(**filters)))))


def test_csv_rows_starts_with_bom_and_header(customer):
    job = SearchFactory(user=customer)

    text = "".join(csv_rows(job_results(user=customer, job_id=job.pk)))

    assert text.encode("utf-8").startswith(codecs.BOM_UTF8)
    assert read_csv(text) == [HEADER]


def test_csv_rows_writes_every_column_of_a_result(customer):
    job = SearchFactory(user=customer)
    creator = CreatorFactory(
        platform="instagram", handle="glowwithana", display_name="Ana Glow", followers=120_000,
        engagement_rate=Decimal("4.25"), verified=True, bio="Vegan skincare",
        profile_url="https://www.instagram.com/glowwithana/",
        links=["https://glow.com", "linktr.ee/glowwithana"],
        emails=[{"address": "ana@glow.com", "source": "profile"}, {"address": "team@glow.com", "source": "bio"},
                {"address": "deals@glow.com", "source": "link", "link": "linktr.ee/glowwithana"}],
    )
    result = ResultFactory(job=job, creator=creator, keyword="vegan skincare", post_caption="Night routine",
                           post_url="https://www.instagram.com/p/abc/", post_views=50_000, post_likes=4_000,
                           post_comments=120, post_shares=None, post_hashtags=["skincare", "vegan"],
                           post_duration_seconds=47, posted_at=datetime(2026, 11, 20, 18, 0, tzinfo=UTC))
    JobCreator.objects.filter(pk=result.pk).update(found_at=datetime(2026, 11, 22, 9, 30, 5, tzinfo=UTC))

    header, row = search_csv(customer, job)

    assert dict(zip(header, row, strict=True)) == {
        "Platform": "Instagram", "Username": "glowwithana", "Display name": "Ana Glow",
        "Profile URL": "https://www.instagram.com/glowwithana/", "Followers": "120000", "Engagement rate": "4.25",
        "Bio": "Vegan skincare", "Links": "https://glow.com linktr.ee/glowwithana",
        "Emails": "ana@glow.com; team@glow.com; deals@glow.com",
        "Email source": "profile; bio; link: linktr.ee/glowwithana",
        "Verified": "yes", "Post URL": "https://www.instagram.com/p/abc/", "Post date": "2026-11-20T18:00:00Z",
        "Caption": "Night routine", "Views": "50000", "Likes": "4000", "Comments": "120", "Shares": "",
        "Hashtags": "skincare vegan", "Duration (seconds)": "47", "Keyword": "vegan skincare",
        "Found at": "2026-11-22T09:30:05Z", "List stage": "", "Notes": "",
    }


def test_csv_rows_leaves_unknowns_empty(customer):
    job = SearchFactory(user=customer)
    ResultFactory(job=job, creator=CreatorFactory(followers=None, engagement_rate=None, emails=[], verified=False))

    _header, row = search_csv(customer, job)

    assert [row[COLUMN[name]] for name in ("Followers", "Engagement rate", "Emails", "Email source", "Verified",
                                           "Views", "Hashtags")] == ["", "", "", "", "no", "", ""]


@pytest.mark.parametrize("payload", ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1:A9)", "\tHIDDEN", "\rHIDDEN"])
def test_csv_rows_neutralises_formulas_in_text(customer, payload):
    job = SearchFactory(user=customer)
    ResultFactory(job=job, post_caption=payload,
                  creator=CreatorFactory(bio=payload, display_name=payload, followers=5, handle="plain"))

    _header, row = search_csv(customer, job)

    for column in ("Bio", "Caption", "Display name"):
        assert row[COLUMN[column]] == "'" + payload
    assert row[COLUMN["Username"]] == "plain"
    assert row[COLUMN["Followers"]] == "5"


def test_csv_rows_neutralises_formulas_in_joined_lists(customer):
    job = SearchFactory(user=customer)
    ResultFactory(job=job, post_hashtags=["-x", "y"],
                  creator=CreatorFactory(emails=[{"address": "=HYPERLINK(1)", "source": "bio"}]))

    _header, row = search_csv(customer, job)

    assert row[COLUMN["Emails"]] == "'=HYPERLINK(1)"
    assert row[COLUMN["Hashtags"]] == "'-x y"


def test_csv_rows_bio_with_comma_quote_and_newline_round_trips(customer):
    bio = 'Skincare, "clean" beauty\nDMs open; collabs: ana@glow.com'
    job = SearchFactory(user=customer)
    ResultFactory(job=job, creator=CreatorFactory(bio=bio))

    rows = search_csv(customer, job)

    assert len(rows) == 2
    assert rows[1][COLUMN["Bio"]] == bio


def test_csv_rows_keeps_the_results_sort_and_filters(customer):
    job = SearchFactory(user=customer)
    for followers, emails in ((500, []), (90_000, [{"address": "a@b.co", "source": "bio"}]), (7_000, []),
                              (40_000, [{"address": "c@d.co", "source": "link"}])):
        ResultFactory(job=job, creator=CreatorFactory(followers=followers, emails=emails, has_email=bool(emails)))

    by_followers = search_csv(customer, job, sort="followers")[1:]
    with_email = search_csv(customer, job, sort="followers", has_email=True)[1:]

    assert [row[COLUMN["Followers"]] for row in by_followers] == ["90000", "40000", "7000", "500"]
    assert [row[COLUMN["Followers"]] for row in with_email] == ["90000", "40000"]


def test_csv_rows_limit_keeps_the_first_rows(customer):
    job = SearchFactory(user=customer)
    ResultFactory.create_batch(5, job=job)

    rows = read_csv("".join(csv_rows(job_results(user=customer, job_id=job.pk), limit=3)))

    assert [row[COLUMN["Username"]] for row in rows[1:]] == [
        result.creator.handle for result in JobCreator.objects.filter(job=job).order_by("rank")[:3]]


def test_search_export_response_is_a_named_csv_download(customer):
    campaign = CampaignFactory(user=customer, name="Spring Skincare Launch")
    job = SearchFactory(user=customer, campaign=campaign)
    ResultFactory.create_batch(3, job=job)

    response = search_export_response(user=customer, job_id=job.pk)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="spring-skincare-launch-skincare-{timezone.localdate().isoformat()}.csv"')
    assert len(exported(response)) == 4


def test_search_export_without_campaign_is_named_after_the_query(customer):
    job = SearchFactory(user=customer, keywords=["vegan skincare", "glow"])

    response = search_export_response(user=customer, job_id=job.pk)

    assert response["Content-Disposition"] == (
        f'attachment; filename="search-vegan-skincare-glow-{timezone.localdate().isoformat()}.csv"')
    assert not CampaignActivity.objects.exists()


def test_search_export_in_a_campaign_is_logged(customer):
    campaign = CampaignFactory(user=customer, name="Launch")
    job = SearchFactory(user=customer, campaign=campaign)
    ResultFactory.create_batch(2, job=job)

    search_export_start(user=customer, job_id=job.pk)

    activity = CampaignActivity.objects.get(campaign=campaign)
    assert (activity.kind, activity.actor) == (ActivityKind.EXPORTED, customer)
    assert activity.message == "Exported 2 creators from the search for skincare to CSV"


def test_campaign_export_has_one_row_per_creator_across_searches(customer):
    campaign = CampaignFactory(user=customer, name="Launch")
    first, second = SearchFactory(user=customer, campaign=campaign), SearchFactory(user=customer, campaign=campaign)
    shared, only_first, only_second = CreatorFactory(), CreatorFactory(), CreatorFactory()
    ResultFactory(job=first, creator=shared, keyword="skincare")
    ResultFactory(job=first, creator=only_first)
    ResultFactory(job=second, creator=shared, keyword="glow")
    ResultFactory(job=second, creator=only_second)

    campaign_export_start(user=customer, campaign_id=campaign.pk)
    response = campaign_export_response(user=customer, campaign_id=campaign.pk)
    rows = exported(response)[1:]

    assert sorted(row[COLUMN["Username"]] for row in rows) == sorted(
        [shared.handle, only_first.handle, only_second.handle])
    assert next(row for row in rows if row[COLUMN["Username"]] == shared.handle)[COLUMN["Keyword"]] == "skincare"
    assert response["Content-Disposition"] == f'attachment; filename="launch-{timezone.localdate().isoformat()}.csv"'
    assert CampaignActivity.objects.get(campaign=campaign).message == "Exported 3 creators to CSV"


def test_export_refused_when_the_plan_lacks_csv_export(customer):
    SubscriptionPlan.objects.filter(plan_key="glow_up").update(features=[])
    job = SearchFactory(user=customer)
    campaign = CampaignFactory(user=customer, name="Launch")

    with pytest.raises(PlanLimitError) as refused:
        search_export_start(user=customer, job_id=job.pk)
    with pytest.raises(PlanLimitError):
        search_export_response(user=customer, job_id=job.pk)
    with pytest.raises(PlanLimitError):
        campaign_export_start(user=customer, campaign_id=campaign.pk)

    assert refused.value.status_code == 403
    assert refused.value.message == "CSV export is not included in your Glow Up plan."
    assert refused.value.extra["recommended_plan"]["plan_key"] == "viral_surge"
    assert not CampaignActivity.objects.exists()


def test_export_refused_without_a_subscription(user):
    job = SearchFactory(user=user)

    with pytest.raises(PlanLimitError) as refused:
        search_export_response(user=user, job_id=job.pk)

    assert refused.value.status_code == 403


def test_trial_export_is_capped_at_25_rows(make_subscriber, paying):
    trialing, customer = make_subscriber("glow_up"), paying()
    trial_campaign = CampaignFactory(user=trialing, name="Trial")
    trial_job = SearchFactory(user=trialing, campaign=trial_campaign)
    customer_job = SearchFactory(user=customer)
    ResultFactory.create_batch(30, job=trial_job)
    ResultFactory.create_batch(30, job=customer_job)

    campaign_export_start(user=trialing, campaign_id=trial_campaign.pk)
    trial_rows = exported(search_export_response(user=trialing, job_id=trial_job.pk))
    campaign_rows = exported(campaign_export_response(user=trialing, campaign_id=trial_campaign.pk))
    customer_rows = exported(search_export_response(user=customer, job_id=customer_job.pk))

    assert (len(trial_rows), len(campaign_rows), len(customer_rows)) == (26, 26, 31)
    assert CampaignActivity.objects.filter(campaign=trial_campaign).first().message == "Exported 25 creators to CSV"


def test_trial_export_says_in_its_file_name_and_on_the_page_that_it_holds_the_first_rows(client, make_subscriber):
    trialing = make_subscriber("viral_surge")
    campaign = CampaignFactory(user=trialing, name="Glow Launch")
    job = SearchFactory(user=trialing, campaign=campaign, keywords=["serum"])
    ResultFactory.create_batch(30, job=job)
    client.force_login(trialing)

    search_file = search_export_response(user=trialing, job_id=job.pk)["Content-Disposition"]
    campaign_file = campaign_export_response(user=trialing, campaign_id=campaign.pk)["Content-Disposition"]
    search_page = client.get(reverse("search_detail", args=[job.pk])).content.decode()

    day = timezone.localdate().isoformat()
    assert search_file == f'attachment; filename="glow-launch-serum-first-25-of-30-{day}.csv"'
    assert campaign_file == f'attachment; filename="glow-launch-first-25-of-30-{day}.csv"'
    assert "Export CSV (first 25 of 30)" in search_page
    assert "Subscribe to Viral Surge to see all 30." in search_page


def test_export_of_a_whole_search_is_named_after_campaign_and_query(customer):
    campaign = CampaignFactory(user=customer, name="Glow Launch")
    serum = SearchFactory(user=customer, campaign=campaign, keywords=["serum"])
    toner = SearchFactory(user=customer, campaign=campaign, keywords=["toner"])
    ResultFactory.create_batch(30, job=serum)

    names = [search_export_response(user=customer, job_id=job.pk)["Content-Disposition"] for job in (serum, toner)]

    day = timezone.localdate().isoformat()
    assert names == [f'attachment; filename="glow-launch-serum-{day}.csv"',
                     f'attachment; filename="glow-launch-toner-{day}.csv"']


def test_export_of_someone_elses_search_or_campaign_is_not_found(customer, paying):
    other = paying()
    campaign = CampaignFactory(user=other, name="Theirs")
    job = SearchFactory(user=other, campaign=campaign)
    ResultFactory(job=job)

    with pytest.raises(NotFoundError):
        search_export_start(user=customer, job_id=job.pk)
    with pytest.raises(NotFoundError):
        search_export_response(user=customer, job_id=job.pk)
    with pytest.raises(NotFoundError):
        campaign_export_start(user=customer, campaign_id=campaign.pk)
    assert not CampaignActivity.objects.exists()


def test_export_downloads_over_http_from_the_page_and_the_api(client, customer):
    campaign = CampaignFactory(user=customer, name="Launch")
    job = SearchFactory(user=customer, campaign=campaign)
    ResultFactory.create_batch(3, job=job)
    grant_api_access(customer)
    client.force_login(customer)

    for url in (reverse("search_export_start", args=[job.pk]), reverse("campaign_export_start", args=[campaign.pk]),
                reverse("api_search_export", args=[job.pk]), reverse("api_campaign_export", args=[campaign.pk])):
        response = client.post(url, follow=True)

        assert response.status_code == 200, url
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith('attachment; filename="launch-')
        rows = exported(response)
        assert (rows[0], len(rows)) == (HEADER, 4)


def test_export_is_recorded_by_its_post_and_a_get_of_its_url_writes_nothing(client, customer, paying):
    campaign = CampaignFactory(user=customer, name="Launch")
    job = SearchFactory(user=customer, campaign=campaign)
    ResultFactory.create_batch(3, job=job)
    client.force_login(customer)

    # What a page elsewhere can make a signed-in browser do: fetch the download URL.
    for url in (reverse("search_export", args=[job.pk]), reverse("campaign_export", args=[campaign.pk]),
                reverse("search_export", args=[job.pk]) + "?link=forged"):
        assert client.get(url).status_code == 302
    assert client.get(reverse("api_search_export", args=[job.pk])).status_code in (403, 405)  # never a download
    assert not CampaignActivity.objects.exists()

    started = client.post(reverse("search_export_start", args=[job.pk]))
    download = started["Location"]
    assert download.startswith(reverse("search_export", args=[job.pk]) + "?link=")
    for _ in range(2):
        assert len(exported(client.get(download))) == 4
    assert CampaignActivity.objects.filter(campaign=campaign, kind=ActivityKind.EXPORTED).count() == 1

    someone_else = paying()
    client.force_login(someone_else)
    assert client.get(download).status_code == 404


def test_export_link_is_only_good_for_its_own_export(client, customer):
    campaign = CampaignFactory(user=customer, name="Launch")
    first, second = SearchFactory(user=customer, campaign=campaign), SearchFactory(user=customer, campaign=campaign)
    client.force_login(customer)
    link = client.post(reverse("search_export_start", args=[first.pk]))["Location"].split("?", 1)[1]

    refused = client.get(f"{reverse('search_export', args=[second.pk])}?{link}", follow=True)

    assert "Choose Export CSV to download this file." in refused.content.decode()
    assert refused["Content-Type"].startswith("text/html")


def test_export_over_http_refuses_other_users_and_plans_without_it(client, customer, paying):
    other = paying()
    theirs = SearchFactory(user=other)
    mine = SearchFactory(user=customer)
    grant_api_access(customer)
    client.force_login(customer)

    assert client.get(reverse("search_export", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("search_export_start", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("api_search_export", args=[theirs.pk])).json()["code"] == "not_found"

    SubscriptionPlan.objects.filter(plan_key="glow_up").update(features=[Feature.API])
    refused = client.post(reverse("api_search_export", args=[mine.pk]))
    assert (refused.status_code, refused.json()["code"]) == (403, "feature_unavailable")
    assert refused.json()["message"].startswith("CSV export is not included")
    assert client.post(reverse("search_export_start", args=[mine.pk])).status_code == 302


@pytest.mark.parametrize(("name", "filename"), [
    ("Spring Skincare Launch", "spring-skincare-launch-2026-11-22.csv"),
    ("Été à Montréal: «glow»!", "ete-a-montreal-glow-2026-11-22.csv"),
    ("日本のスキンケア", "creators-2026-11-22.csv"),
    ("", "creators-2026-11-22.csv"),
    ('../"evil"\r\nname', "evil-name-2026-11-22.csv"),
])
def test_export_filename_is_an_ascii_slug_with_the_day(name, filename):
    assert export_filename(name, date(2026, 11, 22)) == filename


@pytest.mark.parametrize(("name", "unicode_filename"), [
    ("日本のスキンケア", "%E6%97%A5%E6%9C%AC%E3%81%AE%E3%82%B9%E3%82%AD%E3%83%B3%E3%82%B1%E3%82%A2"),
    ("Été à Montréal: «glow»!", "%C3%A9t%C3%A9-%C3%A0-montr%C3%A9al-glow"),
])
def test_export_of_a_campaign_named_in_another_script_keeps_its_name(customer, name, unicode_filename):
    campaign = CampaignFactory(user=customer, name=name)
    day = timezone.localdate().isoformat()

    response = campaign_export_response(user=customer, campaign_id=campaign.pk)

    plain = export_filename(name, timezone.localdate())
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"{plain}\"; filename*=UTF-8''{unicode_filename}-{day}.csv")
