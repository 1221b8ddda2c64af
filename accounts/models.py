from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import BaseUserManager
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone


class OnboardingStep(models.TextChoices):
    PENDING = "pending", "Not started"
    INFO_CAPTURED = "info_captured", "Business info captured"
    INTENT_CAPTURED = "intent_captured", "Brand intent captured"
    PLAN_SELECTED = "plan_selected", "Plan selected"
    COMPLETED = "completed", "Completed"


class Industry(models.TextChoices):
    BEAUTY = "beauty", "Beauty & cosmetics"
    FASHION = "fashion", "Fashion & apparel"
    FITNESS = "fitness", "Health & fitness"
    FOOD = "food", "Food & beverage"
    TECH = "tech", "Technology & apps"
    GAMING = "gaming", "Gaming"
    TRAVEL = "travel", "Travel & hospitality"
    HOME = "home", "Home & lifestyle"
    FINANCE = "finance", "Finance"
    EDUCATION = "education", "Education"
    AGENCY = "agency", "Marketing agency"
    OTHER = "other", "Other"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **fields) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        with transaction.atomic(using=self._db):
            user.save(using=self._db)
            # Accounts made here come from someone with shell or operator access (createsuperuser,
            # the operator's test users, seed_demo), who vouches for the address; sign-up goes
            # through allauth instead and confirms it by email.
            EmailAddress.objects.using(self._db).create(user=user, email=user.email, primary=True, verified=True)
            if user.is_staff != user.is_platform_admin:
                user.save(using=self._db, update_fields=["is_staff"])
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_superuser=True, is_admin=True)
        return self._create_user(email, password, **fields)

    def get_by_natural_key(self, email: str) -> User:
        return self.get(email=email.strip().lower())


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with their email address."""

    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    business_name = models.CharField(max_length=120, blank=True)
    industry = models.CharField(max_length=32, choices=Industry.choices, blank=True)
    brand_description = models.TextField(max_length=1500, blank=True)
    onboarding_step = models.CharField(
        max_length=20, choices=OnboardingStep.choices, default=OnboardingStep.PENDING
    )
    is_admin = models.BooleanField(
        default=False, help_text="Operators reach the admin console and its tools."
    )
    is_staff = models.BooleanField(
        default=False, editable=False, help_text="Kept in sync with the operator status."
    )
    is_active = models.BooleanField(default=True)
    is_test_data = models.BooleanField(default=False, help_text="Created by an operator tool for testing.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        indexes = [models.Index(fields=["onboarding_step"])]

    def __str__(self) -> str:
        return self.email

    @property
    def is_named_operator(self) -> bool:
        """Named an operator (flag, superuser or ADMIN_EMAILS), whether or not access is on yet."""
        return self.is_admin or self.is_superuser or self.email in settings.ADMIN_EMAILS

    @property
    def is_platform_admin(self) -> bool:
        if not self.is_active:
            return False
        if self.is_admin or self.is_superuser:
            return True
        # ADMIN_EMAILS names an address, not a person: anyone can sign up with it or add it to
        # their account, so it counts only once its owner has confirmed it.
        return self.email in settings.ADMIN_EMAILS and self._email_confirmed()

    def _email_confirmed(self) -> bool:
        # The console asks for every permission of every page; one look-up per address and request.
        if self.pk is None:
            return False
        cached = getattr(self, "_email_confirmed_cache", None)
        if cached is None or cached[0] != self.email:
            confirmed = self.emailaddress_set.filter(email__iexact=self.email, verified=True).exists()
            cached = self._email_confirmed_cache = (self.email, confirmed)
        return cached[1]

    @property
    def is_onboarded(self) -> bool:
        return self.onboarding_step == OnboardingStep.COMPLETED

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]

    def has_perm(self, perm, obj=None) -> bool:
        return self.is_platform_admin or super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        return self.is_platform_admin or super().has_module_perms(app_label)

    def save(self, *args, **kwargs) -> None:
        # Stored lower-cased so uniqueness and look-ups are case-insensitive everywhere.
        self.email = self.email.strip().lower()
        self._email_confirmed_cache = None
        self.is_staff = self.is_platform_admin
        creating = self._state.adding
        # The four account tables are part of what a user *is*: however a user is created (sign-up,
        # admin, createsuperuser, shell) they appear in the same transaction, or not at all.
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            if creating:
                UserSubscription.objects.create(user=self)
                UserBilling.objects.create(user=self)
                UserUsage.objects.create(user=self)
                UserSystemData.objects.create(user=self, signup_at=self.date_joined)


class SubscriptionStatus(models.TextChoices):
    NONE = "none", "No subscription"
    TRIALING = "trialing", "Trialing"
    ACTIVE = "active", "Active"
    PAST_DUE = "past_due", "Past due"
    UNPAID = "unpaid", "Unpaid"
    CANCELED = "canceled", "Canceled"
    INCOMPLETE = "incomplete", "Incomplete"


class TrialStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    CONVERTED = "converted", "Converted"
    CANCELLED = "cancelled", "Cancelled"


class BillingSyncStatus(models.TextChoices):
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    SYNCED = "synced", "Synced"
    PENDING = "pending", "Pending"
    FAILED = "failed", "Failed"


class BillingCycle(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    YEARLY = "yearly", "Yearly"


# The plan every account is on until a trial or a payment puts it on another (billing seeds the row).
FREE_PLAN_KEY = "free"


class UserSubscription(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True, related_name="subscription")
    current_plan = models.CharField(max_length=32, default=FREE_PLAN_KEY, help_text="Plan key of the plan in force.")
    intended_plan = models.CharField(max_length=32, blank=True, help_text="Plan chosen during onboarding.")
    billing_cycle = models.CharField(max_length=10, choices=BillingCycle.choices, default=BillingCycle.MONTHLY)
    subscription_status = models.CharField(
        max_length=20, choices=SubscriptionStatus.choices, default=SubscriptionStatus.NONE
    )
    trial_status = models.CharField(max_length=20, choices=TrialStatus.choices, default=TrialStatus.NOT_STARTED)
    trial_started_at = models.DateTimeField(null=True, blank=True)
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    trial_converted_at = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True, help_text="Next renewal.")
    cancel_at_period_end = models.BooleanField(
        default=False, help_text="Set to end instead of renewing (at the period end or on a set date)."
    )
    cancel_at = models.DateTimeField(null=True, blank=True, help_text="When a plan set to end ends.")
    canceled_at = models.DateTimeField(null=True, blank=True)
    billing_sync_status = models.CharField(
        max_length=20, choices=BillingSyncStatus.choices, default=BillingSyncStatus.NOT_APPLICABLE
    )
    provider_state_at = models.DateTimeField(
        null=True, blank=True,
        help_text="How recent the payment provider's subscription state applied here is; older ones are skipped.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["subscription_status"]),
            models.Index(fields=["trial_status", "trial_ends_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.current_plan} ({self.subscription_status})"

    @property
    def has_access(self) -> bool:
        return self.subscription_status in {SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING}

    @property
    def is_trialing(self) -> bool:
        return self.subscription_status == SubscriptionStatus.TRIALING

    @property
    def ends_at(self) -> datetime | None:
        """When a plan set to end ends; None while it renews."""
        if not self.cancel_at_period_end:
            return None
        return self.cancel_at or self.current_period_end or self.trial_ends_at


class UserBilling(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True, related_name="billing")
    stripe_customer_id = models.CharField(max_length=64, blank=True, db_index=True)
    stripe_subscription_id = models.CharField(max_length=64, blank=True, db_index=True)
    stripe_payment_method_id = models.CharField(max_length=64, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    card_exp_month = models.PositiveSmallIntegerField(null=True, blank=True)
    card_exp_year = models.PositiveSmallIntegerField(null=True, blank=True)
    billing_city = models.CharField(max_length=100, blank=True)
    billing_country = models.CharField(max_length=2, blank=True)
    billing_postal_code = models.CharField(max_length=20, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "billing details"
        verbose_name_plural = "billing details"

    def __str__(self) -> str:
        return self.stripe_customer_id or "no customer"


class UserUsage(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True, related_name="usage")
    campaigns_used = models.PositiveIntegerField(default=0)
    creators_used_this_month = models.PositiveIntegerField(default=0)
    usage_reset_date = models.DateField(null=True, blank=True, help_text="When the monthly counters next reset.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "usage"

    def __str__(self) -> str:
        return f"{self.campaigns_used} campaigns, {self.creators_used_this_month} creators"


class UserSystemData(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True, related_name="system_data")
    signup_at = models.DateTimeField(default=timezone.now)
    email_schedule_status = models.JSONField(default=dict, blank=True)
    last_webhook_event = models.CharField(max_length=100, blank=True)
    last_webhook_at = models.DateTimeField(null=True, blank=True)
    search_finished_emails = models.BooleanField(default=True, help_text="Email me when a search finishes.")
    result_columns = models.JSONField(default=list, blank=True,
                                      help_text="The results table's columns this user chose, in order; empty: "
                                                "the default set.")

    class Meta:
        verbose_name_plural = "system data"

    def __str__(self) -> str:
        return f"system data for user {self.user_id}"


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the secret is shown once at creation."""

    PREFIX = "cr_"
    # How much of a token its owner is shown to recognise it by (``key_hint``).
    HINT_LENGTH = 8

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=60)
    key_digest = models.CharField(max_length=64, unique=True)
    key_hint = models.CharField(max_length=12, help_text="The first characters, to recognise it.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.key_hint}…)"

    @classmethod
    def generate_secret(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @staticmethod
    def digest(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


class LifecycleEventKind(models.TextChoices):
    REGISTERED = "registered", "Registered"
    EMAIL_CONFIRMED = "email_confirmed", "Email confirmed"
    ONBOARDING_STEP = "onboarding_step", "Onboarding step completed"
    TRIAL_STARTED = "trial_started", "Trial started"
    TRIAL_CONVERTED = "trial_converted", "Trial converted to paid"
    TRIAL_EXPIRED = "trial_expired", "Trial expired"
    SUBSCRIPTION_CHANGED = "subscription_changed", "Subscription changed"


class LifecycleEvent(models.Model):
    """One step of an account's life, written once: ``(user, kind, key)`` is unique, where ``key``
    tells apart the steps a kind can have (the onboarding step, the subscription change)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="lifecycle_events")
    kind = models.CharField(max_length=32, choices=LifecycleEventKind.choices, db_index=True)
    key = models.CharField(max_length=120, blank=True)
    correlation_id = models.CharField(
        max_length=64, blank=True, db_index=True,
        help_text="The request id of the page or API call that caused it, carried into its background jobs.")
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "kind", "key"], name="lifecycle_event_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}".strip()
