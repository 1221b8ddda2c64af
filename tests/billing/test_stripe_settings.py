"""Production refuses to start with Stripe keys that would lose money; development only warns."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks

ROOT = Path(__file__).resolve().parents[2]
LIVE = {"STRIPE_SECRET_KEY": "sk_live_abc123", "STRIPE_PUBLISHABLE_KEY": "pk_live_abc123",
        "STRIPE_WEBHOOK_SECRET": "whsec_abc123"}


def production_check(**env: str) -> subprocess.CompletedProcess:
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "BILLING_"))}
    clean_env.update(
        DJANGO_SETTINGS_MODULE="influencer_platform.settings.production",
        SECRET_KEY="pr0duction-" + "x7Qk2LmZ9vB4nR8sT1wY5cE3hJ6gF0dA" * 2, ALLOWED_HOSTS="app.example.com", **env,
    )
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=clean_env,
                          capture_output=True, text=True)


@pytest.mark.parametrize(("env", "complaint"), [
    ({**LIVE, "STRIPE_SECRET_KEY": "sk_test_abc"}, "test key"),
    ({**LIVE, "STRIPE_PUBLISHABLE_KEY": "pk_test_abc"}, "live key but STRIPE_PUBLISHABLE_KEY is a test key"),
    ({**LIVE, "STRIPE_WEBHOOK_SECRET": ""}, "STRIPE_WEBHOOK_SECRET is missing"),
    ({}, "STRIPE_SECRET_KEY"),
])
def test_production_refuses_unsafe_stripe_settings(env, complaint):
    result = production_check(**env)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_production_starts_with_live_keys_or_explicit_demo_billing():
    assert production_check(**LIVE).returncode == 0
    assert production_check(BILLING_PROVIDER="demo").returncode == 0


def test_development_warns_about_mismatched_keys(settings):
    settings.BILLING_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_abc"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_live_abc"
    settings.STRIPE_WEBHOOK_SECRET = ""
    messages = [m.msg for m in run_checks() if m.id == "billing.W001"]
    assert any("test key but STRIPE_PUBLISHABLE_KEY is a live key" in m for m in messages)
    assert any("STRIPE_WEBHOOK_SECRET is missing" in m for m in messages)
