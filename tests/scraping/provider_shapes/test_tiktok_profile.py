"""/v1/tiktok/profile in the shapes the provider sends, private and deleted accounts included."""

import pytest

from scraping.providers import ProviderNotFoundError

from . import tiktok_fixtures as tt

PATH = "/v1/tiktok/profile"


def test_tiktok_profile_fixtures_have_the_recorded_shape():
    for body in (tt.profile(), tt.profile(link=None, stats_v2=False), tt.profile(private=True, videos=0),
                 tt.profile_private(), tt.profile_deleted()):
        tt.check_profile(body)


def test_tiktok_profile_prefers_exact_figures_and_gives_the_bio_link_a_scheme(client, recorded):
    recorded.reply(PATH, tt.profile(link="Dara.Komi.io"))

    profile = client.tiktok_profile("dough.dara")

    assert profile.followers == 48_213  # statsV2, not the rounded 48000 of "stats"
    assert (profile.total_likes, profile.total_posts) == (2_310_455, 402)
    assert profile.links == ("https://Dara.Komi.io",)
    assert profile.bio == "Sourdough nerd"


def test_tiktok_profile_without_exact_figures_uses_the_rounded_ones(client, recorded):
    recorded.reply(PATH, tt.profile(stats_v2=False, link="https://dara.example.com/shop"))

    profile = client.tiktok_profile("dough.dara")

    assert (profile.followers, profile.total_posts) == (48_000, 402)
    assert profile.links == ("https://dara.example.com/shop",)


def test_tiktok_profile_of_a_private_account_with_a_body_hides_its_videos(client, recorded):
    recorded.reply(PATH, tt.profile(private=True, videos=0))

    profile = client.tiktok_profile("dough.dara")

    assert (profile.total_likes, profile.total_posts) == (None, None)


@pytest.mark.parametrize(("body", "reason"), [(tt.profile_private(), "private"), (tt.profile_deleted(), "deleted")])
def test_tiktok_profile_short_bodies_say_why_there_is_no_profile(client, recorded, body, reason):
    recorded.reply(PATH, body)

    with pytest.raises(ProviderNotFoundError) as raised:
        client.tiktok_profile("closed.kit")

    assert raised.value.reason == reason
