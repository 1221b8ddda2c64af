from scraping.providers.scrapecreators import (
    CreatorHit,
    CreatorProfileData,
    PostSnapshot,
    ProviderNotFoundError,
    ScrapeCreatorsClient,
    SearchPage,
)

__all__ = [
    "CreatorHit",
    "CreatorProfileData",
    "PostSnapshot",
    "ProviderNotFoundError",
    "ScrapeCreatorsClient",
    "SearchPage",
]
