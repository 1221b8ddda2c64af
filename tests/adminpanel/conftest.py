import pytest
from django.contrib.messages import get_messages
from django.forms import MultiWidget

from accounts.models import User
from tests.factories import UserFactory


@pytest.fixture
def operator(db, client) -> User:
    """An operator, logged in to the test client."""
    admin = UserFactory(is_admin=True, email="olivia@ops.example")
    client.force_login(admin)
    return admin


def reported(response) -> list[str]:
    """The messages the admin showed after an action."""
    return [message.message for message in get_messages(response.wsgi_request)]


def _form_data(form) -> dict:
    data = {}
    for bound in form:
        if bound.field.disabled:
            continue
        value = bound.value()
        widget = bound.field.widget
        if isinstance(widget, MultiWidget):
            for index, part in enumerate(widget.decompress(value)):
                data[f"{bound.html_name}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, (list, tuple)):
            data[bound.html_name] = [str(item) for item in value]
        else:
            data[bound.html_name] = "" if value is None else str(value)
        if bound.field.show_hidden_initial:
            # Fields with a callable default carry their initial value in a hidden input.
            data[bound.html_initial_name] = data.get(bound.html_name, "")
    return data


def change_form_data(client, url: str) -> dict:
    """What an admin change form posts when saved unchanged, with its inline forms."""
    page = client.get(url)
    data = _form_data(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        for form in formset.forms:
            data.update(_form_data(form))
    return data
