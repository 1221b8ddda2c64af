"""The search job engine against the sandbox provider over real HTTP."""

import json
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from billing.services import PlanLimitError
from scraping.models import CreatorProfile, EndReason, JobCreator, JobPhase, JobStatus, ScrapingJob
from scraping.services import (
    SearchInputError,
    job_cancel,
    job_retry,
    job_start,
    job_step_run,
    jobs_sweep,
)

from .conftest import run_job
from .test_actors import wait_until_finished
from .test_worker_recovery import _worker_env

pytestmark = pytest.mark.django_db

SIX_SEARCHES = [
    ("tiktok", "keyword", {"keywords": "skincare, #glow"}),
    ("tiktok", "similar", {"username": "@mia.glow"}),
    ("instagram", "keyword", {"keywords": "vegan recipes, #foodie"}),
    ("instagram", "similar", {"username": "https://www.instagram.com/chef.lena/"}),
    ("youtube", "keyword", {"keywords": "desk setup"}),
    ("youtube", "similar", {"username": "@techwithtom"}),
]


def start(user, platform="tiktok", search_type="keyword", target=30, **source):
    if not source:
        source = {"keywords": "skincare"}
    return job_start(user=user, platform=platform, search_type=search_type, target_results=target,
                     dispatch=False, **source)


def assert_clean_results(job: ScrapingJob) -> None:
    rows = JobCreator.objects.filter(job=job)
    assert rows.count() == job.found_count
    assert rows.values("creator").distinct().count() == job.found_count
    assert sorted(rows.values_list("rank", flat=True)) == list(range(1, job.found_count + 1))


@pytest.mark.parametrize(("platform", "search_type", "source"), SIX_SEARCHES)
def test_job_each_search_type_finds_exactly_the_target(sandbox, subscriber, platform, search_type, source):
    job = run_job(start(subscriber, platform, search_type, target=37, **source))

    assert job.status == JobStatus.COMPLETED, job.status_message
    assert job.found_count == 37
    assert_clean_results(job)
    creators = CreatorProfile.objects.filter(job_results__job=job)
    assert all(c.platform == platform for c in creators)
    # Enrichment gave the creators their bios, and some of them a contact email.
    assert creators.exclude(bio="").count() >= 30
    assert creators.filter(has_email=True).exists()
    assert creators.filter(enriched_at__isnull=False).count() == 37
    subscriber.usage.refresh_from_db()
    assert subscriber.usage.creators_used_this_month == 37
    # One profile call per creator at least; reels search costs a credit per 10 reels, not per call.
    assert job.credits_spent >= 37 and job.provider_calls >= 37


def test_job_similar_search_never_returns_the_target(sandbox, subscriber):
    job = run_job(start(subscriber, "instagram", "similar", target=40, username="chef.lena"))

    handles = set(CreatorProfile.objects.filter(job_results__job=job).values_list("handle", flat=True))
    assert job.found_count == 40
    assert "chef.lena" not in handles


def test_job_keyword_results_keep_the_post_that_found_them(sandbox, subscriber):
    job = run_job(start(subscriber, keywords="skincare, makeup", target=60))

    rows = list(JobCreator.objects.filter(job=job).select_related("creator"))
    assert {row.keyword for row in rows} == {"skincare", "makeup"}
    assert all(row.post_url.startswith("https://www.tiktok.com/@") for row in rows)
    assert all(row.post_views is not None for row in rows)
    # Like the real search, an item now and then comes without its date.
    assert sum(row.posted_at is not None for row in rows) >= len(rows) - 3
    assert any(row.post_hashtags for row in rows)
    assert any(row.creator.engagement_rate is not None for row in rows)


def test_job_emails_carry_their_source(sandbox, subscriber):
    run_job(start(subscriber, keywords="skincare, makeup, fitness", target=120))

    sources = {email["source"] for profile in CreatorProfile.objects.filter(has_email=True)
               for email in profile.emails}
    addresses = [email["address"] for profile in CreatorProfile.objects.all() for email in profile.emails]
    assert {"bio", "link"} <= sources
    assert all(address == address.lower() and "@" in address for address in addresses)
    assert not any(address.endswith((".png", ".jpg")) for address in addresses)


def test_job_stores_each_creator_once_across_jobs(sandbox, make_customer):
    first, second = make_customer(), make_customer()
    run_job(start(first, keywords="skincare", target=50))
    run_job(start(second, keywords="skincare", target=50))

    duplicated = (CreatorProfile.objects.values("platform", "external_id")
                  .annotate(n=Count("id")).filter(n__gt=1))
    assert not duplicated.exists()
    assert CreatorProfile.objects.count() == 50


