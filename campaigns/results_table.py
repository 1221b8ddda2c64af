"""The cells of the results table, formatted once per row in Python.

A page shows up to 100 rows; as template filters, a tag and an avatar template per row, this
formatting was most of the page's time. Here each cell becomes a ready string and the template
places it with one lookup; the row's markup stays in ``campaigns/_results.html``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat, linebreaksbr, truncatechars
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from influencer_platform.formatting import compact_number, plural
from scraping.images.placeholder import creator_placeholder
from scraping.images.signing import DEFAULT_AVATAR_PIXELS, creator_avatar_proxy_url
from scraping.models import CreatorProfile, EngagementBasis, JobCreator

# Longer bios show this many characters and open on a click.
BIO_SUMMARY_CHARS = 90

_AVATAR_IMAGE = (
    '<img src="{src}" srcset="{src} 1x, {src_2x} 2x" width="{size}" height="{size}" loading="lazy" '
    'decoding="async" alt="" style="position:absolute;inset:0;width:100%;height:100%;object-fit:cover">'
)


def avatar_html(creator: CreatorProfile, *, size: int = DEFAULT_AVATAR_PIXELS) -> SafeString:
    """The creator's avatar through the image proxy, over their initial in a colour that stays the
    same for them everywhere.

    The initial shows while the image loads and stays if it never does; the proxy itself answers
    with the same initial as an SVG when the platform refuses the picture. Decorative: the name is
    always written next to it.
    """
    name = (creator.display_name or creator.handle or "?").strip()
    placeholder = creator_placeholder(platform=creator.platform, external_id=creator.external_id, name=name)
    src = creator_avatar_proxy_url(creator, size=size, name=name)
    if not src:
        return format_html('<span class="avatar" style="--size:{}px;background:{}" aria-hidden="true">{}</span>',
                           size, placeholder.colour, placeholder.initial)
    image = format_html(_AVATAR_IMAGE, src=src, src_2x=creator_avatar_proxy_url(creator, size=2 * size, name=name),
                        size=size)
    return format_html(
        '<span class="avatar" style="--size:{}px;background:{};position:relative;overflow:hidden" '
        'aria-hidden="true">{}{}</span>', size, placeholder.colour, placeholder.initial, image)


@dataclass(frozen=True)
class ResultTableRow:
    creator_id: int
    handle: str
    name: str  # the display name, or the handle when there is none
    profile_url: str
    platform: str  # as people read it: "TikTok"
    verified: bool
    avatar: SafeString
    followers: str  # 1.2M
    followers_exact: str  # 1,234,567, or "unknown"
    engagement: str  # 4.2%, or a dash
    engagement_basis: str  # how the figure was computed: "per post", "avg of 12 recent posts", or ""
    engagement_note: str  # the same, short enough for the column: "per post", "12-post avg"
    bio: str
    bio_summary: str  # the first characters of a long bio; "" when the bio is short enough to show whole
    bio_lines: SafeString  # a long bio with its line breaks, shown when opened
    emails: list[dict]  # {"address", "source"}
    keyword: str
    similar_topics: str  # similar searches: the topics shared with the target, "skincare, makeup"
    post_url: str
    post_views: str  # 1.2M, or "" when unknown


def engagement_basis_label(creator: CreatorProfile) -> str:
    """What an engagement figure is: one post's, or an average over recent or all posts."""
    if creator.engagement_rate is None or not creator.engagement_basis:
        return ""
    count = creator.engagement_posts
    if creator.engagement_basis == EngagementBasis.RECENT_POSTS and count:
        return f"avg of {plural(count, 'recent post')}"
    return creator.get_engagement_basis_display()


# The column's short form of each basis; the full sentence is the note's title.
_SHORT_BASIS = {EngagementBasis.POST: "per post", EngagementBasis.RECENT_POSTS: "recent avg",
                EngagementBasis.ALL_POSTS: "lifetime avg"}


def engagement_basis_note(creator: CreatorProfile) -> str:
    """``engagement_basis_label`` in a few characters, for a narrow column."""
    if creator.engagement_rate is None or not creator.engagement_basis:
        return ""
    if creator.engagement_basis == EngagementBasis.RECENT_POSTS and creator.engagement_posts:
        return f"{creator.engagement_posts}-post avg"
    return _SHORT_BASIS.get(creator.engagement_basis, "")


def result_table_row(row: JobCreator) -> ResultTableRow:
    creator = row.creator
    bio = creator.bio
    long_bio = len(bio) > BIO_SUMMARY_CHARS
    return ResultTableRow(
        creator_id=creator.pk,
        handle=creator.handle,
        name=creator.display_name or creator.handle,
        profile_url=creator.profile_url,
        platform=creator.get_platform_display(),
        verified=creator.verified,
        avatar=avatar_html(creator),
        followers=compact_number(creator.followers),
        followers_exact="unknown" if creator.followers is None else intcomma(creator.followers),
        engagement="–" if creator.engagement_rate is None else f"{floatformat(creator.engagement_rate, 1)}%",
        engagement_basis=engagement_basis_label(creator),
        engagement_note=engagement_basis_note(creator),
        bio=bio,
        bio_summary=truncatechars(bio, BIO_SUMMARY_CHARS) if long_bio else "",
        bio_lines=linebreaksbr(bio, autoescape=True) if long_bio else mark_safe(""),
        emails=creator.emails,
        keyword=row.keyword,
        similar_topics=", ".join(row.similar_topics),
        post_url=row.post_url,
        post_views="" if row.post_views is None else compact_number(row.post_views),
    )


def result_table_rows(rows: Iterable[JobCreator]) -> list[ResultTableRow]:
    return [result_table_row(row) for row in rows]
