"""GET /v1/youtube/channel: tags as one comma-separated string or null, links under named keys."""

from __future__ import annotations

import pytest

from influencer_platform.errors import ProviderPermanentError

from . import youtube_fixtures as yt
from .shapes import YOUTUBE_CHANNEL, YOUTUBE_ERROR, assert_shape, problems

PATH = "/v1/youtube/channel"


def test_youtube_channel_fixtures_have_the_captured_shape() -> None:
    assert_shape(yt.channel(), YOUTUBE_CHANNEL)
    assert_shape(yt.channel(tags=None, handle=yt.MISSING, videoCount=yt.MISSING, subscriberCount=16399999.999999998),
                 YOUTUBE_CHANNEL)
    assert_shape(yt.channel_error(), YOUTUBE_ERROR)
    assert problems(yt.channel(tags=["bread"]), YOUTUBE_CHANNEL)


def test_youtube_channel_splits_the_tag_string(replay_client, replay) -> None:
    replay.routes[PATH] = yt.channel()

    profile = replay_client.youtube_channel(channel_id="UCkettle0000000000000001")

    assert profile.tags == ("sourdough", "bread baking", "Kettle and Crumb", "pastry", "laminated dough")
    assert replay.asked_for(PATH) == [{"channelId": "UCkettle0000000000000001"}]


def test_youtube_channel_without_tags_has_none(replay_client, replay) -> None:
    replay.routes[PATH] = yt.channel(tags=None)

    assert replay_client.youtube_channel(handle="kettleandcrumb").tags == ()


def test_youtube_channel_reads_handle_links_followers_and_avatar(replay_client, replay) -> None:
    replay.routes[PATH] = yt.channel(handle=yt.MISSING, subscriberCount=16399999.999999998,
                                     email="studio@kettleandcrumb.ie")

    profile = replay_client.youtube_channel(channel_id="UCkettle0000000000000001")

    # Without "handle" the channel URL names it.
    assert (profile.handle, profile.profile_url) == ("kettleandcrumb", "https://www.youtube.com/@kettleandcrumb")
    assert profile.followers == 16_400_000
    assert profile.profile_email == "studio@kettleandcrumb.ie"
    assert set(profile.links) == {"https://instagram.com/kettleandcrumb", "https://patreon.com/kc"}
    assert "http://www.youtube.com/@KettleAndCrumb" not in profile.links
    assert profile.avatar_url == "https://yt3.example.com/kc=s160-c-k-c0x00ffffff-no-rj"


def test_youtube_channel_links_only_under_named_keys_are_kept(replay_client, replay) -> None:
    replay.routes[PATH] = yt.channel(links=["https://instagram.com/kettleandcrumb"],
                                     store="https://shop.kettleandcrumb.ie")

    profile = replay_client.youtube_channel(channel_id="UCkettle0000000000000001")

    assert "https://shop.kettleandcrumb.ie" in profile.links and "https://patreon.com/kc" in profile.links


def test_youtube_channel_refusal_carries_the_provider_message(replay_client, replay) -> None:
    replay.routes[PATH] = (400, yt.channel_error())

    with pytest.raises(ProviderPermanentError, match="You must provide a handle or a channelId"):
        replay_client.youtube_channel(channel_id="UCkettle0000000000000001")
