"""YouTube and Instagram replies in the captured shapes, replayed through the search engine."""

from __future__ import annotations

import pytest

from scraping.models import CreatorProfile, EndReason, EngagementBasis, JobCreator, JobStatus
from scraping.services import job_start

from ..conftest import run_job, use_sandbox
from . import instagram_fixtures as ig
from . import youtube_fixtures as yt
from .test_youtube_search import _page_of_every_section

pytestmark = pytest.mark.django_db

CHANNELS = {"UCkettle0000000000000001", "UCtidyspoon00000000000002", "UCovenlive000000000000003",
            "UCcrumbcard00000000000004", "UCshelf00000000000000005"}


@pytest.fixture
def provider(settings, replay):
    use_sandbox(settings, replay)
    return replay


def _channel_for(params: dict[str, str]) -> dict:
    channel_id = params.get("channelId") or "UCkettle0000000000000001"
    suffix = channel_id[-4:]
    return yt.channel(channel_id, channel=f"http://www.youtube.com/@chan{suffix}", handle=f"@chan{suffix}",
                      name=f"Channel {suffix}")


def _search(subscriber, platform, search_type, target, **source):
    job = job_start(user=subscriber, platform=platform, search_type=search_type, target_results=target,
                    dispatch=False, **source)
    return run_job(job)


def test_replay_youtube_keyword_keeps_the_channels_of_every_section(provider, subscriber) -> None:
    provider.routes["/v1/youtube/search"] = {**_page_of_every_section(), "continuationToken": None}
    provider.routes["/v1/youtube/channel"] = _channel_for
    provider.routes["/v1/youtube/channel-videos"] = yt.channel_videos(4)

    job = _search(subscriber, "youtube", "keyword", 10, keywords="sourdough")

    assert (job.status, job.end_reason, job.found_count) == (JobStatus.PARTIAL, EndReason.PROVIDER_EXHAUSTED, 5)
    found = CreatorProfile.objects.filter(job_results__job=job)
    assert set(found.values_list("external_id", flat=True)) == CHANNELS
    # Every result has engagement: from its video's likes, or for the channel card alone from its
    # latest videos, for one more call.
    assert all(creator.engagement_rate is not None for creator in found)
    card = found.get(external_id="UCcrumbcard00000000000004")
    assert (card.engagement_basis, card.engagement_posts) == (EngagementBasis.RECENT_POSTS, 4)
    kettle = found.get(external_id="UCkettle0000000000000001")
    assert (kettle.engagement_basis, str(kettle.engagement_rate)) == (EngagementBasis.POST, "4.75")
    assert [params["channelId"] for params in provider.asked_for("/v1/youtube/channel-videos")] == [
        "UCcrumbcard00000000000004"]


def test_replay_youtube_similar_searches_the_channels_tags(provider, subscriber) -> None:
    provider.routes["/v1/youtube/channel"] = lambda params: (
        yt.channel() if params.get("handle") else _channel_for(params))
    provider.routes["/v1/youtube/search"] = {**_page_of_every_section(), "continuationToken": None}
    provider.routes["/v1/youtube/channel-videos"] = yt.channel_videos(2)

    job = _search(subscriber, "youtube", "similar", 3, username="@KettleAndCrumb")

    queries = [params["query"] for params in provider.asked_for("/v1/youtube/search")]
    assert queries[:4] == ["sourdough", "bread baking", "pastry", "laminated dough"]
    # The tag naming the channel itself says who, not what about.
    assert "kettle and crumb" not in queries
    assert job.found_count == 3
    assert "UCkettle0000000000000001" not in JobCreator.objects.filter(job=job).values_list(
        "creator__external_id", flat=True)


def _owner(n: int) -> dict:
    return {**ig.node(f"5300000{n:04d}", f"oats.{n}"), "is_unpublished": False, "follower_count": 900 + n,
            "post_count": 30}


