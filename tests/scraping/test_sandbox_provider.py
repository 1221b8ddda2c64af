"""The sandbox provider, exercised as a real HTTP server the way the scraping client will use it."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from PIL import Image
from pillow_heif import register_heif_opener

from scraping.sandbox import SandboxConfig, SandboxServer, start_sandbox

from .provider_shapes import tiktok_fixtures as tt

register_heif_opener()

API_KEY = "sandbox-test-key"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with start_sandbox(SandboxConfig(seed=7)) as server:
        yield server


def _get(
    server: SandboxServer, path: str, timeout: float | tuple[float, float] = 5, **params: Any
) -> requests.Response:
    return requests.get(f"{server.base_url}{path}", params=params, headers={"x-api-key": API_KEY}, timeout=timeout)


def _ok(server: SandboxServer, path: str, **params: Any) -> dict[str, Any]:
    response = _get(server, path, **params)
    assert response.status_code == 200, response.text
    return response.json()


def _without_credits(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != "credits_remaining"}


def _keyword_pages(server: SandboxServer, query: str) -> list[dict[str, Any]]:
    """Every page with videos; like the real search, has_more says 0 before the videos end."""
    pages, cursor = [], 0
    for _ in range(200):
        page = _ok(server, "/v1/tiktok/search/keyword", query=query, cursor=cursor)
        if not page.get("search_item_list"):
            return pages
        pages.append(page)
        assert page["cursor"] > cursor
        cursor = page["cursor"]
    raise AssertionError(f"search for {query!r} never ended")


def _authors(page: dict[str, Any]) -> list[str]:
    return [item["aweme_info"]["author"]["unique_id"] for item in page.get("search_item_list") or []]


def _emails_in(text: str) -> list[str]:
    text = re.sub(r"\s*[\[(]at[\])]\s*", "@", text, flags=re.IGNORECASE)
    text = re.sub(r"\s*[\[(]dot[\])]\s*", ".", text, flags=re.IGNORECASE)
    return [m for m in EMAIL.findall(text) if not re.search(r"\.(png|jpe?g|gif|webp)$", m, re.IGNORECASE)]


def test_sandbox_same_request_same_body_per_seed(sandbox: SandboxServer) -> None:
    first = _ok(sandbox, "/v1/tiktok/search/keyword", query="skincare routine", cursor=25)
    again = _ok(sandbox, "/v1/tiktok/search/keyword", query="skincare routine", cursor=25)
    assert _without_credits(first) == _without_credits(again)
    assert again["credits_remaining"] == first["credits_remaining"] - 1
    with start_sandbox(SandboxConfig(seed=8)) as other:
        other_seed = _ok(other, "/v1/tiktok/search/keyword", query="skincare routine", cursor=25)
    assert _authors(other_seed) != _authors(first)


def test_sandbox_keyword_pages_overlap_advance_and_end(sandbox: SandboxServer) -> None:
    pages = _keyword_pages(sandbox, "home workout")
    distinct = {author for page in pages for author in _authors(page)}
    assert 150 <= len(distinct) <= 1500
    assert all(20 <= len(page["search_item_list"]) <= 31 for page in pages[:-1])
    overlapping = sum(bool(set(_authors(a)) & set(_authors(b))) for a, b in zip(pages, pages[1:]))
    assert overlapping >= len(pages) // 2
    assert any(len(set(_authors(page))) < len(_authors(page)) for page in pages)
    first = pages[0]["search_item_list"][0]["aweme_info"]
    assert "workout" in first["desc"].lower()
    assert {"workout", "homeworkout"} & {tag["hashtag_name"] for tag in first["text_extra"]}
    other_keyword = {a for page in _keyword_pages(sandbox, "gym motivation")[:10] for a in _authors(page)}
    assert distinct & other_keyword


def test_sandbox_tiny_and_empty_queries_have_small_pools(sandbox: SandboxServer) -> None:
    tiny = _keyword_pages(sandbox, "tiny pottery")
    assert len({author for page in tiny for author in _authors(page)}) == 15
    past_the_end = _ok(sandbox, "/v1/tiktok/search/keyword", query="tiny pottery", cursor=tiny[-1]["cursor"] + 5)
    assert "search_item_list" not in past_the_end and past_the_end["has_more"] == 0
    empty = _ok(sandbox, "/v1/tiktok/search/keyword", query="empty results")
    assert "search_item_list" not in empty and empty["has_more"] == 0
    assert _ok(sandbox, "/v1/instagram/reels/search", query="empty results")["reels"] == []


def _youtube_channel_ids(page: dict[str, Any]) -> set[str]:
    items = [*page["videos"], *page["shorts"], *page["lives"],
             *(item for shelf in page["shelves"] for item in shelf["items"])]
    return {item["channel"]["id"] for item in items if "channel" in item} | {card["id"] for card in page["channels"]}


def test_sandbox_youtube_continuation_advances_and_ends(sandbox: SandboxServer) -> None:
    token, channels, pages = "", set(), 0
    while True:
        page = _ok(sandbox, "/v1/youtube/search", query="tiny budget travel", continuationToken=token)
        channels |= _youtube_channel_ids(page)
        pages += 1
        if not page["continuationToken"]:
            break
        assert page["continuationToken"] != token
        token = page["continuationToken"]
    assert len(channels) == 15 and pages <= 2
    full = _ok(sandbox, "/v1/youtube/search", query="budget travel")
    assert 15 <= len(_youtube_channel_ids(full)) <= 18 and full["continuationToken"]


def test_sandbox_rejects_missing_or_wrong_api_key() -> None:
    with start_sandbox(SandboxConfig(api_key="right")) as server:
        url = f"{server.base_url}/v1/tiktok/profile?handle=glowwithmia"
        for headers in ({}, {"x-api-key": "wrong"}):
            response = requests.get(url, headers=headers, timeout=5)
            assert response.status_code == 401
            assert response.json()["success"] is False and response.json()["message"]
        assert requests.get(url, headers={"x-api-key": "right"}, timeout=5).status_code == 200
        assert server.stats.requests == 3 and server.stats.by_status[401] == 2


def test_sandbox_bad_parameters_and_missing_handles(sandbox: SandboxServer) -> None:
    assert _get(sandbox, "/v1/tiktok/search/keyword").status_code == 400
    assert _get(sandbox, "/v1/tiktok/search/keyword", query="cats", cursor="abc").status_code == 400
    assert _get(sandbox, "/v1/youtube/channel").status_code == 400
    assert _get(sandbox, "/v1/youtube/search", query="cats", continuationToken="garbage!").status_code == 400
    missing = _get(sandbox, "/v1/instagram/profile", handle="missing_person")
    assert missing.status_code == 404 and missing.json()["success"] is False
    made_up = _ok(sandbox, "/v1/tiktok/profile", handle="@Some.Unknown_Handle")
    assert made_up["user"]["uniqueId"] == "some.unknown_handle"
    assert made_up == _ok(sandbox, "/v1/tiktok/profile", handle="some.unknown_handle") | {
        "credits_remaining": made_up["credits_remaining"]}


def test_sandbox_rate_limit_answers_429_with_retry_after() -> None:
    with start_sandbox(SandboxConfig(rate_limit=2)) as server:
        statuses = [_get(server, "/v1/tiktok/profile", handle="mia") for _ in range(6)]
        limited = [r for r in statuses if r.status_code == 429]
        assert statuses[0].status_code == 200 and limited
        assert all(int(r.headers["Retry-After"]) >= 1 and r.json()["success"] is False for r in limited)
        assert requests.get(f"{server.base_url}/media/avatars/1.jpg", timeout=5).status_code == 200


def test_sandbox_fail_rate_injects_errors_and_hangs() -> None:
    with start_sandbox(SandboxConfig(fail_rate=1.0, hang_seconds=0.4)) as server:
        outcomes = []
        for _ in range(9):
            try:
                outcomes.append(_get(server, "/v1/tiktok/profile", timeout=(2, 0.2), handle="mia").status_code)
            except requests.Timeout:
                outcomes.append("timeout")
        assert set(outcomes) == {500, "timeout"}
    with start_sandbox(SandboxConfig(fail_rate=0.5, hang_seconds=0.05)) as flaky:
        statuses = [_get(flaky, "/v1/tiktok/profile", handle="mia").status_code for _ in range(12)]
        assert 200 in statuses and 500 in statuses


def test_sandbox_media_is_real_jpeg_and_heic(sandbox: SandboxServer) -> None:
    urls: set[str] = set()
    for page in _keyword_pages(sandbox, "cooking")[:6]:
        for item in page["search_item_list"]:
            urls |= set(item["aweme_info"]["author"]["avatar_medium"]["url_list"])
            urls |= set(item["aweme_info"]["video"]["cover"]["url_list"])
    assert all(url.startswith(f"{sandbox.base_url}/media/") for url in urls)
    formats = {}
    for suffix, image_format in ((".jpg", "JPEG"), (".heic", "HEIF")):
        url = next(u for u in urls if u.endswith(suffix) and "/avatars/" in u)
        response = requests.get(url, timeout=5)
        assert response.status_code == 200
        image = Image.open(io.BytesIO(response.content))
        image.load()
        formats[image.format] = image.size
        assert image.format == image_format
    assert formats["JPEG"] == (320, 320)
    assert requests.get(f"{sandbox.base_url}/media/forbidden/1.jpg", timeout=5).status_code == 403
    not_image = requests.get(f"{sandbox.base_url}/media/notimage/1.jpg", timeout=5)
    assert not_image.headers["Content-Type"].startswith("text/html")


def test_sandbox_full_bios_carry_emails_about_a_third_of_the_time(sandbox: SandboxServer) -> None:
    handles: list[str] = []
    for query in ("recipes", "fashion haul", "dog training"):
        for page in _keyword_pages(sandbox, query):
            handles += [h for h in _authors(page) if h not in handles]
    users = [body["user"] for body in (_ok(sandbox, "/v1/tiktok/profile", handle=h) for h in handles[:210])
             if "user" in body][:200]
    signatures = [user["signature"] for user in users]
    assert len(signatures) == 200
    bio_links = [user["bioLink"]["link"] for user in users if "bioLink" in user]
    assert any("://" not in link for link in bio_links)  # typed without a scheme, as creators do
    link_pages = [link for link in bio_links if link.startswith(f"{sandbox.base_url}/links/")]
    assert link_pages and "mailto:" in requests.get(link_pages[0], timeout=5).text
    share = sum(bool(_emails_in(bio)) for bio in signatures) / len(signatures)
    assert 0.25 <= share <= 0.45
    assert any("[at]" in bio or "(at)" in bio for bio in signatures)
    searched = [item["aweme_info"]["author"].get("signature")
                for item in _ok(sandbox, "/v1/tiktok/search/keyword", query="recipes")["search_item_list"]]
    assert sum(1 for s in searched if not s) > len(searched) / 2


def test_sandbox_instagram_profiles_list_related_accounts(sandbox: SandboxServer) -> None:
    reels = _ok(sandbox, "/v2/instagram/reels/search", query="skincare", page=1)["reels"]
    assert 1 <= len(reels) <= 12
    owner = reels[0]["owner"]
    assert set(owner) >= {"id", "username", "full_name", "is_verified", "is_private", "profile_pic_url",
                          "follower_count", "post_count"} and "biography" not in owner
    user = _ok(sandbox, "/v1/instagram/profile", handle=owner["username"])["data"]["user"]
    related = user["edge_related_profiles"]["edges"]
    assert user["is_private"] or len(related) == 0 or 10 <= len(related) <= 30
    assert related == _ok(sandbox, "/v1/instagram/profile", handle=owner["username"])["data"]["user"][
        "edge_related_profiles"]["edges"]
    basic = _ok(sandbox, "/v1/instagram/basic-profile", userId=user["id"])
    assert basic["username"] == user["username"] and basic["biography"] == user["biography"]


def test_sandbox_tiktok_replies_pass_the_recorded_shape_checks(sandbox: SandboxServer) -> None:
    pages = _keyword_pages(sandbox, "gaming")
    past_the_end = _ok(sandbox, "/v1/tiktok/search/keyword", query="gaming", cursor=pages[-1]["cursor"])
    for page in [*pages, past_the_end]:
        tt.check_keyword_page(_without_credits(page))
    # The provider's has_more says 0 while the next cursor still returns videos.
    assert any(page["has_more"] == 0 for page in pages)
    authors = [item["aweme_info"]["author"] for page in pages for item in page["search_item_list"]]
    assert any(author["custom_verify"] or author["enterprise_verify_reason"] for author in authors)
    for hashtag in ("#gaming", "#cooking"):
        tt.check_hashtag_page(_without_credits(_ok(sandbox, "/v1/tiktok/search/hashtag", hashtag=hashtag)))
    cursor, users = 0, []
    for _ in range(3):
        page = _ok(sandbox, "/v1/tiktok/search/users", query="gaming", cursor=cursor)
        tt.check_users_page(_without_credits(page))
        users += page["users"]
        cursor = page["cursor"]
    assert len({user["user_info"]["uid"] for user in users}) > 30  # pages advance on the cursor alone
    handles = [author["unique_id"] for author in authors[:60]] + ["missing_kim", "private_kai"]
    bodies = [_without_credits(_ok(sandbox, "/v1/tiktok/profile", handle=handle)) for handle in handles]
    for body in bodies:
        tt.check_profile({key: value for key, value in body.items() if key != "success"})
    assert {"account_private", "account_deactivated"} <= {key for body in bodies for key in body}
    for handle in (handles[0], "private_kai"):
        tt.check_profile_videos(_without_credits(_ok(sandbox, "/v3/tiktok/profile/videos", handle=handle)))
    profile = _ok(sandbox, "/v1/tiktok/profile", handle=handles[0])
    audience = _ok(sandbox, "/v1/tiktok/user/audience", handle=handles[0])
    tt.check_audience(audience)
    assert profile["credits_remaining"] - audience["credits_remaining"] == 26


def test_sandbox_json_shapes_follow_scrapecreators(sandbox: SandboxServer) -> None:
    user = _ok(sandbox, "/v1/instagram/profile", handle="glowwithmia")["data"]["user"]
    assert set(user) >= {"id", "username", "full_name", "biography", "bio_links", "external_url", "business_email",
                         "is_private", "is_verified", "is_business_account", "profile_pic_url", "edge_followed_by",
                         "edge_follow", "edge_related_profiles"}
    reel = _ok(sandbox, "/v1/instagram/reels/search", query="glow", amount=3)
    assert reel["success"] is True and len(reel["reels"]) == 3
    assert set(reel["reels"][0]) >= {"id", "shortcode", "url", "caption", "thumbnail_src", "display_url",
                                     "video_view_count", "video_play_count", "like_count", "comment_count",
                                     "taken_at", "video_duration", "is_paid_partnership", "owner"}
    video = _ok(sandbox, "/v1/youtube/search", query="gaming")["videos"][0]
    by_id = _ok(sandbox, "/v1/youtube/channel", channelId=video["channel"]["id"])
    by_handle = _ok(sandbox, "/v1/youtube/channel", handle=by_id["channel"].rsplit("@", 1)[1])
    assert _without_credits(by_id) == _without_credits(by_handle)
