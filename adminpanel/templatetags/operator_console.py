from django import template

from adminpanel.alerts import alerts_open
from adminpanel.models import AdminAction, Alert
from adminpanel.selectors import audit_recent

register = template.Library()


@register.simple_tag
def recent_audit_entries(limit: int = 10) -> list[AdminAction]:
    return audit_recent(limit=limit)


@register.simple_tag
def open_alerts() -> list[Alert]:
    return alerts_open()
