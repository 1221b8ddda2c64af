"""The console's own pages: runtime settings, the audit log, background jobs and workers."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.http import Http404, HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django_dramatiq.models import Task

from influencer_platform.errors import ApplicationError, NotFoundError
from influencer_platform.formatting import Tone, plural, tone_badge

from .alerts import ALERT_KINDS, alert_resolve
from .config import config_get, config_text
from .models import (
    AdminAction,
    Alert,
    AlertSeverity,
    BackgroundJob,
    BackgroundJobStatus,
    SystemConfiguration,
    WorkerHeartbeat,
)
from .selectors import worker_status
from .services import background_job_cancel, background_job_retry, config_set

_VALUE_HELP = {
    "duration": "A duration: a number and a unit, such as 250ms, 2s, 60m, 12h or 7d.",
    "number": "A number, such as 8 or 0.5.",
    "boolean": "",
    "string": "",
    "json": "JSON, such as {\"a\": 1} or [1, 2].",
}
_STATUS_TONES = {
    BackgroundJobStatus.QUEUED: Tone.WAITING,
    BackgroundJobStatus.CANCELLED: Tone.QUIET,
    BackgroundJobStatus.RUNNING: Tone.BUSY,
    BackgroundJobStatus.DONE: Tone.GOOD,
    BackgroundJobStatus.RETRYING: Tone.WARN,
    BackgroundJobStatus.FAILED: Tone.BAD,
    BackgroundJobStatus.SKIPPED: Tone.QUIET,
}
_WORKER_TONES = {"alive": Tone.GOOD, "silent": Tone.BAD, "stopped": Tone.QUIET}


def _preformatted(text: str) -> SafeString:
    return format_html('<pre style="white-space: pre-wrap; margin: 0; max-width: 100ch;">{}</pre>', text)


def _json(value) -> SafeString:
    return _preformatted(json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False))


class SystemConfigurationForm(forms.ModelForm):
    class Meta:
        model = SystemConfiguration
        fields = ("value",)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        value_type = self.instance.value_type
        if value_type == "boolean":
            self.fields["value"] = forms.ChoiceField(choices=[("true", "Yes"), ("false", "No")])
        elif value_type == "json":
            self.fields["value"].widget = forms.Textarea(attrs={"rows": 8, "cols": 80})
        else:
            self.fields["value"].widget = forms.TextInput(attrs={"size": 40})
        self.fields["value"].help_text = _VALUE_HELP.get(value_type, "")
        # Validation (type and bounds) is the model's clean(), the same check config_set makes.


@admin.register(SystemConfiguration)
class SystemConfigurationAdmin(admin.ModelAdmin):
    form = SystemConfigurationForm
    # Saves go through config_set, which writes its own audit entry.
    audit_admin_changes = False
    list_display = ("full_key", "value_display", "default_display", "description", "is_hot_reloadable",
                    "changed_display")
    list_select_related = ("updated_by",)
    list_display_links = ("full_key",)
    list_filter = ("category", "value_type", "is_hot_reloadable")
    search_fields = ("category", "key", "description", "value")
    ordering = ("category", "key")
    list_per_page = 200
    fields = ("full_key", "description", "value_type", "value", "default_display", "reload_display",
              "in_effect", "updated_at", "updated_by")
    readonly_fields = ("full_key", "description", "value_type", "default_display", "reload_display",
                       "in_effect", "updated_at", "updated_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Keys are declared in code (adminpanel.config.REGISTRY); a row without code reading it
        # would do nothing.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SystemConfiguration | None = None) -> bool:
        # Only rows the code stopped declaring can go; any other would just be seeded again.
        return obj is not None and obj.entry is None and super().has_delete_permission(request, obj)

    def save_model(self, request, obj: SystemConfiguration, form, change: bool) -> None:
        config_set(actor=request.user, setting_id=obj.pk, value=form.cleaned_data["value"])

    @admin.display(description="Setting", ordering="key")
    def full_key(self, setting: SystemConfiguration) -> str:
        return setting.full_key

    @admin.display(description="Value", ordering="value")
    def value_display(self, setting: SystemConfiguration) -> SafeString:
        changed = setting.entry is not None and setting.value != setting.default_text
        return format_html("<strong>{}</strong>", setting.value) if changed else format_html("{}", setting.value)

    @admin.display(description="Last changed", ordering="updated_at")
    def changed_display(self, setting: SystemConfiguration) -> str:
        # Seeding touches every row on migrate; only an operator's edit is news here.
        if setting.updated_by is None:
            return "—"
        return f"{timezone.localtime(setting.updated_at):%Y-%m-%d %H:%M} by {setting.updated_by.email}"

    @admin.display(description="Default")
    def default_display(self, setting: SystemConfiguration) -> str:
        return setting.default_text if setting.entry else "(no longer used)"

    @admin.display(description="Applies")
    def reload_display(self, setting: SystemConfiguration) -> str:
        if setting.is_hot_reloadable:
            return "Within a few seconds, in every web and worker process."
        return "When web and worker processes restart."

    @admin.display(description="In effect here")
    def in_effect(self, setting: SystemConfiguration) -> str:
        # What this process reads now: differs from the stored value while a deployment override
        # (RUNTIME_CONFIG_OVERRIDES) pins the key, or until a non-hot-reloadable key restarts.
        if setting.entry is None:
            return "—"
        return config_text(setting.entry, config_get(setting.full_key))


@admin.register(AdminAction)
class AdminActionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_email", "action", "target_link", "summary")
    list_filter = ("action", "target_type", "created_at")
    search_fields = ("actor_email", "target_repr", "summary", "=target_id", "action")
    date_hierarchy = "created_at"
    fields = ("created_at", "actor_email", "action", "target_type", "target_id", "target_link", "summary",
              "before_display", "after_display")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AdminAction | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AdminAction | None = None) -> bool:
        return False

    @admin.display(description="Target")
    def target_link(self, entry: AdminAction) -> SafeString | str:
        if not (entry.target_type and entry.target_id):
            return entry.target_repr
        app_label, _, model = entry.target_type.partition(".")
        try:
            url = reverse(f"{self.admin_site.name}:{app_label}_{model}_change", args=[entry.target_id])
        except NoReverseMatch:
            return entry.target_repr
        return format_html('<a href="{}">{}</a>', url, entry.target_repr or entry.target_id)

    @admin.display(description="Before")
    def before_display(self, entry: AdminAction) -> SafeString:
        return _json(entry.before)

    @admin.display(description="After")
    def after_display(self, entry: AdminAction) -> SafeString:
        return _json(entry.after)


@admin.register(BackgroundJob)
class BackgroundJobAdmin(admin.ModelAdmin):
    list_display = ("id", "actor_name", "arguments", "status_badge", "attempts", "queue_name", "scheduled_for",
                    "started_at", "duration_display", "worker", "error_line")
    list_display_links = ("id", "actor_name")
    list_filter = ("status", "actor_name", "queue_name", "started_at", "scheduled_for")
    search_fields = ("=message_id", "actor_name", "error", "=retried_as", "=retry_of", "=correlation_id")
    actions = ("retry_selected", "cancel_selected")
    fields = ("message_id", "actor_name", "queue_name", "arguments", "status_badge", "attempts", "worker",
              "enqueued_at", "scheduled_for", "started_at", "finished_at", "duration_display", "result_summary",
              "error_display", "correlation_id", "retry_of", "retried_as")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: BackgroundJob | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: BackgroundJob | None = None) -> bool:
        # The history is cleaned up by its retention period, not by hand.
        return False

    @admin.display(description="Arguments")
    def arguments(self, job: BackgroundJob) -> str:
        parts = [json.dumps(arg, ensure_ascii=False) for arg in job.args]
        parts += [f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in job.kwargs.items()]
        text = ", ".join(parts)
        return text if len(text) <= 80 else text[:79] + "…"

    @admin.display(description="Status", ordering="status")
    def status_badge(self, job: BackgroundJob) -> SafeString:
        return tone_badge(job.get_status_display(), _STATUS_TONES.get(job.status, Tone.WAITING))

    @admin.display(description="Duration")
    def duration_display(self, job: BackgroundJob) -> str | None:
        duration = job.duration
        if duration is None:
            return None
        seconds = duration.total_seconds()
        return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"

    @admin.display(description="Error")
    def error_line(self, job: BackgroundJob) -> str:
        # The last line of a traceback names the exception and its message.
        lines = job.error.strip().splitlines()
        return lines[-1][:120] if lines else ""

    @admin.display(description="Error")
    def error_display(self, job: BackgroundJob) -> SafeString | None:
        return _preformatted(job.error) if job.error else None

    @admin.action(description="Retry selected failed jobs")
    def retry_selected(self, request: HttpRequest, queryset) -> None:
        self._each(request, queryset, background_job_retry, done="Sent {} again.", refused="Not retried")


    @admin.action(description="Cancel selected jobs not started yet")
    def cancel_selected(self, request: HttpRequest, queryset) -> None:
        self._each(request, queryset, background_job_cancel, done="Cancelled {}.", refused="Not cancelled")

    def _each(self, request: HttpRequest, queryset, service, *, done: str, refused: str) -> None:
        count, refusals = 0, []
        for job in queryset.order_by("pk"):
            try:
                service(actor=request.user, job_id=job.pk)
            except ApplicationError as exc:
                refusals.append(f"#{job.pk} ({exc.message})")
            else:
                count += 1
        if count:
            self.message_user(request, done.format(plural(count, "job")), messages.SUCCESS)
        if refusals:
            self.message_user(request, f"{refused}: {'; '.join(refusals)}", messages.WARNING)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("worker_id", "state", "queues_display", "threads", "started_at", "last_seen_at", "processed",
                    "failed")
    list_filter = ("hostname",)
    readonly_fields = ("worker_id", "hostname", "pid", "queues", "threads", "started_at", "last_seen_at",
                       "stopped_at", "processed", "failed")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: WorkerHeartbeat | None = None) -> bool:
        return False

    @admin.display(description="State")
    def state(self, worker: WorkerHeartbeat) -> SafeString:
        status = worker_status(worker, now=timezone.now(), offline_after=config_get("ops.worker_offline_after"))
        return tone_badge(status.state.capitalize(), _WORKER_TONES[status.state])

    @admin.display(description="Queues")
    def queues_display(self, worker: WorkerHeartbeat) -> str:
        return ", ".join(worker.queues)


_SEVERITY_TONES = {AlertSeverity.CRITICAL: Tone.BAD, AlertSeverity.WARNING: Tone.WARN}


class AlertOpenFilter(admin.SimpleListFilter):
    """Open alerts are what an operator comes for, so the list starts with them."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("resolved", "Resolved"), ("all", "All")]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {"selected": (self.value() or "open") == value, "display": label,
                   "query_string": changelist.get_query_string({self.parameter_name: value})}

    def queryset(self, request, queryset):
        state = self.value() or "open"
        if state == "open":
            return queryset.filter(resolved_at__isnull=True)
        if state == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("title", "severity_badge", "count", "first_seen_at", "last_seen_at", "notified_at",
                    "resolved_display")
    list_filter = (AlertOpenFilter, "kind", "severity")
    list_select_related = ("resolved_by",)
    search_fields = ("title", "detail", "kind")
    actions = ("resolve_selected",)
    fields = ("title", "kind", "severity_badge", "detail", "what_to_do", "count", "first_seen_at", "last_seen_at",
              "notified_at", "resolved_display")
    readonly_fields = fields
    change_form_template = "admin/adminpanel/alert/change_form.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Alert | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Alert | None = None) -> bool:
        return False

    def get_urls(self):
        resolve = path("<int:alert_id>/resolve/", self.admin_site.admin_view(self.resolve_view),
                       name="adminpanel_alert_resolve")
        return [resolve, *super().get_urls()]

    @admin.display(description="Severity", ordering="severity")
    def severity_badge(self, alert: Alert) -> SafeString:
        return tone_badge(alert.get_severity_display(), _SEVERITY_TONES.get(alert.severity, Tone.WAITING))

    @admin.display(description="What to do")
    def what_to_do(self, alert: Alert) -> str:
        entry = ALERT_KINDS.get(alert.kind)
        return entry.action if entry else ""

    @admin.display(description="Resolved", ordering="resolved_at")
    def resolved_display(self, alert: Alert) -> str:
        if alert.resolved_at is None:
            return "Open"
        who = alert.resolved_by.email if alert.resolved_by else "someone since deleted"
        return f"{timezone.localtime(alert.resolved_at):%Y-%m-%d %H:%M} by {who}"

    @admin.action(description="Resolve selected alerts")
    def resolve_selected(self, request: HttpRequest, queryset) -> None:
        resolved = 0
        for alert in queryset.filter(resolved_at__isnull=True).order_by("pk"):
            alert_resolve(actor=request.user, alert_id=alert.pk)
            resolved += 1
        self.message_user(request, f"Resolved {plural(resolved, 'alert')}." if resolved
                          else "The selected alerts were already resolved.",
                          messages.SUCCESS if resolved else messages.WARNING)

    def resolve_view(self, request: HttpRequest, alert_id: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            alert = alert_resolve(actor=request.user, alert_id=alert_id)
        except NotFoundError:
            raise Http404("No such alert.") from None
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.WARNING)
        else:
            self.message_user(request, f"Resolved: {alert.title}.", messages.SUCCESS)
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            back = reverse("admin:adminpanel_alert_changelist")
        return HttpResponseRedirect(back)


# django_dramatiq's own task list stays empty here (its AdminMiddleware is not installed);
# BackgroundJob above is the one record of background work.
if admin.site.is_registered(Task):
    admin.site.unregister(Task)
# Operators are decided by the operator flag, and every operator may do everything in the
# console, so permission groups would be a page that changes nothing.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)
