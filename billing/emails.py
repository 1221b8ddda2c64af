"""The lifecycle email templates: one registry, one HTML + text layout, rendered by Django.

Each template is ``templates/emails/<key>.html`` and ``.txt``, both extending the layout. The
subject lives here, next to a sample context the operator test page uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone

from influencer_platform.email_backends import IDEMPOTENCY_HEADER


@dataclass(frozen=True)
class EmailTemplate:
    key: str
    subject: str  # a Django template string
    description: str
    opt_out: bool = False  # the user can turn this one off in their settings


EMAIL_TEMPLATES: dict[str, EmailTemplate] = {
    t.key: t
    for t in (
        EmailTemplate("welcome", "Welcome to Creator Radar, {{ user_name }}", "At sign-up."),
        EmailTemplate(
            "trial_started", 'Your {{ plan_name }} trial has started: free until {{ trial_ends_at|date:"F j" }}',
            "When a trial starts: the plan, its end date and what happens then.",
        ),
        EmailTemplate("trial_day_2", "Day 2: find your first 50 creators", "Two days into the trial."),
        EmailTemplate("trial_day_5", "{{ days_left }} days left in your {{ plan_name }} trial", "Five days into the trial."),
        EmailTemplate("trial_expired", "Your Creator Radar trial has ended", "When the trial ends without a paid plan."),
        EmailTemplate("subscription_welcome", "You're on {{ plan_name }} — thank you!", "When a paid plan starts."),
        EmailTemplate("payment_failed", "Your payment for {{ plan_name }} didn't go through", "When a charge fails."),
        EmailTemplate(
            "trial_payment_failed", "Your trial has ended and the first payment for {{ plan_name }} didn't go through",
            "When the first charge after a trial fails: one email, not “trial ended” and “payment failed”.",
        ),
        EmailTemplate(
            "search_finished", "Your search “{{ search_label }}” found {{ found_count }} creators",
            "When a search ends (users can turn this off).", opt_out=True,
        ),
        EmailTemplate(
            "search_digest", "{{ searches|length }} searches finished: {{ found_total }} creators found",
            "Instead of one email per search, when several end close together.", opt_out=True,
        ),
    )
}


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def email_render(*, key: str, context: dict[str, Any]) -> RenderedEmail:
    return email_render_in_layout(name=key, subject=EMAIL_TEMPLATES[key].subject, context=context)


def email_render_in_layout(*, name: str, subject: str, context: dict[str, Any]) -> RenderedEmail:
    """Any email in the product's layout: ``templates/emails/<name>.html`` and ``.txt``, and a
    subject template. Lifecycle emails and the ones other apps send (list invitations) look alike."""
    full = {"product_name": "Creator Radar", "site_url": settings.SITE_URL, **context}
    subject = Template(subject).render(Context(full, autoescape=False))
    return RenderedEmail(
        subject=" ".join(subject.split()),
        text=render_to_string(f"emails/{name}.txt", full),
        html=render_to_string(f"emails/{name}.html", full),
    )


def email_send_rendered(*, to: str, rendered: RenderedEmail, idempotency_key: str = "") -> None:
    """Send a rendered email now, through the configured Django email backend."""
    message = EmailMultiAlternatives(
        subject=rendered.subject, body=rendered.text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to],
        headers={IDEMPOTENCY_HEADER: idempotency_key} if idempotency_key else None,
    )
    message.attach_alternative(rendered.html, "text/html")
    message.send()


def email_deliver(*, to: str, key: str, context: dict[str, Any], idempotency_key: str = "") -> None:
    """Send one rendered template now, through the configured Django email backend."""
    email_send_rendered(to=to, rendered=email_render(key=key, context=context), idempotency_key=idempotency_key)


def sample_context(*, key: str, user_name: str = "Maya") -> dict[str, Any]:
    """Believable values for every template, for the operator's test sends."""
    now = timezone.now()
    return {
        "user_name": user_name,
        "plan_name": "Viral Surge",
        "trial_ends_at": now + timedelta(days=2),
        "days_left": 2,
        "amount": "$249.00",
        "trial_days": 7,
        "billing_period": "month",
        "trial_end_outcome": "charge",
        "card_last4": "4242",
        "billing_url": f"{settings.SITE_URL}/billing/",
        "plans_url": f"{settings.SITE_URL}/billing/plans/",
        "dashboard_url": f"{settings.SITE_URL}/dashboard/",
        "search_label": "vegan skincare",
        "search_platform": "TikTok",
        "search_status": "Completed",
        "found_count": 100,
        "search_url": f"{settings.SITE_URL}/dashboard/",
        "searches": [
            {"search_label": "vegan skincare", "search_platform": "TikTok", "search_status": "Completed",
             "found_count": 100, "search_url": f"{settings.SITE_URL}/dashboard/"},
            {"search_label": "@glowrecipe", "search_platform": "Instagram", "search_status": "Partial",
             "found_count": 64, "search_url": f"{settings.SITE_URL}/dashboard/"},
        ],
        "found_total": 164,
        "settings_url": f"{settings.SITE_URL}/settings/",
    }
