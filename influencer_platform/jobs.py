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


_scheduler_thread: threading.Thread | None = None


def embedded_scheduler_start() -> str | None:
    """Send the periodic (``@cron``) messages from a thread of this process, embedded default only.

    With Redis, ``manage.py crontab`` runs the scheduler as its own process instead.
    """
    global _scheduler_thread
    if not settings.DRAMATIQ_IN_PROCESS:
        return None
    from dramatiq_crontab import scheduler

    with _lock:
        if _scheduler_thread is None:
            _scheduler_thread = threading.Thread(target=scheduler.start, name="cron-scheduler", daemon=True)
            _scheduler_thread.start()
    return "Scheduler: in-process (periodic sweeps)"


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


def actor_send(actor_name: str, *args: Any, delay: float | None = None) -> None:
    """Send a message to an actor by name, ``delay`` in seconds.

    Services call actors by name so that a service module never imports the actors module that
    imports it.
    """
    actor = dramatiq.get_broker().get_actor(actor_name)
    delay_ms = int(delay * 1000) if delay else None
    actor.send_with_options(args=args, delay=delay_ms)