def test_job_second_run_within_freshness_window_reuses_profiles(sandbox, subscriber):
    first = run_job(start(subscriber, keywords="skincare", target=80))
    second = run_job(start(subscriber, keywords="skincare", target=80))

    assert second.found_count == 80
    # Every profile the first run could read; private accounts have none to reuse.
    assert second.profiles_reused == CreatorProfile.objects.filter(enriched_at__isnull=False).count() >= 75
    assert second.credits_spent <= first.credits_spent * 0.1


def test_job_refetches_profiles_older_than_the_freshness_window(sandbox, subscriber):
    run_job(start(subscriber, keywords="skincare", target=20))
    CreatorProfile.objects.update(enriched_at=timezone.now() - timedelta(days=30))

    again = run_job(start(subscriber, keywords="skincare", target=20))

    assert again.profiles_reused == 0
    assert again.credits_spent >= 20


def test_job_ends_partial_when_the_provider_runs_out(sandbox, subscriber):
    job = run_job(start(subscriber, keywords="tiny", target=50))

    assert job.status == JobStatus.PARTIAL
    assert job.end_reason == EndReason.PROVIDER_EXHAUSTED
    assert job.found_count == 15
    assert "no more creators" in job.status_message
    assert_clean_results(job)


def test_job_with_no_matches_says_so(sandbox, subscriber):
    job = run_job(start(subscriber, keywords="empty", target=10))

    assert job.status == JobStatus.PARTIAL and job.found_count == 0
    assert "has no creators for empty" in job.status_message


def test_job_ends_partial_when_the_monthly_quota_runs_out(sandbox, subscriber):
    job = start(subscriber, keywords="skincare", target=100)
    # Another search of the same account used the allowance meanwhile.
    subscriber.usage.creators_used_this_month = 975
    subscriber.usage.save()

    job = run_job(job)

    subscriber.usage.refresh_from_db()
    assert job.status == JobStatus.PARTIAL
    assert job.end_reason == EndReason.QUOTA_EXHAUSTED
    assert job.found_count == 25
    assert subscriber.usage.creators_used_this_month == 1000
    assert "creator allowance" in job.status_message
    assert_clean_results(job)


def test_job_start_refuses_a_target_beyond_the_plan(sandbox, subscriber):
    subscriber.usage.creators_used_this_month = 990
    subscriber.usage.save()

    with pytest.raises(PlanLimitError) as refused:
        start(subscriber, target=50)

    assert refused.value.extra["recommended_plan"]["plan_key"] == "viral_surge"
    assert not ScrapingJob.objects.exists()


@pytest.mark.parametrize(("source", "message"), [
    ({"keywords": " , ,"}, "at least one keyword"),
    ({"keywords": ",".join(f"k{n}" for n in range(11))}, "at most 10"),
])
def test_job_start_refuses_bad_keywords(sandbox, subscriber, source, message):
    with pytest.raises(SearchInputError) as refused:
        start(subscriber, **source)
    assert message in refused.value.message


def test_job_start_normalises_usernames(sandbox, subscriber):
    job = start(subscriber, "tiktok", "similar", username="https://www.tiktok.com/@Mia.Glow?lang=en")
    assert job.target_username == "mia.glow"

    with pytest.raises(SearchInputError):
        start(subscriber, "tiktok", "similar", username="https://www.tiktok.com/@")


def test_job_redelivered_step_changes_nothing(sandbox, subscriber):
    job = start(subscriber, keywords="skincare", target=60)
    first = job_step_run(job_id=job.pk, step=0, dispatch=False)
    job.refresh_from_db()
    found, used = job.found_count, subscriber.usage.__class__.objects.get(user=subscriber).creators_used_this_month

    again = job_step_run(job_id=job.pk, step=0, dispatch=False)

    job.refresh_from_db()
    assert first.stored > 0 and again.stale
    assert job.found_count == found == used
    assert subscriber.usage.__class__.objects.get(user=subscriber).creators_used_this_month == used


def test_job_cancel_keeps_results_and_stops_steps(sandbox, subscriber, settings):
    # Steps of one page each, so that the search is still running after the first.
    settings.RUNTIME_CONFIG_OVERRIDES = {**settings.RUNTIME_CONFIG_OVERRIDES, "scraping.step_duration": "0s"}
    job = start(subscriber, keywords="skincare", target=200)
    job_step_run(job_id=job.pk, dispatch=False)

    job_cancel(job=job)
    outcome = job_step_run(job_id=job.pk, dispatch=False)

    job.refresh_from_db()
    assert outcome.stale
    assert job.status == JobStatus.CANCELLED
    assert job.found_count == JobCreator.objects.filter(job=job).count() > 0


