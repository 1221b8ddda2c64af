"""Form fields for numbers that reach the database, bounded to what its columns hold.

A number past 64 bits cannot be a row's id nor fit a bigint column; caught at the form it is a
form error like any other, instead of a query no row can match or a database error.
"""

from __future__ import annotations

from django import forms

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)


class Int64Range:
    """Bounds an integer field (a form's or a serializer's) to 64 bits unless a narrower range is given."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_value", INT64_MAX)
        kwargs.setdefault("min_value", INT64_MIN)
        super().__init__(**kwargs)


class IdRange(Int64Range):
    """Bounds an integer field to a row's id: from 1 to the largest bigint."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


class IntegerField(Int64Range, forms.IntegerField):
    """An integer within 64 bits unless a narrower range is given."""


class IdField(IdRange, forms.IntegerField):
    """The id of a row: from 1 to the largest bigint."""
