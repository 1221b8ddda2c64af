"""The "search finished" email: sent when a search ends, once per search, unless turned off."""

import time

import pytest

from accounts.services import user_notifications_update
from campaigns.actors import search_finished_notify
from scraping.models import ScrapingJob

pytestmark = pytest.mark.django_db


def _finished_job(user, status="completed", found=42):
    return ScrapingJob.objects.create(user=user, platform="tiktok", search_type="keyword",
                                      keywords=["vegan skincare"], target_results=100, status=status,
                                      found_count=found)


def test_search_finished_email_is_sent_once(subscriber, mailoutbox):
    job = _finished_job(subscriber)
    assert search_finished_notify(job_id=job.pk) is True
    assert search_finished_notify(job_id=job.pk) is False  # redelivered message
    [message] = mailoutbox
    assert message.to == [subscriber.email]
    assert message.subject == "Your search “vegan skincare” found 42 creators"
    assert f"/searches/{job.pk}/" in message.body
    assert "Turn these emails off" in message.alternatives[0][0]


def test_search_finished_email_respects_the_opt_out(subscriber, mailoutbox):
    user_notifications_update(user=subscriber, search_finished_emails=False)
    assert search_finished_notify(job_id=_finished_job(subscriber).pk) is False
    assert mailoutbox == []


def test_no_email_for_running_or_cancelled_searches(subscriber, mailoutbox):
    assert search_finished_notify(job_id=_finished_job(subscriber, status="processing").pk) is False
    assert search_finished_notify(job_id=_finished_job(subscriber, status="cancelled").pk) is False
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_search_ending_in_the_engine_emails_its_owner_through_the_worker(make_subscriber, mailoutbox, job_worker):
    from datetime import timedelta

    from django.utils import timezone

    from scraping.services import jobs_sweep

    owner = make_subscriber()
    job = ScrapingJob.objects.create(user=owner, platform="youtube", search_type="keyword", keywords=["home gym"],
                                     target_results=100, status="processing", found_count=7)
    ScrapingJob.objects.filter(pk=job.pk).update(last_progress_at=timezone.now() - timedelta(days=1))
    assert jobs_sweep().timed_out == 1
    # The trial's reminders wait in the delay queue for days, so the queue never drains: wait for the mail.
    deadline = time.monotonic() + 20
    while not mailoutbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([owner.email], "Your search “home gym” found 7 creators")]
