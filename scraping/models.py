from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Platform(models.TextChoices):
    TIKTOK = "tiktok", "TikTok"
    INSTAGRAM = "instagram", "Instagram"
    YOUTUBE = "youtube", "YouTube"


class SearchType(models.TextChoices):
    KEYWORD = "keyword", "Keyword"
    SIMILAR = "similar", "Similar creators"


class JobStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Running"
    COMPLETED = "completed", "Completed"
    PARTIAL = "partial", "Partial"
    ERROR = "error", "Failed"
    TIMEOUT = "timeout", "Timed out"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATUSES = (JobStatus.PENDING, JobStatus.PROCESSING)
FINISHED_STATUSES = (
    JobStatus.COMPLETED,
    JobStatus.PARTIAL,
    JobStatus.ERROR,
    JobStatus.TIMEOUT,
    JobStatus.CANCELLED,
)


class JobPhase(models.TextChoices):
    QUEUED = "queued", "Queued"
    SEARCHING = "searching", "Searching"
    ENRICHING = "enriching", "Enriching profiles"
    WAITING = "waiting", "Waiting to retry"
    DONE = "done", "Done"


class EndReason(models.TextChoices):
    """Why a job ended the way it did; the message shown to users is built from it."""

    TARGET_REACHED = "target_reached", "Target reached"
    PROVIDER_EXHAUSTED = "provider_exhausted", "No more results"
    QUOTA_EXHAUSTED = "quota_exhausted", "Monthly creator limit reached"
    PROVIDER_REJECTED = "provider_rejected", "Data provider refused the request"
    PROVIDER_UNAVAILABLE = "provider_unavailable", "Data provider unavailable"
    TARGET_NOT_FOUND = "target_not_found", "Target creator not found"
    NO_PROGRESS = "no_progress", "No progress"
    CANCELLED_BY_USER = "cancelled_by_user", "Cancelled"
    CANCELLED_BY_OPERATOR = "cancelled_by_operator", "Cancelled by an operator"
    ACCESS_ENDED = "access_ended", "Subscription no longer active"
    TRIAL_ROWS = "trial_rows", "Trial rows shown"


# Endings after which running the search again can find more.
RESUMABLE_REASONS = frozenset({
    EndReason.PROVIDER_UNAVAILABLE, EndReason.NO_PROGRESS, EndReason.QUOTA_EXHAUSTED,
    EndReason.ACCESS_ENDED, EndReason.PROVIDER_REJECTED, EndReason.TRIAL_ROWS,
})


class EngagementBasis(models.TextChoices):
    """How a creator's engagement figure was computed, said next to it wherever it is shown."""

    POST = "post", "per post"
    RECENT_POSTS = "recent_posts", "avg of recent posts"
    ALL_POSTS = "all_posts", "avg of all posts"


class ScrapingJobQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def finished(self):
        return self.filter(status__in=FINISHED_STATUSES)


