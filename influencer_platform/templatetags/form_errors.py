from django import template
from django.forms import BoundField, Form

register = template.Library()


@register.filter
def fields_with_errors(form: Form) -> list[BoundField]:
    """The form's fields that have errors, in the form's order, for an error summary to link to."""
    return [field for field in form if field.errors]
