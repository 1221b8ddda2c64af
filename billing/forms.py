from django import forms

from accounts.models import BillingCycle

from .selectors import plan_list


class PlanChoiceForm(forms.Form):
    plan_key = forms.ChoiceField(label="Plan", widget=forms.RadioSelect)
    cycle = forms.ChoiceField(choices=BillingCycle.choices, initial=BillingCycle.MONTHLY, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan_key"].choices = [(p.plan_key, p.name) for p in plan_list(paid_only=True)]
        self.fields["plan_key"].error_messages["invalid_choice"] = "Choose one of the plans shown."
        self.fields["plan_key"].error_messages["required"] = "Choose a plan to try."
        self.fields["cycle"].error_messages["invalid_choice"] = "Choose monthly or yearly billing."

    def clean_cycle(self) -> str:
        return self.cleaned_data.get("cycle") or BillingCycle.MONTHLY


class EmailTestForm(forms.Form):
    template = forms.ChoiceField(label="Email")
    to = forms.EmailField(label="Send to")
    delay_minutes = forms.IntegerField(
        label="Delay (minutes)", min_value=0, max_value=7 * 24 * 60, initial=0,
        help_text="0 sends it now; otherwise it is queued as a delayed job, like a lifecycle email.",
    )

    def __init__(self, *args, templates: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = templates
