from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

UNLIMITED = -1


class Feature(models.TextChoices):
    """What a plan can include beyond its limits. Each one is delivered and checked through
    ``feature_check`` where it is used, so a plan card never names something the product lacks."""

    CSV_EXPORT = "csv_export", "CSV export"
    BASIC_ANALYTICS = "basic_analytics", "Basic analytics"
    ADVANCED_ANALYTICS = "advanced_analytics", "Advanced analytics"
    API = "api", "API access"


class SubscriptionPlanQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def paid(self):
        return self.filter(price_monthly_cents__gt=0)


class SubscriptionPlan(models.Model):
    """A plan and its monthly limits; -1 means unlimited. Seeded by a migration, edited in the admin."""

    plan_key = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=60)
    tagline = models.CharField(max_length=160, blank=True)
    currency = models.CharField(max_length=3, default="usd")
    price_monthly_cents = models.PositiveIntegerField(default=0)
    price_yearly_cents = models.PositiveIntegerField(default=0)
    stripe_price_id_monthly = models.CharField(max_length=100, blank=True)
    stripe_price_id_yearly = models.CharField(max_length=100, blank=True)
    campaigns_limit = models.IntegerField(default=0, help_text="-1 = unlimited")
    creators_limit = models.IntegerField(default=0, help_text="Creators per month; -1 = unlimited")
    features = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    objects = SubscriptionPlanQuerySet.as_manager()

    class Meta:
        db_table = "subscription_plans"
        ordering = ["sort_order", "price_monthly_cents"]
        constraints = [
            models.CheckConstraint(condition=models.Q(campaigns_limit__gte=UNLIMITED), name="plan_campaigns_limit_valid"),
            models.CheckConstraint(condition=models.Q(creators_limit__gte=UNLIMITED), name="plan_creators_limit_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_paid(self) -> bool:
        return self.price_monthly_cents > 0

    @property
    def unlimited_campaigns(self) -> bool:
        return self.campaigns_limit == UNLIMITED

    @property
    def unlimited_creators(self) -> bool:
        return self.creators_limit == UNLIMITED

    def clean(self) -> None:
        super().clean()
        if not isinstance(self.features, list):
            raise ValidationError({"features": "A list of features, such as [\"csv_export\", \"basic_analytics\"]."})
        unknown = [str(feature) for feature in self.features if feature not in Feature.values]
        if unknown:
            raise ValidationError({"features": f"Not a feature the product has: {', '.join(unknown)}. "
                                               f"Choose from {', '.join(Feature.values)}."})

    def has_feature(self, feature: str) -> bool:
        return feature in self.features

    def feature_labels(self) -> list[str]:
        """The features the plan includes, in the order of ``Feature``; anything else is never sold."""
        return [label for value, label in Feature.choices if value in self.features]

    @property
    def yearly_saving_percent(self) -> int:
        full_year = self.price_monthly_cents * 12
        return round(100 * (full_year - self.price_yearly_cents) / full_year) if full_year else 0


class TrialClaim(models.Model):
    """One free trial per person: keyed by the normalised email, kept even if the account goes."""

    email_normalized = models.CharField(max_length=254, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    plan_key = models.CharField(max_length=32)
    claimed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.email_normalized


class CreatorReveal(models.Model):
    """A creator revealed to a user in one usage month: the row that makes a creator count once.

    ``period_ends`` is the usage month's reset date, so a new month (or an operator's reset)
    starts a fresh set. Written under the ``UserUsage`` row lock by ``usage_reveal_creators``.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    creator = models.ForeignKey("scraping.CreatorProfile", on_delete=models.CASCADE, related_name="+")
    period_ends = models.DateField()
    job = models.ForeignKey("scraping.ScrapingJob", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+", help_text="The search that first revealed the creator this month.")
    revealed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "period_ends", "creator"], name="creator_reveal_once_per_month"),
        ]

    def __str__(self) -> str:
        return f"creator {self.creator_id} for user {self.user_id} until {self.period_ends}"


class EventSource(models.TextChoices):
    STRIPE = "stripe", "Stripe webhook"
    APP = "app", "Application"
    ADMIN = "admin", "Operator"
    DEMO = "demo", "Demo billing"
    SCHEDULER = "scheduler", "Periodic work"


class EventStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    PROCESSED = "processed", "Processed"
    SKIPPED = "skipped", "Skipped (older than the state applied)"
    IGNORED = "ignored", "Ignored (no handler)"
    FAILED = "failed", "Failed"


class BillingEvent(models.Model):
    """One row per thing that happened to a customer's billing: webhooks, our changes, operator actions.

    ``idempotency_key`` is unique, so a provider event delivered five times is stored once
    (``stripe:<event id>``); our own writes use a key built from their ids or a random one.
    """

    aggregate = models.CharField(max_length=100, db_index=True, help_text="What it is about, e.g. subscription:sub_123.")
    event_type = models.CharField("type", max_length=100, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="billing_events"
    )
    data = models.JSONField(default=dict, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    source = models.CharField(max_length=20, choices=EventSource.choices)
    status = models.CharField(max_length=20, choices=EventStatus.choices, default=EventStatus.PENDING)
    retries = models.PositiveIntegerField(default=0, help_text="Processing attempts after the first.")
    error = models.TextField(blank=True)
    occurred_at = models.DateTimeField(help_text="When the source says it happened.")
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "events"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-occurred_at"], name="event_user_recent"),
            models.Index(fields=["status", "created_at"], name="event_status_created"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} ({self.aggregate})"


class DemoBillingObject(models.Model):
    """The demo billing provider's own storage: what Stripe would keep on its side.

    Only ``billing.providers.demo`` reads or writes it; the rest of the app sees the demo provider
    through the same interface as Stripe.
    """

    id = models.CharField(max_length=64, primary_key=True)
    kind = models.CharField(max_length=32)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "billing_demo_objects"

    def __str__(self) -> str:
        return self.id
