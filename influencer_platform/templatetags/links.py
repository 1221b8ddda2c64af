"""Links to pages outside the product: only http(s) addresses become links, opened in a new tab."""

from django import template
from django.utils.html import format_html

from influencer_platform.http import web_url

register = template.Library()

register.filter("web_url", web_url)


@register.simple_block_tag
def external_link(content: str, url: str, draggable: str = "") -> str:
    """``content`` linked to ``url`` when it is a web address, shown unlinked otherwise."""
    address = web_url(url)
    if not address:
        return content
    extra = format_html(' draggable="{}"', draggable) if draggable else ""
    return format_html('<a href="{}" target="_blank" rel="noopener noreferrer"{}>{}</a>', address, extra, content)


@register.filter
def link_label(url: str, length: int = 40) -> str:
    """An address as people read it: ``https://www.linktr.ee/ana/`` → ``linktr.ee/ana``."""
    text = str(url or "").strip()
    for prefix in ("https://", "http://"):
        if text.lower().startswith(prefix):
            text = text[len(prefix):]
    if text.lower().startswith("www."):
        text = text[4:]
    text = text.rstrip("/")
    return text if len(text) <= int(length) else text[: int(length) - 1] + "…"
