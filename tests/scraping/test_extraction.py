import pytest

from scraping.extraction import (
    ContactInfo,
    EmailFound,
    extract_contacts,
    extract_emails,
    extract_links,
    normalise_link,
)

BIOS_WITH_EMAILS = [
    ("Skincare nerd 🧴 | Business: mia@glowstudio.com", ["mia@glowstudio.com"]),
    ("collabs 💌 mia [at] glowstudio [dot] com", ["mia@glowstudio.com"]),
    ("PR only: mia(at)glowstudio.com", ["mia@glowstudio.com"]),
    ("bookings → mia (at) glow (dot) co (dot) uk", ["mia@glow.co.uk"]),
    ("email me at mia at gmail dot com for collabs", ["mia@gmail.com"]),
    ("MIA {at} GLOW {dot} IO", ["mia@glow.io"]),
    ("mia@glow dot studio 🌸", ["mia@glow.studio"]),
    ("London based 🇬🇧 mgmt: team@mia-talent.co.uk", ["team@mia-talent.co.uk"]),
    ("Contact: mia@glow.co.", ["mia@glow.co"]),
    ("(mia@glow.co)", ["mia@glow.co"]),
    ("Say hi! mia@glow.co!", ["mia@glow.co"]),
    ("📧mia@glow.co✨", ["mia@glow.co"]),
    ("Business: MIA.Rose@Glow.CO", ["mia.rose@glow.co"]),
    ("mailto:hello@glow.co?subject=Collab", ["hello@glow.co"]),
    ("Email:mia+brands@glow.co, or DM", ["mia+brands@glow.co"]),
    ("ＰＲ mia＠glow.co", ["mia@glow.co"]),
    ("mgmt: a@agency.com | personal: mia@glow.co | a@agency.com", ["a@agency.com", "mia@glow.co"]),
    ("✉️ mia_rose.89@yahoo.com.br", ["mia_rose.89@yahoo.com.br"]),
    ("biz 👉 mia@glow.studio; pod 👉 pod@glowpod.fm", ["mia@glow.studio", "pod@glowpod.fm"]),
    ("inquiries@xn--glw-qqa.com", ["inquiries@xn--glw-qqa.com"]),
]

BIOS_WITHOUT_EMAILS = [
    "follow @mia.glow and @glowstudio for more",
    "collab w/@mia.co 🤍",
    "new logo@3x.jpg and banner@2x.png are up",
    "icon@1.5x.webp",
    "ping user@localhost",
    "npm i glow-ui@1.2.3 or pkg@2.0.x",
    "meet me at home dot",
    "meet me at home dot com",
    "Look at this dot com bubble",
    # Spelled-out websites, not addresses.
    "I'm at home dot com",
    "She’s at glow dot com now",
    "Shop at glowstudio dot com 🛍",
    "Order at glowbakery dot co dot uk",
    "Watch live at glow dot tv",
    "write to a@b.c",
    "x@y.123",
    "placeholder: you@example.com",
    "name@domain",
    "just vibes ☀️ no emails here",
    "",
]


@pytest.mark.parametrize(("bio", "expected"), BIOS_WITH_EMAILS)
def test_extract_emails_finds_addresses_creators_write(bio: str, expected: list[str]) -> None:
    assert extract_emails(bio) == expected


@pytest.mark.parametrize("bio", BIOS_WITHOUT_EMAILS)
def test_extract_emails_ignores_things_that_only_look_like_addresses(bio: str) -> None:
    assert extract_emails(bio) == []


def test_extract_contacts_records_where_each_address_was_found() -> None:
    contacts = extract_contacts(
        bio="Brand deals: deals@glow.co 💼",
        links=["https://linktr.ee/mia", "mailto:mia%40glow.co"],
        profile_email="Team@Glow.co ",
    )

    assert contacts.emails == (
        EmailFound(address="team@glow.co", source="profile"),
        EmailFound(address="deals@glow.co", source="bio"),
        EmailFound(address="mia@glow.co", source="link"),
    )


def test_extract_contacts_keeps_the_first_source_in_profile_bio_link_order() -> None:
    contacts = extract_contacts(
        bio="mia@glow.co and team@glow.co",
        links=["mailto:team@glow.co", "mailto:mia@glow.co"],
        profile_email="mia@glow.co",
    )

    assert contacts.emails == (
        EmailFound(address="mia@glow.co", source="profile"),
        EmailFound(address="team@glow.co", source="bio"),
    )


def test_extract_contacts_finds_addresses_inside_link_urls() -> None:
    contacts = extract_contacts(links=["https://glow.co/contact?email=press%40glow.co"])

    assert contacts.addresses == ("press@glow.co",)
    assert contacts.emails[0].source == "link"


def test_extract_contacts_collects_bio_urls_then_given_links_without_duplicates() -> None:
    contacts = extract_contacts(
        bio="Shop my faves: linktr.ee/mia! 🛍 also www.Glow.co/shop, mia@glow.co",
        links=["https://linktr.ee/mia", "HTTPS://Glow.co/", "mailto:mia@glow.co", "tel:+4412345"],
    )

    assert contacts.links == (
        "https://linktr.ee/mia",
        "https://www.glow.co/shop",
        "https://glow.co",
    )


def test_extract_contacts_with_nothing_gives_empty_contact_info() -> None:
    assert extract_contacts() == ContactInfo(emails=(), links=())


@pytest.mark.parametrize(
    ("bio", "expected"),
    [
        ("🔗 https://beacons.ai/mia.", ["https://beacons.ai/mia"]),
        ("my site (https://glow.co/about)", ["https://glow.co/about"]),
        ("wiki https://example.org/wiki/Glow_(band)", ["https://example.org/wiki/Glow_(band)"]),
        ("shop: glowstudio.com ✨", ["https://glowstudio.com"]),
        ("stan.store/mia or bit.ly/mia-yt", ["https://stan.store/mia", "https://bit.ly/mia-yt"]),
        ("Mr.Smith said hi. photo.jpg", []),
        ("email mia@glow.co", []),
        ("e.g. this", []),
    ],
)
def test_extract_links_finds_web_links_in_bios(bio: str, expected: list[str]) -> None:
    assert extract_links(bio) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Linktr.EE/Mia", "https://linktr.ee/Mia"),
        ("linktr.ee/mia", "https://linktr.ee/mia"),
        ("https://glow.co/", "https://glow.co"),
        ("https://glow.co/a?b=1#top", "https://glow.co/a?b=1"),
        ("mailto:mia@glow.co", ""),
        ("mia@glow.co", ""),
        ("ftp://glow.co/file", ""),
        ("localhost/admin", ""),
        ("", ""),
    ],
)
def test_normalise_link(url: str, expected: str) -> None:
    assert normalise_link(url) == expected
