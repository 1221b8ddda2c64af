from __future__ import annotations

from django.conf import settings
from django.db import models

from scraping.models import SearchType


class CampaignStatus(models.TextChoices):
    """Derived, never stored: see ``campaigns.selectors.campaigns_with_status``."""

    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    ARCHIVED = "archived", "Archived"


class Campaign(models.Model):
    """A launch, season or client brief that groups creator searches.

    Its status follows from its searches (draft: none yet, active: one running, completed: all
    ended) unless it is archived, so it can never disagree with them.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=120)
    description = models.TextField(max_length=2000, blank=True)
    search_type = models.CharField(
        max_length=16, choices=SearchType.choices, default=SearchType.KEYWORD,
        help_text="The kind of search this campaign mostly runs; the search wizard starts there.",
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="campaign_user_recent")]

    def __str__(self) -> str:
        return self.name


class ActivityKind(models.TextChoices):
    CREATED = "created", "Created"
    EDITED = "edited", "Edited"
    ARCHIVED = "archived", "Archived"
    RESTORED = "restored", "Restored"
    SEARCH_STARTED = "search_started", "Search started"
    SEARCH_CANCELLED = "search_cancelled", "Search cancelled"
    SEARCH_RESUMED = "search_resumed", "Search resumed"
    EXPORTED = "exported", "Exported"


class CampaignActivity(models.Model):
    """What people did to a campaign. Search endings come from the searches themselves."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="activity")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    kind = models.CharField(max_length=24, choices=ActivityKind.choices)
    message = models.CharField(max_length=300)
    job = models.ForeignKey("scraping.ScrapingJob", on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "campaign activity"

    def __str__(self) -> str:
        return self.message
