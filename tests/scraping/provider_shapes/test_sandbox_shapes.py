"""Every YouTube and Instagram reply of the sandbox passes the shape checks the fixtures pass, and
the sandbox sends the variants the real provider does (nulls, missing keys, "None" categories)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from scraping.sandbox import SandboxConfig, SandboxServer, start_sandbox

from . import shapes

QUERIES = ("desk setup", "vegan recipes", "home workout", "tiny pottery", "budget travel", "cats")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with start_sandbox(SandboxConfig(seed=5)) as server:
        yield server


def _get(server: SandboxServer, path: str, **params: Any) -> tuple[int, dict[str, Any]]:
    response = requests.get(f"{server.base_url}{path}", params=params, headers={"x-api-key": "k"}, timeout=10)
    return response.status_code, response.json()


def _ok(server: SandboxServer, path: str, spec: Any, **params: Any) -> dict[str, Any]:
    status, body = _get(server, path, **params)
    assert status == 200, body
    shapes.assert_shape(body, spec)
    return body


def _youtube_channel_ids(page: dict[str, Any]) -> list[str]:
    items = [*page["videos"], *page["shorts"], *page["lives"], *(i for s in page["shelves"] for i in s["items"])]
    return [item["channel"]["id"] for item in items if "channel" in item] + [card["id"] for card in page["channels"]]


def test_sandbox_youtube_search_has_the_captured_shape_in_every_section(sandbox) -> None:
    pages = []
    for query in QUERIES:
        for extras in ("true", "false"):
            page = _ok(sandbox, "/v1/youtube/search", shapes.YOUTUBE_SEARCH, query=query, includeExtras=extras)
            pages.append(page)
            if page["continuationToken"]:
                pages.append(_ok(sandbox, "/v1/youtube/search", shapes.YOUTUBE_SEARCH, query=query,
                                 continuationToken=page["continuationToken"], includeExtras=extras))
    for section in ("videos", "shorts", "lives", "channels", "shelves"):
        assert any(page[section] for page in pages), f"no page has {section}"
    cards = [card for page in pages for card in page["channels"]]
    assert any("Verified" in card["badges"] for card in cards) or all(not card["badges"] for card in cards)
    handles = [item["channel"]["handle"] for page in pages for item in page["videos"]]
    assert any(h.startswith("@") for h in handles) and any(not h.startswith(("@", "channel/")) for h in handles)
    assert any(h.startswith("channel/") for h in handles)
    assert any("channel" not in item for page in pages for shelf in page["shelves"] for item in shelf["items"])


def test_sandbox_youtube_search_counts_come_only_with_extras(sandbox) -> None:
    plain = _ok(sandbox, "/v1/youtube/search", shapes.YOUTUBE_SEARCH, query="desk setup")
    extras = _ok(sandbox, "/v1/youtube/search", shapes.YOUTUBE_SEARCH, query="desk setup", includeExtras="true")

    assert not any("likeCountInt" in video for video in plain["videos"])
    assert all({"likeCountInt", "commentCountInt", "description"} <= set(video) for video in extras["videos"])


def test_sandbox_youtube_channels_have_the_captured_shape_and_variants(sandbox) -> None:
    ids = {channel_id for query in QUERIES for channel_id in _youtube_channel_ids(
        _ok(sandbox, "/v1/youtube/search", shapes.YOUTUBE_SEARCH, query=query))}
    channels = [_ok(sandbox, "/v1/youtube/channel", shapes.YOUTUBE_CHANNEL, channelId=channel_id)
                for channel_id in sorted(ids)[:60]]
    assert any(channel["tags"] is None for channel in channels)
    assert any(isinstance(channel["tags"], str) and ", " in channel["tags"] for channel in channels)
    assert any("handle" not in channel for channel in channels)
    assert any(isinstance(channel["subscriberCount"], float) for channel in channels)
    videos = _ok(sandbox, "/v1/youtube/channel-videos", shapes.YOUTUBE_CHANNEL_VIDEOS,
                 channelId=channels[0]["channelId"], includeExtras="true")
    assert videos["videos"]
    status, error = _get(sandbox, "/v1/youtube/channel")
    assert status == 400
    shapes.assert_shape(error, shapes.YOUTUBE_ERROR)


def test_sandbox_instagram_reels_search_has_the_captured_shape_on_v1_and_v2(sandbox) -> None:
    owners = set()
    for query in QUERIES:
        for page in (1, 2):
            body = _ok(sandbox, "/v2/instagram/reels/search", shapes.INSTAGRAM_REELS_SEARCH, query=query, page=page)
            assert len(body["reels"]) <= 12
            owners |= {reel["owner"]["username"] for reel in body["reels"]}
        _ok(sandbox, "/v1/instagram/reels/search", shapes.INSTAGRAM_REELS_SEARCH, query=query, amount=60)
    past_the_end = _ok(sandbox, "/v2/instagram/reels/search", shapes.INSTAGRAM_REELS_SEARCH, query="tiny pottery",
                       page=3)
    assert past_the_end["reels"] == []
    assert len(owners) > 50


def test_sandbox_instagram_profiles_have_the_captured_shape_and_variants(sandbox) -> None:
    reels = [reel for query in QUERIES for reel in _ok(
        sandbox, "/v2/instagram/reels/search", shapes.INSTAGRAM_REELS_SEARCH, query=query)["reels"]]
    users = [_ok(sandbox, "/v1/instagram/profile", shapes.INSTAGRAM_PROFILE, handle=reel["owner"]["username"])
             ["data"]["user"] for reel in reels]
    users += [_ok(sandbox, "/v1/instagram/profile", shapes.INSTAGRAM_PROFILE, handle=node["node"]["username"])
              ["data"]["user"] for node in users[0]["edge_related_profiles"]["edges"]]
    categories = {user["business_category_name"] for user in users}
    assert "None" in categories and None in categories and len(categories) > 2
    assert {type(user["business_address_json"]) for user in users} == {dict, str}
    posts = [edge["node"] for user in users for edge in user["edge_owner_to_timeline_media"]["edges"]]
    assert any(post.get("video_view_count") == 0 for post in posts)
    assert any(not post["edge_media_to_caption"]["edges"] for post in posts)
    for user in users[:5]:
        basic = _ok(sandbox, "/v1/instagram/basic-profile", shapes.INSTAGRAM_BASIC_PROFILE, userId=user["id"])
        assert basic["username"] == user["username"]


def test_sandbox_instagram_private_account_answers_200_without_posts(sandbox) -> None:
    from scraping.sandbox import data

    universe = data._universe("instagram", 5)
    private = next(data._creator("instagram", 5, i) for i in range(len(universe.handles))
                   if data._creator("instagram", 5, i).private)

    user = _ok(sandbox, "/v1/instagram/profile", shapes.INSTAGRAM_PROFILE, handle=private.handle)["data"]["user"]

    assert user["is_private"] is True
    assert user["edge_owner_to_timeline_media"]["edges"] == [] and user["edge_related_profiles"]["edges"] == []


def test_sandbox_refused_endpoint_answers_404() -> None:
    with start_sandbox(SandboxConfig(refused_paths=frozenset({"/v2/instagram/reels/search"}))) as server:
        status, _body = _get(server, "/v2/instagram/reels/search", query="oats")
        assert status == 404
        assert _get(server, "/v1/instagram/reels/search", query="oats")[0] == 200


def test_sandbox_reels_search_costs_a_credit_per_ten_reels(sandbox) -> None:
    before = _ok(sandbox, "/v1/youtube/search", shapes.YOUTUBE_SEARCH, query="cats")["credits_remaining"]
    sixty = _ok(sandbox, "/v1/instagram/reels/search", shapes.INSTAGRAM_REELS_SEARCH, query="cats", amount=60)

    assert before - sixty["credits_remaining"] == -(-len(sixty["reels"]) // 10)


def test_sandbox_realistic_latency_takes_seconds_for_instagram_and_youtube() -> None:
    from random import Random

    from scraping.sandbox.latency import answer_delay

    rng = Random(3)
    reels = sorted(answer_delay("realistic", "/v2/instagram/reels/search", extras=False, rng=rng) for _ in range(200))
    youtube = sorted(answer_delay("realistic", "/v1/youtube/search", extras=True, rng=rng) for _ in range(200))
    assert 3 < reels[100] < 6 and 2 < youtube[100] < 5
    assert answer_delay("none", "/v1/youtube/search", extras=True, rng=rng) == 0
    with pytest.raises(ValueError):
        SandboxServer(SandboxConfig(latency_profile="glacial"))


def test_sandbox_provider_command_refuses_an_unknown_latency_profile() -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="latency-profile"):
        call_command("sandbox_provider", "--latency-profile", "glacial")