def test_job_retries_after_rate_limiting(make_sandbox, subscriber):
    server = make_sandbox(rate_limit=10)

    job = run_job(start(subscriber, keywords="skincare", target=30))

    assert server.stats.by_status[429] > 0
    assert job.status == JobStatus.COMPLETED and job.found_count == 30
    assert_clean_results(job)


def test_job_retries_after_server_errors(make_sandbox, subscriber, settings):
    server = make_sandbox(fail_rate=0.25, hang_seconds=0.05)
    settings.RUNTIME_CONFIG_OVERRIDES = {**settings.RUNTIME_CONFIG_OVERRIDES, "provider.retry_budget": 20}

    job = run_job(start(subscriber, keywords="skincare", target=60))

    assert server.stats.by_status[500] > 0
    assert job.status == JobStatus.COMPLETED and job.found_count == 60
    assert_clean_results(job)


def test_job_gives_up_after_its_retry_budget(make_sandbox, subscriber, settings):
    make_sandbox(fail_rate=1.0, hang_seconds=0.0)
    settings.RUNTIME_CONFIG_OVERRIDES = {**settings.RUNTIME_CONFIG_OVERRIDES, "provider.retry_budget": 2}

    job = run_job(start(subscriber, keywords="skincare"))

    assert job.status == JobStatus.ERROR
    assert job.end_reason == EndReason.PROVIDER_UNAVAILABLE
    assert "kept failing" in job.status_message


def test_job_rejected_api_key_is_an_error_with_a_readable_message(make_sandbox, subscriber):
    make_sandbox(api_key="the-real-key")

    job = run_job(start(subscriber, keywords="skincare"))

    assert job.status == JobStatus.ERROR
    assert job.end_reason == EndReason.PROVIDER_REJECTED
    assert job.status_message.startswith("The data provider refused the search")
    assert "API key" in job.error_detail
    assert job.failed_attempts == 0


def test_job_similar_to_an_unknown_creator_says_so(sandbox, subscriber):
    job = run_job(start(subscriber, "instagram", "similar", username="missing_person"))

    assert job.status == JobStatus.ERROR
    assert job.end_reason == EndReason.TARGET_NOT_FOUND
    assert "could not find @missing_person on Instagram" in job.status_message


@pytest.mark.parametrize("platform", ["tiktok", "instagram", "youtube"])
def test_job_similar_to_a_creator_who_does_not_exist_ends_so_and_charges_nothing(sandbox, subscriber, platform):
    job = run_job(start(subscriber, platform, "similar", username="missing_glowcreator", target=50))

    assert (job.status, job.end_reason, job.found_count) == (JobStatus.ERROR, EndReason.TARGET_NOT_FOUND, 0)
    assert "@missing_glowcreator" in job.status_message
    assert creators_used(subscriber) == 0


def test_job_retry_resumes_from_the_checkpoint(make_sandbox, subscriber, settings):
    make_sandbox(fail_rate=1.0, hang_seconds=0.0)
    settings.RUNTIME_CONFIG_OVERRIDES = {**settings.RUNTIME_CONFIG_OVERRIDES, "provider.retry_budget": 1}
    job = run_job(start(subscriber, keywords="skincare", target=40))
    assert job.status == JobStatus.ERROR

    make_sandbox()
    job_retry(job=job, dispatch=False)
    job = run_job(job)

    assert job.status == JobStatus.COMPLETED and job.found_count == 40


def test_job_sweep_times_out_jobs_without_progress(sandbox, subscriber, settings):
    settings.RUNTIME_CONFIG_OVERRIDES = {**settings.RUNTIME_CONFIG_OVERRIDES, "scraping.step_duration": "0s"}
    job = start(subscriber, keywords="skincare", target=200)
    job_step_run(job_id=job.pk, dispatch=False)
    ScrapingJob.objects.filter(pk=job.pk).update(last_progress_at=timezone.now() - timedelta(hours=1))

    result = jobs_sweep()

    job.refresh_from_db()
    assert result.timed_out == 1
    assert job.status == JobStatus.TIMEOUT
    assert "found are kept" in job.status_message
    assert job.found_count == JobCreator.objects.filter(job=job).count() > 0


