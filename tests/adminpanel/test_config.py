import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from adminpanel.config import RECHECK_SECONDS, REGISTRY, config_cache_reset, config_get
from adminpanel.models import AdminAction, SystemConfiguration
from adminpanel.services import config_registry_sync

pytestmark = pytest.mark.django_db

SETTINGS = "admin:adminpanel_systemconfiguration_changelist"


def setting(key: str) -> SystemConfiguration:
    category, name = key.split(".", 1)
    return SystemConfiguration.objects.get(category=category, key=name)


def edit(client, key: str, value: str):
    return client.post(reverse("admin:adminpanel_systemconfiguration_change", args=[setting(key).pk]),
                       {"value": value})


def test_config_every_registry_key_is_seeded_with_its_default_on_migrate():
    rows = {row.full_key: row for row in SystemConfiguration.objects.all()}

    assert set(rows) == set(REGISTRY)
    timeout = rows["timeouts.standard_job_timeout"]
    assert (timeout.category, timeout.key, timeout.value, timeout.value_type) == (
        "timeouts", "standard_job_timeout", "30m", "duration")
    assert timeout.description == REGISTRY["timeouts.standard_job_timeout"].description
    assert rows["scraping.fetch_link_pages"].value == "true"
    assert rows["ops.worker_heartbeat_interval"].is_hot_reloadable is False


def test_config_registry_sync_adds_new_keys_and_keeps_operator_values():
    SystemConfiguration.objects.filter(category="retention").delete()
    SystemConfiguration.objects.filter(category="provider", key="retry_budget").update(value="9")

    created = config_registry_sync()

    assert created == 2
    assert setting("retention.background_jobs").value == "30d"
    assert setting("provider.retry_budget").value == "9"


def test_config_admin_lists_every_setting_with_its_default_before_any_edit(client, operator):
    page = client.get(reverse(SETTINGS))

    assert page.status_code == 200
    assert page.context["cl"].result_count == len(REGISTRY)
    html = page.content.decode()
    for key in ("provider.step_delay.tiktok", "scraping.freshness_window", "billing.trial_length",
                "emails.trial_day2_after", "retention.background_jobs", "ui.progress_poll_interval"):
        assert key in html


def test_config_admin_edit_changes_what_the_app_reads(client, operator, django_capture_on_commit_callbacks):
    assert config_get("timeouts.standard_job_timeout") == timedelta(minutes=30)

    with django_capture_on_commit_callbacks(execute=True):
        response = edit(client, "timeouts.standard_job_timeout", "45m")

    assert response.status_code == 302
    assert setting("timeouts.standard_job_timeout").value == "45m"
    assert config_get("timeouts.standard_job_timeout") == timedelta(minutes=45)
    entry = AdminAction.objects.get()
    assert (entry.action, entry.actor, entry.target_repr) == (
        "config.change", operator, "timeouts.standard_job_timeout")
    assert (entry.before, entry.after) == ({"value": "30m"}, {"value": "45m"})


@pytest.mark.parametrize(("key", "value", "message"), [
    ("timeouts.standard_job_timeout", "soon", "is not a duration such as 250ms, 2s, 60m, 12h or 7d"),
    ("provider.step_delay.tiktok", "-2s", "is not a duration"),
    ("scraping.enrichment_concurrency", "lots", "is not a number"),
    ("scraping.enrichment_concurrency", "0", "Use at least 1."),
    ("timeouts.standard_job_timeout", "10s", "Use at least 1m."),
])
def test_config_admin_refuses_an_invalid_value_with_a_message(client, operator, key, value, message):
    before = setting(key).value

    response = edit(client, key, value)

    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors["value"])
    assert message in response.content.decode()
    assert setting(key).value == before
    assert not AdminAction.objects.exists()


def test_config_admin_normalises_values_and_shows_booleans_as_a_choice(client, operator):
    page = client.get(reverse("admin:adminpanel_systemconfiguration_change",
                              args=[setting("scraping.fetch_link_pages").pk]))
    assert '<select name="value"' in page.content.decode()

    edit(client, "scraping.fetch_link_pages", "false")
    edit(client, "scraping.freshness_window", " 48h ")

    assert setting("scraping.fetch_link_pages").value == "false"
    assert setting("scraping.freshness_window").value == "48h"
    assert AdminAction.objects.count() == 2


def test_config_deployment_override_wins_over_the_admin_value(settings, client, operator,
                                                              django_capture_on_commit_callbacks):
    settings.RUNTIME_CONFIG_OVERRIDES = {"provider.retry_budget": 2}

    with django_capture_on_commit_callbacks(execute=True):
        edit(client, "provider.retry_budget", "11")

    assert setting("provider.retry_budget").value == "11"
    assert config_get("provider.retry_budget") == 2
    settings.RUNTIME_CONFIG_OVERRIDES = {}
    assert config_get("provider.retry_budget") == 11


def test_config_non_hot_reloadable_key_keeps_its_first_value_until_restart(
        client, operator, django_capture_on_commit_callbacks):
    assert config_get("ops.worker_heartbeat_interval") == timedelta(seconds=15)

    with django_capture_on_commit_callbacks(execute=True):
        edit(client, "ops.worker_heartbeat_interval", "30s")

    assert config_get("ops.worker_heartbeat_interval") == timedelta(seconds=15)
    config_cache_reset()  # what a restart does
    assert config_get("ops.worker_heartbeat_interval") == timedelta(seconds=30)


def test_config_settings_cannot_be_added_or_deleted_in_the_admin(client, operator):
    row = setting("provider.retry_budget")

    assert client.get(reverse("admin:adminpanel_systemconfiguration_add")).status_code == 403
    assert client.post(reverse("admin:adminpanel_systemconfiguration_delete", args=[row.pk]),
                       {"post": "yes"}).status_code == 403
    assert SystemConfiguration.objects.filter(pk=row.pk).exists()


def test_config_change_by_another_process_is_seen_without_a_shared_cache(settings):
    # The embedded default has no Redis: `run_search` and `runserver` are separate processes whose
    # caches cannot talk, so the table itself tells a process that it changed.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    config_cache_reset()
    assert config_get("provider.retry_budget") == 6

    # What an admin edit in another process leaves behind: a new value and a newer updated_at.
    SystemConfiguration.objects.filter(category="provider", key="retry_budget").update(
        value="9", updated_at=timezone.now())
    time.sleep(RECHECK_SECONDS + 0.2)

    assert config_get("provider.retry_budget") == 9


def test_config_admin_list_says_who_changed_a_setting_and_marks_it(client, operator):
    edit(client, "provider.retry_budget", "9")

    page = client.get(reverse(SETTINGS))

    rows = {row.full_key: row for row in page.context["cl"].result_list}
    admin = page.context["cl"].model_admin
    assert admin.changed_display(rows["provider.retry_budget"]).endswith(f"by {operator.email}")
    assert admin.changed_display(rows["provider.call_retries"]) == "—"
    assert "<strong>9</strong>" in page.content.decode()  # differs from its default (6)
