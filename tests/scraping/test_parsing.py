from datetime import UTC, datetime

import pytest

from scraping.parsing import (
    first_url,
    hashtags_from,
    normalise_handle,
    parse_count,
    parse_flag,
    parse_timestamp,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12345, 12345),
        (0, 0),
        (1234.6, 1235),
        ("12345", 12345),
        ("12,345", 12345),
        ("1,234,567", 1234567),
        ("1.2M", 1_200_000),
        ("3.4k", 3_400),
        ("1.1B", 1_100_000_000),
        ("12K followers", 12_000),
        ("1.2M subscribers", 1_200_000),
        ("1.25K", 1_250),
        ("10K+", 10_000),
        ("1.5 million", 1_500_000),
        ("1,234 views", 1234),
        ("  987  ", 987),
        ("", None),
        (None, None),
        ("garbage", None),
        ("N/A", None),
        ("12 345", None),
        ("12Kfollowers", None),
        (-5, None),
        ("-5", None),
        (float("nan"), None),
        (True, None),
        ({"count": 5}, None),
        ([5], None),
    ],
)
def test_parse_count_reads_provider_numbers(value, expected) -> None:
    assert parse_count(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # A decimal comma, as creators outside the US see their counts.
        ("12,3K", 12_300),
        ("1,2M", 1_200_000),
        ("1,5 K", 1_500),
        ("1.234.567", 1_234_567),
        # Spelled-out and plural multipliers.
        ("2.5 mil", 2_500_000),
        ("1.2 Mio.", 1_200_000),
        ("3 mln", 3_000_000),
        ("1.1bn", 1_100_000_000),
        ("1.5 millions", 1_500_000),
        ("2 thousand followers", 2_000),
    ],
)
def test_parse_count_reads_locale_and_spelled_multipliers(value, expected) -> None:
    assert parse_count(value) == expected


@pytest.mark.parametrize("value", ["2.5 lakh", "1.5 crore views", "123,45", "1,5"])
def test_parse_count_refuses_numbers_it_would_misread(value) -> None:
    # A fraction followed by an unknown word, or a bare decimal comma, has no safe reading.
    assert parse_count(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (1, True),
        ("true", True),
        ("True", True),
        (False, False),
        (0, False),
        ("false", False),
        ("", False),
        (None, False),
    ],
)
def test_parse_flag_reads_booleans_in_any_spelling(value, expected) -> None:
    assert parse_flag(value) is expected


MAY_FIRST = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        1714557600,
        1714557600.0,
        "1714557600",
        1714557600000,
        "2024-05-01T10:00:00Z",
        "2024-05-01T10:00:00+00:00",
        "2024-05-01T12:00:00+02:00",
        "2024-05-01T10:00:00",
        datetime(2024, 5, 1, 10, 0),
    ],
)
def test_parse_timestamp_returns_aware_utc(value) -> None:
    parsed = parse_timestamp(value)

    assert parsed == MAY_FIRST
    assert parsed.tzinfo == UTC


@pytest.mark.parametrize("value", [None, "", "yesterday-ish", 0, -1, True, "nan", {"t": 1}])
def test_parse_timestamp_gives_none_for_unreadable_values(value) -> None:
    assert parse_timestamp(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2 weeks ago", datetime(2024, 4, 17, 10, 0, tzinfo=UTC)),
        ("1 day ago", datetime(2024, 4, 30, 10, 0, tzinfo=UTC)),
        ("Streamed 3 hours ago", datetime(2024, 5, 1, 7, 0, tzinfo=UTC)),
    ],
)
def test_parse_timestamp_reads_relative_youtube_times(value, expected) -> None:
    assert parse_timestamp(value, now=MAY_FIRST) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://cdn.example.com/a.jpg", "https://cdn.example.com/a.jpg"),
        ({"url_list": ["https://p16.example.com/a.webp"]}, "https://p16.example.com/a.webp"),
        ({"url_list": []}, ""),
        ({"url_list": ["", "https://two.example.com/b.jpg"]}, "https://two.example.com/b.jpg"),
        (["https://one.example.com/1.jpg", "https://x.io/2"], "https://one.example.com/1.jpg"),
        ([{"url": "https://yt.example.com/t.jpg", "width": 88}], "https://yt.example.com/t.jpg"),
        ("//cdn.example.com/a.jpg", "https://cdn.example.com/a.jpg"),
        ("javascript:alert(1)", ""),
        ("not a url", ""),
        (None, ""),
        (42, ""),
    ],
)
def test_first_url_finds_the_first_web_url(value, expected) -> None:
    assert first_url(value) == expected


def test_hashtags_from_merges_tag_lists_and_caption() -> None:
    tags = hashtags_from(["SkinCare", "", None], "Morning #skincare #GRWM routine #glow_up")

    assert tags == ("skincare", "grwm", "glow_up")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mia.glow", "mia.glow"),
        ("@Mia.Glow", "mia.glow"),
        ("  @mia_glow  ", "mia_glow"),
        ("https://www.tiktok.com/@Mia.Glow?lang=en", "mia.glow"),
        ("https://www.tiktok.com/@mia/video/7234567890", "mia"),
        ("tiktok.com/@mia", "mia"),
        ("https://instagram.com/mia.glow/", "mia.glow"),
        ("https://www.instagram.com/mia.glow/?hl=en", "mia.glow"),
        ("www.instagram.com/mia.glow", "mia.glow"),
        ("https://youtube.com/@GlowStudio", "glowstudio"),
        ("https://www.youtube.com/@glow-studio/videos", "glow-studio"),
        ("https://www.youtube.com/c/GlowStudio", "glowstudio"),
    ],
)
def test_normalise_handle_accepts_names_and_profile_urls(text: str, expected: str) -> None:
    assert normalise_handle(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "@",
        "mia glow",
        "mia/glow",
        "https://www.instagram.com/",
        "https://www.instagram.com/p/Cxyz123/",
        "https://www.youtube.com/watch?v=abc",
        "https://www.youtube.com/channel/UC123",
    ],
)
def test_normalise_handle_rejects_values_that_name_no_account(text: str) -> None:
    with pytest.raises(ValueError):
        normalise_handle(text)
