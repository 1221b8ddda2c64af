from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import SubscriptionStatus, TrialStatus, UserSubscription
from adminpanel.models import BackgroundJobStatus
from scraping.models import JobStatus, ScrapingJob
from tests.factories import BackgroundJobFactory, ScrapingJobFactory, UserFactory, WorkerHeartbeatFactory

pytestmark = pytest.mark.django_db

OPS = "admin:ops_overview"


def search(user, *, platform="tiktok", status=JobStatus.COMPLETED, age=timedelta(hours=1), minutes=4, credits=10):
    job = ScrapingJobFactory(user=user, platform=platform, search_type="keyword", keywords=["a"],
                                     target_results=100, status=status, credits_spent=credits, found_count=40)
    created = timezone.now() - age
    running = status in (JobStatus.PENDING, JobStatus.PROCESSING)
    ScrapingJob.objects.filter(pk=job.pk).update(
        created_at=created, started_at=created,
        finished_at=None if running else created + timedelta(minutes=minutes),
        credits_remaining=5000 - job.pk,
    )
    return job


def test_ops_overview_shows_searches_failures_duration_and_credits(client, operator):
    user = UserFactory()
    search(user, minutes=2)
    search(user, minutes=4)
    search(user, platform="instagram", status=JobStatus.ERROR, minutes=6)
    search(user, platform="youtube", status=JobStatus.PROCESSING)
    search(user, status=JobStatus.TIMEOUT, age=timedelta(days=3), minutes=30, credits=100)

    page = client.get(reverse(OPS))

    day, month = page.context["windows"]
    assert (day.total, day.failed, day.finished, day.failure_rate) == (4, 1, 3, 33.3)
    assert day.median_text == "4m 00s"
    assert (day.credits_spent, month.credits_spent) == (40, 140)
    assert (month.total, month.failed, month.failure_rate) == (5, 2, 50.0)
    assert dict((label, total) for label, _counts, total in day.by_platform) == {
        "TikTok": 2, "Instagram": 1, "YouTube": 1}
    html = page.content.decode()
    assert "33.3%" in html and "50.0% in 30 days" in html
    assert html.count('<svg class="ops-chart"') == 5  # searches per hour and per day, provider credits, the sign-up funnel, trials
    assert "Searches per day, last 30 days" in html
    assert page.context["credits_remaining"] is not None


def test_ops_overview_counts_trials_and_conversions_of_real_accounts_only(client, operator, make_subscriber):
    make_subscriber("glow_up")
    make_subscriber("viral_surge")
    converted = make_subscriber("glow_up")
    UserSubscription.objects.filter(user=converted).update(
        trial_status=TrialStatus.CONVERTED, trial_converted_at=timezone.now(),
        subscription_status=SubscriptionStatus.ACTIVE)
    expired = make_subscriber("glow_up")
    UserSubscription.objects.filter(user=expired).update(
        trial_status=TrialStatus.EXPIRED, subscription_status=SubscriptionStatus.NONE,
        trial_ends_at=timezone.now() - timedelta(days=1))
    make_subscriber("fame_flex", is_test_data=True)

    trials = client.get(reverse(OPS)).context["trials"]

    assert (trials.active_trials, trials.trials_started, trials.trials_converted, trials.trials_expired) == (2, 4, 1, 1)
    assert trials.conversion_rate == 50.0
    assert trials.paying_by_plan == [("glow_up", 1)]


def test_ops_overview_shows_queues_worker_liveness_and_failing_tasks(client, operator):
    now = timezone.now()
    WorkerHeartbeatFactory(worker_id="web-1:41:a", hostname="web-1", pid=41, queues=["searches"], threads=4,
                                   started_at=now - timedelta(hours=2), last_seen_at=now - timedelta(seconds=5))
    WorkerHeartbeatFactory(worker_id="web-2:42:b", hostname="web-2", pid=42, queues=["searches"], threads=4,
                                   started_at=now - timedelta(hours=2), last_seen_at=now - timedelta(minutes=20))
    BackgroundJobFactory(message_id="a", actor_name="jobs_sweep", queue_name="maintenance",
                                 status=BackgroundJobStatus.FAILED, started_at=now - timedelta(minutes=3))
    BackgroundJobFactory(message_id="b", actor_name="jobs_sweep", queue_name="maintenance",
                                 status=BackgroundJobStatus.DONE, started_at=now - timedelta(minutes=2))

    page = client.get(reverse(OPS))

    assert [(status.worker.hostname, status.state) for status in page.context["workers"]] == [
        ("web-1", "alive"), ("web-2", "silent")]
    assert page.context["workers_alive"] == 1
    assert {"searches", "maintenance"} <= {queue.name for queue in page.context["queues"]}
    assert page.context["broker_error"] == ""
    [sweep] = page.context["activity"]
    assert (sweep.actor_name, sweep.runs, sweep.failed) == ("jobs_sweep", 2, 1)
    assert "actor_name=jobs_sweep&amp;status__exact=failed" in page.content.decode()


