from django.contrib import admin

from .models import SubscriptionPlan, TrialClaim


@admin.register(SubscriptionPlan)
class SubscriptionPlanAdmin(admin.ModelAdmin):
    list_display = (
        "name", "plan_key", "price_monthly_cents", "price_yearly_cents",
        "campaigns_limit", "creators_limit", "is_active", "sort_order",
    )
    list_editable = ("is_active", "sort_order")
    search_fields = ("name", "plan_key")
    list_filter = ("is_active",)


@admin.register(TrialClaim)
class TrialClaimAdmin(admin.ModelAdmin):
    list_display = ("email_normalized", "user", "plan_key", "claimed_at")
    list_select_related = ("user",)
    search_fields = ("email_normalized", "user__email")
    readonly_fields = ("email_normalized", "user", "plan_key", "claimed_at")

    def has_add_permission(self, request):
        return False
