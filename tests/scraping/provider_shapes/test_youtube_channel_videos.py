"""GET /v1/youtube/channel-videos: a channel's latest videos, whose likes give its engagement."""

from __future__ import annotations

from . import youtube_fixtures as yt
from .shapes import YOUTUBE_CHANNEL_VIDEOS, assert_shape

PATH = "/v1/youtube/channel-videos"


def test_youtube_channel_videos_fixtures_have_the_captured_shape() -> None:
    assert_shape(yt.channel_videos(), YOUTUBE_CHANNEL_VIDEOS)
    assert_shape(yt.channel_videos(extras=False), YOUTUBE_CHANNEL_VIDEOS)


def test_youtube_channel_videos_are_recent_posts_with_their_counts(replay_client, replay) -> None:
    replay.routes[PATH] = yt.channel_videos(3)

    posts = replay_client.youtube_channel_videos("UCkettle0000000000000001")

    assert [post.views for post in posts] == [10_000, 20_000, 30_000]
    assert {(post.likes, post.comments) for post in posts} == {(2_104, 187)}
    assert replay.asked_for(PATH) == [
        {"channelId": "UCkettle0000000000000001", "sort": "latest", "includeExtras": "true"}]