def test_replay_instagram_keyword_reads_past_sixty_reels_a_term(provider, subscriber) -> None:
    provider.routes["/v2/instagram/reels/search"] = lambda params: ig.reels_search(
        [ig.reel(f"R{params['page']}x{n:04d}", owner=_owner(int(params["page"]) * 10 + n)) for n in range(10)]
        if int(params["page"]) <= 9 else [])
    provider.routes["/v1/instagram/profile"] = lambda params: ig.profile(username=params["handle"],
                                                                          id=f"id-{params['handle']}")

    job = _search(subscriber, "instagram", "keyword", 80, keywords="overnight oats")

    assert (job.status, job.found_count) == (JobStatus.COMPLETED, 80)
    assert len(provider.asked_for("/v2/instagram/reels/search")) >= 8


def test_replay_instagram_similar_offers_related_accounts_with_engagement(provider, subscriber) -> None:
    related = [ig.node(f"5400000{n:04d}", f"related.{n}") for n in range(6)]
    provider.routes["/v1/instagram/profile"] = lambda params: ig.profile(
        username=params["handle"], id=f"id-{params['handle']}",
        related=related if params["handle"] == "oat.and.ember" else [])
    provider.routes["/v2/instagram/reels/search"] = ig.reels_search([])

    job = _search(subscriber, "instagram", "similar", 6, username="@oat.and.ember")

    rows = JobCreator.objects.filter(job=job).select_related("creator").order_by("rank")
    assert [row.creator.handle for row in rows] == [f"related.{n}" for n in range(6)]
    assert all(row.creator.engagement_basis == EngagementBasis.RECENT_POSTS for row in rows)
    assert {row.creator.engagement_posts for row in rows} == {3}


def test_replay_instagram_similar_without_related_accounts_searches_the_targets_topics(provider, subscriber) -> None:
    # Some big accounts list no related accounts at all: what they post about is searched instead.
    posts = [ig.timeline_post(f"Dq1Oat{n:05d}", caption="Granola bake #granola #breakfast") for n in range(4)]
    provider.routes["/v1/instagram/profile"] = lambda params: ig.profile(
        username=params["handle"], id=f"id-{params['handle']}", posts=posts, related=[])
    provider.routes["/v2/instagram/reels/search"] = lambda params: ig.reels_search(
        [ig.reel(f"G{params['query'][:3]}{params['page']}x{n}", owner=_owner(100 * int(params["page"]) + n))
         for n in range(5)] if params["page"] == "1" else [])

    job = _search(subscriber, "instagram", "similar", 5, username="@oat.and.ember")

    assert (job.status, job.found_count) == (JobStatus.COMPLETED, 5)
    assert provider.asked_for("/v2/instagram/reels/search")[0]["query"] == "granola"
    rows = JobCreator.objects.filter(job=job)
    assert {row.keyword for row in rows} == {"granola"} and {tuple(row.similar_topics) for row in rows} == {
        ("granola",)}


def test_replay_instagram_similar_of_a_private_account_ends_at_once(provider, subscriber) -> None:
    provider.routes["/v1/instagram/profile"] = ig.profile(private=True)

    job = _search(subscriber, "instagram", "similar", 20, username="@oat.and.ember")

    assert (job.status, job.end_reason, job.found_count) == (JobStatus.ERROR, EndReason.TARGET_NOT_FOUND, 0)
    assert job.status_message.startswith("@oat.and.ember is a private Instagram account")
    # The target's profile was the only call.
    assert [asked.path for asked in provider.asked] == ["/v1/instagram/profile"]
    subscriber.usage.refresh_from_db()
    assert subscriber.usage.creators_used_this_month == 0


@pytest.mark.parametrize(("platform", "username", "sentence"), [
    ("instagram", "@private.oats", "@private.oats is a private Instagram account"),
    ("instagram", "@missing.oats", "We could not find @missing.oats on Instagram"),
    ("youtube", "@missingbakes", "We could not find @missingbakes on YouTube"),
])
def test_similar_search_for_an_unreadable_target_ends_with_that_sentence(sandbox, subscriber, platform, username,
                                                                        sentence) -> None:
    job = _search(subscriber, platform, "similar", 50, username=username)

    assert (job.status, job.end_reason, job.found_count) == (JobStatus.ERROR, EndReason.TARGET_NOT_FOUND, 0)
    assert job.status_message.startswith(sentence)
    subscriber.usage.refresh_from_db()
    assert subscriber.usage.creators_used_this_month == 0
