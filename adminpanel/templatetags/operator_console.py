from django import template

from adminpanel.models import AdminAction
from adminpanel.selectors import audit_recent

register = template.Library()


@register.simple_tag
def recent_audit_entries(limit: int = 10) -> list[AdminAction]:
    return audit_recent(limit=limit)
