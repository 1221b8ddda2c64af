from __future__ import annotations

import hashlib

from django import template

register = template.Library()

# Placeholder avatar colours: readable white initials on each.
_AVATAR_COLOURS = ("#5b47e0", "#d6384b", "#12a46b", "#d98a00", "#2878d6", "#b1459c", "#0f8a8a", "#6b5a3e")


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
def creator_avatar(creator, size: int = 40):
    """The creator's initial in a colour that stays the same for them everywhere."""
    name = (creator.display_name or creator.handle or "?").strip()
    digest = hashlib.sha256(f"{creator.platform}:{creator.external_id}".encode()).digest()
    return {"initial": name[:1].upper() or "?", "colour": _AVATAR_COLOURS[digest[0] % len(_AVATAR_COLOURS)],
            "size": size, "name": name}


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