class ScrapingJob(models.Model):
    """One search: a platform, a search type, its input and a target number of creators.

    ``checkpoint`` is the strategy's cursor state after the last stored step; ``step`` counts the
    steps stored so far, and a step is only stored if it started from the same ``step`` value, so
    a redelivered or duplicated message can never store anything twice.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scraping_jobs")
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="searches")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    search_type = models.CharField(max_length=16, choices=SearchType.choices)
    keywords = models.JSONField(default=list, blank=True, help_text="Keyword searches: the terms, in order.")
    target_username = models.CharField(max_length=100, blank=True, help_text="Similar searches: the creator to match.")
    target_results = models.PositiveIntegerField()
    filters = models.JSONField(
        default=dict, blank=True,
        help_text="Chosen before searching (see scraping.search_filters): region goes to the provider calls that take "
                  "it; followers, verified and has email decide which creators count toward the target.")

    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING, db_index=True)
    phase = models.CharField(max_length=16, choices=JobPhase.choices, default=JobPhase.QUEUED)
    end_reason = models.CharField(max_length=32, choices=EndReason.choices, blank=True)
    status_message = models.CharField(max_length=500, blank=True, help_text="Shown to the user.")
    error_detail = models.TextField(blank=True, help_text="For operators; never shown to users.")

    found_count = models.PositiveIntegerField(default=0)
    step = models.PositiveIntegerField(default=0)
    checkpoint = models.JSONField(default=dict, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    provider_calls = models.PositiveIntegerField(default=0)
    credits_spent = models.PositiveIntegerField(default=0)
    credits_remaining = models.IntegerField(null=True, blank=True, help_text="Provider balance last reported.")
    profiles_reused = models.PositiveIntegerField(default=0)
    hedged_calls = models.PositiveIntegerField(
        default=0, help_text="Second copies sent for calls slower than their endpoint's usual time.")
    wasted_calls = models.PositiveIntegerField(
        default=0, help_text="Copies whose answer lost the race to the other copy (paid, not used).")
    rate_limited_calls = models.PositiveIntegerField(default=0, help_text="Calls the provider answered 429.")

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    last_progress_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScrapingJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "search"
        verbose_name_plural = "searches"
        indexes = [
            models.Index(fields=["user", "-created_at"], name="job_user_recent"),
            models.Index(fields=["status", "last_progress_at"], name="job_status_progress"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(target_results__gte=1), name="job_target_positive"),
            models.CheckConstraint(condition=Q(found_count__lte=models.F("target_results")),
                                   name="job_found_within_target"),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.get_search_type_display().lower()}: {self.query_label}"

    @property
    def query_label(self) -> str:
        if self.search_type == SearchType.SIMILAR:
            return f"@{self.target_username}"
        return ", ".join(self.keywords)

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def is_resumable(self) -> bool:
        """Ended in a way that running it again from its checkpoint can change."""
        return self.status in (JobStatus.ERROR, JobStatus.TIMEOUT) or (
            self.status == JobStatus.PARTIAL and self.end_reason in RESUMABLE_REASONS)

    @property
    def progress_percent(self) -> int:
        if self.status == JobStatus.COMPLETED:
            return 100
        return min(100, int(self.found_count * 100 / self.target_results)) if self.target_results else 0

    @property
    def duration(self):
        if not self.started_at:
            return None
        return (self.finished_at or self.updated_at) - self.started_at


class CreatorProfile(models.Model):
    """One real creator on one platform, shared by every job and user that finds them.

    ``emails`` is a list of ``{"address", "source"}`` with source one of profile, bio, link, and for
    a link, ``"link"``: the link it was found in or behind.
    """

    platform = models.CharField(max_length=16, choices=Platform.choices)
    external_id = models.CharField(max_length=64)
    handle = models.CharField(max_length=100, blank=True, db_index=True)
    display_name = models.CharField(max_length=200, blank=True)
    followers = models.BigIntegerField(null=True, blank=True)
    engagement_rate = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True,
                                          help_text="Percent; engagement_basis says from what.")
    engagement_basis = models.CharField(
        max_length=16, choices=EngagementBasis.choices, blank=True,
        help_text="per post: interactions per view of the post a search saw; avg of recent posts: the mean "
                  "of that over the creator's latest posts; avg of all posts: lifetime likes per post per "
                  "follower.")
    engagement_posts = models.PositiveSmallIntegerField(null=True, blank=True,
                                                        help_text="avg of recent posts: how many posts.")
    verified = models.BooleanField(default=False)
    avatar_url = models.URLField(max_length=1000, blank=True)
    avatar_hash = models.CharField(max_length=64, blank=True,
                                   help_text="SHA-256 of the stored copy of the avatar (see scraping.images).")
    avatar_fetched_at = models.DateTimeField(null=True, blank=True,
                                             help_text="When the avatar at avatar_url was last fetched; after "
                                                       "a refusal the copy stored before stays.")
    profile_url = models.URLField(max_length=500, blank=True)
    bio = models.TextField(blank=True)
    links = models.JSONField(default=list, blank=True)
    emails = models.JSONField(default=list, blank=True)
    has_email = models.BooleanField(default=False, db_index=True)
    tags = models.JSONField(default=list, blank=True)
    related = models.JSONField(default=list, blank=True,
                               help_text="Accounts the platform lists as related (Instagram), as found.")
    enriched_at = models.DateTimeField(null=True, blank=True,
                                       help_text="When the full profile was last fetched from the provider.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["platform", "handle"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "external_id"], name="creator_unique_per_platform"),
        ]

    def __str__(self) -> str:
        return f"@{self.handle or self.external_id} ({self.get_platform_display()})"

    @property
    def email_addresses(self) -> list[str]:
        return [email["address"] for email in self.emails]


class JobCreator(models.Model):
    """A creator found by a job, with the post that surfaced them as it was at the time."""

    job = models.ForeignKey(ScrapingJob, on_delete=models.CASCADE, related_name="results")
    creator = models.ForeignKey(CreatorProfile, on_delete=models.PROTECT, related_name="job_results")
    keyword = models.CharField(max_length=200, blank=True)
    rank = models.PositiveIntegerField()
    post_url = models.URLField(max_length=1000, blank=True)
    post_caption = models.TextField(blank=True)
    post_views = models.BigIntegerField(null=True, blank=True)
    post_likes = models.BigIntegerField(null=True, blank=True)
    post_comments = models.BigIntegerField(null=True, blank=True)
    post_shares = models.BigIntegerField(null=True, blank=True)
    post_hashtags = models.JSONField(default=list, blank=True)
    similar_topics = models.JSONField(default=list, blank=True,
                                      help_text="Similar searches: the topics this creator shares with the target.")
    post_thumbnail_url = models.URLField(max_length=1000, blank=True)
    post_duration_seconds = models.PositiveIntegerField(null=True, blank=True, help_text="Videos: their length.")
    posted_at = models.DateTimeField(null=True, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["job", "creator"], name="job_creator_unique"),
            models.UniqueConstraint(fields=["job", "rank"], name="job_rank_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.rank} {self.creator} in job {self.job_id}"
