from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserCreationForm
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .models import ApiToken, LifecycleEvent, User, UserBilling, UserSubscription, UserSystemData, UserUsage


class UserAddForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class _AccountInline(admin.StackedInline):
    """One of the four account tables, shown on the user's page but not edited there: plan, trial
    and usage change only through the operator actions, which lock the rows in billing's order and
    write the audit log; billing details come from the payment provider."""

    can_delete = False
    extra = 0
    max_num = 1

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class SubscriptionInline(_AccountInline):
    model = UserSubscription


class BillingInline(_AccountInline):
    model = UserBilling


class UsageInline(_AccountInline):
    model = UserUsage


class SystemDataInline(_AccountInline):
    model = UserSystemData
    fields = ("signup_at", "emails_display", "search_finished_emails", "last_webhook_event", "last_webhook_at")
    readonly_fields = fields

    @admin.display(description="Lifecycle emails")
    def emails_display(self, data: UserSystemData) -> SafeString | str:
        entries = [(key, entry) for key, entry in (data.email_schedule_status or {}).items() if isinstance(entry, dict)]
        if not entries:
            return "None scheduled yet."

        def moment(text) -> str:
            return str(text or "")[:16].replace("T", " ")

        entries.sort(key=lambda item: str(item[1].get("due", "")))
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
            (key.replace("_", " ").capitalize(), entry.get("status", "?"), moment(entry.get("due")),
             moment(entry.get("at")))
            for key, entry in entries
        ))
        return format_html("<table><thead><tr><th>Email</th><th>Status</th><th>Due (UTC)</th>"
                           "<th>Last change (UTC)</th></tr></thead><tbody>{}</tbody></table>", rows)


class ApiTokenInline(admin.TabularInline):
    """Tokens are shown, never edited here: their secret exists only once, with the user."""

    model = ApiToken
    fields = ("name", "key_hint", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "API tokens"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserAddForm
    ordering = ("-date_joined",)
    list_display = (
        "email", "full_name", "business_name", "plan", "trial_ends", "creators_used", "onboarding_step",
        "is_admin", "is_test_data", "date_joined",
    )
    list_filter = (
        "is_admin", "is_active", "is_test_data", "onboarding_step",
        "subscription__subscription_status", "subscription__current_plan", "industry",
    )
    list_select_related = ("subscription", "usage")
    search_fields = ("email", "full_name", "business_name")
    # Operator access changes only through the promote and remove actions, which refuse to lock
    # the last operator out and record the change as such.
    readonly_fields = ("date_joined", "last_login", "is_admin", "is_staff", "is_superuser")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name", "business_name", "industry", "brand_description", "onboarding_step")}),
        ("Access", {"fields": ("is_active", "is_admin", "is_staff", "is_superuser", "is_test_data")}),
        ("Dates", {"fields": ("date_joined", "last_login")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = (SubscriptionInline, BillingInline, UsageInline, SystemDataInline, ApiTokenInline)
    filter_horizontal = ()

    def get_inlines(self, request, obj):
        # The rows are created with the user; on the add page there is nothing to edit yet.
        return self.inlines if obj else ()

    @admin.display(ordering="subscription__current_plan")
    def plan(self, user):
        subscription = user.subscription
        return f"{subscription.current_plan} ({subscription.get_subscription_status_display().lower()})"

    @admin.display(description="Trial ends", ordering="subscription__trial_ends_at")
    def trial_ends(self, user):
        subscription = user.subscription
        return subscription.trial_ends_at.date() if subscription.is_trialing and subscription.trial_ends_at else None

    @admin.display(description="Creators this month", ordering="usage__creators_used_this_month")
    def creators_used(self, user):
        return user.usage.creators_used_this_month


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "key_hint", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("user",)
    search_fields = ("name", "user__email", "key_hint")
    readonly_fields = ("user", "name", "key_hint", "key_digest", "created_at", "last_used_at")
    list_filter = ("revoked_at",)

    def has_add_permission(self, request):
        return False


@admin.register(LifecycleEvent)
class LifecycleEventAdmin(admin.ModelAdmin):
    """What happened to each account, once per step; search a correlation id to see one request's work."""

    list_display = ("occurred_at", "user", "kind", "key", "correlation_id")
    list_select_related = ("user",)
    list_filter = ("kind", "occurred_at")
    search_fields = ("user__email", "=correlation_id", "key")
    date_hierarchy = "occurred_at"
    readonly_fields = ("occurred_at", "user", "kind", "key", "correlation_id", "data")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
