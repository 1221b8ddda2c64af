import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from influencer_platform.errors import ProviderPermanentError, ProviderTransientError
from scraping.providers import (
    CreatorHit,
    PostSnapshot,
    ProviderNotFoundError,
    ScrapeCreatorsClient,
)

API_KEY = "sc-test-7f3a9c1e5b"


@dataclass
class CannedReply:
    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    delay: float = 0.0


@dataclass
class SeenRequest:
    path: str
    params: dict[str, str]
    api_key: str | None


class FakeScrapeCreators:
    """A local stand-in for the provider: replies with whatever a test put at a path."""

    def __init__(self) -> None:
        self.replies: dict[str, CannedReply] = {}
        self.seen: list[SeenRequest] = []
        self.url = ""

    def reply(self, path: str, body: Any = None, **options: Any) -> None:
        self.replies[path] = CannedReply(body=body, **options)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                params = {key: values[0] for key, values in parse_qs(parts.query).items()}
                fake.seen.append(SeenRequest(parts.path, params, self.headers.get("x-api-key")))
                canned = fake.replies.get(parts.path, CannedReply({"error": "no route"}, 404))
                time.sleep(canned.delay)
                payload = canned.raw if canned.raw is not None else json.dumps(canned.body).encode()
                try:
                    self.send_response(canned.status)
                    for name, value in canned.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout tests)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


@pytest.fixture
def provider() -> Iterator[FakeScrapeCreators]:
    fake = FakeScrapeCreators()
    server = ThreadingHTTPServer(("127.0.0.1", 0), fake.handler())
    server.daemon_threads = True
    serve = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    serve.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def client(provider: FakeScrapeCreators) -> ScrapeCreatorsClient:
    return ScrapeCreatorsClient(api_key=API_KEY, base_url=provider.url + "/", timeout=(1, 0.3))


def tiktok_video(
    *, aweme_id: str = "7301", uid: str = "6801", handle: str = "mia.glow", **author: Any
) -> dict:
    return {
        "aweme_info": {
            "aweme_id": aweme_id,
            "desc": "Night routine #skincare #GRWM",
            "share_url": f"https://www.tiktok.com/@{handle}/video/{aweme_id}",
            "create_time": 1714557600,
            "statistics": {
                "play_count": 120400,
                "digg_count": 9100,
                "comment_count": 310,
                "share_count": 45,
            },
            "text_extra": [{"type": 1, "hashtag_name": "skincare"}, {"type": 0}],
            "video": {"cover": {"url_list": ["https://p16.example.com/cover.jpeg"]}},
            "author": {
                "uid": uid,
                "unique_id": handle,
                "nickname": "Mia Glow",
                "signature": "",
                "follower_count": 48200,
                "verified": False,
                "avatar_medium": {"url_list": ["https://p16.example.com/avatar.jpeg"]},
                **author,
            },
        }
    }


# TikTok


