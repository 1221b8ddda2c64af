"""The "search finished" email: one per search, or one digest for searches ending close together;
none for a search that ended within a minute, and none once the user turned them off."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import UserSystemData
from accounts.services import user_notifications_update
from billing.services.emails import lifecycle_email_send
from campaigns.actors import search_finished_notify
from scraping.models import ScrapingJob
from tests.factories import ScrapingJobFactory

pytestmark = pytest.mark.django_db


def _finished_job(user, status="completed", found=42, *, keyword="vegan skincare", platform="tiktok",
                  ended_ago=timedelta(minutes=11), ran_for=timedelta(minutes=5)):
    finished_at = timezone.now() - ended_ago
    return ScrapingJobFactory(user=user, platform=platform, search_type="keyword", keywords=[keyword],
                                      target_results=100, status=status, found_count=found,
                                      started_at=finished_at - ran_for, finished_at=finished_at)


def _messages_arrive(user) -> None:
    """Every delayed email message of ``user`` arrives (each of them due or not)."""
    for key in list(UserSystemData.objects.get(user=user).email_schedule_status):
        lifecycle_email_send(user_id=user.pk, key=key)


def _search_emails(mailoutbox):
    return [m for m in mailoutbox if "search" in m.subject]


def test_search_finished_email_is_sent_once(subscriber, mailoutbox):
    job = _finished_job(subscriber)
    assert search_finished_notify(job_id=job.pk) is True
    assert search_finished_notify(job_id=job.pk) is False  # redelivered message
    for _ in range(2):  # the delayed email message, redelivered too
        _messages_arrive(subscriber)
    [message] = _search_emails(mailoutbox)
    assert message.to == [subscriber.email]
    assert message.subject == "Your search “vegan skincare” found 42 creators"
    assert f"/searches/{job.pk}/" in message.body
    assert "Turn these emails off" in message.alternatives[0][0]


def test_search_finished_email_waits_for_searches_that_may_end_with_it(subscriber, mailoutbox):
    search_finished_notify(job_id=_finished_job(subscriber, ended_ago=timedelta(minutes=2)).pk)
    _messages_arrive(subscriber)  # a message arriving early: the window is still open
    assert _search_emails(mailoutbox) == []


def test_two_searches_ending_three_minutes_apart_yield_one_digest(subscriber, mailoutbox):
    first = _finished_job(subscriber, found=42, ended_ago=timedelta(minutes=13))
    second = _finished_job(subscriber, found=58, keyword="@glowrecipe", platform="instagram",
                           ended_ago=timedelta(minutes=10))
    # Their messages arrive in the other order; the later search still joins the earlier one's email.
    assert search_finished_notify(job_id=second.pk) is True
    assert search_finished_notify(job_id=first.pk) is True
    assert search_finished_notify(job_id=first.pk) is False
    for _ in range(2):
        _messages_arrive(subscriber)

    [digest] = _search_emails(mailoutbox)
    assert digest.subject == "2 searches finished: 100 creators found"
    # Listed in the order they ended.
    assert ("TikTok \"vegan skincare\": 42 creators (completed)\n"
            f"  {settings.SITE_URL}/searches/{first.pk}/\n"
            "- Instagram \"@glowrecipe\": 58 creators (completed)") in digest.body
    assert f"/searches/{first.pk}/" in digest.body and f"/searches/{second.pk}/" in digest.body
    assert "Turn these emails off" in digest.alternatives[0][0]


def test_searches_ending_more_than_ten_minutes_apart_get_an_email_each(subscriber, mailoutbox):
    search_finished_notify(job_id=_finished_job(subscriber, keyword="home gym", ended_ago=timedelta(minutes=40)).pk)
    search_finished_notify(job_id=_finished_job(subscriber, keyword="yoga", ended_ago=timedelta(minutes=25)).pk)
    _messages_arrive(subscriber)
    assert sorted(m.subject for m in _search_emails(mailoutbox)) == [
        "Your search “home gym” found 42 creators", "Your search “yoga” found 42 creators"]


def test_a_thirty_second_search_sends_no_email(subscriber, mailoutbox):
    quick = _finished_job(subscriber, ran_for=timedelta(seconds=30))
    assert search_finished_notify(job_id=quick.pk) is False
    _messages_arrive(subscriber)
    assert _search_emails(mailoutbox) == []


def test_search_finished_email_respects_the_opt_out(subscriber, mailoutbox):
    user_notifications_update(user=subscriber, search_finished_emails=False)
    assert search_finished_notify(job_id=_finished_job(subscriber).pk) is False
    _messages_arrive(subscriber)
    assert _search_emails(mailoutbox) == []


def test_opting_out_while_a_digest_waits_cancels_it(subscriber, mailoutbox):
    search_finished_notify(job_id=_finished_job(subscriber).pk)
    user_notifications_update(user=subscriber, search_finished_emails=False)
    _messages_arrive(subscriber)
    assert _search_emails(mailoutbox) == []


def test_no_email_for_running_or_cancelled_searches(subscriber, mailoutbox):
    assert search_finished_notify(job_id=_finished_job(subscriber, status="processing").pk) is False
    assert search_finished_notify(job_id=_finished_job(subscriber, status="cancelled").pk) is False
    _messages_arrive(subscriber)
    assert _search_emails(mailoutbox) == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_search_ending_in_the_engine_emails_its_owner_through_the_worker(
    make_subscriber, mailoutbox, job_worker, settings
):
    from scraping.services import jobs_sweep

    # A short window, so the delayed message comes within the test.
    settings.RUNTIME_CONFIG_OVERRIDES = {"emails.search_digest_window": "2s"}
    owner = make_subscriber()
    job = ScrapingJobFactory(user=owner, platform="youtube", search_type="keyword", keywords=["home gym"],
                                     target_results=100, status="processing", found_count=7,
                                     started_at=timezone.now() - timedelta(hours=1))
    ScrapingJob.objects.filter(pk=job.pk).update(last_progress_at=timezone.now() - timedelta(days=1))
    assert jobs_sweep().timed_out == 1
    # The trial's reminders wait in the delay queue for days, so the queue never drains: wait for the mail.
    deadline = time.monotonic() + 20
    while not _search_emails(mailoutbox) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [(m.to, m.subject) for m in _search_emails(mailoutbox)] == [
        ([owner.email], "Your search “home gym” found 7 creators")]