def test_run_search_command_prints_the_outcome(sandbox, subscriber, capsys):
    call_command("run_search", user=subscriber.email, platform="youtube", search_type="keyword",
                 query="desk setup", target=25)

    job = ScrapingJob.objects.get()
    assert capsys.readouterr().out.strip() == f"job {job.pk} completed 25 creators"


def _in_thread(fn):
    """Run ``fn`` in a thread of its own (a second worker), closing its database connection."""
    def run():
        try:
            return fn()
        finally:
            connection.close()
    return run


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_job_cancel_during_a_step_keeps_the_calls_it_paid_for(make_sandbox, subscriber):
    server = make_sandbox(latency_ms=60)
    job = start(subscriber, keywords="skincare", target=200)

    with ThreadPoolExecutor(1) as pool:
        step = pool.submit(_in_thread(lambda: job_step_run(job_id=job.pk, dispatch=False)))
        deadline = time.monotonic() + 10
        while ScrapingJob.objects.get(pk=job.pk).phase != JobPhase.ENRICHING and time.monotonic() < deadline:
            time.sleep(0.01)
        job_cancel(job=job)
        outcome = step.result(timeout=30)

    job.refresh_from_db()
    subscriber.usage.refresh_from_db()
    assert outcome.stale
    # Creators stored before the cancel stay, and are the only ones charged; none came after it.
    assert job.status == JobStatus.CANCELLED and job.found_count < 200
    assert job.found_count == JobCreator.objects.filter(job=job).count() == subscriber.usage.creators_used_this_month
    # The provider charged for the step the cancel overtook; the search's totals say so.
    assert server.stats.requests > 1
    assert job.provider_calls == server.stats.requests
    assert job.credits_spent == server.stats.requests


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_job_duplicate_step_in_flight_stores_once_and_counts_every_call(make_sandbox, subscriber):
    server = make_sandbox(latency_ms=60)
    job = start(subscriber, keywords="skincare", target=80)

    # The sweep re-sent a step whose first delivery was still running: both reach the provider.
    with ThreadPoolExecutor(2) as pool:
        runs = [pool.submit(_in_thread(lambda: job_step_run(job_id=job.pk, step=0, dispatch=False)))
                for _ in range(2)]
        outcomes = [run.result(timeout=30) for run in runs]

    job.refresh_from_db()
    subscriber.usage.refresh_from_db()
    assert sorted(outcome.stale for outcome in outcomes) == [False, True]
    assert job.step == 1
    assert job.found_count == JobCreator.objects.filter(job=job).count() == subscriber.usage.creators_used_this_month
    assert job.provider_calls == server.stats.requests
    assert job.credits_spent == server.stats.requests


def test_run_search_command_draws_its_progress_bar_on_stderr(sandbox, subscriber):
    out, err = StringIO(), StringIO()

    call_command("run_search", user=subscriber.email, platform="tiktok", search_type="keyword",
                 query="skincare, makeup", target=60, stdout=out, stderr=err)

    job = ScrapingJob.objects.get()
    bars = [line for line in err.getvalue().splitlines() if line.startswith("[")]
    assert out.getvalue().strip() == f"job {job.pk} completed 60 creators"
    assert len(bars) >= 2
    counts = [int(line.split("]")[1].split("/")[0]) for line in bars]
    assert counts == sorted(counts) and counts[-1] == 60
    assert bars[-1].startswith("[" + "#" * 30 + "]") and " 100%" in bars[-1]


