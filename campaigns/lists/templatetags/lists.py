from __future__ import annotations

from django import template

from influencer_platform.formatting import ago, compact_number

register = template.Library()


@register.filter
def bucket_label(creator_list, bucket: str) -> str:
    return creator_list.bucket_label(bucket)


@register.filter
def followers_change(item) -> str:
    """Followers gained or lost since the creator was added, as "+1.2K" / "−300"; blank if unknown."""
    then = (item.snapshot or {}).get("followers")
    now = item.creator.followers
    if then is None or now is None or then == now:
        return ""
    change = now - then
    return ("+" if change > 0 else "−") + compact_number(abs(change))


register.filter("ago", ago)
