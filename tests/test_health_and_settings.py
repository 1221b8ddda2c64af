import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": {"ok": True, "vendor": "postgresql"},
        "broker": {"ok": True, "kind": "redis"},
    }


@pytest.mark.django_db
def test_responses_carry_a_request_id(client):
    response = client.get("/healthz", headers={"X-Request-ID": "req-12345678"})
    assert response["X-Request-ID"] == "req-12345678"
    forged = client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert forged["X-Request-ID"] != "bad id\nwith newline" and len(forged["X-Request-ID"]) == 32


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean_env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    clean_env.update(DJANGO_SETTINGS_MODULE="influencer_platform.settings.production", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean_env, capture_output=True, text=True
    )


def test_production_settings_refuse_to_start_without_secrets():
    result = manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_refuse_missing_allowed_hosts():
    result = manage("check", SECRET_KEY="k" * 64)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_check_deploy_is_clean():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY="pr0duction-" + "x7Qk2LmZ9vB4nR8sT1wY5cE3hJ6gF0dA" * 2, ALLOWED_HOSTS="app.example.com",
        STRIPE_SECRET_KEY="sk_live_abc123", STRIPE_PUBLISHABLE_KEY="pk_live_abc123", STRIPE_WEBHOOK_SECRET="whsec_abc123",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
