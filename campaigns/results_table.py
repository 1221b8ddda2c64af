"""The cells of the results table, formatted once per row in Python.

A page shows up to 100 rows; as template filters, a tag and an avatar template per row, this
formatting was most of the page's time. Here each cell becomes a ready string and the template
places it with one lookup; the row's markup stays in ``campaigns/_results.html``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat, linebreaksbr, truncatechars
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from influencer_platform.formatting import clock_length, compact_number, plural
from influencer_platform.http import web_url
from influencer_platform.templatetags.links import link_label
from scraping.export import email_source
from scraping.images.placeholder import creator_placeholder
from scraping.images.signing import DEFAULT_AVATAR_PIXELS, creator_avatar_proxy_url, image_proxy_url_for
from scraping.models import CreatorProfile, EngagementBasis, JobCreator

# Longer bios show this many characters in their column; the row's details show them whole.
BIO_SUMMARY_CHARS = 80
CAPTION_SUMMARY_CHARS = 60
THUMBNAIL_PIXELS = 96

# The columns a user may show beside the creator, in the order they appear; the row's details show
# everything whatever is chosen. The default set fits a 1366 px screen.
RESULT_COLUMNS = (
    ("followers", "Followers"),
    ("engagement", "Eng."),
    ("bio", "Bio"),
    ("emails", "Emails"),
    ("links", "Links"),
    ("found_by", "Found by"),
    ("post", "Post"),
    ("posted", "Posted"),
    ("views", "Views"),
    ("likes", "Likes"),
    ("comments", "Comments"),
    ("shares", "Shares"),
    ("hashtags", "Hashtags"),
    ("duration", "Length"),
)
RESULT_COLUMN_KEYS = tuple(key for key, _label in RESULT_COLUMNS)
DEFAULT_RESULT_COLUMNS = ("followers", "engagement", "bio", "emails", "post")


def result_columns_chosen(saved: list | None) -> tuple[str, ...]:
    """The columns to show, in table order: those saved that still exist, or the default set."""
    chosen = {key for key in saved or () if key in RESULT_COLUMN_KEYS}
    return tuple(key for key in RESULT_COLUMN_KEYS if key in chosen) or DEFAULT_RESULT_COLUMNS


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
    emails: list[dict]  # {"address", "source", "link"?, "label"}: label names the link ("link: linktr.ee/ana")
    keyword: str
    similar_topics: str  # similar searches: the topics shared with the target, "skincare, makeup"
    post_url: str
    post_views: str  # 1.2M, or "" when unknown
    post_likes: str
    post_comments: str
    post_shares: str
    post_caption: str
    post_caption_summary: str  # the caption's first characters, for the column
    post_hashtags: list[str]
    posted_at: object  # datetime or None
    post_duration: str  # 13:26, or ""
    result_id: int
    details_url: str
    cells: list[SafeString]  # the chosen columns' cells, in order (see ``result_cells``)
    links: list[str]


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
        emails=[{**email, "label": email_source(email)} for email in creator.emails if isinstance(email, dict)],
        keyword=row.keyword,
        similar_topics=", ".join(row.similar_topics),
        post_url=row.post_url,
        post_views="" if row.post_views is None else compact_number(row.post_views),
        post_likes="" if row.post_likes is None else compact_number(row.post_likes),
        post_comments="" if row.post_comments is None else compact_number(row.post_comments),
        post_shares="" if row.post_shares is None else compact_number(row.post_shares),
        post_caption=row.post_caption,
        post_caption_summary=truncatechars(row.post_caption, CAPTION_SUMMARY_CHARS),
        post_hashtags=[str(tag) for tag in row.post_hashtags or ()],
        posted_at=row.posted_at,
        post_duration=clock_length(row.post_duration_seconds),
        result_id=row.pk,
        details_url=_details_url(row.pk),
        links=[str(link) for link in creator.links or () if isinstance(link, str)],
        cells=[],
    )


def result_table_rows(rows: Iterable[JobCreator], *, columns: tuple[str, ...] = DEFAULT_RESULT_COLUMNS
                      ) -> list[ResultTableRow]:
    """The rows of a results page with the cells of ``columns`` ready to place."""
    table = []
    for row in rows:
        cells = result_table_row(row)
        cells.cells.extend(format_html('<td class="col-{}{}">{}</td>', key, _CELL_CLASSES.get(key, ""),
                                       _CELLS[key](cells)) for key in columns)
        table.append(cells)
    return table


@cache
def _details_url_prefix() -> str:
    # Reversed once per process; every row's address differs only by its id.
    return reverse("result_details", args=[1]).rsplit("/1/", 1)[0]


def _details_url(result_id: int) -> str:
    return f"{_details_url_prefix()}/{result_id}/details/"


_DASH = mark_safe('<span class="muted">–</span>')


def _external(url: str, content) -> SafeString:
    address = web_url(url)
    if not address:
        return format_html("{}", content)
    return format_html('<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', address, content)


def _bio_cell(row: ResultTableRow) -> SafeString:
    return format_html("{}", row.bio_summary or row.bio) if row.bio else _DASH


def _emails_cell(row: ResultTableRow) -> SafeString:
    if not row.emails:
        return _DASH
    return format_html_join("", '<div class="email-line"><a href="mailto:{}">{}</a> '
                                '<span class="badge source-{}"{}>{}</span></div>',
                            ((email.get("address", ""), email.get("address", ""), email.get("source", ""),
                              format_html(' title="Found in {}"', email["link"]) if email.get("link") else "",
                              email.get("source", "")) for email in row.emails))


def _links_cell(row: ResultTableRow) -> SafeString:
    if not row.links:
        return _DASH
    shown = format_html_join("", '<div class="link-line">{}</div>',
                             ((_external(link, link_label(link)),) for link in row.links[:2]))
    more = format_html('<div class="muted">+{} more</div>', len(row.links) - 2) if len(row.links) > 2 else ""
    return format_html("{}{}", shown, more)


def _post_cell(row: ResultTableRow) -> SafeString:
    if not web_url(row.post_url):
        return mark_safe("–")
    views = format_html('<div class="muted">{} views</div>', row.post_views) if row.post_views else ""
    return format_html("{}{}", _external(row.post_url, "View post"), views)


def _posted_cell(row: ResultTableRow) -> SafeString:
    if not row.posted_at:
        return mark_safe("–")
    return format_html('<time datetime="{}">{}</time>', row.posted_at.isoformat(),
                       date_format(row.posted_at, "M j, Y"))


def _hashtags_cell(row: ResultTableRow) -> SafeString:
    if not row.post_hashtags:
        return _DASH
    return format_html_join(" ", "#{}", ((tag,) for tag in row.post_hashtags[:3]))


_CELLS = {
    "followers": lambda row: format_html('<span title="{}">{}</span>', row.followers_exact, row.followers),
    "engagement": lambda row: format_html(
        '{}<div class="small muted nowrap" title="Engagement {}">{}</div>', row.engagement, row.engagement_basis,
        row.engagement_note) if row.engagement_note else format_html("{}", row.engagement),
    "bio": _bio_cell,
    "emails": _emails_cell,
    "links": _links_cell,
    # Why a similar search found someone is written under their name, whatever the columns.
    "found_by": lambda row: row.keyword or "–",
    "post": _post_cell,
    "posted": _posted_cell,
    "views": lambda row: row.post_views or "–",
    "likes": lambda row: row.post_likes or "–",
    "comments": lambda row: row.post_comments or "–",
    "shares": lambda row: row.post_shares or "–",
    "hashtags": _hashtags_cell,
    "duration": lambda row: row.post_duration or "–",
}
_CELL_CLASSES = {"bio": " bio-cell", "links": " small", "found_by": " small", "post": " small",
                 "posted": " small nowrap", "hashtags": " small", "duration": " nowrap"}


def result_thumbnail(row: JobCreator) -> str:
    """The post's thumbnail through the image proxy, or ""."""
    return image_proxy_url_for(row.post_thumbnail_url, size=THUMBNAIL_PIXELS)
