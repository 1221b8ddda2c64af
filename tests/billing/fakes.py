"""Stand-ins at the boundary: localstripe as a subprocess, and a local HTTP server that records
what it is sent (Resend's API, or localstripe's webhook deliveries)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import requests
import stripe

# localstripe pickles its whole store to one fixed path after every write (/tmp/localstripe.pickle);
# concurrent test runs on one machine would share it. It is kept in memory only. Its subscription
# update takes neither `proration_behavior` nor `payment_behavior` (it answers 500 for an unknown
# parameter); they only decide how Stripe bills a change, which localstripe does its own way.
_LOCALSTRIPE_BOOT = (
    "import sys\n"
    "import localstripe.resources as resources\n"
    "resources.Store.dump_to_disk = lambda self: None\n"
    "_update = resources.Subscription._update\n"
    "def _update_billing_agnostic(self, proration_behavior=None, payment_behavior=None, **data):\n"
    "    return _update(self, **data)\n"
    "resources.Subscription._update = _update_billing_agnostic\n"
    "from localstripe.server import start\n"
    "sys.argv = ['localstripe', '--port', sys.argv[1], '--from-scratch']\n"
    "start()\n"
)
SECRET_KEY = "sk_test_localstripe"
WEBHOOK_SECRET = "whsec_localstripe_test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalStripe:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-c", _LOCALSTRIPE_BOOT, str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{self.url}/v1/customers", auth=(SECRET_KEY, ""), timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("localstripe did not start")
            time.sleep(0.1)
        self.client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": self.url})

    def webhook_register(self, name: str, url: str, secret: str) -> None:
        requests.post(f"{self.url}/_config/webhooks/{name}", data={"url": url, "secret": secret}, timeout=5).raise_for_status()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class RecordingServer:
    """An HTTP server on a free local port that answers ``status`` and keeps every POST it gets."""

    reply: dict = field(default_factory=lambda: {"id": "rec_1"})
    status: int = 200
    requests: list[Recorded] = field(default_factory=list)

    def __post_init__(self) -> None:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with recorder._lock:
                    recorder.requests.append(Recorded(self.path, dict(self.headers.items()), body))
                    reply = {**recorder.reply, "id": f"{recorder.reply.get('id', 'rec')}_{len(recorder.requests)}"}
                payload = json.dumps(reply).encode()
                self.send_response(recorder.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def wait_for(self, predicate, timeout: float = 15.0) -> list[Recorded]:
        """The recorded requests matching ``predicate``, waiting until there is at least one."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                found = [r for r in self.requests if predicate(r)]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.1)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class StripeStandIn:
    """Stripe's API played by a local server answering the objects a test sets per route, in the
    shapes Stripe publishes (localstripe answers in older ones, and bills changes its own way).
    Every request is kept with its form-encoded parameters, as the SDK sent them."""

    routes: dict[tuple[str, str], tuple[int, dict]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str], dict[str, str]]] = field(default_factory=list)
    # Seconds a route takes to answer, as a slow charge does.
    latency: dict[tuple[str, str], float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, method: str) -> None:
                path, _, query = self.path.partition("?")
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                params = {k: v[-1] for k, v in parse_qs(body or query, keep_blank_values=True).items()}
                stand_in.requests.append((method, path, dict(self.headers.items()), params))
                time.sleep(stand_in.latency.get((method, path), 0))
                status, reply = stand_in.routes.get((method, path), (404, {"error": {
                    "type": "invalid_request_error", "code": "resource_missing", "message": f"No such route: {path}",
                }}))
                payload = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):  # noqa: N802 (http.server's naming)
                self._answer("GET")

            def do_POST(self):  # noqa: N802
                self._answer("POST")

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def sent(self, method: str, path: str) -> list[dict[str, str]]:
        """The parameters of every request made to ``method path``, in order."""
        return [params for m, p, _headers, params in self.requests if (m, p) == (method, path)]

    def headers_of(self, method: str, path: str) -> list[dict[str, str]]:
        return [headers for m, p, headers, _params in self.requests if (m, p) == (method, path)]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
