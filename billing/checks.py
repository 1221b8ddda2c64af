"""Start-up checks of the billing configuration (production settings refuse to start instead)."""

from django.conf import settings
from django.core import checks

from .providers.keys import stripe_key_problems


@checks.register(checks.Tags.security)
def stripe_configuration_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if settings.BILLING_PROVIDER != "stripe":
        return []
    return [
        checks.Warning(problem, id="billing.W001")
        for problem in stripe_key_problems(
            secret_key=settings.STRIPE_SECRET_KEY, publishable_key=settings.STRIPE_PUBLISHABLE_KEY,
            webhook_secret=settings.STRIPE_WEBHOOK_SECRET, live_required=False,
        )
    ]
