"""Set-up shared by the benches that drive the job engine on the embedded default (SQLite, in-memory
limiter and broker) against a sandbox provider they started."""

from __future__ import annotations

import json
import os
from pathlib import Path

from scraping.sandbox.server import SandboxServer


def django_on_sandbox(provider: SandboxServer, database: Path, *, config: dict, log_level: str = "WARNING") -> None:
    """Django on a throwaway SQLite ``database``, pointed at ``provider``, with runtime ``config``; migrated."""
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "influencer_platform.settings.local",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": "",
        "DEBUG": "false",
        "LOG_LEVEL": log_level,
        "SCRAPECREATORS_API_KEY": "",
        "SCRAPECREATORS_BASE_URL": provider.base_url,
        "RUNTIME_CONFIG_OVERRIDES": json.dumps(config),
    })
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def paying_customer(*, email: str, plan_key: str):
    """A customer past the trial on ``plan_key``: a trial's searches stop at the rows a trial sees."""
    from accounts.models import OnboardingStep, SubscriptionStatus, User, UserSubscription
    from billing.services import trial_start

    user = User.objects.create_user(email, "bench-pass-2026", full_name="Bench Brand",
                                    onboarding_step=OnboardingStep.PLAN_SELECTED)
    trial_start(user=user, plan_key=plan_key)
    UserSubscription.objects.filter(user_id=user.pk).update(subscription_status=SubscriptionStatus.ACTIVE)
    return User.objects.get(pk=user.pk)


def point_at_sandbox(provider: SandboxServer) -> None:
    """Send the engine's calls to ``provider`` (started after Django), from an idle limiter and no
    latency learnt on another provider."""
    from django.conf import settings

    from scraping.provider import ENDPOINT_LATENCY
    from scraping.ratelimit import provider_rate_limiter

    host = provider.base_url.split("://", 1)[1]
    settings.SCRAPECREATORS_BASE_URL = provider.base_url
    settings.LINK_IN_BIO_HOSTS = {*settings.LINK_IN_BIO_HOSTS, host}
    settings.LINK_IN_BIO_PRIVATE_HOSTS = {*settings.LINK_IN_BIO_PRIVATE_HOSTS, host}
    provider_rate_limiter().reset()
    ENDPOINT_LATENCY.reset()
