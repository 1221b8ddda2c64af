"""A stand-in for ScrapeCreators that answers each path, and each cursor of it, with a given body."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from scraping.providers import ScrapeCreatorsClient

from .replay import ReplayProvider

API_KEY = "sc-shapes-3b1d"


class RecordedProvider:
    def __init__(self) -> None:
        self.bodies: dict[tuple[str, str], Any] = {}
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.url = ""

    @property
    def base_url(self) -> str:
        return self.url

    def reply(self, path: str, body: Any, *, cursor: str = "", handle: str = "", query: str = "") -> None:
        """``body`` for ``path``; ``cursor``, ``handle`` or ``query`` narrow it to requests carrying it."""
        self.bodies[(path, cursor or handle or query)] = body

    def answer(self, path: str, params: dict[str, str]) -> Any:
        self.seen.append((path, params))
        for key in (params.get("cursor", ""), params.get("handle", ""), params.get("query", ""), ""):
            if (path, key) in self.bodies:
                return self.bodies[(path, key)]
        return None

    def requested(self, path: str) -> list[dict[str, str]]:
        return [params for seen_path, params in self.seen if seen_path == path]


@pytest.fixture
def recorded() -> Iterator[RecordedProvider]:
    fake = RecordedProvider()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            body = fake.answer(parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()})
            payload = json.dumps(body if body is not None else {"success": False, "message": "no route"}).encode()
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def client(recorded: RecordedProvider) -> ScrapeCreatorsClient:
    return ScrapeCreatorsClient(api_key=API_KEY, base_url=recorded.url, timeout=(1, 2))


@pytest.fixture
def replay() -> Iterator[ReplayProvider]:
    """A stand-in answering each path with a body or a function of the request's parameters."""
    provider = ReplayProvider()
    yield provider
    provider.stop()


@pytest.fixture
def replay_client(replay: ReplayProvider) -> ScrapeCreatorsClient:
    return ScrapeCreatorsClient(api_key=API_KEY, base_url=replay.base_url, timeout=(1, 2))
