"""GET /v1/youtube/search: every section of a results page, in the shapes the provider sends."""

from __future__ import annotations

import pytest

from . import youtube_fixtures as yt
from .shapes import YOUTUBE_SEARCH, assert_shape, problems

PATH = "/v1/youtube/search"


def _page_of_every_section() -> dict:
    return yt.search_page(
        videos=[yt.video("kcVideo0001", extras=True)],
        shorts=[yt.video("tsShort0001", kind="short", extras=True,
                         channel=yt.channel_ref("UCtidyspoon00000000000002", title="Tidy Spoon", handle="@tidyspoon"))],
        lives=[yt.video("lvLive00001", kind="live", publishedTimeText="Streamed 2 days ago", extras=True,
                        channel=yt.channel_ref("UCovenlive000000000000003", title="Oven Live",
                                               handle="channel/UCovenlive000000000000003"))],
        channels=[yt.channel_card("UCcrumbcard00000000000004", handle="crumbcard", channelName="Crumb Card"),
                  yt.channel_card("UCkettle0000000000000001", verified=True)],
        shelves=[yt.shelf("People also watched", [yt.video(
                     "paVideo0001", extras=True, channel=yt.channel_ref("UCshelf00000000000000005", title="Shelf Bakes",
                                                                        handle="shelfbakes"))]),
                 yt.shelf("Shorts", [yt.shelf_short("shShort0001"), yt.shelf_short("shShort0002")])],
    )


def test_youtube_search_fixtures_have_the_captured_shape() -> None:
    assert_shape(_page_of_every_section(), YOUTUBE_SEARCH)
    assert_shape(yt.search_page(token=None), YOUTUBE_SEARCH)
    # The shape check refuses what the provider never sends, such as a list of tags on a video.
    assert problems(yt.search_page(videos=[{**yt.video(), "hashtags": ["#bread"]}]), YOUTUBE_SEARCH)


def test_youtube_search_keeps_the_channels_of_every_section(replay_client, replay) -> None:
    replay.routes[PATH] = _page_of_every_section()

    page = replay_client.youtube_search("sourdough")

    by_id = {hit.external_id: hit for hit in page.hits}
    assert set(by_id) == {"UCkettle0000000000000001", "UCtidyspoon00000000000002", "UCovenlive000000000000003",
                          "UCcrumbcard00000000000004", "UCshelf00000000000000005"}
    assert replay.asked_for(PATH) == [{"query": "sourdough", "includeExtras": "true"}]


def test_youtube_search_merges_a_channel_card_into_the_channels_video(replay_client, replay) -> None:
    replay.routes[PATH] = _page_of_every_section()

    kettle = {hit.external_id: hit for hit in replay_client.youtube_search("sourdough").hits}["UCkettle0000000000000001"]

    # The video gives the post, the card the subscribers and the Verified badge.
    assert (kettle.followers, kettle.verified, kettle.handle) == (412_000, True, "kettleandcrumb")
    assert kettle.post.url == "https://www.youtube.com/watch?v=kcVideo0001"
    assert (kettle.post.views, kettle.post.likes, kettle.post.comments) == (48_213, 2_104, 187)
    assert kettle.post.hashtags == ("sourdough", "baking")
    assert kettle.post.posted_at.isoformat() == "2026-11-13T09:30:12.004000+00:00"


def test_youtube_search_channel_card_alone_is_a_creator_without_a_post(replay_client, replay) -> None:
    replay.routes[PATH] = _page_of_every_section()

    card = {hit.external_id: hit for hit in replay_client.youtube_search("sourdough").hits}["UCcrumbcard00000000000004"]

    assert (card.display_name, card.followers, card.verified, card.post) == ("Crumb Card", 412_000, True, None)
    assert card.bio == "Bread, pastry and the science of both."
    assert card.profile_url == "https://www.youtube.com/@crumbcard"


@pytest.mark.parametrize(("handle", "expected_handle", "profile_url"), [
    ("@TidySpoon", "tidyspoon", "https://www.youtube.com/@tidyspoon"),
    ("tidyspoon", "tidyspoon", "https://www.youtube.com/@tidyspoon"),
    ("channel/UCtidyspoon00000000000002", "", "https://www.youtube.com/channel/UCtidyspoon00000000000002"),
])
def test_youtube_search_reads_every_form_of_the_channel_handle(replay_client, replay, handle, expected_handle,
                                                               profile_url) -> None:
    replay.routes[PATH] = yt.search_page(videos=[yt.video(channel=yt.channel_ref(
        "UCtidyspoon00000000000002", handle=handle))])

    [hit] = replay_client.youtube_search("spoons").hits

    assert (hit.handle, hit.profile_url) == (expected_handle, profile_url)


def test_youtube_search_without_extras_has_views_but_no_likes(replay_client, replay) -> None:
    replay.routes[PATH] = yt.search_page(videos=[yt.video(viewCountInt=yt.MISSING, viewCountText="1,234 views")])

    [hit] = replay_client.youtube_search("bread", include_extras=False).hits

    assert (hit.post.views, hit.post.likes, hit.post.comments) == (1_234, None, None)
    assert replay.asked_for(PATH) == [{"query": "bread"}]


def test_youtube_search_shorts_shelf_without_channels_adds_no_creator(replay_client, replay) -> None:
    replay.routes[PATH] = yt.search_page(shelves=[yt.shelf("Shorts", [yt.shelf_short()])], token=None)

    page = replay_client.youtube_search("bread")

    assert page.hits == () and (page.has_more, page.next_cursor) == (False, None)
