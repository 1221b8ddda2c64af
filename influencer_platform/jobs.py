"""Running Dramatiq: the in-process worker of the embedded default and the broker health check.

With ``REDIS_URL`` set, workers are separate ``manage.py rundramatiq`` processes on any host. Without
it the broker is in memory, so its worker must live in the same process as the code that enqueues:
``runserver`` (and the foreground management commands) start one here.
"""

from __future__ import annotations

import atexit
import logging
import threading
from typing import Any

import dramatiq
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_worker: dramatiq.Worker | None = None


def in_process_worker_start() -> dramatiq.Worker | None:
    """Start worker threads in this process when there is no external broker; idempotent."""
    global _worker
    if not settings.DRAMATIQ_IN_PROCESS:
        return None
    with _lock:
        if _worker is None:
            broker = dramatiq.get_broker()
            broker.emit_after("process_boot")
            _worker = dramatiq.Worker(
                broker, worker_threads=settings.DRAMATIQ_IN_PROCESS_THREADS, worker_timeout=200
            )
            _worker.start()
            atexit.register(_worker.stop)
            logger.info("in-process job worker started", extra={"threads": settings.DRAMATIQ_IN_PROCESS_THREADS})
    return _worker


def embedded_worker_start() -> str | None:
    if in_process_worker_start() is None:
        return None
    return "Job worker: in-process threads (set REDIS_URL to run separate `rundramatiq` workers)"


def embedded_services_start() -> list[str]:
    """Start what the embedded default needs in this process (see ``EMBEDDED_SERVICES``)."""
    return [line for path in settings.EMBEDDED_SERVICES if (line := import_string(path)())]


def broker_health() -> dict[str, Any]:
    broker = dramatiq.get_broker()
    if settings.DRAMATIQ_IN_PROCESS:
        return {"ok": True, "kind": "in-process", "worker_running": _worker is not None}
    try:
        broker.client.ping()
    except Exception as exc:  # any connection failure means "down" to a health probe
        return {"ok": False, "kind": "redis", "error": exc.__class__.__name__}
    return {"ok": True, "kind": "redis"}
