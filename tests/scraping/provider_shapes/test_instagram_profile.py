"""GET /v1/instagram/profile: related accounts, recent posts, "None" categories, private accounts."""

from __future__ import annotations

from datetime import UTC, datetime

from . import instagram_fixtures as ig
from .shapes import INSTAGRAM_PROFILE, assert_shape

PATH = "/v1/instagram/profile"


def test_instagram_profile_fixtures_have_the_captured_shape() -> None:
    assert_shape(ig.profile(), INSTAGRAM_PROFILE)
    assert_shape(ig.profile(private=True, business_category=None, address={"city_name": None}), INSTAGRAM_PROFILE)
    assert_shape(ig.profile(posts=[ig.timeline_post(caption=None, clip=False)], related=[]), INSTAGRAM_PROFILE)


def test_instagram_profile_business_category_none_is_no_category(replay_client, replay) -> None:
    replay.routes[PATH] = ig.profile(business_category="None")

    assert replay_client.instagram_profile("oat.and.ember").tags == ("Food blogger",)


def test_instagram_profile_reads_a_real_business_category(replay_client, replay) -> None:
    replay.routes[PATH] = ig.profile(business_category="Food & Personal Goods")

    assert replay_client.instagram_profile("oat.and.ember").tags == ("Food blogger", "Food & Personal Goods")


def test_instagram_profile_recent_posts_carry_their_counts(replay_client, replay) -> None:
    replay.routes[PATH] = ig.profile(posts=[
        ig.timeline_post("Dq1Oat00001", likes=820, comments=41, views=0),
        ig.timeline_post("Dq1Oat00002", likes=310, comments=9, clip=False, caption=None),
        ig.timeline_post("Dq1Oat00003", like_and_view_counts_disabled=True),
    ])

    first, second, hidden = replay_client.instagram_profile("oat.and.ember").recent_posts

    # Views Instagram no longer shows arrive as 0: unknown, not unwatched.
    assert (first.url, first.views, first.likes, first.comments) == (
        "https://www.instagram.com/reel/Dq1Oat00001/", None, 820, 41)
    assert first.hashtags == ("breakfast", "oats")
    assert first.posted_at == datetime(2025, 11, 27, 10, 40, tzinfo=UTC)
    assert (second.url, second.caption, second.likes) == ("https://www.instagram.com/p/Dq1Oat00002/", "", 310)
    assert hidden.likes is None


def test_instagram_profile_offers_only_public_related_accounts(replay_client, replay) -> None:
    replay.routes[PATH] = ig.profile()

    profile = replay_client.instagram_profile("oat.and.ember")

    assert [hit.handle for hit in profile.related] == ["porridge.club", "slow.mornings"]
    assert profile.related[1].verified is True


def test_instagram_profile_of_a_private_account_says_so(replay_client, replay) -> None:
    replay.routes[PATH] = ig.profile(private=True)

    profile = replay_client.instagram_profile("oat.and.ember")

    assert (profile.is_private, profile.related, profile.recent_posts) == (True, (), ())


def test_instagram_profile_address_as_text_or_object_does_not_matter(replay_client, replay) -> None:
    for address in ("{\"city_name\": \"Cork\"}", {"city_name": "Cork"}):
        replay.routes[PATH] = ig.profile(address=address)
        assert replay_client.instagram_profile("oat.and.ember").links == ("https://oatandember.ie",)
