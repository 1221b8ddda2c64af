from allauth.account import forms as allauth_forms
from django import forms

from .models import Industry, User

# allauth's own labels ("Login", "Remember Me", "Password (again)") read like a framework's; these
# are the product's words. Only labels and help texts change: validation stays allauth's.
_NEW_PASSWORD_HELP = "At least 8 characters, not only digits, not a common password and not like your email."


def _relabel(form: forms.Form, labels: dict[str, str], help_texts: dict[str, str] | None = None) -> None:
    for name, label in labels.items():
        if name in form.fields:
            form.fields[name].label = label
            # allauth repeats its label as a placeholder; ours stands above the input.
            form.fields[name].widget.attrs.pop("placeholder", None)
    for name, help_text in (help_texts or {}).items():
        if name in form.fields:
            form.fields[name].help_text = help_text


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The "Forgot your password?" link sits beside the field on the page, not in its help text.
        _relabel(self, {"login": "Email", "password": "Password", "remember": "Keep me logged in"},
                 {"password": ""})
        self.fields["login"].widget.attrs.update({"placeholder": "you@brand.com", "autofocus": True})


class SignupForm(allauth_forms.SignupForm):
    field_order = ["email", "password1", "password2"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"email": "Work email", "password1": "Password", "password2": "Confirm password"},
                 {"password1": _NEW_PASSWORD_HELP})
        self.fields["email"].widget.attrs.update({"placeholder": "you@brand.com"})


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"email": "Email"})
        self.fields["email"].widget.attrs.update({"placeholder": "you@brand.com"})


class ResetPasswordKeyForm(allauth_forms.ResetPasswordKeyForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"password1": "New password", "password2": "Confirm new password"},
                 {"password1": _NEW_PASSWORD_HELP})


class ChangePasswordForm(allauth_forms.ChangePasswordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"oldpassword": "Current password", "password1": "New password",
                        "password2": "Confirm new password"}, {"oldpassword": "", "password1": _NEW_PASSWORD_HELP})


class SetPasswordForm(allauth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"password1": "Password", "password2": "Confirm password"},
                 {"password1": _NEW_PASSWORD_HELP})


class AddEmailForm(allauth_forms.AddEmailForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"email": "Add an address"})
        self.fields["email"].widget.attrs.update({"placeholder": "you@brand.com"})


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
