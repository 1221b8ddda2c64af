"""A local HTTP server that answers with the replies a test gives it, and records what it was asked."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Answer = Callable[[dict[str, str]], "tuple[int, Any] | Any"]


@dataclass(frozen=True)
class Asked:
    path: str
    params: dict[str, str]


class ReplayProvider:
    """``routes[path]`` is a reply body, or a function of the query parameters returning a body or
    ``(status, body)``; an unknown path answers 404 as the provider does."""

    def __init__(self) -> None:
        self.routes: dict[str, Any] = {}
        self.asked: list[Asked] = []
        self._lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                params = {key: values[-1] for key, values in parse_qs(parts.query).items()}
                with provider._lock:
                    provider.asked.append(Asked(parts.path, params))
                status, body = provider._answer(parts.path, params)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def _answer(self, path: str, params: dict[str, str]) -> tuple[int, Any]:
        route = self.routes.get(path)
        if route is None:
            return 404, {"success": False, "message": f"Unknown endpoint {path}"}
        reply = route(params) if callable(route) else route
        return reply if isinstance(reply, tuple) else (200, reply)

    def asked_for(self, path: str) -> list[dict[str, str]]:
        return [asked.params for asked in self.asked if asked.path == path]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
