"""The operator console for searches and the creator profiles they find.

Both are read-only: jobs change only through the engine's services (cancel, resume), and profiles
are provider data that enrichment overwrites.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth import get_user_model
from django.contrib.humanize.templatetags.humanize import intcomma, intword
from django.db import router
from django.db.models import (
    Count,
    IntegerField,
    Model,
    OuterRef,
    ProtectedError,
    QuerySet,
    RestrictedError,
    Subquery,
)
from django.db.models.deletion import Collector
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst

from adminpanel.audit import audited
from influencer_platform.errors import ApplicationError
from influencer_platform.formatting import Tone, duration_compact, plural, tone_badge
from influencer_platform.http import web_url

from .models import CreatorProfile, JobCreator, JobStatus, ScrapingJob
from .services import job_cancel, job_retry

RESULTS_SHOWN = 100

_STATUS_TONES = {
    JobStatus.PENDING: Tone.WAITING,
    JobStatus.PROCESSING: Tone.BUSY,
    JobStatus.COMPLETED: Tone.GOOD,
    JobStatus.PARTIAL: Tone.WARN,
    JobStatus.ERROR: Tone.BAD,
    JobStatus.TIMEOUT: Tone.BAD,
    JobStatus.CANCELLED: Tone.QUIET,
}


def _count(value: int | None) -> str | None:
    return None if value is None else intcomma(value)


def _compact_count(value: int | None) -> str | None:
    """45,300 below a million, then words: 2.3 million."""
    if value is None:
        return None
    return intword(value) if value >= 1_000_000 else intcomma(value)


def _preformatted(text: str) -> SafeString:
    return format_html('<pre style="white-space: pre-wrap; margin: 0;">{}</pre>', text)


def _job_state(job: ScrapingJob) -> dict:
    """What the audit log keeps of a search before and after an operator acts on it."""
    return {"status": job.status, "end_reason": job.end_reason, "found_count": job.found_count}


def _object_label(obj: Model) -> str:
    return f"{capfirst(obj._meta.verbose_name)}: {obj}"


def _creator_admin_url(admin_site: admin.AdminSite, creator_id: int) -> str:
    return reverse(f"{admin_site.name}:scraping_creatorprofile_change", args=[creator_id])


class FirstResultsFormSet(BaseInlineFormSet):
    """Only the first ``RESULTS_SHOWN`` results by rank: a job can hold thousands."""

    def get_queryset(self) -> QuerySet[JobCreator]:
        if not hasattr(self, "_queryset"):
            self._queryset = super().get_queryset()[:RESULTS_SHOWN]
        return self._queryset


class JobResultInline(admin.TabularInline):
    model = JobCreator
    formset = FirstResultsFormSet
    verbose_name = "result"
    verbose_name_plural = f"Results (the first {RESULTS_SHOWN} by rank)"
    fields = ("rank", "creator_link", "creator_followers", "creator_emails", "keyword", "post_link", "views")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[JobCreator]:
        return super().get_queryset(request).select_related("creator").order_by("rank")

    def has_add_permission(self, request: HttpRequest, obj: ScrapingJob | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ScrapingJob | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ScrapingJob | None = None) -> bool:
        return False

    @admin.display(description="Creator")
    def creator_link(self, result: JobCreator) -> SafeString:
        creator = result.creator
        return format_html('<a href="{}">@{}</a>', _creator_admin_url(self.admin_site, creator.pk),
                           creator.handle or creator.external_id)

    @admin.display(description="Followers")
    def creator_followers(self, result: JobCreator) -> str | None:
        return _compact_count(result.creator.followers)

    @admin.display(description="Emails")
    def creator_emails(self, result: JobCreator) -> str | None:
        return ", ".join(result.creator.email_addresses) or None

    @admin.display(description="Post")
    def post_link(self, result: JobCreator) -> SafeString | None:
        url = web_url(result.post_url)
        if not url:
            return None
        return format_html('<a href="{}" target="_blank" rel="noopener noreferrer">open</a>', url)

    @admin.display(description="Views")
    def views(self, result: JobCreator) -> str | None:
        return _count(result.post_views)


class CustomerFilter(admin.SimpleListFilter):
    """One customer's searches, reached from the customer's page (``?user=<id>``).

    The sidebar shows the customer only while the list is filtered by them, so it says whose
    searches these are and how to see all again; a list of every customer would not scale.
    """

    title = "customer"
    parameter_name = "user"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        value = self.value()
        if not (value and value.isdigit()):
            return []
        email = get_user_model().objects.filter(pk=value).values_list("email", flat=True).first()
        return [(value, email or f"user #{value}")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ScrapingJob]) -> QuerySet[ScrapingJob]:
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(user_id=value) if value.isdigit() else queryset.none()


@admin.register(ScrapingJob)
class ScrapingJobAdmin(admin.ModelAdmin):
    list_display = (
        "id", "user_email", "platform", "search_type", "query_label", "status_badge", "found_of_target",
        "credits_spent", "duration_display", "created_at",
    )
    list_display_links = ("id", "query_label")
    list_filter = ("status", "platform", "search_type", "end_reason", CustomerFilter)
    list_select_related = ("user",)
    search_fields = ("=id", "user__email", "keywords__icontains", "target_username")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    actions = ("cancel_selected", "resume_selected")
    inlines = (JobResultInline,)
    fieldsets = (
        ("Search", {"fields": (
            "user", "campaign", "platform", "search_type", "keywords", "target_username", "target_results",
        )}),
        ("Progress", {"fields": (
            "status", "phase", "end_reason", "status_message", "found_count", "progress", "results_stored",
            "step", "failed_attempts", "profiles_reused",
        )}),
        ("Provider usage", {"fields": ("provider_calls", "credits_spent", "credits_remaining")}),
        ("Timing", {"fields": (
            "created_at", "started_at", "last_progress_at", "finished_at", "updated_at", "duration_display",
        )}),
        ("Diagnostics", {"fields": ("error_detail_display", "checkpoint_display")}),
    )
    readonly_fields = flatten_fieldsets(fieldsets)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ScrapingJob | None = None) -> bool:
        return False

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # The "found by N searches" link on a creator profile lists the jobs that found it.
        return lookup == "results__creator__id__exact" or super().lookup_allowed(lookup, value, request)

    def get_deleted_objects(
        self, objs: Iterable[ScrapingJob], request: HttpRequest
    ) -> tuple[list[str], dict[str, int], set[str], list[str]]:
        # The default loads and names every row a delete would remove, and naming a result loads
        # its creator: thousands of queries for one big job. A plain Collector leaves the results
        # as a single fast DELETE, so they are counted here instead of listed.
        jobs = list(objs)
        collector = Collector(using=router.db_for_write(ScrapingJob), origin=jobs)
        try:
            collector.collect(jobs)
        except ProtectedError as exc:
            return [], {}, set(), [_object_label(blocker) for blocker in exc.protected_objects]
        except RestrictedError as exc:
            return [], {}, set(), [_object_label(blocker) for blocker in exc.restricted_objects]

        counts: Counter[type[Model]] = Counter()
        for model, instances in collector.data.items():
            counts[model] += len(instances)
        for queryset in collector.fast_deletes:
            counts[queryset.model] += queryset.count()
        perms_needed = {
            model._meta.verbose_name for model in counts
            if self.admin_site.is_registered(model)
            and not self.admin_site.get_model_admin(model).has_delete_permission(request)
        }
        deleted = [
            format_html('{}: <a href="{}">{}</a>', capfirst(ScrapingJob._meta.verbose_name),
                        reverse(f"{self.admin_site.name}:scraping_scrapingjob_change", args=[job.pk]), job)
            for job in jobs
        ]
        model_count = {model._meta.verbose_name_plural: count for model, count in counts.items() if count}
        return deleted, model_count, perms_needed, []

    @admin.display(description="User", ordering="user__email")
    def user_email(self, job: ScrapingJob) -> str:
        return job.user.email

    @admin.display(description="Query")
    def query_label(self, job: ScrapingJob) -> str:
        return job.query_label

    @admin.display(description="Status", ordering="status")
    def status_badge(self, job: ScrapingJob) -> SafeString:
        return tone_badge(job.get_status_display(), _STATUS_TONES.get(job.status, Tone.WAITING))

    @admin.display(description="Found / target", ordering="found_count")
    def found_of_target(self, job: ScrapingJob) -> str:
        return f"{job.found_count:,} / {job.target_results:,}"

    @admin.display(description="Duration")
    def duration_display(self, job: ScrapingJob) -> str | None:
        return None if job.duration is None else duration_compact(job.duration)

    @admin.display(description="Progress")
    def progress(self, job: ScrapingJob) -> str:
        return f"{job.progress_percent}%"

    @admin.display(description="Results stored")
    def results_stored(self, job: ScrapingJob) -> str:
        stored = job.results.count()
        if stored > RESULTS_SHOWN:
            return f"{stored:,} (the first {RESULTS_SHOWN} by rank are listed below)"
        return f"{stored:,}"

    @admin.display(description="Error detail")
    def error_detail_display(self, job: ScrapingJob) -> SafeString | None:
        return _preformatted(job.error_detail) if job.error_detail else None

    @admin.display(description="Checkpoint")
    def checkpoint_display(self, job: ScrapingJob) -> SafeString:
        return _preformatted(json.dumps(job.checkpoint, indent=2, sort_keys=True, ensure_ascii=False))

    @admin.action(description="Cancel selected searches")
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[ScrapingJob]) -> None:
        done, refused = 0, []
        for job in queryset.order_by("pk"):
            try:
                with audited(actor=request.user, action="search.cancel", target=job,
                             before=_job_state(job)) as change:
                    change.after = _job_state(job_cancel(job=job, by_operator=True))
                    change.summary = f"Cancelled search #{job.pk}"
            except ApplicationError as exc:
                refused.append(f"#{job.pk} ({exc.message})")
            else:
                done += 1
        self._report(request, done=done, refused=refused, done_verb="Cancelled", refused_verb="cancelled")

    @admin.action(description="Resume selected searches")
    def resume_selected(self, request: HttpRequest, queryset: QuerySet[ScrapingJob]) -> None:
        done, refused = 0, []
        for job in queryset.order_by("pk"):
            try:
                with audited(actor=request.user, action="search.retry", target=job,
                             before=_job_state(job)) as change:
                    change.after = _job_state(job_retry(job=job))
                    change.summary = f"Resumed search #{job.pk}"
            except ApplicationError as exc:
                refused.append(f"#{job.pk} ({exc.message})")
            else:
                done += 1
        self._report(request, done=done, refused=refused, done_verb="Resumed", refused_verb="resumed")

    def _report(self, request: HttpRequest, *, done: int, refused: list[str], done_verb: str,
                refused_verb: str) -> None:
        if done:
            self.message_user(request, f"{done_verb} {plural(done, 'search', 'searches')}.", messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                f"{plural(len(refused), 'search', 'searches')} could not be {refused_verb}: {'; '.join(refused)}",
                messages.WARNING,
            )


@admin.register(CreatorProfile)
class CreatorProfileAdmin(admin.ModelAdmin):
    list_display = (
        "handle", "display_name", "platform", "followers_display", "engagement_rate", "verified", "has_email",
        "email_list", "found_by", "enriched_at",
    )
    list_filter = ("platform", "has_email", "verified", "enriched_at")
    # emails is jsonb: icontains matches its text, so any part of an address finds the profile.
    search_fields = ("handle", "display_name", "=external_id", "bio", "emails__icontains")
    fieldsets = (
        ("Identity", {"fields": (
            "platform", "external_id", "handle", "display_name", "profile_link", "avatar_url",
        )}),
        ("Audience", {"fields": ("followers_display", "engagement_rate", "verified", "found_by")}),
        ("Contact", {"fields": ("has_email", "email_sources", "bio", "links")}),
        ("Provider data", {"fields": ("tags", "related")}),
        ("Timing", {"fields": ("enriched_at", "created_at", "updated_at")}),
    )
    readonly_fields = flatten_fieldsets(fieldsets)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CreatorProfile]:
        # A correlated count runs only for the rows on the page, unlike a join + GROUP BY over
        # every result row in the table.
        searches = (
            JobCreator.objects.filter(creator=OuterRef("pk"))
            .order_by().values("creator").annotate(searches=Count("pk")).values("searches")
        )
        return super().get_queryset(request).annotate(
            found_by_count=Coalesce(Subquery(searches, output_field=IntegerField()), 0)
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CreatorProfile | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CreatorProfile | None = None) -> bool:
        # Every search that found a profile protects it; removing one starts with those searches.
        return False

    @admin.display(description="Followers", ordering="followers")
    def followers_display(self, profile: CreatorProfile) -> str | None:
        return _compact_count(profile.followers)

    @admin.display(description="Emails")
    def email_list(self, profile: CreatorProfile) -> str | None:
        return ", ".join(profile.email_addresses) or None

    @admin.display(description="Emails")
    def email_sources(self, profile: CreatorProfile) -> SafeString | None:
        if not profile.emails:
            return None
        return format_html_join(
            "", "<div>{} <small>(from {})</small></div>",
            ((email["address"], email.get("source", "?")) for email in profile.emails),
        )

    @admin.display(description="Found by", ordering="found_by_count")
    def found_by(self, profile: CreatorProfile) -> SafeString:
        url = reverse(f"{self.admin_site.name}:scraping_scrapingjob_changelist")
        return format_html('<a href="{}?results__creator__id__exact={}">{}</a>', url, profile.pk,
                           plural(profile.found_by_count, "search", "searches"))

    @admin.display(description="Profile")
    def profile_link(self, profile: CreatorProfile) -> SafeString | None:
        url = web_url(profile.profile_url)
        if not url:
            return profile.profile_url or None
        return format_html('<a href="{0}" target="_blank" rel="noopener noreferrer">{0}</a>', url)
