from django import forms

from .selectors import plan_list


class PlanChoiceForm(forms.Form):
    plan_key = forms.ChoiceField(label="Plan", widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan_key"].choices = [(p.plan_key, p.name) for p in plan_list(paid_only=True)]
        self.fields["plan_key"].error_messages["invalid_choice"] = "Choose one of the plans shown."
        self.fields["plan_key"].error_messages["required"] = "Choose a plan to try."
