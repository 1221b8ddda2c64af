"""/v3/tiktok/profile/videos, the documented latest videos of a creator."""

import pytest

from scraping.providers import ProviderNotFoundError

from . import tiktok_fixtures as tt

PATH = "/v3/tiktok/profile/videos"


def test_tiktok_profile_videos_fixtures_have_the_documented_shape():
    tt.check_profile_videos(tt.profile_videos([tt.aweme()]))
    tt.check_profile_videos(tt.profile_private())


def test_tiktok_profile_videos_returns_captions_hashtags_and_counts(client, recorded):
    recorded.reply(PATH, tt.profile_videos([
        tt.aweme(), tt.aweme(aweme_id="7400000000000000009", desc="Rye starter day 3 #sourdough", tags=("sourdough",))]))

    videos = client.tiktok_profile_videos("@Lena.Bakes")

    assert [video.hashtags for video in videos] == [("baking", "cookies"), ("sourdough",)]
    assert videos[1].caption == "Rye starter day 3 #sourdough" and videos[0].views == 88_000
    assert recorded.requested(PATH)[0] == {"handle": "lena.bakes", "sort_by": "latest"}


def test_tiktok_profile_videos_of_a_private_account_is_not_found(client, recorded):
    recorded.reply(PATH, tt.profile_private())

    with pytest.raises(ProviderNotFoundError) as raised:
        client.tiktok_profile_videos("closed.kit")

    assert raised.value.reason == "private"
