import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from influencer_platform.http import (
    ResponseTooLargeError,
    UnsafeURLError,
    build_session,
    fetch_checked,
    parse_retry_after,
    resolve_public_address,
)


class _SlowOrRedirectingHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(0.5)
        if self.path.startswith("/drip-"):
            self._drip(headers=self.path == "/drip-headers")
            return
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self.headers.get("User-Agent", "").encode()
        try:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # a client that timed out has hung up

    def _drip(self, *, headers: bool) -> None:
        """One byte every 0.1 s, well inside any read timeout, for 5 s: in the headers or the body."""
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            if headers:
                for _ in range(50):
                    self.wfile.write(b"X-Padding: 1\r\n")
                    self.wfile.flush()
                    time.sleep(0.1)
                self.wfile.write(b"Content-Length: 0\r\n\r\n")
                return
            self.wfile.write(b"Content-Length: 50\r\n\r\n")
            for _ in range(50):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass  # the client hung up

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowOrRedirectingHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_build_session_applies_default_read_timeout(local_server: str) -> None:
    session = build_session(timeout=(1.0, 0.2))

    with pytest.raises(requests.Timeout):
        session.get(f"{local_server}/slow")


def test_build_session_default_timeout_is_five_and_twenty_seconds() -> None:
    session = build_session()

    assert session.default_timeout == (5.0, 20.0)


def test_build_session_lets_the_caller_override_the_timeout(local_server: str) -> None:
    session = build_session(timeout=(1.0, 0.2))

    response = session.get(f"{local_server}/slow", timeout=(1.0, 5.0))

    assert response.status_code == 200


def test_build_session_sends_the_user_agent(local_server: str) -> None:
    session = build_session(user_agent="discovery-test/2")

    assert session.get(f"{local_server}/").text == "discovery-test/2"


def test_build_session_does_not_follow_redirects(local_server: str) -> None:
    session = build_session()

    response = session.get(f"{local_server}/redirect")

    assert response.status_code == 302


def test_build_session_never_retries_in_urllib3() -> None:
    adapter = build_session().get_adapter("https://api.example.com/")

    assert adapter.max_retries.total == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/avatar.jpg",
        "http://10.1.2.3/",
        "https://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/",
        "http://[::ffff:127.0.0.1]/",
        "http://192.168.0.10/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://100.64.0.1/",
        "http://[2002:7f00:1::]/",  # 6to4 around 127.0.0.1
        "http://[2002:a9fe:a9fe::]/",  # 6to4 around 169.254.169.254
        "http://[fec0::1]/",  # site-local
        "ftp://93.184.216.34/file",
        "file:///etc/passwd",
        "https:///no-host",
    ],
)
def test_resolve_public_address_refuses_unsafe_urls(url: str) -> None:
    with pytest.raises(UnsafeURLError):
        resolve_public_address(url)


def test_resolve_public_address_accepts_a_public_literal_ip() -> None:
    assert resolve_public_address("https://93.184.216.34/avatar.jpg") == "93.184.216.34"


