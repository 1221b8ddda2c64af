from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from .selectors import onboarding_url_name
from .validators import validate_not_disposable


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        validate_not_disposable(email)
        return email

    def get_login_redirect_url(self, request) -> str:
        step = onboarding_url_name(user=request.user)
        return reverse(step) if step else super().get_login_redirect_url(request)
