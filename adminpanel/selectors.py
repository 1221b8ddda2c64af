"""Reads about background work: queue depths from the broker, worker liveness, recent job outcomes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import dramatiq
from django.db.models import Count, Max, Q
from django.utils import timezone

from .config import config_get
from .models import AdminAction, BackgroundJob, BackgroundJobStatus, WorkerHeartbeat

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueDepth:
    name: str
    waiting: int  # not yet taken by any worker
    in_workers: int  # taken by a worker: running, or prefetched
    delayed: int  # scheduled for later (step delays, retries, lifecycle emails)
    dead: int  # gave up after their retries


def queue_depths() -> tuple[list[QueueDepth], str]:
    """Every declared queue's depth, and an error sentence if the broker could not be read."""
    broker = dramatiq.get_broker()
    names = sorted(name for name in broker.get_declared_queues() if not name.endswith(".DQ"))
    try:
        if hasattr(broker, "client"):  # Redis: the layout of dramatiq's dispatch.lua
            pipe = broker.client.pipeline(transaction=False)
            for name in names:
                prefix = f"{broker.namespace}:{name}"
                pipe.llen(prefix)
                pipe.hlen(f"{prefix}.msgs")
                pipe.hlen(f"{prefix}.DQ.msgs")
                pipe.zcard(f"{prefix}.XQ")
            counts = pipe.execute()
            return [
                QueueDepth(name, waiting=counts[4 * i], in_workers=max(counts[4 * i + 1] - counts[4 * i], 0),
                           delayed=counts[4 * i + 2], dead=counts[4 * i + 3])
                for i, name in enumerate(names)
            ], ""
        # The in-memory broker of the embedded default.
        dead = getattr(broker, "dead_letters_by_queue", {})
        return [
            QueueDepth(name, waiting=broker.queues[name].qsize(), in_workers=0,
                       delayed=broker.queues[f"{name}.DQ"].qsize() if f"{name}.DQ" in broker.queues else 0,
                       dead=len(dead.get(name, ())))
            for name in names
        ], ""
    except Exception as exc:  # the page must render when the broker is down; that is news itself
        logger.warning("queue depths unavailable", exc_info=True)
        return [], f"The job broker could not be read ({exc.__class__.__name__})."


@dataclass(frozen=True)
class WorkerStatus:
    worker: WorkerHeartbeat
    alive: bool

    @property
    def state(self) -> str:
        if self.worker.stopped_at:
            return "stopped"
        return "alive" if self.alive else "silent"


def worker_status(worker: WorkerHeartbeat, *, now: datetime, offline_after: timedelta) -> WorkerStatus:
    return WorkerStatus(worker=worker, alive=worker.stopped_at is None and worker.last_seen_at >= now - offline_after)


def workers_recent(*, now: datetime | None = None, within: timedelta = timedelta(hours=6)) -> list[WorkerStatus]:
    """Workers that reported in the last ``within``, newest first, each marked alive or not."""
    now = now or timezone.now()
    offline_after = config_get("ops.worker_offline_after")
    return [
        worker_status(worker, now=now, offline_after=offline_after)
        for worker in WorkerHeartbeat.objects.filter(last_seen_at__gte=now - within).order_by("-last_seen_at")[:50]
    ]


@dataclass(frozen=True)
class ActorActivity:
    actor_name: str
    runs: int
    failed: int
    retrying: int
    running: int
    last_started: datetime | None
    last_finished: datetime | None


def background_activity(*, since: datetime) -> list[ActorActivity]:
    """Per task: messages started since ``since`` and how they ended."""
    rows = (
        BackgroundJob.objects.filter(started_at__gte=since)
        .values("actor_name")
        .annotate(
            runs=Count("id"),
            failed=Count("id", filter=Q(status=BackgroundJobStatus.FAILED)),
            retrying=Count("id", filter=Q(status=BackgroundJobStatus.RETRYING)),
            running=Count("id", filter=Q(status=BackgroundJobStatus.RUNNING)),
            last_started=Max("started_at"),
            last_finished=Max("finished_at"),
        )
        .order_by("actor_name")
    )
    return [ActorActivity(**row) for row in rows]


def audit_recent(*, limit: int = 10) -> list[AdminAction]:
    """The latest changes by any operator, newest first (the console's home page lists them)."""
    return list(AdminAction.objects.only("created_at", "actor_email", "action", "summary", "target_repr")
                .order_by("-created_at", "-id")[:limit])


@dataclass(frozen=True)
class WaitingWork:
    queued: int  # waiting for a worker now
    scheduled: int  # due later (lifecycle emails days ahead, step delays)
    next_due: list[BackgroundJob]


def background_jobs_waiting(*, now: datetime | None = None, limit: int = 10) -> WaitingWork:
    """Messages no worker has started: how many, and the next ones due."""
    now = now or timezone.now()
    waiting = BackgroundJob.objects.filter(status=BackgroundJobStatus.QUEUED)
    counts = waiting.aggregate(queued=Count("id", filter=Q(scheduled_for__isnull=True) | Q(scheduled_for__lte=now)),
                               scheduled=Count("id", filter=Q(scheduled_for__gt=now)))
    next_due = list(waiting.filter(scheduled_for__gt=now).order_by("scheduled_for", "id")[:limit])
    return WaitingWork(queued=counts["queued"], scheduled=counts["scheduled"], next_due=next_due)
