from __future__ import annotations

from django import forms
from django.http import QueryDict

from influencer_platform.fields import INT64_MAX, IdField
from scraping.filters import result_filters_parse
from scraping.models import Platform

from .selectors import ItemFilters
from .models import Bucket, CreatorList, ListRole, ListType


class IdsField(forms.Field):
    """Every value posted under the name (ticked checkboxes) as a list of ids."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        values = value if isinstance(value, (list, tuple)) else ([value] if value else [])
        # isdigit() also takes digits of other scripts ("١٢٣") and superscripts, which int() refuses.
        if not all(str(v).isascii() and str(v).isdigit() and 0 < int(v) <= INT64_MAX for v in values):
            raise forms.ValidationError("Choose creators from the table.")
        return [int(v) for v in values]


def _tags(value: str) -> list[str]:
    return [tag.strip() for tag in (value or "").split(",") if tag.strip()]


class CreatorListForm(forms.Form):
    """A list's details and its names for the four buckets (blank: the default name)."""

    name = forms.CharField(max_length=120, widget=forms.TextInput(attrs={"placeholder": "Spring launch shortlist"}))
    description = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    list_type = forms.ChoiceField(choices=ListType.choices, initial=ListType.CUSTOM, label="Type")
    tags = forms.CharField(required=False, max_length=900, help_text="Separated by commas, e.g. skincare, Q2.")

    def __init__(self, *args, creator_list: CreatorList | None = None, **kwargs) -> None:
        if creator_list is not None:
            kwargs.setdefault("initial", {
                "name": creator_list.name, "description": creator_list.description,
                "list_type": creator_list.list_type, "tags": ", ".join(creator_list.tags),
                **{f"bucket_{key}": creator_list.bucket_labels.get(key, "") for key in Bucket.values},
            })
        super().__init__(*args, **kwargs)
        for key, label in Bucket.choices:
            self.fields[f"bucket_{key}"] = forms.CharField(
                required=False, max_length=40, label=f"Name for “{label}”",
                widget=forms.TextInput(attrs={"placeholder": label}))

    @property
    def detail_fields(self) -> list:
        return [self[name] for name in ("name", "description", "list_type", "tags")]

    @property
    def bucket_fields(self) -> list:
        return [self[f"bucket_{key}"] for key in Bucket.values]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"], "description": data["description"], "list_type": data["list_type"],
            "tags": _tags(data["tags"]),
            "bucket_labels": {key: data.get(f"bucket_{key}", "") for key in Bucket.values},
        }


class ListIndexFilterForm(forms.Form):
    """The lists page's status, text and type filters; anything unreadable counts as no filter."""

    status = forms.ChoiceField(required=False, choices=[("", "Active"), ("archived", "Archived")])
    q = forms.CharField(required=False, max_length=100)
    type = forms.ChoiceField(required=False, choices=[("", "All types"), *ListType.choices])

    def value(self, name: str) -> str:
        """The field's clean value, or "" when it is missing or was refused (the others still apply)."""
        self.is_valid()
        return str(self.cleaned_data.get(name) or "").strip()


class ItemFilterForm(forms.Form):
    """Bucket, email and platform filters of a list's board and table, from query parameters."""

    bucket = forms.ChoiceField(required=False, choices=[("", "All buckets"), *Bucket.choices])
    has_email = forms.BooleanField(required=False, label="Has email")
    platform = forms.ChoiceField(required=False, choices=[("", "All platforms"), *Platform.choices])
    q = forms.CharField(required=False, max_length=100, label="Search")

    def __init__(self, *args, creator_list: CreatorList | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if creator_list is not None:
            self.fields["bucket"].choices = [("", "All buckets"), *creator_list.buckets]

    def filters(self) -> ItemFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return ItemFilters(bucket=data.get("bucket") or "", has_email=bool(data.get("has_email")),
                           platform=data.get("platform") or "", text=(data.get("q") or "").strip())


class ListAddForm(forms.Form):
    """Creators ticked in a results table (or every row matching its filters) for a new or existing list."""

    job = IdField(required=False, widget=forms.HiddenInput)
    campaign = IdField(required=False, widget=forms.HiddenInput)
    creator = IdsField(required=False)
    all_matching = forms.BooleanField(required=False)
    filter_query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    target = IdField(required=False, label="Add to")
    new_list_name = forms.CharField(required=False, max_length=120, label="New list name")

    def clean(self):
        data = super().clean()
        if not data.get("job") and not data.get("campaign"):
            raise forms.ValidationError("Choose creators from a search.")
        if not data.get("all_matching") and not data.get("creator"):
            raise forms.ValidationError("Select at least one creator.")
        if not data.get("target") and not (data.get("new_list_name") or "").strip():
            self.add_error("new_list_name", "Name the new list, or choose an existing one.")
        return data

    def result_filters(self):
        """The filters of the table the creators were chosen in, as the table itself read them."""
        return result_filters_parse(QueryDict(self.cleaned_data.get("filter_query") or "")).filters


class ShareForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"placeholder": "name@agency.com"}))
    role = forms.ChoiceField(choices=ListRole.choices, initial=ListRole.VIEWER)


class CollaboratorForm(forms.Form):
    action = forms.ChoiceField(choices=[("role", "Change role"), ("remove", "Remove")])
    role = forms.ChoiceField(required=False, choices=ListRole.choices)


class ItemMoveForm(forms.Form):
    item = IdField()
    bucket = forms.ChoiceField(choices=Bucket.choices)
    before = IdField(required=False)


class BulkForm(forms.Form):
    action = forms.ChoiceField(choices=[("move", "Move"), ("remove", "Remove")])
    bucket = forms.ChoiceField(required=False, choices=Bucket.choices)
    item = IdsField(error_messages={"required": "Select at least one creator."})

    def clean(self):
        data = super().clean()
        if data.get("action") == "move" and not data.get("bucket"):
            self.add_error("bucket", "Choose where to move them.")
        return data


class ItemUpdateForm(forms.Form):
    """One field of a table row at a time: whatever was posted is changed."""

    bucket = forms.ChoiceField(required=False, choices=Bucket.choices)
    notes = forms.CharField(required=False, max_length=5000)
    pinned = forms.TypedChoiceField(required=False, choices=[("1", "yes"), ("0", "no")],
                                    coerce=lambda value: value == "1", empty_value=None)

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("notes", "pinned") if name in self.data}
