from django import template

from ..models import Feature
from ..services import feature_check
from ..selectors import (
    CREATOR_COUNTING_RULE,
    creator_allowance,
    plan_for_user,
    result_row_limit,
    trial_countdown,
    usage_meters,
)

register = template.Library()


@register.inclusion_tag("billing/_usage_panel.html")
def usage_panel(user):
    """Plan name, usage meters and trial countdown for a user loaded with user_profile_get."""
    plan = plan_for_user(user=user)
    return {
        "plan": plan,
        "meters": usage_meters(user=user, plan=plan),
        "countdown": trial_countdown(subscription=user.subscription),
        "subscription": user.subscription,
        "counting_rule": CREATOR_COUNTING_RULE,
        "trial_rows": result_row_limit(user=user),
    }


@register.inclusion_tag("billing/_creator_allowance.html")
def creator_allowance_line(user):
    """This month's creators in one sentence, the same on the wizard, the results and the usage panel."""
    return {"allowance": creator_allowance(user=user)}


@register.inclusion_tag("billing/_api_access_note.html")
def api_access_note(user):
    """Before a token is created: whether the plan lets it answer, and which plan would."""
    return {"access": feature_check(user=user, feature=Feature.API)}


@register.filter
def money(cents: int) -> str:
    cents = int(cents or 0)
    # A credit is written with a minus sign before the dollar sign: -$50.25, not $-51.75.
    sign, (dollars, rem) = ("-" if cents < 0 else ""), divmod(abs(cents), 100)
    return f"{sign}${dollars:,}" if rem == 0 else f"{sign}${dollars:,}.{rem:02d}"


@register.filter
def number(value: int) -> str:
    return f"{int(value or 0):,}"


@register.filter
def limit(value: int) -> str:
    return "Unlimited" if value == -1 else f"{value:,}"
