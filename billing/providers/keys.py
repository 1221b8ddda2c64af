"""Checks on the Stripe keys, importable from settings (no Django apps needed)."""

from __future__ import annotations


def _mode(key: str) -> str | None:
    for prefix in ("sk_", "rk_", "pk_"):
        if key.startswith(prefix + "live_"):
            return "live"
        if key.startswith(prefix + "test_"):
            return "test"
    return None


def stripe_key_problems(*, secret_key: str, publishable_key: str, webhook_secret: str, live_required: bool) -> list[str]:
    """What is wrong with a Stripe configuration, in words an operator can act on.

    ``live_required`` (production): test keys are refused too, so a live site never takes
    payments that Stripe will not settle.
    """
    problems = []
    secret_mode, publishable_mode = _mode(secret_key), _mode(publishable_key)
    if secret_mode is None:
        problems.append("STRIPE_SECRET_KEY must be a Stripe secret key (sk_live_… or rk_live_…).")
    elif live_required and secret_mode == "test":
        problems.append("STRIPE_SECRET_KEY is a test key; production needs a live key.")
    if not publishable_key:
        problems.append("STRIPE_PUBLISHABLE_KEY is missing.")
    elif publishable_mode is None or not publishable_key.startswith("pk_"):
        problems.append("STRIPE_PUBLISHABLE_KEY must be a publishable key (pk_live_… or pk_test_…).")
    elif secret_mode and publishable_mode != secret_mode:
        problems.append(
            f"STRIPE_SECRET_KEY is a {secret_mode} key but STRIPE_PUBLISHABLE_KEY is a {publishable_mode} key."
        )
    if not webhook_secret:
        problems.append("STRIPE_WEBHOOK_SECRET is missing, so webhooks could not be verified.")
    elif not webhook_secret.startswith("whsec_"):
        problems.append("STRIPE_WEBHOOK_SECRET must be the endpoint's signing secret (whsec_…).")
    return problems
