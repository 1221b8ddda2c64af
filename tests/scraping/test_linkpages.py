import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scraping.linkpages import is_link_page, link_page_emails


class _LinkPageHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/to-metadata":
            self._answer(302, b"", location="http://169.254.169.254/latest/meta-data/")
        elif self.path == "/to-elsewhere":
            self._answer(302, b"", location="http://example.org/mia")
        elif self.path == "/json":
            self._answer(200, b'{"email": "mia@glow.co"}', content_type="application/json")
        else:
            page = (b'<html><a href="mailto:Mia%40Glow.co?subject=Collab">Email me</a>'
                    b"<p>Brand deals: team [at] glowstudio (dot) com</p></html>")
            self._answer(200, page)

    def _answer(self, status: int, body: bytes, *, location: str = "",
                content_type: str = "text/html; charset=utf-8") -> None:
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def link_host() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _LinkPageHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def listed(settings, link_host) -> str:
    """The local server as a link-in-bio host that may sit on a private address (as the sandbox does)."""
    settings.LINK_IN_BIO_HOSTS = {*settings.LINK_IN_BIO_HOSTS, link_host}
    settings.LINK_IN_BIO_PRIVATE_HOSTS = {link_host}
    return link_host


def test_link_page_emails_reads_mailto_links_and_written_addresses(listed):
    assert link_page_emails(f"http://{listed}/mia") == ["mia@glow.co", "team@glowstudio.com"]


def test_link_page_emails_ignores_hosts_off_the_list(settings, link_host):
    settings.LINK_IN_BIO_PRIVATE_HOSTS = {link_host}

    assert link_page_emails(f"http://{link_host}/mia") == []


def test_link_page_emails_refuses_a_listed_host_on_a_private_address(settings, link_host):
    settings.LINK_IN_BIO_HOSTS = {*settings.LINK_IN_BIO_HOSTS, link_host}
    settings.LINK_IN_BIO_PRIVATE_HOSTS = set()

    assert link_page_emails(f"http://{link_host}/mia") == []


@pytest.mark.parametrize("path", ["/to-metadata", "/to-elsewhere"])
def test_link_page_emails_does_not_follow_redirects_off_the_list(listed, path):
    assert link_page_emails(f"http://{listed}{path}") == []


def test_link_page_emails_reads_only_web_pages(listed):
    assert link_page_emails(f"http://{listed}/json") == []


@pytest.mark.parametrize(("url", "listed"), [
    ("https://dara.komi.io", True), ("https://DaveB.Komi.io/", True), ("https://www.linktr.ee/dara", True),
    ("https://linktr.ee/dara", True), ("https://komi.io.example.com/dara", False),
    ("https://notkomi.io/dara", False), ("https://example.com/komi.io", False),
])
def test_is_link_page_recognises_pages_on_a_services_sub_domains(url, listed):
    assert is_link_page(url) is listed
