"""The results tables' filters, sorting and page size, read from query parameters in one place: the
results pages, the API and the exports all parse them here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms

from influencer_platform.fields import IntegerField

from .selectors import PAGE_SIZES, RESULT_SORTS, ResultFilters


class ResultFilterForm(forms.Form):
    """Filters, sorting and page size of a results table, from query parameters.

    Invalid values are reported as form errors and fall back to "no filter", never a 500.
    """

    q = forms.CharField(required=False, max_length=100, label="Search")
    has_email = forms.BooleanField(required=False, label="Has email")
    verified = forms.BooleanField(required=False, label="Verified")
    min_followers = IntegerField(required=False, min_value=0, label="Min followers")
    max_followers = IntegerField(required=False, min_value=0, label="Max followers")
    sort = forms.ChoiceField(required=False, choices=[(key, label) for key, (_o, label) in RESULT_SORTS.items()])
    page_size = forms.TypedChoiceField(required=False, coerce=int, choices=[(n, n) for n in PAGE_SIZES],
                                       empty_value=PAGE_SIZES[0])

    def clean(self):
        data = super().clean()
        low, high = data.get("min_followers"), data.get("max_followers")
        if low is not None and high is not None and low > high:
            self.add_error("max_followers", "The maximum must be at least the minimum.")
        return data

    def filters(self) -> ResultFilters:
        data = self.cleaned_data if self.is_valid() else {
            key: value for key, value in getattr(self, "cleaned_data", {}).items() if key not in self.errors
        }
        return ResultFilters(
            has_email=bool(data.get("has_email")),
            verified=bool(data.get("verified")),
            min_followers=data.get("min_followers"),
            max_followers=data.get("max_followers"),
            text=(data.get("q") or "").strip(),
            sort=data.get("sort") or "rank",
        )

    def rows_per_page(self) -> int:
        size = self.cleaned_data.get("page_size") if self.is_valid() else None
        return size or PAGE_SIZES[0]


@dataclass(frozen=True)
class ParsedFilters:
    """Query parameters read once: the filters, the page size, and what was wrong with them."""

    filters: ResultFilters
    rows_per_page: int
    errors: dict[str, list[str]] = field(default_factory=dict)


def result_filters_parse(params: Mapping[str, Any] | None) -> ParsedFilters:
    """The one reading of a results table's filters, for the pages, the API, the exports and lists.

    Invalid values are reported in ``errors`` and fall back to "no filter"; the API refuses them,
    the pages show them next to the fields.
    """
    form = ResultFilterForm(params or None)
    return ParsedFilters(filters=form.filters(), rows_per_page=form.rows_per_page(),
                         errors={name: list(messages) for name, messages in form.errors.items()})
