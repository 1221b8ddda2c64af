"""The operator console's tables: runtime configuration, the audit log, and background work.

This app sits just above the shared kernel: it imports no other app. Foreign keys to the user use
``settings.AUTH_USER_MODEL``; everything else an entry points at is stored as a generic
``app_label.model`` + id, so that the audit log survives the rows it describes.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from .config import REGISTRY, VALUE_TYPES, config_validate


class SystemConfiguration(models.Model):
    """One runtime setting. Rows are seeded from ``adminpanel.config.REGISTRY`` on every migrate;
    the registry decides the type, description and whether a change applies without a restart."""

    category = models.CharField(max_length=40)
    key = models.CharField(max_length=120, help_text="The name within its category.")
    value = models.TextField(blank=True)
    value_type = models.CharField(max_length=10, choices=[(name, name) for name in VALUE_TYPES])
    description = models.TextField(blank=True)
    is_hot_reloadable = models.BooleanField(
        "live", default=True, help_text="A change applies within seconds; otherwise when processes restart.")
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = "system setting"
        ordering = ["category", "key"]
        constraints = [models.UniqueConstraint(fields=["category", "key"], name="config_unique_category_key")]

    def __str__(self) -> str:
        return self.full_key

    @property
    def full_key(self) -> str:
        return f"{self.category}.{self.key}"

    @property
    def entry(self):
        return REGISTRY.get(self.full_key)

    @property
    def default_text(self) -> str:
        entry = self.entry
        return "" if entry is None else config_validate(entry, entry.default)[1]

    def clean(self) -> None:
        entry = self.entry
        if entry is None:
            raise ValidationError("This setting is no longer used by the code; it can only be deleted.")
        try:
            _value, self.value = config_validate(entry, self.value)
        except ValueError as exc:
            raise ValidationError({"value": str(exc)}) from None


class AdminAction(models.Model):
    """Who changed what through the admin or an operator tool, with the values before and after.

    Written in the same transaction as the change it records, so the log never claims a change
    that was rolled back nor misses one that was committed.
    """

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_email = models.CharField(max_length=254, blank=True, help_text="Kept if the operator is deleted.")
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=100, blank=True, help_text="app_label.model")
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    before = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "audit log entry"
        verbose_name_plural = "audit log"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        return f"{self.action} {self.target_repr}".strip()


class BackgroundJobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    CANCELLED = "cancelled", "Cancelled"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    RETRYING = "retrying", "Failed, will retry"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class BackgroundJob(models.Model):
    """One Dramatiq message as the workers saw it; attempts of the same message share the row."""

    message_id = models.CharField(max_length=64, unique=True)
    actor_name = models.CharField(max_length=100, db_index=True)
    queue_name = models.CharField(max_length=100)
    args = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)
    kwargs = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField(max_length=10, choices=BackgroundJobStatus.choices, db_index=True)
    attempts = models.PositiveIntegerField(default=1)
    worker = models.CharField(max_length=120, blank=True, help_text="host:pid of the worker that ran it last.")
    enqueued_at = models.DateTimeField(null=True, blank=True)
    scheduled_for = models.DateTimeField(null=True, blank=True, db_index=True,
                                         help_text="When a delayed message becomes due (a reminder due in days).")
    correlation_id = models.CharField(max_length=64, blank=True, db_index=True,
                                      help_text="The request id of the page or API call that caused it.")
    started_at = models.DateTimeField(null=True, blank=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    result_summary = models.CharField(max_length=500, blank=True)
    retried_as = models.CharField(max_length=64, blank=True,
                                  help_text="Message id of the copy an operator sent after it failed.")
    retry_of = models.CharField(max_length=64, blank=True,
                                help_text="Message id of the failed message this one retries.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["actor_name", "status", "-started_at"], name="bgjob_actor_status")]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.message_id[:8]}"

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


class WorkerHeartbeat(models.Model):
    """A job worker process saying it is alive; the operations overview reads these."""

    worker_id = models.CharField(max_length=120, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    queues = models.JSONField(default=list, blank=True)
    threads = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    processed = models.PositiveIntegerField(default=0,
                                            help_text="Messages handled (done or failed) since the worker started.")
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return self.worker_id


class AlertSeverity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    WARNING = "warning", "Warning"


class Alert(models.Model):
    """Something operators must act on, raised once and counted while its cause persists.

    At most one alert per kind is open (``resolved_at`` empty) at a time, which the partial unique
    constraint guarantees under concurrent raises; a cause seen again after the alert was resolved
    opens a new one.
    """

    kind = models.CharField(max_length=40, db_index=True)
    severity = models.CharField(max_length=10, choices=AlertSeverity.choices)
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True, help_text="What was seen last time the cause was seen.")
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    count = models.PositiveIntegerField(default=1, help_text="Times the cause was seen while the alert was open.")
    notified_at = models.DateTimeField(null=True, blank=True, help_text="When the operators were emailed about it.")
    resolved_at = models.DateTimeField(null=True, blank=True, db_index=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=models.Q(resolved_at__isnull=True),
                                    name="alert_one_open_per_kind"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
