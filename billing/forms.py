import secrets
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.core import signing

from accounts.models import BillingCycle

from .selectors import plan_list

# A confirmation page's amounts are computed when it is shown; past this age they may no longer
# be what the change would bill, so the customer reviews it again.
CONFIRMATION_MAX_AGE = timedelta(hours=1)
_CONFIRMATION_SALT = "billing.confirmation"


@dataclass(frozen=True)
class Confirmation:
    """What a customer saw on a confirmation page and agreed to."""

    action: str
    token: str
    plan_key: str = ""
    cycle: str = ""
    proration_date: int | None = None
    amount_due_cents: int = 0
    currency: str = "usd"


def confirmation_issue(
    *, user_id: int, action: str, plan_key: str = "", cycle: str = "", proration_date: int | None = None,
    amount_due_cents: int = 0, currency: str = "usd",
) -> str:
    """The signed value a confirmation form posts back: the change, as shown, with a one-time token."""
    return signing.dumps({
        "u": user_id, "a": action, "p": plan_key, "c": cycle, "t": proration_date, "m": amount_due_cents,
        "cur": currency, "n": secrets.token_urlsafe(16),
    }, salt=_CONFIRMATION_SALT, compress=True)


class ConfirmationForm(forms.Form):
    confirmation = forms.CharField(widget=forms.HiddenInput, max_length=1000, error_messages={
        "required": "Review the change on its confirmation page, then confirm it there.",
    })

    def __init__(self, *args, user_id: int, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id, self.action = user_id, action

    def clean_confirmation(self) -> Confirmation:
        invalid = forms.ValidationError("This confirmation is not valid. Review the change again.", code="invalid")
        try:
            data = signing.loads(self.cleaned_data["confirmation"], salt=_CONFIRMATION_SALT,
                                 max_age=CONFIRMATION_MAX_AGE)
        except signing.SignatureExpired as exc:
            raise forms.ValidationError(
                "This confirmation is more than an hour old, so its amounts may have changed. Review the change again.",
                code="expired") from exc
        except signing.BadSignature as exc:
            raise invalid from exc
        if data.get("u") != self.user_id or data.get("a") != self.action:
            raise invalid
        return Confirmation(
            action=data["a"], token=data["n"], plan_key=data["p"], cycle=data["c"], proration_date=data["t"],
            amount_due_cents=data["m"], currency=data["cur"],
        )


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
