from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .providers.keys import stripe_key_problems


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the start-up checks)

        # Every process (web, workers, commands) stops here rather than take payments Stripe will
        # not settle; development only warns (billing.checks).
        if settings.BILLING_PROVIDER == "stripe" and settings.STRIPE_LIVE_KEYS_REQUIRED:
            problems = stripe_key_problems(
                secret_key=settings.STRIPE_SECRET_KEY, publishable_key=settings.STRIPE_PUBLISHABLE_KEY,
                webhook_secret=settings.STRIPE_WEBHOOK_SECRET, live_required=True,
            )
            if problems:
                raise ImproperlyConfigured("Stripe is misconfigured: " + " ".join(problems))
