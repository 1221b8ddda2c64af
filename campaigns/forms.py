from __future__ import annotations

from django import forms

from adminpanel.config import search_switched_on
from influencer_platform.fields import IntegerField
from scraping.models import Platform, SearchType
from scraping.search_filters import DEFAULT_TIKTOK_REGION, MAX_FOLLOWERS, TIKTOK_REGIONS, SearchFilterError, SearchFilters
from scraping.services import MAX_TARGET, SearchInputError, search_keywords_parse, search_username_parse

from .models import Campaign


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "description", "search_type"]
        widgets = {
            "name": forms.TextInput(attrs={"placeholder": "Spring skincare launch", "maxlength": 120}),
            "description": forms.Textarea(attrs={"rows": 3, "placeholder": "Who you want to reach and why."}),
            "search_type": forms.RadioSelect,
        }
        labels = {"search_type": "Mostly searching by"}


TARGET_CHOICES = [("100", "100"), ("500", "500"), ("1000", "1,000"), ("custom", "Custom")]
TILES = [
    ("tiktok:keyword", "TikTok", "Keywords & hashtags", "Videos matching your keywords, and who made them."),
    ("tiktok:similar", "TikTok", "Similar creators", "Creators like one you already work with."),
    ("instagram:keyword", "Instagram", "Keywords & hashtags", "Reels matching your keywords, and their creators."),
    ("instagram:similar", "Instagram", "Similar creators", "Accounts Instagram relates to one you like."),
    ("youtube:keyword", "YouTube", "Keywords", "Channels behind videos on your topic."),
    ("youtube:similar", "YouTube", "Similar channels", "Channels covering what a channel you like covers."),
]


def tile_off(value: str, offered: list[tuple]) -> bool:
    return all(tile[0] != value for tile in offered)


class SearchWizardForm(forms.Form):
    """One of six platform × type tiles, the keywords or the username, and a target."""

    # Where a service's error about an input belongs on this form.
    FIELD_FOR_INPUT = {"keywords": "keywords", "username": "username", "target_results": "target",
                       "platform": "tile", "search_type": "tile", "region": "region",
                       "min_followers": "min_followers", "max_followers": "max_followers"}

    tile = forms.ChoiceField(choices=[(value, f"{platform} · {kind}") for value, platform, kind, _d in TILES],
                             widget=forms.RadioSelect, label="What to search")
    keywords = forms.CharField(required=False, max_length=1200, label="Keywords",
                               help_text="Up to 10, separated by commas or Enter. Start with # for a hashtag.")
    username = forms.CharField(required=False, max_length=300, label="Creator",
                               help_text="@username or a link to their profile.")
    target = forms.ChoiceField(choices=TARGET_CHOICES, widget=forms.RadioSelect, label="How many creators")
    custom_target = IntegerField(required=False, min_value=1, label="Custom number")
    # Before searching: region reaches TikTok's video search; the rest decide who counts toward the target.
    region = forms.ChoiceField(required=False, label="Region", initial=DEFAULT_TIKTOK_REGION,
                               choices=sorted(TIKTOK_REGIONS.items(), key=lambda item: item[1]),
                               help_text="TikTok keyword searches look for videos popular in this region.")
    min_followers = IntegerField(required=False, min_value=0, max_value=MAX_FOLLOWERS, label="Min followers")
    max_followers = IntegerField(required=False, min_value=0, max_value=MAX_FOLLOWERS, label="Max followers")
    verified = forms.BooleanField(required=False, label="Verified creators only")
    has_email = forms.BooleanField(required=False, label="Creators with an email only")

    def __init__(self, *args, remaining: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.remaining = remaining
        # The target refused for being past the month's remaining creators, so the page can name a plan that fits it.
        self.over_quota: int | None = None
        if remaining is not None:
            self.fields["custom_target"].max_value = max(remaining, 1)
            self.fields["custom_target"].widget.attrs["max"] = max(remaining, 1)
        # Tiles an operator switched off are not offered (nor accepted); the page says which.
        offered = [tile for tile in TILES if search_switched_on(*tile[0].split(":"))]
        self._offered = offered
        self.switched_off = [f"{platform} {kind.lower()}" for value, platform, kind, _d in TILES
                             if tile_off(value, offered)]
        self.fields["tile"].choices = [(value, f"{platform} · {kind}") for value, platform, kind, _d in offered]
        if self.initial.get("tile") and tile_off(self.initial["tile"], offered):
            self.initial["tile"] = offered[0][0] if offered else None

    @property
    def tiles(self) -> list[dict]:
        return [{"value": value, "platform": platform, "kind": kind, "description": description,
                 "search_type": value.split(":")[1]} for value, platform, kind, description in self._offered]

    def clean(self):
        data = super().clean()
        tile = data.get("tile")
        if not tile:
            return data
        data["platform"], data["search_type"] = tile.split(":")
        data["keywords"], data["username"] = data.get("keywords") or "", data.get("username") or ""
        try:
            if data["search_type"] == "keyword":
                data["keywords"] = search_keywords_parse(data["keywords"])
            else:
                data["username"] = search_username_parse(data["username"], platform=data["platform"])
        except SearchInputError as exc:
            self.add_error(exc.extra["field"], exc.message)
        self._clean_filters(data)
        target = data.get("target")
        if target == "custom":
            if "custom_target" in self.errors:
                return data
            if data.get("custom_target") is None:
                self.add_error("custom_target", "Enter how many creators to find.")
                return data
            data["target_results"] = data["custom_target"]
        elif target:
            data["target_results"] = int(target)
        else:
            return data
        if data["target_results"] > MAX_TARGET:
            self.add_error("target", f"One search can find at most {MAX_TARGET:,} creators.")
        elif self.remaining is not None and data["target_results"] > self.remaining:
            self.over_quota = data["target_results"]
            self.add_error("target", f"You have {self.remaining:,} creators left this month; "
                                     f"choose {self.remaining:,} or fewer, or upgrade your plan.")
        return data

    def _clean_filters(self, data: dict) -> None:
        if any(field in self.errors for field in ("region", "min_followers", "max_followers")):
            return
        takes_region = (data["platform"], data["search_type"]) == (Platform.TIKTOK, SearchType.KEYWORD)
        try:
            data["filters"] = SearchFilters.parse(
                platform=data["platform"], search_type=data["search_type"],
                # The region picker stays on the page for every tile; only TikTok keyword searches send it.
                region=data.get("region") if takes_region else "",
                min_followers=data.get("min_followers"), max_followers=data.get("max_followers"),
                verified=bool(data.get("verified")), has_email=bool(data.get("has_email")))
        except SearchFilterError as exc:
            self.add_error(self.FIELD_FOR_INPUT.get(exc.extra.get("field")), exc.message)
