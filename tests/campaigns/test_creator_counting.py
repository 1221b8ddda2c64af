"""A creator counts once per month, when it is first revealed: every page and the API say the same."""

import re

import pytest
from django.urls import reverse

from accounts.models import SubscriptionStatus
from billing.services import access_check, usage_reveal_creators
from campaigns.models import ActivityKind, CampaignActivity
from campaigns.services import campaign_create
from scraping.models import EndReason, JobStatus, ScrapingJob

from .test_api import grant_api_access
from .test_pages import make_results, started_search

pytestmark = pytest.mark.django_db

RULE = "A creator counts once per month, when it is first revealed to you."


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_wizard_results_usage_meter_and_api_state_one_number(client, paying):
    campaign = campaign_create(user=paying, name="Glow")
    job = started_search(paying, campaign)
    make_results(job, 37)
    usage_reveal_creators(user_id=paying.pk, creator_ids=list(job.results.values_list("creator_id", flat=True)),
                          shown_before=0, job_id=job.pk)
    grant_api_access(paying)
    client.force_login(paying)

    wizard = text_of(client.get(reverse("search_new", args=[campaign.pk])))
    results = text_of(client.get(reverse("search_detail", args=[job.pk])))
    billing = text_of(client.get(reverse("billing")))
    me = client.get("/api/v1/me").json()["usage"]

    for page in (wizard, results):
        assert "37 of 10,000 creators used this month" in page and RULE in page
    assert "Creators this month 37 / 10,000" in billing and RULE in billing
    assert (me["creators_this_month"]["used"], me["counting_rule"], me["trial_rows_per_search"]) == (37, RULE, None)


def test_trial_search_stopped_at_its_rows_names_the_chosen_plan_then_resumes(client, make_subscriber):
    trial = make_subscriber("viral_surge")
    job = started_search(trial, campaign_create(user=trial, name="Glow"), target=100)
    make_results(job, 25)
    ScrapingJob.objects.filter(pk=job.pk).update(status=JobStatus.PARTIAL, end_reason=EndReason.TRIAL_ROWS)
    client.force_login(trial)

    page = text_of(client.get(reverse("search_detail", args=[job.pk])))
    assert "Subscribe to Viral Surge to find all 100. The search goes on from where it stopped." in page
    assert "Resume search" not in page
    refused = client.post(reverse("search_resume", args=[job.pk]), follow=True)
    assert "Subscribe to a plan to find the rest" in text_of(refused)

    trial.subscription.subscription_status = SubscriptionStatus.ACTIVE
    trial.subscription.save()
    assert "Resume search" in text_of(client.get(reverse("search_detail", args=[job.pk])))
    resumed = client.post(reverse("search_resume", args=[job.pk]), follow=True)

    job.refresh_from_db()
    assert (job.status, job.end_reason) == (JobStatus.PROCESSING, "")
    assert "Search resumed from where it stopped" in text_of(resumed)
    assert CampaignActivity.objects.filter(campaign=job.campaign, kind=ActivityKind.SEARCH_RESUMED).exists()


def test_resume_is_refused_for_a_completed_search_and_only_answers_post(client, paying):
    job = started_search(paying, campaign_create(user=paying, name="Glow"), target=20)
    make_results(job, 20)
    client.force_login(paying)

    assert client.get(reverse("search_resume", args=[job.pk])).status_code == 405
    response = client.post(reverse("search_resume", args=[job.pk]), follow=True)
    assert "Only a failed, timed-out or interrupted search can be resumed." in text_of(response)
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED


def test_overdue_customer_is_told_to_pay_not_to_start_a_trial(client, paying):
    paying.subscription.subscription_status = SubscriptionStatus.PAST_DUE
    paying.subscription.save()
    decision = access_check(user=paying)

    assert decision.code == "payment_overdue"
    assert decision.reason == ("Your payment for Viral Surge is overdue. Update your card on the billing page to "
                               "keep using it.")
    assert "trial" not in decision.reason


def test_a_lapsed_trial_is_not_invited_to_start_another(make_subscriber):
    lapsed = make_subscriber("glow_up")
    lapsed.subscription.subscription_status = SubscriptionStatus.CANCELED
    lapsed.subscription.save()

    assert access_check(user=lapsed).reason == "Choose a plan to use this."
