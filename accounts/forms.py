from allauth.account import forms as allauth_forms
from django import forms

from .models import Industry, User

# allauth's own labels ("Login", "Remember Me", "Password (again)") read like a framework's; these
# are the product's words. Only labels, help texts and placeholders change: validation stays allauth's.
_NEW_PASSWORD_HELP = "At least 8 characters, not only digits, not a common password and not like your email."


class _ProductWording:
    labels: dict[str, str] = {}
    help_texts: dict[str, str] = {}
    email_field = ""  # the field that takes an address, shown with an example one

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, label in self.labels.items():
            if name in self.fields:
                self.fields[name].label = label
                # allauth repeats its label as a placeholder; ours stands above the input.
                self.fields[name].widget.attrs.pop("placeholder", None)
        for name, help_text in self.help_texts.items():
            if name in self.fields:
                self.fields[name].help_text = help_text
        if self.email_field in self.fields:
            self.fields[self.email_field].widget.attrs["placeholder"] = "you@brand.com"


class LoginForm(_ProductWording, allauth_forms.LoginForm):
    labels = {"login": "Email", "password": "Password", "remember": "Keep me logged in"}
    # The "Forgot your password?" link sits below the fields on the page, not in a help text.
    help_texts = {"password": ""}
    email_field = "login"


class SignupForm(_ProductWording, allauth_forms.SignupForm):
    field_order = ["email", "password1", "password2"]
    labels = {"email": "Work email", "password1": "Password", "password2": "Confirm password"}
    help_texts = {"password1": _NEW_PASSWORD_HELP}
    email_field = "email"


class ResetPasswordForm(_ProductWording, allauth_forms.ResetPasswordForm):
    labels = {"email": "Email"}
    email_field = "email"


class ResetPasswordKeyForm(_ProductWording, allauth_forms.ResetPasswordKeyForm):
    labels = {"password1": "New password", "password2": "Confirm new password"}
    help_texts = {"password1": _NEW_PASSWORD_HELP}


class ChangePasswordForm(_ProductWording, allauth_forms.ChangePasswordForm):
    labels = {"oldpassword": "Current password", "password1": "New password", "password2": "Confirm new password"}
    help_texts = {"oldpassword": "", "password1": _NEW_PASSWORD_HELP}


class SetPasswordForm(_ProductWording, allauth_forms.SetPasswordForm):
    labels = {"password1": "Password", "password2": "Confirm password"}
    help_texts = {"password1": _NEW_PASSWORD_HELP}


class AddEmailForm(_ProductWording, allauth_forms.AddEmailForm):
    labels = {"email": "Add an address"}
    email_field = "email"


class OnboardingInfoForm(forms.ModelForm):
    full_name = forms.CharField(max_length=150, label="Your full name")
    business_name = forms.CharField(max_length=120, label="Business or brand name")
    industry = forms.ChoiceField(choices=[("", "Choose an industry")] + Industry.choices)

    class Meta:
        model = User
        fields = ["full_name", "business_name", "industry"]


class OnboardingIntentForm(forms.Form):
    brand_description = forms.CharField(
        max_length=1500,
        min_length=20,
        label="What do you sell, and what kind of creators are you looking for?",
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 1500}),
        help_text="Up to 1,500 characters. We use it to suggest keywords when you start a search.",
    )


class ProfileForm(OnboardingInfoForm):
    pass


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=60, label="Token name", help_text="For example “Zapier” or “CRM sync”.")


class NotificationsForm(forms.Form):
    search_finished_emails = forms.BooleanField(required=False, label="Email me when a search finishes")
