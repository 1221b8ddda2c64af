from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from influencer_platform import actor_names
from influencer_platform.jobs import actor_send

from .lifecycle import lifecycle_event_record
from .models import LifecycleEventKind
from .selectors import onboarding_url_name
from .validators import validate_not_disposable


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        validate_not_disposable(email)
        return email

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth's emails (confirm, reset, already-registered) share the lifecycle emails' layout,
        # templates/emails/_layout.*, which reads these two names.
        super().send_mail(template_prefix, email, {"product_name": "Creator Radar", "site_url": settings.SITE_URL,
                                                   **context})

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit)
        if commit:
            lifecycle_event_record(user_id=user.pk, kind=LifecycleEventKind.REGISTERED)
            # Billing owns lifecycle emails; it is called by actor name, as accounts sits below it.
            transaction.on_commit(lambda: actor_send(actor_names.WELCOME_EMAIL, user.pk))
        return user

    def get_login_stages(self) -> list[str]:
        return [
            "accounts.stages.EmailVerificationStage" if path == "allauth.account.stages.EmailVerificationStage"
            else path
            for path in super().get_login_stages()
        ]

    def is_email_verification_mandatory(self, user) -> bool:
        return (
            app_settings.EMAIL_VERIFICATION == app_settings.EmailVerificationMethod.MANDATORY
            or user.is_named_operator
        )

    def confirm_email(self, request, email_address) -> bool:
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            # A confirmed address in ADMIN_EMAILS turns operator access on; the stored flag follows.
            email_address.user.save(update_fields=["is_staff"])
            lifecycle_event_record(user_id=email_address.user_id, kind=LifecycleEventKind.EMAIL_CONFIRMED)
        return confirmed

    def get_login_redirect_url(self, request) -> str:
        step = onboarding_url_name(user=request.user)
        return reverse(step) if step else super().get_login_redirect_url(request)
