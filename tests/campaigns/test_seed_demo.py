import io

import pytest
from django.core.management import call_command

from accounts.models import User
from billing.models import BillingEvent, DemoBillingObject, TrialClaim
from billing.selectors import result_row_limit
from billing.services.subscriptions import subscription_cancel, subscription_resume
from campaigns.demo import demo_workspace_exists
from campaigns.lists.selectors import bucket_counts, creators_known_to, list_items
from campaigns.lists.models import Bucket, CreatorList, CreatorListItem
from campaigns.models import Campaign, CampaignActivity
from campaigns.selectors import campaign_searches, campaigns_with_status
from campaigns.services import campaign_create
from scraping.models import JobCreator, JobStatus, Platform, ScrapingJob, SearchType
from tests.scraping.conftest import make_sandbox, sandbox, sandbox_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

DEMO_EMAIL = "demo@creatorradar.test"


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=out)
    return out.getvalue()


def demo_user() -> User:
    return User.objects.select_related("subscription", "billing").get(email=DEMO_EMAIL)


def row_counts() -> dict[str, int]:
    models = (User, Campaign, CampaignActivity, ScrapingJob, JobCreator, CreatorList, CreatorListItem,
              DemoBillingObject, BillingEvent, TrialClaim)
    return {model.__name__: model.objects.count() for model in models}


def test_seed_demo_campaign_has_completed_searches_on_every_platform(sandbox):  # noqa: F811
    output = seed()

    user = demo_user()
    campaign = campaigns_with_status(user=user).get()
    searches = list(campaign_searches(campaign=campaign))
    assert campaign.status == "completed"
    assert {job.status for job in searches} == {JobStatus.COMPLETED}
    assert {job.platform for job in searches} == set(Platform.values)
    assert {job.search_type for job in searches} == set(SearchType.values)
    # A trial is shown the first rows of each search: the demo's searches are no bigger, so the
    # demo user sees every creator they found.
    assert all(0 < job.found_count <= result_row_limit(user=user) for job in searches)
    assert f"“{campaign.name}”: {len(searches)} searches" in output


def test_seed_demo_list_has_creators_in_every_bucket_with_pins_and_notes(sandbox):  # noqa: F811
    output = seed()

    user = demo_user()
    creator_list = CreatorList.objects.get(owner=user)
    items = list_items(creator_list=creator_list)
    assert all(count for _key, _label, count in bucket_counts(creator_list))
    assert items.filter(pinned=True).exists()
    assert items.exclude(notes="").exists()
    assert not items.filter(bucket__in=[Bucket.CONTACTED, Bucket.BOOKED], last_contacted_at=None).exists()
    assert {item.creator.platform for item in items} == set(Platform.values)
    creator_ids = [item.creator_id for item in items]
    assert creators_known_to(user=user, creator_ids=creator_ids, limit=result_row_limit(user=user)) == creator_ids
    assert f"“{creator_list.name}”: " in output


def test_seed_demo_trial_is_a_demo_subscription_that_cancels_and_resumes(sandbox):  # noqa: F811
    output = seed()

    user = demo_user()
    assert user.is_onboarded
    assert user.subscription.is_trialing
    assert user.subscription.current_plan == "viral_surge"
    assert user.billing.stripe_subscription_id
    assert user.billing.card_last4 == "4242"
    assert "cancel or resume it at /billing/" in output

    cancelled = subscription_cancel(user=user)
    assert cancelled.is_trialing and cancelled.cancel_at_period_end
    resumed = subscription_resume(user=user)
    assert resumed.is_trialing and not resumed.cancel_at_period_end


def test_seed_demo_second_run_creates_nothing(sandbox):  # noqa: F811
    seed()
    before = row_counts()
    used = demo_user().usage.creators_used_this_month

    output = seed()

    assert row_counts() == before
    assert demo_user().usage.creators_used_this_month == used
    assert "already has campaigns or lists; left as they are" in output
    assert "demo@creatorradar.test / demo-pass-2026" in output


def test_seed_demo_leaves_a_demo_user_with_their_own_campaign_alone(sandbox, make_subscriber):  # noqa: F811
    user = make_subscriber("viral_surge", email=DEMO_EMAIL)
    campaign_create(user=user, name="My own launch")

    seed()

    assert list(Campaign.objects.filter(user=user).values_list("name", flat=True)) == ["My own launch"]
    assert not ScrapingJob.objects.filter(user=user).exists()
    assert not CreatorList.objects.filter(owner=user).exists()


def test_seed_demo_search_that_fails_leaves_no_half_made_workspace(make_sandbox):  # noqa: F811
    make_sandbox(api_key="not-the-app-key")  # refuses every search

    output = seed()

    user = demo_user()
    assert "not created" in output
    assert not demo_workspace_exists(user=user)
    assert user.subscription.is_trialing

    make_sandbox()
    seed()
    assert Campaign.objects.filter(user=user).count() == 1


def test_seed_demo_gives_up_on_a_failing_provider_without_waiting_out_its_backoff(make_sandbox):  # noqa: F811
    server = make_sandbox(fail_rate=1.0)

    output = seed()

    # Asked once: the engine would have tried again after each backoff, for about a minute.
    assert server.stats.requests == 1
    assert "The data provider is failing" in output
    assert not demo_workspace_exists(user=demo_user())


def test_seed_demo_with_a_provider_key_runs_no_search(settings):
    settings.SCRAPECREATORS_API_KEY = "live-key"

    output = seed()

    assert not ScrapingJob.objects.exists()
    assert "would spend ScrapeCreators credits" in output
    assert demo_user().subscription.is_trialing
