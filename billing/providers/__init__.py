"""The payment provider in force: Stripe when configured, the demo provider otherwise."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from .base import BillingProvider


@lru_cache(maxsize=8)
def _build(kind: str, api_key: str, webhook_secret: str, base_url: str) -> BillingProvider:
    if kind == "stripe":
        from .stripe_provider import StripeProvider

        return StripeProvider(api_key=api_key, webhook_secret=webhook_secret, base_url=base_url or None)
    from .demo import DemoProvider

    return DemoProvider()


def get_provider() -> BillingProvider:
    return _build(
        settings.BILLING_PROVIDER, settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET, settings.STRIPE_API_BASE
    )


def provider_is_demo() -> bool:
    return settings.BILLING_PROVIDER != "stripe"
