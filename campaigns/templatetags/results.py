from __future__ import annotations

from django import template

from scraping.images.placeholder import creator_placeholder
from scraping.images.signing import DEFAULT_AVATAR_PIXELS, creator_avatar_proxy_url, image_proxy_url_for

register = template.Library()


@register.filter
def compact(value) -> str:
    """1234 → 1.2K, 5_600_000 → 5.6M; blank for unknown."""
    if value is None or value == "":
        return "–"
    number = int(value)
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if abs(number) >= size:
            return f"{number / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(number)


@register.inclusion_tag("campaigns/_avatar.html")
def creator_avatar(creator, size: int = DEFAULT_AVATAR_PIXELS):
    """The creator's avatar through the image proxy, over their initial in a colour that stays the
    same for them everywhere (shown while it loads, and if it cannot be had)."""
    name = (creator.display_name or creator.handle or "?").strip()
    placeholder = creator_placeholder(platform=creator.platform, external_id=creator.external_id, name=name)
    return {
        "initial": placeholder.initial, "colour": placeholder.colour, "size": size, "name": name,
        "src": creator_avatar_proxy_url(creator, size=size, name=name),
        "src_2x": creator_avatar_proxy_url(creator, size=2 * size, name=name),
    }


@register.filter
def proxied(url: str, size: int = 128) -> str:
    """Any outside image (a post thumbnail) through the image proxy: ``{{ url|proxied:128 }}``."""
    return image_proxy_url_for(url, size=int(size))


@register.simple_tag
def page_url(query_string: str, page: int) -> str:
    prefix = f"{query_string}&" if query_string else ""
    return f"?{prefix}page={page}"


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
