from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms

from .models import Industry, User


class SignupForm(AllauthSignupForm):
    field_order = ["email", "password1", "password2"]


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
        help_text="Up to 1,500 characters. We use this to suggest searches.",
    )


class ProfileForm(OnboardingInfoForm):
    pass


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=60, label="Token name", help_text="For example “Zapier” or “CRM sync”.")


class NotificationsForm(forms.Form):
    search_finished_emails = forms.BooleanField(required=False, label="Email me when a search finishes")
