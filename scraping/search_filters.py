"""What a user asks of creators before a search starts, and the one test each creator passes.

A filter reaches the provider where a provider call takes it (TikTok's video searches take a
``region``); the rest (followers, verified, has email) are decided as creators arrive, once their
profile is known, so that the search's target counts only creators that match. Stored on the job
as plain JSON (``ScrapingJob.filters``), so any worker reads the same filters.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


from influencer_platform.errors import ApplicationError

from .models import CreatorProfile, Platform, SearchType

# The regions TikTok's search serves, by ISO 3166 code, as the provider's `region` parameter takes them.
TIKTOK_REGIONS = {
    "US": "United States", "GB": "United Kingdom", "CA": "Canada",
    "AU": "Australia", "IE": "Ireland", "NZ": "New Zealand",
    "DE": "Germany", "FR": "France", "ES": "Spain",
    "IT": "Italy", "NL": "Netherlands", "SE": "Sweden",
    "PL": "Poland", "BR": "Brazil", "MX": "Mexico",
    "AR": "Argentina", "IN": "India", "ID": "Indonesia",
    "PH": "Philippines", "JP": "Japan", "KR": "South Korea",
    "AE": "United Arab Emirates", "SA": "Saudi Arabia",
    "ZA": "South Africa", "NG": "Nigeria", "TR": "Turkey",
}
DEFAULT_TIKTOK_REGION = "US"
MAX_FOLLOWERS = 10_000_000_000


class SearchFilterError(ApplicationError):
    code = "invalid_search"


@dataclass(frozen=True)
class SearchFilters:
    """``region`` is TikTok's (blank elsewhere); follower bounds are inclusive."""

    region: str = ""
    min_followers: int | None = None
    max_followers: int | None = None
    verified: bool = False
    has_email: bool = False

    @classmethod
    def parse(cls, *, platform: str, search_type: str, region: str = "", min_followers: Any = None, max_followers: Any = None,
              verified: Any = False, has_email: Any = False) -> SearchFilters:
        """Checked filters for a search on ``platform``; bad values are a ``SearchFilterError``
        naming the field."""
        region = (region or "").strip().upper()
        takes_region = platform == Platform.TIKTOK and search_type == SearchType.KEYWORD
        if region and not takes_region:
            raise SearchFilterError("Only TikTok keyword searches can choose a region.", extra={"field": "region"})
        if region and region not in TIKTOK_REGIONS:
            raise SearchFilterError(f"Choose a region TikTok serves, such as {DEFAULT_TIKTOK_REGION}.",
                                    extra={"field": "region"})
        bounds = {}
        for field, value in (("min_followers", min_followers), ("max_followers", max_followers)):
            if value is None or value == "":
                bounds[field] = None
                continue
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_FOLLOWERS:
                raise SearchFilterError(f"Followers must be a whole number from 0 to {MAX_FOLLOWERS:,}.",
                                        extra={"field": field})
            bounds[field] = value
        low, high = bounds["min_followers"], bounds["max_followers"]
        if low is not None and high is not None and low > high:
            raise SearchFilterError("The maximum followers must be at least the minimum.",
                                    extra={"field": "max_followers"})
        for field, value in (("verified", verified), ("has_email", has_email)):
            if not isinstance(value, bool):
                raise SearchFilterError("Send true or false.", extra={"field": field})
        if takes_region and not region:
            region = DEFAULT_TIKTOK_REGION
        return cls(region=region, min_followers=low, max_followers=high, verified=verified, has_email=has_email)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> SearchFilters:
        data = data or {}
        return cls(region=str(data.get("region") or ""), min_followers=data.get("min_followers"),
                   max_followers=data.get("max_followers"), verified=bool(data.get("verified")),
                   has_email=bool(data.get("has_email")))

    def as_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value not in (None, "", False)}

    @property
    def narrows(self) -> bool:
        """Some creators may not count toward the target."""
        return (self.min_followers is not None or self.max_followers is not None or self.verified
                or self.has_email)

    def accepts(self, creator: CreatorProfile) -> bool:
        """Whether ``creator``, as enrichment left them, counts toward the search's target.

        A creator whose follower count is unknown does not pass a follower bound: the user asked
        for a range, and nothing says they are in it.
        """
        if self.verified and not creator.verified:
            return False
        if self.has_email and not creator.has_email:
            return False
        if self.min_followers is not None and (creator.followers is None or creator.followers < self.min_followers):
            return False
        if self.max_followers is not None and (creator.followers is None or creator.followers > self.max_followers):
            return False
        return True

    def labels(self) -> list[str]:
        """The filters as a person reads them: "Region: United Kingdom", "10K–100K followers"."""
        labels = []
        if self.region:
            labels.append(f"Region: {TIKTOK_REGIONS.get(self.region, self.region)}")
        low, high = self.min_followers, self.max_followers
        if low is not None and high is not None:
            labels.append(f"{low:,}–{high:,} followers")
        elif low is not None:
            labels.append(f"At least {low:,} followers")
        elif high is not None:
            labels.append(f"At most {high:,} followers")
        if self.verified:
            labels.append("Verified only")
        if self.has_email:
            labels.append("With an email only")
        return labels
