"""Billing writes, by topic: entitlements and trials, subscriptions, webhooks, emails, periodic work.

The names other apps use are re-exported here so they can keep importing ``billing.services``.
"""

from .entitlements import (  # noqa: F401
    Entitlement,
    PlanLimitError,
    Reveal,
    RevealStop,
    TrialError,
    access_check,
    campaign_create_check,
    creators_check,
    feature_check,
    next_month,
    normalize_email_for_trial,
    trial_claim_reserve,
    trial_length,
    trial_start,
    usage_reveal_creators,
    usage_record_campaign,
    usage_release_campaign,
)