def test_resolve_public_address_checks_every_resolved_address(monkeypatch) -> None:
    # A host with one public and one private record could be steered at the private one.
    def fake_getaddrinfo(host, port, *args, **kwargs):
        return [
            (2, 1, 6, "", ("93.184.216.34", port)),
            (2, 1, 6, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr("socket.getaddrinfo", fake_getaddrinfo)

    with pytest.raises(UnsafeURLError, match="10.0.0.5"):
        resolve_public_address("https://cdn.example.com/a.jpg")


def test_resolve_public_address_allow_private_for_the_sandbox() -> None:
    assert resolve_public_address("http://127.0.0.1:8001/x", allow_private=True) == "127.0.0.1"


def test_resolve_public_address_still_refuses_other_schemes_when_private_allowed() -> None:
    with pytest.raises(UnsafeURLError):
        resolve_public_address("ftp://127.0.0.1/", allow_private=True)


def test_resolve_public_address_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        resolve_public_address("gopher://127.0.0.1/")


@pytest.mark.parametrize(
    ("header", "expected"),
    [("30", 30.0), ("1.5", 1.5), ("-3", 0.0), ("", None), (None, None), ("soon", None)],
)
def test_parse_retry_after_reads_seconds(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_parse_retry_after_reads_an_http_date() -> None:
    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=90), usegmt=True)

    assert parse_retry_after(header, now=now.timestamp()) == 90.0


def _pinned_session():
    return build_session(timeout=(1.0, 2.0), pin_addresses=True)


def test_fetch_checked_connects_to_the_address_it_checked(local_server: str, monkeypatch) -> None:
    # DNS rebinding: the first answer passes the check, a second lookup would point elsewhere.
    real_getaddrinfo = socket.getaddrinfo
    answers = iter(["127.0.0.1"])

    def rebinding_getaddrinfo(host, port, *args, **kwargs):
        if host == "cdn.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers, "10.9.9.9"), port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr("socket.getaddrinfo", rebinding_getaddrinfo)
    port = urlsplit(local_server).port

    response = fetch_checked(f"http://cdn.test:{port}/", session=_pinned_session(), max_bytes=1000,
                             headers={"User-Agent": "pinned/1"}, private_allowed=lambda netloc: True)

    assert (response.status, response.body) == (200, b"pinned/1")


def test_fetch_checked_refuses_a_redirect_to_a_private_address(local_server: str) -> None:
    with pytest.raises(UnsafeURLError, match="169.254.169.254"):
        fetch_checked(f"{local_server}/redirect", session=_pinned_session(), max_bytes=1000,
                      private_allowed=lambda netloc: netloc.startswith("127.0.0.1"))


def test_fetch_checked_refuses_hosts_off_the_allow_list(local_server: str) -> None:
    with pytest.raises(UnsafeURLError, match="not on the list"):
        fetch_checked(f"{local_server}/", session=_pinned_session(), max_bytes=1000,
                      host_allowed=lambda netloc: netloc == "cdn.example.com", private_allowed=lambda netloc: True)


def test_fetch_checked_caps_the_body(local_server: str) -> None:
    with pytest.raises(ResponseTooLargeError):
        fetch_checked(f"{local_server}/", session=_pinned_session(), max_bytes=4,
                      headers={"User-Agent": "longer than four bytes"}, private_allowed=lambda netloc: True)


def test_pinned_session_refuses_requests_that_skip_the_check(local_server: str) -> None:
    with pytest.raises(requests.exceptions.InvalidURL):
        _pinned_session().get(f"{local_server}/")


@pytest.fixture
def tls_server(tmp_path) -> Iterator[tuple[int, Path, list[str]]]:
    """An HTTPS server on 127.0.0.1 with a self-signed certificate for cdn.test; records SNI names."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=cdn.test", "-addext", "subjectAltName=DNS:cdn.test"],
        check=True, capture_output=True,
    )
    server_names: list[str] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: server_names.append(name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowOrRedirectingHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server.server_address[1], cert, server_names
    server.shutdown()
    server.server_close()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
def test_fetch_checked_verifies_tls_against_the_host_name_not_the_pinned_address(tls_server, monkeypatch) -> None:
    port, cert, server_names = tls_server
    real_getaddrinfo = socket.getaddrinfo

    def local_names(host, *args, **kwargs):
        if host in ("cdn.test", "impostor.test"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", args[0]))]
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr("socket.getaddrinfo", local_names)
    session = _pinned_session()
    session.verify = str(cert)

    response = fetch_checked(f"https://cdn.test:{port}/", session=session, max_bytes=1000,
                             headers={"User-Agent": "tls/1"}, private_allowed=lambda netloc: True)

    assert (response.status, response.body) == (200, b"tls/1")
    assert server_names == ["cdn.test"]
    with pytest.raises(requests.exceptions.SSLError):
        fetch_checked(f"https://impostor.test:{port}/", session=session, max_bytes=1000,
                      private_allowed=lambda netloc: True)


@pytest.mark.parametrize("path", ["/drip-body", "/drip-headers"])
def test_fetch_checked_total_timeout_bounds_a_server_that_sends_a_byte_at_a_time(local_server: str, path: str) -> None:
    # Every read returns within the read timeout, so only the deadline over the whole exchange
    # stops a server that would otherwise hold the request (and the web worker) for 5 s.
    session = _pinned_session()
    started = time.monotonic()

    with pytest.raises(requests.Timeout):
        fetch_checked(f"{local_server}{path}", session=session, max_bytes=1000, total_timeout=0.5,
                      private_allowed=lambda netloc: True)

    assert time.monotonic() - started < 2.5
    # The cut connection is not reused: the session goes on working.
    response = fetch_checked(f"{local_server}/", session=session, max_bytes=1000, headers={"User-Agent": "after/1"},
                             total_timeout=5, private_allowed=lambda netloc: True)
    assert response.body == b"after/1"


def test_fetch_checked_takes_the_timeout_of_the_call(local_server: str) -> None:
    with pytest.raises(requests.Timeout):
        fetch_checked(f"{local_server}/slow", session=build_session(timeout=(1.0, 5.0), pin_addresses=True),
                      max_bytes=1000, timeout=(1.0, 0.2), private_allowed=lambda netloc: True)
