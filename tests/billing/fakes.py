"""Stand-ins at the boundary: localstripe as a subprocess, a local HTTP server that records what it
is sent (Resend's API, or localstripe's webhook deliveries), and a Stripe API answering with objects
in Stripe's published shapes."""

from __future__ import annotations

import copy
import json
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

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


# The API paths the billing provider calls, and the kind of object each serves.
_STRIPE_COLLECTIONS = {
    "subscriptions": "subscription",
    "customers": "customer",
    "payment_methods": "payment_method",
    "checkout/sessions": "checkout.session",
    "plans": "plan",
}
# What a plan switch or the end of a trial may send beside the cancellation fields.
_SUBSCRIPTION_CHANGE_PARAMS = {
    "items[0][id]", "items[0][plan]", "proration_behavior", "proration_date", "payment_behavior", "trial_end",
}


def _stripe_error(status: int, message: str, code: str = "") -> tuple[int, dict]:
    return status, {"error": {"type": "invalid_request_error", "code": code or None, "message": message}}


class StripeStub:
    """Stripe's API for the calls billing makes, serving the objects a test stores.

    localstripe predates Checkout, flexible billing mode, a subscription's own payment method and
    invoice previews, so tests that need Stripe's current shapes store them here. Reads honour
    ``expand[]``; subscription updates apply ``cancel_at`` and ``cancel_at_period_end`` the way
    Stripe does (``""`` clears ``cancel_at``; both in one request is refused), a switch of the
    item's plan and ``trial_end=now``, and refuse anything else; ``create_preview`` answers the
    ``preview`` a test sets; checkout sessions are created from the form. Every request is kept, in
    order, with its idempotency key.
    """

    def __init__(self) -> None:
        self.objects: dict[str, dict] = {}
        self.requests: list[tuple[str, str, list[tuple[str, str]]]] = []
        self.idempotency_keys: list[tuple[str, str]] = []
        self.preview: dict | None = None
        # A declined card: a change that charges is refused with 402 and leaves the subscription as it was.
        self.declines = False
        # Ids Stripe keeps in test mode: under a live key it answers them as Stripe does.
        self.test_mode_ids: set[str] = set()
        # Seconds a POST to a path takes to answer, as a slow charge does.
        self.latency: dict[str, float] = {}
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, method: str) -> None:
                url = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                params = parse_qsl(url.query if method == "GET" else body, keep_blank_values=True)
                if method == "POST":
                    time.sleep(stub.latency.get(url.path, 0))
                with stub._lock:
                    stub.requests.append((method, url.path, params))
                    if self.headers.get("Idempotency-Key"):
                        stub.idempotency_keys.append((url.path, self.headers["Idempotency-Key"]))
                    status, reply = stub._route(method, url.path, params)
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

    def put(self, *objects: dict) -> None:
        with self._lock:
            for obj in objects:
                self.objects[obj["id"]] = copy.deepcopy(obj)

    def get(self, object_id: str) -> dict:
        with self._lock:
            return copy.deepcopy(self.objects[object_id])

    def posted(self, path: str) -> list[list[tuple[str, str]]]:
        """The form of every POST to ``path``, in order."""
        with self._lock:
            return [params for method, at, params in self.requests if method == "POST" and at == path]

    def _route(self, method: str, path: str, params: list[tuple[str, str]]) -> tuple[int, dict]:
        collection, _, object_id = path.removeprefix("/v1/").rpartition("/")
        if method == "POST" and path == "/v1/checkout/sessions":
            return 200, self._checkout_session_create(params)
        if method == "POST" and path == "/v1/invoices/create_preview":
            if self.preview is None:
                return _stripe_error(400, "No upcoming invoice for this subscription.", "invoice_upcoming_none")
            return 200, copy.deepcopy(self.preview)
        if object_id in self.test_mode_ids:
            kind = _STRIPE_COLLECTIONS.get(collection, "object")
            return _stripe_error(404, f"No such {kind}: '{object_id}'; a similar object exists in test mode, but a "
                                      "live mode key was used to make this request.", "resource_missing")
        obj = self.objects.get(object_id)
        if collection not in _STRIPE_COLLECTIONS or obj is None or obj["object"] != _STRIPE_COLLECTIONS[collection]:
            return _stripe_error(404, f"No such object: '{object_id}'", "resource_missing")
        if method == "POST":
            if collection != "subscriptions":
                return _stripe_error(400, f"This stub does not update {collection}.")
            refusal = self._subscription_update(obj, dict(params))
            if refusal:
                return refusal
        return 200, self._expanded(obj, [value for key, value in params if key.startswith("expand[")])

    def _expanded(self, obj: dict, paths: list[str]) -> dict:
        obj = copy.deepcopy(obj)
        for path in paths:
            *parents, last = path.split(".")
            holder = obj
            for key in parents:
                holder = holder.get(key) or {}
            if isinstance(holder.get(last), str) and holder[last] in self.objects:
                holder[last] = copy.deepcopy(self.objects[holder[last]])
        return obj

    def _subscription_update(self, subscription: dict, params: dict[str, str]) -> tuple[int, dict] | None:
        unknown = set(params) - {"cancel_at", "cancel_at_period_end"} - _SUBSCRIPTION_CHANGE_PARAMS
        if unknown:
            return _stripe_error(400, f"Received unknown parameter: {sorted(unknown)[0]}", "parameter_unknown")
        if params.keys() & _SUBSCRIPTION_CHANGE_PARAMS:
            return self._subscription_change(subscription, params)
        if len(params) > 1:
            return _stripe_error(400, "Received both cancel_at_period_end and cancel_at parameters. "
                                      "Please pass in only one.")
        if "cancel_at_period_end" in params:
            subscription["cancel_at_period_end"] = params["cancel_at_period_end"] == "true"
        if "cancel_at" in params:
            subscription["cancel_at"] = int(params["cancel_at"]) if params["cancel_at"] else None
        return None

    def _subscription_change(self, subscription: dict, params: dict[str, str]) -> tuple[int, dict] | None:
        item = subscription["items"]["data"][0]
        if "items[0][plan]" in params:
            if params.get("items[0][id]") != item["id"]:
                return _stripe_error(400, f"No such subscription item: '{params.get('items[0][id]')}'")
            plan = self.objects.get(params["items[0][plan]"])
            if plan is None:
                return _stripe_error(400, f"No such price: '{params['items[0][plan]']}'", "resource_missing")
        if self.declines:
            return 402, {"error": {"type": "card_error", "code": "card_declined",
                                   "decline_code": "insufficient_funds", "message": "Your card has insufficient funds."}}
        if "items[0][plan]" in params:
            item["plan"] = copy.deepcopy(plan)
            item["price"].update(id=plan["id"], unit_amount=plan["amount"], unit_amount_decimal=str(plan["amount"]))
            item["price"]["recurring"]["interval"] = plan["interval"]
        if params.get("trial_end") == "now":
            now = int(time.time())
            subscription.update(status="active", trial_end=now)
            item.update(current_period_start=now, current_period_end=now + 31 * 86400)
        return None

    def _checkout_session_create(self, params: list[tuple[str, str]]) -> dict:
        form = dict(params)
        session_id = f"cs_test_stub{len(self.objects) + 1:04d}"
        session = {
            "id": session_id, "object": "checkout.session", "mode": form.get("mode"), "status": "open",
            "url": f"https://checkout.stripe.com/c/pay/{session_id}", "customer": form.get("customer"),
            "subscription": None, "client_reference_id": form.get("client_reference_id"),
            "metadata": {key[len("metadata["):-1]: value for key, value in params if key.startswith("metadata[")},
        }
        self.objects[session_id] = session
        return copy.deepcopy(session)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
