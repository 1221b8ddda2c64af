"""Dramatiq middleware that records every message in ``BackgroundJob`` and keeps worker heartbeats.

A message gets its row when it is enqueued (``queued``, with ``scheduled_for`` when delayed), so
work waiting in a queue or due in days is visible and can be cancelled before a worker takes it.
Per attempt it then costs two statements: an update when the message starts (a retried message
reuses its row and counts the attempt; a cancelled one is skipped) and an update when it ends. A
search runs hundreds of steps, so nothing else is read or written here. A failure to record is
logged and never fails the job.

Each message carries the correlation id of the request (or job) that sent it in its options; while
it runs, that id is the current one, so the jobs it sends and the events it writes carry it too.

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
from django.db import transaction
from django.utils import timezone
from dramatiq.middleware import Middleware, SkipMessage

from influencer_platform.logging import current_correlation_id, request_id_var

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


def _in_savepoint(statement) -> Any:
    with transaction.atomic():
        return statement()


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
        # Each worker thread runs one message at a time; its correlation id is set for that message.
        self._correlation = threading.local()

    # Messages

    def before_enqueue(self, broker, message, delay) -> None:
        from .models import BackgroundJob, BackgroundJobStatus

        correlation_id = message.options.get("correlation_id") or current_correlation_id()
        if correlation_id:
            message.options["correlation_id"] = correlation_id  # encoded after this hook
        if message.options.get("retries"):
            return  # Retries sending it again: the row of its first attempt says so
        eta = message.options.get("eta") if delay else None
        row = BackgroundJob(
            message_id=message.message_id, actor_name=message.actor_name,
            queue_name=_canonical_queue(message.queue_name), args=list(message.args), kwargs=dict(message.kwargs),
            status=BackgroundJobStatus.QUEUED, attempts=0, enqueued_at=timezone.now(),
            scheduled_for=datetime.fromtimestamp(eta / 1000, tz=dt_timezone.utc) if eta else None,
            correlation_id=correlation_id[:64], retry_of=str(message.options.get("retry_of", ""))[:64],
        )
        # Written before the message reaches the queue, so a fast worker always finds the row; in a
        # savepoint, as a sender inside a transaction must not have it broken by a failed record.
        self._write(lambda: _in_savepoint(lambda: BackgroundJob.objects.bulk_create([row], ignore_conflicts=True)))

    def before_process_message(self, broker, message) -> None:
        from .models import BackgroundJobStatus

        now = timezone.now()
        started = self._claim(
            message, status=BackgroundJobStatus.RUNNING, attempts=message.options.get("retries", 0) + 1,
            worker=self._worker_label(), started_at=now, finished_at=None, error="", updated_at=now,
        )
        if not started:
            raise SkipMessage("cancelled by an operator")
        self._correlation.token = request_id_var.set(message.options.get("correlation_id") or "-")

    def _claim(self, message, **fields: Any) -> bool:
        """Set ``fields`` on the message's row unless an operator cancelled it; False if cancelled.

        One UPDATE on the usual path; a message sent before this middleware existed (or whose
        enqueue could not be recorded) gets its row here.
        """
        from .models import BackgroundJob, BackgroundJobStatus

        rows = BackgroundJob.objects.filter(message_id=message.message_id)
        try:
            if rows.exclude(status=BackgroundJobStatus.CANCELLED).update(**fields):
                return True
            if rows.filter(status=BackgroundJobStatus.CANCELLED).exists():
                return False
        except Exception:  # the record is for operators; the job itself must go on
            logger.warning("could not record a background job", exc_info=True)
            return True
        self._upsert(message, update_fields=list(fields), **fields)
        return True

    def _correlation_reset(self) -> None:
        token = getattr(self._correlation, "token", None)
        if token is not None:
            request_id_var.reset(token)
            self._correlation.token = None

    def after_process_message(self, broker, message, *, result=None, exception=None) -> None:
        from .models import BackgroundJobStatus

        self._correlation_reset()
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

        self._correlation_reset()
        now = timezone.now()
        # A cancelled message keeps its status; any other skip is the age limit's.
        self._claim(message, status=BackgroundJobStatus.SKIPPED, finished_at=now, updated_at=now,
                    error="Skipped: the message was too old when a worker got to it.")

    def _upsert(self, message, *, update_fields: list[str], **fields: Any) -> None:
        """Insert the message's row, or set ``update_fields`` on the row an earlier attempt wrote."""
        from .models import BackgroundJob

        fields = {"attempts": message.options.get("retries", 0) + 1, "worker": self._worker_label(), **fields}
        row = BackgroundJob(
            message_id=message.message_id, actor_name=message.actor_name,
            queue_name=_canonical_queue(message.queue_name), args=list(message.args),
            kwargs=dict(message.kwargs), enqueued_at=_enqueued_at(message),
            correlation_id=str(message.options.get("correlation_id", ""))[:64],
            retry_of=str(message.options.get("retry_of", ""))[:64], **fields,
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