def test_ops_overview_renders_on_an_empty_platform(client, operator):
    page = client.get(reverse(OPS))

    assert page.status_code == 200
    html = page.content.decode()
    assert "No worker has reported" in html
    assert "Nothing in this period." in html


def test_ops_overview_trial_chart_shows_conversions_beside_trials_started(client, operator, make_subscriber):
    make_subscriber("glow_up")
    converted = make_subscriber("glow_up")
    UserSubscription.objects.filter(user=converted).update(
        trial_status=TrialStatus.CONVERTED, trial_converted_at=timezone.now(),
        subscription_status=SubscriptionStatus.ACTIVE)

    page = client.get(reverse(OPS))

    today = page.context["trial_chart"].slots[-1]
    assert today.title.endswith(": 2 started, 1 converted to paid")
    started, converted_bar = today.segments
    # Side by side from the same baseline, not stacked: 2 started is twice as tall as 1 converted.
    assert converted_bar.x > started.x
    assert started.y + started.height == converted_bar.y + converted_bar.height
    assert started.height == pytest.approx(2 * converted_bar.height, abs=0.2)
    assert "Converted to paid" in page.content.decode()


def test_ops_overview_marks_a_high_failure_rate_and_no_workers_as_bad(client, operator):
    user = UserFactory()
    search(user, status=JobStatus.ERROR)
    search(user)

    html = client.get(reverse(OPS)).content.decode()

    assert '<div class="figure ops-bad">50.0%</div>' in html
    assert '<div class="figure ops-bad">0</div>' in html


def test_ops_overview_shows_the_provider_rate_in_force_and_hedged_calls(client, operator, settings):
    from scraping.ratelimit import provider_rate_limiter

    settings.RUNTIME_CONFIG_OVERRIDES = {"provider.requests_per_second": 40}
    limiter = provider_rate_limiter()
    limiter.reset()
    job = search(UserFactory())
    ScrapingJob.objects.filter(pk=job.pk).update(provider_calls=400, hedged_calls=12, wasted_calls=10,
                                                 rate_limited_calls=3)
    limiter.acquire(flow=f"job-{job.pk}", account="user-1")
    # The provider refused a call: the rate in force is halved, for every worker.
    limiter.back_off(0.0)

    try:
        html = client.get(reverse(OPS)).content.decode()
    finally:
        limiter.reset()

    assert "Provider rate in force" in html
    assert "20.0/s" in html and "of 40/s configured, shared by 1 search;" in html
    assert "last 429 at 40.0/s" in html
    assert "400 calls, 12 hedged, 10 wasted (2.5%), 3 answered 429" in html


def test_ops_overview_shows_provider_credit_left_spent_per_day_and_days_left(client, operator):
    customer = UserFactory()
    now = timezone.now()
    for days_ago, spent, remaining in [(6, 300, 9_700), (3, 200, 9_500), (1, 200, 9_300), (0, 0, 9_100)]:
        job = ScrapingJob.objects.create(user=customer, platform="tiktok", search_type="keyword", keywords=["a"],
                                         target_results=10, credits_spent=spent, credits_remaining=remaining)
        ScrapingJob.objects.filter(pk=job.pk).update(created_at=now - timedelta(days=days_ago))
    page = client.get(reverse("admin:ops_overview"))
    credit = page.context["provider_credit"]
    # 700 credits in the last 7 days: 100 a day, so 9,100 left last for 91 days.
    assert credit.remaining == 9_100
    assert credit.per_day[-7:][0][1] == 300 and credit.per_day[-1][1] == 0
    assert credit.burn_rate == 100
    assert credit.days_left == 91
    html = page.content.decode()
    assert "Provider credits spent per day, last 30 days" in html
    assert "9,100" in html and "91.0" in html
