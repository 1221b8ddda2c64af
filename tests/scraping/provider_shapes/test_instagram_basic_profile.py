"""GET /v1/instagram/basic-profile: the flat profile by numeric id."""

from __future__ import annotations

from . import instagram_fixtures as ig
from .shapes import INSTAGRAM_BASIC_PROFILE, assert_shape

PATH = "/v1/instagram/basic-profile"


def test_instagram_basic_profile_fixture_has_the_captured_shape() -> None:
    assert_shape(ig.basic_profile(), INSTAGRAM_BASIC_PROFILE)


def test_instagram_basic_profile_reads_the_flat_reply(replay_client, replay) -> None:
    replay.routes[PATH] = ig.basic_profile(external_url="")

    profile = replay_client.instagram_basic_profile("51000000001")

    assert (profile.handle, profile.followers, profile.links) == ("oat.and.ember", 20_500, ())
    assert profile.avatar_url == "https://scontent.example.com/51000000001-hd.jpg"
    assert replay.asked_for(PATH) == [{"userId": "51000000001"}]
