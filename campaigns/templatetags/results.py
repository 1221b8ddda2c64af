from __future__ import annotations

from django import template

from influencer_platform.formatting import ago, compact_number
from scraping.images.signing import DEFAULT_AVATAR_PIXELS, image_proxy_url_for

from ..results_table import avatar_html, engagement_basis_label, engagement_basis_note

register = template.Library()
register.filter("ago", ago)


@register.filter
def compact(value) -> str:
    """1234 → 1.2K, 5_600_000 → 5.6M; blank for unknown."""
    return compact_number(value)


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


@register.filter
def duration(value) -> str:
    """How long a search ran: 45 s, 2 min 5 s, 1 h 15 min; a dash before it has started."""
    if value is None:
        return "–"
    seconds = max(int(value.total_seconds()), 0)
    hours, minutes, seconds = seconds // 3600, seconds // 60 % 60, seconds % 60
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    return f"{seconds} s"


STATUS_BADGES = {
    "completed": "badge-ok", "active": "badge-brand", "processing": "badge-brand", "pending": "badge-brand",
    "partial": "badge-warn", "timeout": "badge-warn", "error": "badge-danger", "cancelled": "",
    "draft": "", "archived": "",
}


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "")


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
