"""Dramatiq middleware that records every message in ``BackgroundJob`` and keeps worker heartbeats.

Per attempt it costs two statements: an upsert when the message starts (a retried message reuses
its row and counts the attempt) and an update when it ends. A search runs hundreds of steps, so
nothing else is read or written here. A failure to record is logged and never fails the job.

Models are imported inside the hooks: the broker, and this middleware with it, is built while
Django is still loading its apps.

Listed in ``DRAMATIQ_BROKER["MIDDLEWARE"]`` *before* ``Retries``: Dramatiq runs ``after_*`` hooks
in reverse order, so by the time this one runs, ``Retries`` has decided whether a failed message
will be retried (``message.failed``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from datetime import datetime, timezone as dt_timezone
from typing import Any

from django import db
from django.utils import timezone
from dramatiq.middleware import Middleware

from .config import config_get

logger = logging.getLogger(__name__)

ERROR_LIMIT = 8000
RESULT_LIMIT = 500


def _canonical_queue(name: str) -> str:
    # Delayed messages travel on "<queue>.DQ"; operators think of the queue they were sent to.
    return name[:-3] if name.endswith(".DQ") else name


def _enqueued_at(message: Any) -> datetime | None:
    timestamp = getattr(message, "message_timestamp", None)
    if not timestamp:
        return None
    return datetime.fromtimestamp(timestamp / 1000, tz=dt_timezone.utc)


def _summary(result: Any) -> str:
    if result is None:
        return ""
    text = repr(result)
    return text if len(text) <= RESULT_LIMIT else text[: RESULT_LIMIT - 1] + "…"


def _error_text(exception: BaseException) -> str:
    text = "".join(traceback.format_exception(exception, limit=30)).strip()
    # The end of a traceback says what went wrong; keep that when it is too long.
    return text if len(text) <= ERROR_LIMIT else "…" + text[-(ERROR_LIMIT - 1):]


class BackgroundJobMiddleware(Middleware):
    def __init__(self) -> None:
        self._counts_lock = threading.Lock()
        self.processed = 0
        self.failed = 0
        self._heartbeat: _Heartbeat | None = None

    # Messages

    def before_process_message(self, broker, message) -> None:
        from .models import BackgroundJobStatus

        now = timezone.now()
        self._upsert(
            message, update_fields=["status", "attempts", "worker", "started_at", "finished_at", "error", "updated_at"],
            status=BackgroundJobStatus.RUNNING, started_at=now, updated_at=now,
            retry_of=str(message.options.get("retry_of", ""))[:64],
        )

    def after_process_message(self, broker, message, *, result=None, exception=None) -> None:
        from .models import BackgroundJobStatus

        with self._counts_lock:
            self.processed += 1
            self.failed += exception is not None
        if exception is None:
            self._finish(message, status=BackgroundJobStatus.DONE, result_summary=_summary(result))
            return
        status = BackgroundJobStatus.FAILED if message.failed else BackgroundJobStatus.RETRYING
        self._finish(message, status=status, error=_error_text(exception))

    def after_skip_message(self, broker, message) -> None:
        from .models import BackgroundJobStatus

        now = timezone.now()
        self._upsert(
            message, update_fields=["status", "finished_at", "error", "updated_at"],
            status=BackgroundJobStatus.SKIPPED, finished_at=now, updated_at=now,
            error="Skipped: the message was too old when a worker got to it.",
        )

    def _upsert(self, message, *, update_fields: list[str], **fields: Any) -> None:
        """Insert the message's row, or set ``update_fields`` on the row an earlier attempt wrote."""
        from .models import BackgroundJob

        row = BackgroundJob(
            message_id=message.message_id, actor_name=message.actor_name,
            queue_name=_canonical_queue(message.queue_name), args=list(message.args),
            kwargs=dict(message.kwargs), attempts=message.options.get("retries", 0) + 1,
            worker=self._worker_label(), enqueued_at=_enqueued_at(message), **fields,
        )
        self._write(lambda: BackgroundJob.objects.bulk_create(
            [row], update_conflicts=True, unique_fields=["message_id"], update_fields=update_fields,
        ))

    def _finish(self, message, *, status: str, result_summary: str = "", error: str = "") -> None:
        from .models import BackgroundJob

        now = timezone.now()
        self._write(lambda: BackgroundJob.objects.filter(message_id=message.message_id).update(
            status=status, finished_at=now, result_summary=result_summary, error=error, updated_at=now,
        ))

    def _write(self, statement) -> None:
        try:
            statement()
        except Exception:  # the record is for operators; the job itself must go on
            logger.warning("could not record a background job", exc_info=True)

    def _worker_label(self) -> str:
        # The pid changes after a fork (rundramatiq starts its worker processes that way).
        return f"{socket.gethostname()}:{os.getpid()}"

    # Worker liveness

    def after_worker_boot(self, broker, worker) -> None:
        queues = {_canonical_queue(name) for name in (worker.consumer_whitelist or broker.get_declared_queues())}
        self._heartbeat = _Heartbeat(self, queues=sorted(queues), threads=worker.worker_threads)
        self._heartbeat.start()

    def before_worker_shutdown(self, broker, worker) -> None:
        if self._heartbeat is not None:
            self._heartbeat.stop()
            self._heartbeat = None


class _Heartbeat(threading.Thread):
    """Writes this worker's ``WorkerHeartbeat`` row at boot, every interval, and at shutdown."""

    def __init__(self, middleware: BackgroundJobMiddleware, *, queues: list[str], threads: int) -> None:
        super().__init__(name="worker-heartbeat", daemon=True)
        self._middleware = middleware
        self._queues = queues
        self._threads = threads
        self._stopping = threading.Event()
        self._started_at = timezone.now()
        # Counts are per worker; a process that starts a second worker (tests do) starts from here.
        self._baseline = (middleware.processed, middleware.failed)
        self.worker_id = f"{middleware._worker_label()}:{self._started_at:%H%M%S%f}"

    def run(self) -> None:
        interval = max(1.0, config_get("ops.worker_heartbeat_interval").total_seconds())
        self._beat()
        while not self._stopping.wait(interval):
            self._beat()
        # The last beat is written here, not by the thread stopping the worker: closing the
        # database connection after a beat must only ever close this thread's own.
        self._beat(stopped=True)

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=10)

    def _beat(self, *, stopped: bool = False) -> None:
        from .models import WorkerHeartbeat

        now = timezone.now()
        try:
            WorkerHeartbeat.objects.update_or_create(
                worker_id=self.worker_id,
                defaults={
                    "hostname": socket.gethostname()[:255], "pid": os.getpid(), "queues": self._queues,
                    "threads": self._threads, "started_at": self._started_at, "last_seen_at": now,
                    "stopped_at": now if stopped else None,
                    "processed": self._middleware.processed - self._baseline[0],
                    "failed": self._middleware.failed - self._baseline[1],
                },
            )
            if not stopped:
                # The scheduler's health check runs on the workers, so it cannot notice its own
                # absence: each beat asks whether it has been silent too long.
                from .alerts import alerts_health_check

                alerts_health_check(now=now, check_workers=False)
        except Exception:
            logger.warning("could not record the worker heartbeat", exc_info=True)
        finally:
            # This thread's connection must not outlive the beat: an idle one would hold the
            # database open (tests drop theirs at the end) and count against max_connections.
            db.connections.close_all()
