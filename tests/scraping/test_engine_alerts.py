"""The engine tells the operators when the data provider refuses us or searches end on its failures."""

import pytest

from adminpanel.alerts import PROVIDER_KEY_REFUSED, SEARCH_PROVIDER_FAILED
from adminpanel.models import Alert
from scraping.models import EndReason

from .conftest import run_job
from .test_engine import start

pytestmark = pytest.mark.django_db


def test_refused_api_key_raises_the_key_alert_and_the_failed_search_alert_once(make_sandbox, subscriber):
    make_sandbox(api_key="the-real-key")

    jobs = [run_job(start(subscriber, keywords=keywords)) for keywords in ("skincare", "haircare")]

    assert {job.end_reason for job in jobs} == {EndReason.PROVIDER_REJECTED}
    key = Alert.objects.get(kind=PROVIDER_KEY_REFUSED)
    assert key.count == 2 and "API key" in key.detail
    failed = Alert.objects.get(kind=SEARCH_PROVIDER_FAILED)
    assert failed.count == 2 and f"Search {jobs[1].pk}" in failed.detail


def test_provider_failing_until_the_retry_budget_raises_the_failed_search_alert(make_sandbox, subscriber, settings):
    make_sandbox(fail_rate=1.0, hang_seconds=0.0)
    settings.RUNTIME_CONFIG_OVERRIDES = {**settings.RUNTIME_CONFIG_OVERRIDES, "provider.retry_budget": 2}

    job = run_job(start(subscriber, keywords="skincare"))

    assert job.end_reason == EndReason.PROVIDER_UNAVAILABLE
    assert Alert.objects.get(kind=SEARCH_PROVIDER_FAILED).count == 1
    assert not Alert.objects.filter(kind=PROVIDER_KEY_REFUSED).exists()
