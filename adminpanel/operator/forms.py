from __future__ import annotations

from django import forms
from django.contrib.admin.helpers import ActionForm

from billing.models import SubscriptionPlan
from billing.services.manual import MAX_TRIAL_EXTENSION_DAYS

from .services import account_scenarios, email_templates


def _plan_choices() -> list[tuple[str, str]]:
    return [("", "plan…")] + [
        (plan.plan_key, plan.name) for plan in SubscriptionPlan.objects.active().only("plan_key", "name")
    ]


def _email_choices() -> list[tuple[str, str]]:
    return [("", "email…")] + [(key, key.replace("_", " ").capitalize()) for key, _label in email_templates()]


class UserActionForm(ActionForm):
    """The user list's action bar, with the inputs some actions need (each ignores the others)."""

    plan_key = forms.ChoiceField(label="Plan", required=False, choices=_plan_choices)
    trial_days = forms.IntegerField(label="Days", required=False, min_value=1, max_value=MAX_TRIAL_EXTENSION_DAYS,
                                    initial=7, widget=forms.NumberInput(attrs={"style": "width: 4em"}))
    email_template = forms.ChoiceField(label="Email", required=False, choices=_email_choices)


class CreateTestUsersForm(forms.Form):
    scenarios = forms.MultipleChoiceField(
        label="Create one of each", widget=forms.CheckboxSelectMultiple,
        help_text="Each becomes an account marked as test data, with realistic names, onboarding, "
                  "subscription and usage.",
    )
    password = forms.CharField(
        required=False, max_length=128, widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="To log in as them. Leave empty for a generated one, shown once after creation.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(scenario.key, scenario.label) for scenario in account_scenarios()]
        self.fields["scenarios"].choices = choices
        self.fields["scenarios"].initial = [key for key, _label in choices]

