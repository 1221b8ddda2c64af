"""Feature switches: an operator turns a search type, CSV export, sharing or an email off without a deploy."""

from __future__ import annotations

import pytest
from django.urls import reverse

from adminpanel.config import EMAIL_SWITCHES, config_cache_reset
from adminpanel.models import AdminAction, SystemConfiguration
from adminpanel.services import config_set
from billing.emails import EMAIL_TEMPLATES
from billing.services.emails import SEARCH_EMAIL_TEMPLATES, lifecycle_email_send
from campaigns.exports import search_export_start
from campaigns.lists.services.lists import list_create
from campaigns.lists.services.sharing import list_share
from campaigns.services import campaign_create
from influencer_platform.errors import SwitchedOffError
from scraping.models import JobStatus, ScrapingJob
from scraping.services import SearchSwitchedOffError, job_start
from tests.campaigns.test_api import api_for
from tests.campaigns.test_export import SearchFactory
from tests.factories import UserFactory
from tests.scraping.conftest import run_job, sandbox, sandbox_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def switch(key: str, on: bool, *, operator=None) -> None:
    """Flip ``features.<key>`` the way the console does, and let this process see it at once."""
    category, name = f"features.{key}".split(".", 1)
    setting = SystemConfiguration.objects.get(category=category, key=name)
    config_set(actor=operator or UserFactory(is_admin=True), setting_id=setting.pk, value="true" if on else "false")
    # The edit is published on commit, which a test's transaction never reaches.
    config_cache_reset()


def test_switches_cover_every_platform_search_type_and_lifecycle_email():
    keys = set(SystemConfiguration.objects.filter(category="features").values_list("key", flat=True))
    assert {f"search.{p}.{t}" for p in ("tiktok", "instagram", "youtube") for t in ("keyword", "similar")} <= keys
    assert {"csv_export", "list_sharing"} <= keys
    emails = {key for key in EMAIL_TEMPLATES if key not in SEARCH_EMAIL_TEMPLATES} | {"search_finished"}
    assert emails == set(EMAIL_SWITCHES)
    assert {f"email.{key}" for key in emails} <= keys


def test_wizard_hides_a_switched_off_search_with_a_sentence(client, make_subscriber):
    user = make_subscriber()
    campaign = campaign_create(user=user, name="Spring launch")
    client.force_login(user)
    switch("search.tiktok.similar", False)

    page = client.get(reverse("search_new", args=[campaign.pk]))

    html = page.content.decode()
    offered = [tile["value"] for tile in page.context["form"].tiles]
    assert "tiktok:similar" not in offered and "tiktok:keyword" in offered and len(offered) == 5
    assert 'value="tiktok:similar"' not in html
    assert "TikTok similar creators search is unavailable for now; the others work as usual." in html

    posted = client.post(reverse("search_new", args=[campaign.pk]),
                         {"tile": "tiktok:similar", "username": "@mia.glow", "target": "100"})
    assert posted.status_code == 200 and not ScrapingJob.objects.exists()
    assert posted.context["form"].errors["tile"]

    switch("search.tiktok.similar", True)
    page = client.get(reverse("search_new", args=[campaign.pk]))
    assert len(page.context["form"].tiles) == 6 and "unavailable for now" not in page.content.decode()


def test_wizard_names_every_switched_off_search(client, make_subscriber):
    user = make_subscriber()
    campaign = campaign_create(user=user, name="Launch", search_type="similar")
    client.force_login(user)
    switch("search.youtube.keyword", False)
    switch("search.tiktok.similar", False)

    page = client.get(reverse("search_new", args=[campaign.pk]))

    assert ("TikTok similar creators, YouTube keywords searches are unavailable for now"
            in page.content.decode())
    # The campaign's usual tile is off, so the form starts on one that is on.
    assert page.context["form"].initial["tile"] == "tiktok:keyword"


def test_api_answers_409_with_a_code_for_a_switched_off_search(make_subscriber):
    user = make_subscriber()
    campaign = campaign_create(user=user, name="Spring launch")
    client = api_for(user)
    switch("search.tiktok.keyword", False)

    response = client.post(reverse("api_campaign_searches", args=[campaign.pk]),
                           {"platform": "tiktok", "keywords": "skincare", "target_results": 50}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "search_switched_off"
    assert body["message"].startswith("TikTok keyword searches are switched off for now.")
    assert not ScrapingJob.objects.exists()
    # Other platforms are untouched.
    other = client.post(reverse("api_campaign_searches", args=[campaign.pk]),
                        {"platform": "youtube", "keywords": "skincare", "target_results": 50}, format="json")
    assert other.status_code == 201


def test_running_search_finishes_after_its_type_is_switched_off(make_subscriber, sandbox):
    user = make_subscriber()
    job = job_start(user=user, platform="tiktok", search_type="keyword", keywords="skincare", target_results=20,
                    dispatch=False)
    switch("search.tiktok.keyword", False)

    finished = run_job(job)

    assert finished.status == JobStatus.COMPLETED and finished.found_count == 20
    with pytest.raises(SearchSwitchedOffError) as refused:
        job_start(user=user, platform="tiktok", search_type="keyword", keywords="skincare", target_results=20,
                  dispatch=False)
    assert refused.value.status_code == 409


def test_switch_change_is_audited(client):
    operator = UserFactory(is_admin=True)
    switch("csv_export", False, operator=operator)

    entry = AdminAction.objects.get(action="config.change")
    assert entry.actor == operator and entry.summary == "features.csv_export: true → false"


def test_csv_export_switched_off_answers_409_for_any_plan(make_customer):
    customer = make_customer("fame_flex")
    job = SearchFactory(user=customer)
    switch("csv_export", False)

    with pytest.raises(SwitchedOffError) as refused:
        search_export_start(user=customer, job_id=job.pk)
    assert (refused.value.status_code, refused.value.code) == (409, "feature_switched_off")

    response = api_for(customer).post(reverse("api_search_export", args=[job.pk]))
    assert response.status_code == 409 and response.json()["code"] == "feature_switched_off"


def test_list_sharing_switched_off_refuses_new_invitations(make_customer):
    owner = make_customer()
    creator_list = list_create(owner=owner, name="Shortlist")
    switch("list_sharing", False)

    with pytest.raises(SwitchedOffError) as refused:
        list_share(creator_list=creator_list, actor=owner, email="client@glowbrand.co", role="viewer")
    assert refused.value.status_code == 409
    assert not creator_list.collaborators.exists()

    switch("list_sharing", True)
    list_share(creator_list=creator_list, actor=owner, email="client@glowbrand.co", role="viewer")
    assert creator_list.collaborators.count() == 1


def test_switched_off_email_is_cancelled_when_due_not_sent(mailoutbox, user):
    switch("email.welcome", False)

    assert lifecycle_email_send(user_id=user.pk, key="welcome") is False

    user.system_data.refresh_from_db()
    entry = user.system_data.email_schedule_status["welcome"]
    assert (entry["status"], entry["reason"]) == ("cancelled", "switched off")
    assert mailoutbox == []
    # Switching it back on does not send the stale email later.
    switch("email.welcome", True)
    assert lifecycle_email_send(user_id=user.pk, key="welcome") is False
    assert mailoutbox == []
