"""TikTok: keyword (and #hashtag) video search, and creators similar to a given account."""

from __future__ import annotations

from scraping.models import Platform, SearchType
from scraping.providers import CreatorHit, CreatorProfileData, ProviderNotFoundError, ScrapeCreatorsClient, SearchPage

from .base import Checkpoint, JobSpec, PagedKeywordStrategy, StrategyPage, TargetNotFoundError, topic_terms


class TikTokKeyword(PagedKeywordStrategy):
    platform = Platform.TIKTOK
    search_type = SearchType.KEYWORD
    max_pages_key = "provider.max_pages_per_keyword.tiktok"

    def search(self, client: ScrapeCreatorsClient, term: str, cursor: str | None) -> SearchPage:
        # The search results rarely carry a bio, so every creator is enriched afterwards.
        if term.startswith("#"):
            return client.tiktok_hashtag_search(term, cursor)
        return client.tiktok_keyword_search(term, cursor)

    def enrich(self, *, client: ScrapeCreatorsClient, hit: CreatorHit) -> CreatorProfileData:
        return client.tiktok_profile(hit.handle)


class TikTokSimilar(TikTokKeyword):
    """Target profile → terms from its bio and nickname → user search on each term.

    The first step looks the target up and stores the derived terms in the checkpoint, then reads
    the first page; later steps page through the user search like a keyword job.
    """

    search_type = SearchType.SIMILAR

    def next_page(self, *, client: ScrapeCreatorsClient, spec: JobSpec, checkpoint: Checkpoint) -> StrategyPage:
        if "terms" not in checkpoint:
            try:
                target = client.tiktok_profile(spec.target_username)
            except ProviderNotFoundError as exc:
                raise TargetNotFoundError(spec.target_username) from exc
            terms = topic_terms(target.bio, target.display_name, exclude={target.handle}) or [target.handle]
            checkpoint = {**checkpoint, "target_id": target.external_id, "terms": terms}
        return super().next_page(client=client, spec=spec, checkpoint=checkpoint)

    def terms(self, spec: JobSpec, checkpoint: Checkpoint) -> list[str]:
        return list(checkpoint.get("terms", ()))

    def exhausted(self, *, spec: JobSpec, checkpoint: Checkpoint) -> bool:
        return "terms" in checkpoint and super().exhausted(spec=spec, checkpoint=checkpoint)

    def search(self, client: ScrapeCreatorsClient, term: str, cursor: str | None) -> SearchPage:
        return client.tiktok_user_search(term, cursor)