def test_run_search_command_refuses_an_unknown_account(sandbox):
    with pytest.raises(CommandError, match="No account"):
        call_command("run_search", user="nobody@example.com", platform="tiktok", search_type="keyword",
                     query="skincare", target=5)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_run_search_command_waits_for_the_end_when_a_worker_runs_steps_too(make_sandbox, subscriber):
    make_sandbox(latency_ms=40)
    out = StringIO()

    def worker() -> int:
        # A worker the sweep sent the same job to: it steps the job as fast as it can.
        deadline = time.monotonic() + 60
        while not ScrapingJob.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        job, stale = ScrapingJob.objects.get(), 0
        while not job.is_finished and time.monotonic() < deadline:
            stale += job_step_run(job_id=job.pk, dispatch=False).stale
            job.refresh_from_db()
        return stale

    with ThreadPoolExecutor(1) as pool:
        competing = pool.submit(_in_thread(worker))
        call_command("run_search", user=subscriber.email, platform="tiktok", search_type="keyword",
                     query="skincare, makeup", target=60, stdout=out, stderr=StringIO())
        competing.result(timeout=60)

    job = ScrapingJob.objects.get()
    assert out.getvalue().strip() == f"job {job.pk} completed 60 creators"
    assert_clean_results(job)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_run_search_command_interrupted_cancels_the_search_and_keeps_its_creators(make_sandbox, subscriber):
    server = make_sandbox(latency_ms=80)
    env = {**_worker_env(server.base_url), "RUNTIME_CONFIG_OVERRIDES": json.dumps({"provider.requests_per_second": 10})}
    command = subprocess.Popen(
        [sys.executable, "manage.py", "run_search", "--user", subscriber.email, "--platform", "tiktok",
         "--type", "keyword", "--query", "skincare, makeup", "--target", "500"],
        cwd=django_settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not JobCreator.objects.exists() and time.monotonic() < deadline and command.poll() is None:
            time.sleep(0.05)
        command.send_signal(signal.SIGINT)
        out, err = command.communicate(timeout=30)
    finally:
        command.kill()

    job = ScrapingJob.objects.get()
    assert command.returncode == 130, err
    assert job.status == JobStatus.CANCELLED and 0 < job.found_count < 500
    assert out.strip() == f"job {job.pk} cancelled {job.found_count} creators"
    assert "the creators it found are kept" in err
    assert JobCreator.objects.filter(job=job).count() == job.found_count


def creators_used(user) -> int:
    user.usage.refresh_from_db()
    return user.usage.creators_used_this_month


def test_job_of_a_trial_stops_at_the_rows_a_trial_sees_and_charges_only_them(sandbox, trial_user):
    job = run_job(start(trial_user, target=100))

    assert (job.status, job.end_reason, job.found_count) == (JobStatus.PARTIAL, EndReason.TRIAL_ROWS, 25)
    assert "the rows a trial shows of each search" in job.status_message
    assert_clean_results(job)
    assert creators_used(trial_user) == 25


def test_job_of_a_trial_resumes_to_its_target_once_subscribed(sandbox, trial_user):
    job = run_job(start(trial_user, target=60))
    with pytest.raises(PlanLimitError) as refused:
        job_retry(job=job, dispatch=False)
    assert refused.value.code == "trial_rows"

    trial_user.subscription.subscription_status = "active"
    trial_user.subscription.save()
    job = run_job(job_retry(job=job, dispatch=False))

    assert (job.status, job.found_count) == (JobStatus.COMPLETED, 60)
    assert_clean_results(job)
    assert creators_used(trial_user) == 60


def test_job_creator_found_by_two_searches_in_a_month_counts_once(sandbox, subscriber):
    first = run_job(start(subscriber, keywords="skincare", target=40))
    second = run_job(start(subscriber, keywords="skincare, #glow", target=40))

    found = set(JobCreator.objects.filter(job__in=[first, second]).values_list("creator_id", flat=True))
    assert first.found_count == second.found_count == 40
    assert len(found) < 80, "the two searches should share creators for this test to mean anything"
    assert creators_used(subscriber) == len(found)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_job_concurrent_searches_on_two_workers_count_shared_creators_once(sandbox, make_customer, job_worker):
    user = make_customer("viral_surge")
    jobs = [job_start(user=user, platform="tiktok", search_type="keyword", keywords="skincare", target_results=60)
            for _ in range(2)]
    jobs = [wait_until_finished(job) for job in jobs]

    found = JobCreator.objects.filter(job__in=jobs)
    assert [job.found_count for job in jobs] == [60, 60]
    assert found.values("creator").distinct().count() == 60 < found.count()
    assert creators_used(user) == 60


def test_job_tiktok_similar_results_share_the_targets_topics_and_carry_engagement(sandbox, subscriber):
    job = run_job(start(subscriber, "tiktok", "similar", target=40, username="theomarskin"))

    rows = list(JobCreator.objects.filter(job=job).select_related("creator"))
    assert job.status == JobStatus.COMPLETED and len(rows) == 40
    assert all(row.similar_topics for row in rows)
    assert sum(row.creator.engagement_rate is not None for row in rows) >= 36
    assert {row.creator.engagement_basis for row in rows} - {""} == {"all_posts"}


@pytest.mark.parametrize(("username", "sentence"), [
    ("missing_kim", "@missing_kim does not exist on TikTok or was deleted"),
    ("private_kai", "@private_kai is a private TikTok account"),
])
def test_job_tiktok_similar_to_a_deleted_or_private_account_says_so(sandbox, subscriber, username, sentence):
    job = run_job(start(subscriber, "tiktok", "similar", username=username))

    assert job.status == JobStatus.ERROR and sentence in job.status_message
    assert job.found_count == 0
