from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from adminpanel.audit import audited
from influencer_platform.errors import ApplicationError
from influencer_platform.formatting import Tone, tone_badge

from .emails import EMAIL_TEMPLATES
from .forms import EmailTestForm
from .models import BillingEvent, EventStatus, Feature, SubscriptionPlan, TrialClaim
from .services.admin_tools import billing_event_reprocess, email_test_schedule


class SubscriptionPlanForm(forms.ModelForm):
    # Ticked from the features the product has, so a plan card can only name one of them.
    features = forms.MultipleChoiceField(choices=Feature.choices, widget=forms.CheckboxSelectMultiple,
                                         required=False)

    class Meta:
        model = SubscriptionPlan
        fields = "__all__"


@admin.register(SubscriptionPlan)
class SubscriptionPlanAdmin(admin.ModelAdmin):
    form = SubscriptionPlanForm
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


@admin.register(BillingEvent)
class BillingEventAdmin(admin.ModelAdmin):
    """Every billing event (webhooks, user changes, operator actions), and the email test page."""

    list_display = ("occurred_at", "event_type", "user", "source", "status_badge", "retries", "aggregate")
    list_filter = ("source", "status", "event_type")
    list_select_related = ("user",)
    search_fields = ("=aggregate", "event_type", "user__email", "=idempotency_key")
    date_hierarchy = "occurred_at"
    readonly_fields = [f.name for f in BillingEvent._meta.fields]
    actions = ("reprocess",)
    change_list_template = "admin/billing/billingevent/change_list.html"

    _STATUS_TONES = {EventStatus.PROCESSED: Tone.GOOD, EventStatus.FAILED: Tone.BAD,
                     EventStatus.PENDING: Tone.BUSY, EventStatus.PROCESSING: Tone.BUSY}

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="status", ordering="status")
    def status_badge(self, event):
        return tone_badge(event.get_status_display(), self._STATUS_TONES.get(event.status, Tone.QUIET))

    @admin.action(description="Process the selected failed webhooks again")
    def reprocess(self, request, queryset):
        queued = 0
        for event in queryset.filter(status__in=(EventStatus.FAILED, EventStatus.PENDING)):
            with audited(actor=request.user, action="billing_event.reprocess", target=event,
                         summary=f"Queued {event.event_type} again"):
                queued += billing_event_reprocess(event_id=event.pk)
        self.message_user(request, f"{queued} event(s) queued again.", messages.SUCCESS)

    def get_urls(self):
        custom = [path("email-test/", self.admin_site.admin_view(self.email_test_view), name="billing_email_test")]
        return custom + super().get_urls()

    def email_test_view(self, request):
        """Send any lifecycle template, with sample values, to any address now or after a delay."""
        templates = [(key, f"{key} — {template.description}") for key, template in EMAIL_TEMPLATES.items()]
        form = EmailTestForm(request.POST or None, templates=templates, initial={"to": request.user.email})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            delay_seconds = data["delay_minutes"] * 60
            when = "now" if not delay_seconds else f"in {data['delay_minutes']} minutes"
            try:
                with audited(actor=request.user, action="email.test_send", summary=
                             f"Test {data['template']} email to {data['to']} {when}") as change:
                    event = email_test_schedule(actor=request.user, to=data["to"], template=data["template"],
                                                delay_seconds=delay_seconds)
                    change.target = event
                    change.after = {"to": data["to"], "template": data["template"], "delay_seconds": delay_seconds}
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, f"The {data['template']} email goes to {data['to']} {when}.",
                                  messages.SUCCESS)
                return redirect(reverse("admin:billing_email_test"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Send a test email",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/billing/email_test.html", context)
