"""The sandbox provider started inside the app process when no ScrapeCreators key is set."""

from __future__ import annotations

import logging
import threading

from django.conf import settings

from .server import SandboxConfig, SandboxServer, start_sandbox

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_server: SandboxServer | None = None


def embedded_sandbox_start(*, latency_ms: int | None = None) -> str | None:
    """Serve the sandbox provider on its port from this process; ``latency_ms`` replaces the
    configured network delay (which lets a person watch a search progress) for this process."""
    global _server
    if not settings.SANDBOX_PROVIDER:
        return None
    with _lock:
        if _server is None:
            config = SandboxConfig(
                port=settings.SANDBOX_PROVIDER_PORT,
                latency_ms=settings.SANDBOX_PROVIDER_LATENCY_MS if latency_ms is None else latency_ms,
                # A caller naming its own latency (the demo seed) wants exactly that, not a profile's.
                latency_profile=settings.SANDBOX_PROVIDER_LATENCY_PROFILE if latency_ms is None else "none",
            )
            try:
                _server = start_sandbox(config)
            except OSError as exc:
                # Another process (a second runserver, or `manage.py sandbox_provider`) may already
                # serve it on this port, which is just as good.
                logger.warning("sandbox provider not started: %s", exc)
                return f"Sandbox provider: port {config.port} busy ({exc.strerror}); using whatever serves it"
    return f"Sandbox provider: {_server.base_url} (no SCRAPECREATORS_API_KEY set)"
