"""The operations overview: the operator page that belongs to no single model.

Reached through ``admin_view`` (see ``ADMIN_EXTRA_VIEWS``), so only operators get here.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone

from adminpanel.selectors import background_activity, background_jobs_waiting, queue_depths, workers_recent
from influencer_platform.charts import Series, stacked_bar_chart

from . import selectors

OUTCOME_SERIES = [Series(key, label, colour) for key, label, colour, _statuses in selectors.OUTCOMES]
CREDIT_SERIES = [Series("spent", "Credits spent", "#5b47e0")]


def _provider_credit_context(today) -> dict:
    credit = selectors.provider_credit(today=today)
    return {
        "credits_remaining": credit.remaining,
        "provider_credit": credit,
        "provider_credit_chart": stacked_bar_chart(
            title="Provider credits spent per day, last 30 days", unit="credits", series=CREDIT_SERIES,
            slots=[(f"{day:%b %-d}", {"spent": spent}) for day, spent in credit.per_day]),
    }


def ops_overview(request: HttpRequest) -> TemplateResponse:
    """One page answering "is the platform healthy, and is it selling?"."""
    now = timezone.now()
    today = timezone.localdate(now)
    queues, broker_error = queue_depths()
    workers = workers_recent(now=now)
    daily = selectors.searches_per_day(today=today)
    hourly = selectors.searches_per_hour(now=now)
    context = {
        **admin.site.each_context(request),
        "title": "Operations overview",
        "now": now,
        "windows": [
            selectors.search_window(label="Last 24 hours", since=now - timedelta(hours=24)),
            selectors.search_window(label="Last 30 days", since=now - timedelta(days=30)),
        ],
        "outcomes": OUTCOME_SERIES,
        "daily_chart": stacked_bar_chart(
            title="Searches per day, last 30 days", series=OUTCOME_SERIES,
            slots=[(f"{slot.start:%b %-d}", slot.counts) for slot in daily]),
        "hourly_chart": stacked_bar_chart(
            title="Searches per hour, last 24 hours (UTC)", series=OUTCOME_SERIES, label_every=6,
            slots=[(f"{slot.start:%H}:00", slot.counts) for slot in hourly]),
        "pace": selectors.provider_pace(since=now - timedelta(hours=24)),
        **_provider_credit_context(today),
        "queues": queues,
        "broker_error": broker_error,
        "workers": workers,
        "workers_alive": sum(1 for status in workers if status.alive),
        "activity": background_activity(since=now - timedelta(hours=24)),
        "trials": selectors.trial_figures(now=now),
        "trial_chart": stacked_bar_chart(
            title="Trials started and converted per day, last 30 days", unit="trials", grouped=True,
            series=[Series("started", "Started", "#5b47e0"), Series("converted", "Converted to paid", "#15803d")],
            slots=[(f"{day.day:%b %-d}", {"started": day.started, "converted": day.converted})
                   for day in selectors.trials_per_day(today=today)]),
    }
    context.update(_lifecycle_context(today=today))
    return TemplateResponse(request, "admin/ops_overview.html", context)


FUNNEL_SERIES = [Series(key, label, colour) for key, label, colour, _condition in selectors.FUNNEL_STAGES]


def _lifecycle_context(*, today) -> dict:
    """The funnel and the work waiting for a worker (``admin/ops/_funnel.html``, ``_jobs.html``)."""
    return {
        "funnel_chart": stacked_bar_chart(
            title="Accounts per week: signed up, onboarded, trial, paid (last 12 weeks)", unit="accounts",
            grouped=True, label_every=2, label_heading="Week of", series=FUNNEL_SERIES,
            slots=[(f"{week.start:%b %-d}", week.counts)
                   for week in selectors.lifecycle_funnel_per_week(today=today)]),
        "waiting_jobs": background_jobs_waiting(),
    }

