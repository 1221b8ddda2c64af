from __future__ import annotations

from django import template

from influencer_platform.formatting import Tone, ago, compact_number, duration_text, tone_class
from scraping.images.signing import DEFAULT_AVATAR_PIXELS, image_proxy_url_for

from ..results_table import avatar_html, engagement_basis_label, engagement_basis_note

register = template.Library()
register.filter("ago", ago)
register.filter("compact", compact_number)  # 1234 → 1.2K, 5_600_000 → 5.6M


@register.simple_tag
def creator_avatar(creator, size: int = DEFAULT_AVATAR_PIXELS):
    """The creator's avatar through the image proxy, over their initial (see ``avatar_html``)."""
    return avatar_html(creator, size=size)


@register.filter
def proxied(url: str, size: int = 128) -> str:
    """Any outside image (a post thumbnail) through the image proxy: ``{{ url|proxied:128 }}``."""
    return image_proxy_url_for(url, size=int(size))


@register.simple_tag
def page_url(query_string: str, page: int) -> str:
    prefix = f"{query_string}&" if query_string else ""
    return f"?{prefix}page={page}"


register.filter("duration", duration_text)


# Searches' and campaigns' statuses on the customer pages (a search waiting to start already reads as under way).
STATUS_TONES = {
    "completed": Tone.GOOD, "active": Tone.BUSY, "processing": Tone.BUSY, "pending": Tone.BUSY,
    "partial": Tone.WARN, "timeout": Tone.WARN, "error": Tone.BAD, "cancelled": Tone.QUIET,
    "draft": Tone.QUIET, "archived": Tone.QUIET,
}


@register.filter
def status_badge(status: str) -> str:
    return tone_class(STATUS_TONES.get(status))


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.filter
def engagement_basis(creator) -> str:
    """How a creator's engagement figure was computed ("per post", "avg of 12 recent posts"), as on the results."""
    return engagement_basis_label(creator)


@register.filter
def engagement_note(creator) -> str:
    """``engagement_basis`` in a few characters, for a narrow column."""
    return engagement_basis_note(creator)