def test_tiktok_keyword_search_returns_creators_with_their_video(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    provider.reply(
        "/v1/tiktok/search/keyword",
        {"search_item_list": [tiktok_video()], "cursor": 30, "has_more": True},
    )

    page = client.tiktok_keyword_search("skincare", cursor=10)

    assert page.hits == (
        CreatorHit(
            platform="tiktok",
            external_id="6801",
            handle="mia.glow",
            display_name="Mia Glow",
            followers=48200,
            verified=False,
            avatar_url="https://p16.example.com/avatar.jpeg",
            profile_url="https://www.tiktok.com/@mia.glow",
            bio="",
            post=PostSnapshot(
                url="https://www.tiktok.com/@mia.glow/video/7301",
                caption="Night routine #skincare #GRWM",
                views=120400,
                likes=9100,
                comments=310,
                shares=45,
                hashtags=("skincare", "grwm"),
                posted_at=datetime(2024, 5, 1, 10, 0, tzinfo=UTC),
                thumbnail_url="https://p16.example.com/cover.jpeg",
            ),
        ),
    )
    assert (page.next_cursor, page.has_more) == ("30", True)
    assert provider.seen[0].params == {"query": "skincare", "cursor": "10", "region": "US"}
    assert provider.seen[0].api_key == API_KEY


def test_tiktok_keyword_search_tolerates_messy_items(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    messy = tiktok_video(aweme_id="7302", uid="6802", handle="Ben.Lifts")
    messy["aweme_info"]["author"].update(
        follower_count="1.2M", verified="true", signature="Coach. ben@lifts.co"
    )
    messy["aweme_info"]["statistics"] = {"play_count": "3.4K", "digg_count": None}
    del messy["aweme_info"]["share_url"]
    no_author = {"aweme_info": {"aweme_id": "7303", "desc": "no author here"}}
    provider.reply(
        "/v1/tiktok/search/keyword",
        {"search_item_list": [no_author, messy, "garbage", None], "cursor": 60, "has_more": False},
    )

    page = client.tiktok_keyword_search("gym", cursor=60)

    [hit] = page.hits
    assert (hit.handle, hit.followers, hit.verified, hit.bio) == (
        "ben.lifts",
        1_200_000,
        True,
        "Coach. ben@lifts.co",
    )
    assert hit.post.url == "https://www.tiktok.com/@ben.lifts/video/7302"
    assert (hit.post.views, hit.post.likes) == (3400, None)
    assert (page.next_cursor, page.has_more) == (None, False)


def test_tiktok_search_without_a_cursor_cannot_continue(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    provider.reply("/v1/tiktok/search/keyword", {"search_item_list": [], "has_more": True})

    page = client.tiktok_keyword_search("skincare")

    assert (page.hits, page.next_cursor, page.has_more) == ((), None, False)


def test_tiktok_hashtag_search_reads_bare_video_lists(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    bare = tiktok_video(handle="glowup.daily")["aweme_info"]
    provider.reply(
        "/v1/tiktok/search/hashtag", {"aweme_list": [bare], "cursor": "20", "has_more": 1}
    )

    page = client.tiktok_hashtag_search("#GlowUp")

    assert [hit.handle for hit in page.hits] == ["glowup.daily"]
    assert page.next_cursor == "20"
    assert provider.seen[0].params == {"hashtag": "GlowUp", "region": "US"}


def test_tiktok_user_search_returns_creators_with_bios(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    provider.reply(
        "/v1/tiktok/search/users",
        {
            "users": [
                {
                    "user_info": {
                        "uid": "6810",
                        "unique_id": "sara.bakes",
                        "nickname": "Sara Bakes",
                        "signature": "Sourdough every day 🍞",
                        "search_user_desc": "sara.bakes · 12K followers",
                        "follower_count": "12K",
                        "avatar_thumb": {"url_list": ["https://p16.example.com/sara.jpeg"]},
                    }
                },
                {"user_info": {"nickname": "no ids"}},
            ],
            "cursor": 10,
            "has_more": True,
        },
    )

    page = client.tiktok_user_search("baking")

    [hit] = page.hits
    assert (hit.external_id, hit.handle, hit.bio, hit.followers, hit.post) == (
        "6810",
        "sara.bakes",
        "Sourdough every day 🍞",
        12_000,
        None,
    )
    assert hit.avatar_url == "https://p16.example.com/sara.jpeg"
    assert page.next_cursor == "10"


def test_tiktok_profile_returns_bio_link_and_followers(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    provider.reply(
        "/v1/tiktok/profile",
        {
            "user": {
                "id": "6801",
                "uniqueId": "mia.glow",
                "nickname": "Mia Glow",
                "signature": "Skincare 🧴 biz: mia [at] glow [dot] co",
                "verified": True,
                "avatarLarger": "https://p16.example.com/large.jpeg",
                "bioLink": {"link": "linktr.ee/mia"},
            },
            "stats": {"followerCount": 48200, "heartCount": 1_000_000, "videoCount": 210},
        },
    )

    profile = client.tiktok_profile("https://www.tiktok.com/@Mia.Glow?lang=en")

    assert provider.seen[0].params == {"handle": "mia.glow"}
    assert (profile.platform, profile.external_id, profile.handle) == ("tiktok", "6801", "mia.glow")
    assert profile.bio == "Skincare 🧴 biz: mia [at] glow [dot] co"
    assert profile.links == ("https://linktr.ee/mia",)
    assert (profile.followers, profile.verified) == (48200, True)
    assert profile.avatar_url == "https://p16.example.com/large.jpeg"
    assert profile.profile_url == "https://www.tiktok.com/@mia.glow"
    assert (profile.profile_email, profile.tags, profile.related) == ("", (), ())


def test_tiktok_profile_reads_nested_user_info_and_text_stats(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    provider.reply(
        "/v1/tiktok/profile",
        {
            "userInfo": {
                "user": {"id": 6801, "uniqueId": "mia.glow"},
                "statsV2": {"followerCount": "48.2K"},
            }
        },
    )

    profile = client.tiktok_profile("@mia.glow")

    assert (profile.external_id, profile.display_name, profile.followers) == (
        "6801",
        "mia.glow",
        48200,
    )
    assert (profile.bio, profile.links, profile.avatar_url) == ("", (), "")


def test_tiktok_profile_without_a_user_is_not_found(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    provider.reply("/v1/tiktok/profile", {"success": False, "message": "user not found"})

    with pytest.raises(ProviderNotFoundError):
        client.tiktok_profile("ghost")


def test_profile_with_an_invalid_handle_makes_no_request(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    with pytest.raises(ValueError):
        client.tiktok_profile("https://www.tiktok.com/")

    assert provider.seen == []


# Instagram


INSTAGRAM_PROFILE = {
    "data": {
        "user": {
            "id": "17841400001",
            "username": "mia.glow",
            "full_name": "Mia Glow",
            "biography": "Skincare 🧴 | London",
            "bio_links": [
                {"url": "https://linktr.ee/mia", "title": "links"},
                {"title": "no url"},
            ],
            "external_url": "https://glow.co",
            "business_email": "Team@Glow.co",
            "is_private": False,
            "is_verified": True,
            "is_business_account": True,
            "category_name": "Health/beauty",
            "profile_pic_url": "https://scontent.example.com/mia.jpg",
            "edge_followed_by": {"count": 98300},
            "edge_follow": {"count": 410},
            "edge_related_profiles": {
                "edges": [
                    {
                        "node": {
                            "id": "17841400002",
                            "username": "glow.sister",
                            "full_name": "Glow Sister",
                            "is_private": False,
                            "is_verified": False,
                            "profile_pic_url": "https://scontent.example.com/sister.jpg",
                        }
                    },
                    {"node": {"full_name": "no username"}},
                    "garbage",
                ]
            },
        }
    }
}


def test_instagram_profile_returns_links_email_and_related_accounts(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    provider.reply("/v1/instagram/profile", INSTAGRAM_PROFILE)

    profile = client.instagram_profile("https://instagram.com/Mia.Glow/")

    assert provider.seen[0].params == {"handle": "mia.glow"}
    assert (profile.platform, profile.external_id, profile.handle) == (
        "instagram",
        "17841400001",
        "mia.glow",
    )
    assert profile.profile_url == "https://www.instagram.com/mia.glow/"
    assert profile.bio == "Skincare 🧴 | London"
    assert (profile.followers, profile.verified) == (98300, True)
    assert profile.links == ("https://linktr.ee/mia", "https://glow.co")
    assert profile.profile_email == "Team@Glow.co"
    assert profile.tags == ("Health/beauty",)
    assert [(hit.external_id, hit.handle, hit.profile_url) for hit in profile.related] == [
        ("17841400002", "glow.sister", "https://www.instagram.com/glow.sister/")
    ]


def test_instagram_profile_without_a_user_is_not_found(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    provider.reply("/v1/instagram/profile", {"data": {"user": None}})

    with pytest.raises(ProviderNotFoundError):
        client.instagram_profile("ghost")


def test_instagram_basic_profile_reads_the_flat_reply(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    provider.reply(
        "/v1/instagram/basic-profile",
        {
            "biography": "Pilates + matcha",
            "bio_links": [{"url": "https://stan.store/lea"}],
            "external_url": "https://stan.store/lea",
            "follower_count": "15.2K",
        },
    )

    profile = client.instagram_basic_profile("17841400009")

    assert provider.seen[0].params == {"userId": "17841400009"}
    assert (profile.external_id, profile.handle, profile.profile_url) == ("17841400009", "", "")
    assert (profile.bio, profile.followers) == ("Pilates + matcha", 15_200)
    assert profile.links == ("https://stan.store/lea",)


def test_instagram_reels_search_returns_owners_with_their_reel(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    provider.reply(
        "/v2/instagram/reels/search",
        {
            "success": True,
            "credits_remaining": 19840,
            "reels": [
                {
                    "id": "3301",
                    "shortcode": "C9abc",
                    "caption": "5 min glow #skincare #SPF",
                    "thumbnail_src": "https://scontent.example.com/thumb.jpg",
                    "video_view_count": "10,400",
                    "video_play_count": "25.1K",
                    "like_count": 1200,
                    "comment_count": "87",
                    "taken_at": "1714557600",
                    "owner": {
                        "id": "17841400001",
                        "username": "mia.glow",
                        "full_name": "Mia Glow",
                        "is_verified": False,
                        "profile_pic_url": "https://scontent.example.com/mia.jpg",
                        "follower_count": "98.3K",
                    },
                },
                {"id": "3302", "caption": "owner missing"},
            ],
        },
    )

    page = client.instagram_reels_search("skincare")

    [hit] = page.hits
    assert (hit.platform, hit.external_id, hit.handle, hit.followers) == (
        "instagram",
        "17841400001",
        "mia.glow",
        98_300,
    )
    assert hit.post == PostSnapshot(
        url="https://www.instagram.com/reel/C9abc/",
        caption="5 min glow #skincare #SPF",
        views=25_100,
        likes=1200,
        comments=87,
        shares=None,
        hashtags=("skincare", "spf"),
        posted_at=datetime(2024, 5, 1, 10, 0, tzinfo=UTC),
        thumbnail_url="https://scontent.example.com/thumb.jpg",
    )
    assert (page.next_cursor, page.has_more) == ("2", True)
    assert (page.credits_remaining, page.cost) == (19840, 1)
    assert provider.seen[0].params == {"query": "skincare", "page": "1"}


# YouTube


def test_youtube_search_returns_channels_with_their_video(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    provider.reply(
        "/v1/youtube/search",
        {
            "videos": [
                {
                    "id": "dQw4",
                    "url": "https://www.youtube.com/watch?v=dQw4",
                    "title": "My morning routine #skincare",
                    "description": "Products below #ad",
                    "viewCountInt": 51234,
                    "viewCount": "51,234 views",
                    "publishedTime": "2 weeks ago",
                    "lengthSeconds": 612,
                    "thumbnail": "https://i.ytimg.example.com/dQw4.jpg",
                    "hashtags": ["#Routine"],
                    "channel": {
                        "id": "UC123",
                        "handle": "@GlowStudio",
                        "title": "Glow Studio",
                        "thumbnail": "https://yt3.example.com/glow.jpg",
                    },
                },
                {
                    "id": "xyz9",
                    "title": "No handle channel",
                    "viewCount": "1.1K views",
                    "channel": {"id": "UC456", "title": "Old Channel"},
                },
                {"id": "nochannel", "title": "orphan video"},
            ],
            "continuationToken": "EpcDEgVza2lu",
        },
    )

    page = client.youtube_search("skincare routine", continuation_token="prev")

    first, second = page.hits
    assert (first.external_id, first.handle, first.display_name) == (
        "UC123",
        "glowstudio",
        "Glow Studio",
    )
    assert first.profile_url == "https://www.youtube.com/@glowstudio"
    assert first.avatar_url == "https://yt3.example.com/glow.jpg"
    assert (first.post.views, first.post.hashtags) == (51234, ("routine", "skincare", "ad"))
    assert first.post.posted_at is not None
    assert (second.handle, second.profile_url) == ("", "https://www.youtube.com/channel/UC456")
    assert (second.post.url, second.post.views) == ("https://www.youtube.com/watch?v=xyz9", 1100)
    assert (page.next_cursor, page.has_more) == ("EpcDEgVza2lu", True)
    assert provider.seen[0].params == {
        "query": "skincare routine",
        "continuationToken": "prev",
        "includeExtras": "true",
    }


def test_youtube_search_last_page_has_no_more(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    provider.reply("/v1/youtube/search", {"videos": [], "continuationToken": None})

    page = client.youtube_search("skincare")

    assert (page.next_cursor, page.has_more) == (None, False)


YOUTUBE_CHANNEL = {
    "channelId": "UC123",
    "name": "Glow Studio",
    "handle": "@GlowStudio",
    "description": "Skincare for real skin. Business: hello [at] glowstudio [dot] com",
    "email": "hello@glowstudio.com",
    "subscriberCountText": "1.2M subscribers",
    "avatar": {"image": {"sources": [{"url": "https://yt3.example.com/glow-800.jpg"}]}},
    "links": ["https://glowstudio.com", {"url": "https://instagram.com/glowstudio"}],
    "tags": ["skincare", "beauty", ""],
    "videoCount": "412",
}


def test_youtube_channel_by_handle_returns_email_links_and_tags(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    provider.reply("/v1/youtube/channel", YOUTUBE_CHANNEL)

    profile = client.youtube_channel(handle="https://youtube.com/@GlowStudio")

    assert provider.seen[0].params == {"handle": "glowstudio"}
    assert (profile.platform, profile.external_id, profile.handle) == (
        "youtube",
        "UC123",
        "glowstudio",
    )
    assert (profile.followers, profile.profile_email) == (1_200_000, "hello@glowstudio.com")
    assert profile.links == ("https://glowstudio.com", "https://instagram.com/glowstudio")
    assert profile.tags == ("skincare", "beauty")
    assert profile.profile_url == "https://www.youtube.com/@glowstudio"
    assert profile.avatar_url == "https://yt3.example.com/glow-800.jpg"


def test_youtube_channel_by_id_without_handle_links_to_the_channel_page(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    provider.reply("/v1/youtube/channel", {"name": "Old Channel", "subscriberCount": 5400})

    profile = client.youtube_channel(channel_id="UC456")

    assert provider.seen[0].params == {"channelId": "UC456"}
    assert (profile.external_id, profile.handle, profile.followers) == ("UC456", "", 5400)
    assert profile.profile_url == "https://www.youtube.com/channel/UC456"


@pytest.mark.parametrize("arguments", [{}, {"handle": "a", "channel_id": "UC1"}])
def test_youtube_channel_needs_exactly_one_identifier(
    client: ScrapeCreatorsClient, arguments: dict
) -> None:
    with pytest.raises(ValueError):
        client.youtube_channel(**arguments)


# Errors


def test_rate_limit_is_transient_with_retry_after_seconds(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    provider.reply(
        "/v1/tiktok/search/keyword",
        {"error": "slow down"},
        status=429,
        headers={"Retry-After": "7"},
    )

    with pytest.raises(ProviderTransientError) as caught:
        client.tiktok_keyword_search("skincare")

    assert (caught.value.status, caught.value.retry_after) == (429, 7.0)


def test_rate_limit_honours_an_http_date_retry_after(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    later = format_datetime(datetime.fromtimestamp(time.time() + 120, UTC), usegmt=True)
    provider.reply("/v1/youtube/search", {}, status=429, headers={"Retry-After": later})

    with pytest.raises(ProviderTransientError) as caught:
        client.youtube_search("skincare")

    assert 100 <= caught.value.retry_after <= 121


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_transient(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators, status: int
) -> None:
    provider.reply("/v1/tiktok/profile", {"error": "boom"}, status=status)

    with pytest.raises(ProviderTransientError) as caught:
        client.tiktok_profile("mia")

    assert caught.value.status == status
    assert caught.value.retry_after is None


def test_timeout_is_transient(client: ScrapeCreatorsClient, provider: FakeScrapeCreators) -> None:
    provider.reply("/v1/tiktok/profile", {"user": {}}, delay=1.0)

    with pytest.raises(ProviderTransientError, match="timed out"):
        client.tiktok_profile("mia")


def test_unreachable_provider_is_transient() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]
    client = ScrapeCreatorsClient(api_key=API_KEY, base_url=f"http://127.0.0.1:{closed_port}")

    with pytest.raises(ProviderTransientError):
        client.instagram_profile("mia")


def test_rejected_key_is_permanent_and_never_reveals_the_key(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators, caplog
) -> None:
    provider.reply("/v1/instagram/profile", {"message": f"Invalid key {API_KEY}"}, status=401)

    with caplog.at_level(logging.DEBUG), pytest.raises(ProviderPermanentError) as caught:
        client.instagram_profile("mia")

    assert str(caught.value) == "The data provider rejected the API key."
    assert caught.value.status == 401
    assert API_KEY not in repr(caught.value) + repr(client) + caplog.text


@pytest.mark.parametrize("status", [402, 403])
def test_exhausted_credit_is_permanent(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators, status: int
) -> None:
    provider.reply("/v1/youtube/channel", {"error": "no credits"}, status=status)

    with pytest.raises(ProviderPermanentError, match="out of credit"):
        client.youtube_channel(handle="glowstudio")


def test_missing_resource_is_not_found(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    provider.reply("/v1/tiktok/profile", {"error": "not found"}, status=404)

    with pytest.raises(ProviderNotFoundError) as caught:
        client.tiktok_profile("ghost")

    assert isinstance(caught.value, ProviderPermanentError)
    assert caught.value.status == 404


def test_bad_request_is_permanent_with_the_provider_message_redacted(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    provider.reply(
        "/v1/tiktok/search/users",
        {"message": f"query is required (key {API_KEY})"},
        status=400,
    )

    with pytest.raises(ProviderPermanentError) as caught:
        client.tiktok_user_search("")

    assert "query is required" in str(caught.value)
    assert API_KEY not in str(caught.value)
    assert not isinstance(caught.value, ProviderTransientError)


def test_non_json_success_is_transient(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    provider.reply("/v1/tiktok/profile", raw=b"<html>Bad gateway</html>")

    with pytest.raises(ProviderTransientError, match="not JSON"):
        client.tiktok_profile("mia")


def test_redirect_is_not_followed_so_the_key_stays_with_the_provider(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    provider.reply(
        "/v1/tiktok/profile", {}, status=302, headers={"Location": provider.url + "/elsewhere"}
    )

    with pytest.raises(ProviderPermanentError):
        client.tiktok_profile("mia")

    assert [request.path for request in provider.seen] == ["/v1/tiktok/profile"]


# Credits


def test_credits_are_reported_per_call_and_kept_on_the_client(
    client: ScrapeCreatorsClient, provider: FakeScrapeCreators
) -> None:
    provider.reply("/v2/instagram/reels/search", {"credits_remaining": "19,840", "reels": []})
    provider.reply("/v1/youtube/search", {"videos": []})
    provider.reply("/v1/tiktok/profile", {}, status=500)

    reels = client.instagram_reels_search("skincare")
    videos = client.youtube_search("skincare")
    with pytest.raises(ProviderTransientError):
        client.tiktok_profile("mia")

    assert (reels.credits_remaining, reels.cost) == (19840, 1)
    assert (videos.credits_remaining, videos.cost) == (None, 1)
    assert client.credits_remaining == 19840
    assert client.credits_spent == 2
