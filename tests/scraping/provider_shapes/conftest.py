from collections.abc import Iterator

import pytest

from scraping.providers import ScrapeCreatorsClient

from .replay import ReplayProvider


@pytest.fixture
def replay() -> Iterator[ReplayProvider]:
    provider = ReplayProvider()
    yield provider
    provider.stop()


@pytest.fixture
def client(replay: ReplayProvider) -> ScrapeCreatorsClient:
    return ScrapeCreatorsClient(api_key="sc-shape-test", base_url=replay.base_url, timeout=(1, 2))
