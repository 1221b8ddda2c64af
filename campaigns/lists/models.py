"""Creator lists: saved creators worked through a pipeline board, shared with collaborators.

The tables keep the names they had when lists lived in the campaigns app (``campaigns_*``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models




class ListType(models.TextChoices):
    CAMPAIGN = "campaign", "Campaign"
    FAVORITES = "favorites", "Favorites"
    INDUSTRY = "industry", "Industry"
    RESEARCH = "research", "Research"
    CONTACTED = "contacted", "Contacted"
    CUSTOM = "custom", "Custom"


class Bucket(models.TextChoices):
    """The pipeline stages, in board order; each list may rename them (``CreatorList.bucket_labels``)."""

    BACKLOG = "backlog", "Backlog"
    SHORTLIST = "shortlist", "Shortlist"
    CONTACTED = "contacted", "Contacted"
    BOOKED = "booked", "Booked"


class CreatorList(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="creator_lists")
    name = models.CharField(max_length=120)
    description = models.TextField(max_length=2000, blank=True)
    list_type = models.CharField(max_length=16, choices=ListType.choices, default=ListType.CUSTOM)
    tags = models.JSONField(default=list, blank=True, help_text="Short labels, as a list of strings.")
    bucket_labels = models.JSONField(default=dict, blank=True,
                                     help_text="This list's names for the buckets, by bucket key; missing keys "
                                               "use the default names.")
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "campaigns_creatorlist"
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["owner", "-updated_at"], name="creatorlist_owner_recent")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def bucket_label(self, bucket: str) -> str:
        return (self.bucket_labels or {}).get(bucket) or Bucket(bucket).label

    @property
    def buckets(self) -> list[tuple[str, str]]:
        """(key, this list's name for it) in board order."""
        return [(key, self.bucket_label(key)) for key in Bucket.values]


class CreatorListItem(models.Model):
    """A creator on a list: one row per creator per list, in a bucket at a position.

    ``position`` is dense (0, 1, 2, ...) within the list's bucket; the services renumber a bucket
    while holding the list row's lock, so concurrent moves can never leave gaps or ties.
    """

    creator_list = models.ForeignKey(CreatorList, on_delete=models.CASCADE, related_name="items")
    creator = models.ForeignKey("scraping.CreatorProfile", on_delete=models.CASCADE, related_name="list_items")
    bucket = models.CharField(max_length=16, choices=Bucket.choices, default=Bucket.BACKLOG)
    position = models.PositiveIntegerField(default=0)
    notes = models.TextField(max_length=5000, blank=True)
    pinned = models.BooleanField(default=False)
    last_contacted_at = models.DateTimeField(null=True, blank=True)
    snapshot = models.JSONField(default=dict, blank=True,
                                help_text="The creator's followers, engagement and email status when added.")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "campaigns_creatorlistitem"
        ordering = ["creator_list", "bucket", "position"]
        constraints = [
            models.UniqueConstraint(fields=["creator_list", "creator"], name="list_item_unique_creator"),
        ]
        indexes = [
            models.Index(fields=["creator_list", "bucket", "position"], name="list_item_board_order"),
            models.Index(fields=["creator_list", "pinned"], name="list_item_pinned"),
        ]

    def __str__(self) -> str:
        return f"{self.creator} in {self.creator_list_id} ({self.bucket})"


class ListRole(models.TextChoices):
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"


class ListCollaborator(models.Model):
    """Someone the owner shared a list with, by email; ``user`` is empty until they have an account."""

    creator_list = models.ForeignKey(CreatorList, on_delete=models.CASCADE, related_name="collaborators")
    email = models.EmailField(max_length=254)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="list_memberships")
    role = models.CharField(max_length=16, choices=ListRole.choices, default=ListRole.VIEWER)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "campaigns_listcollaborator"
        ordering = ["invited_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["creator_list", "email"], name="list_collaborator_unique_email"),
        ]
        indexes = [models.Index(fields=["email"], condition=models.Q(user__isnull=True),
                                name="list_invitation_pending_email")]

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"

    @property
    def is_pending(self) -> bool:
        return self.user_id is None


class ListExport(models.Model):
    """One CSV download of a list: who, when, which rows."""

    creator_list = models.ForeignKey(CreatorList, on_delete=models.CASCADE, related_name="exports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    row_count = models.PositiveIntegerField()
    filename = models.CharField(max_length=120)
    filters = models.JSONField(default=dict, blank=True, help_text="The bucket, platform and email filters used.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "campaigns_listexport"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename


class ListActivityKind(models.TextChoices):
    ADDED = "added", "Added creators"
    MOVED = "moved", "Moved creators"
    REMOVED = "removed", "Removed creators"
    NOTED = "noted", "Changed a creator's notes, pin or last contact"
    EXPORTED = "exported", "Exported"
    SHARED = "shared", "Shared the list"


class ListActivity(models.Model):
    """Who changed what on a list, written by the service that made the change, in its transaction.

    ``message`` reads after the actor's name ("moved @mia to Shortlist"), so the record stays readable
    after the creator, the item or the account it names is gone.
    """

    creator_list = models.ForeignKey(CreatorList, on_delete=models.CASCADE, related_name="activity")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    actor_email = models.CharField(max_length=254, blank=True, help_text="Kept if the account is deleted.")
    kind = models.CharField(max_length=16, choices=ListActivityKind.choices)
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["creator_list", "-created_at"], name="list_activity_recent")]
        verbose_name_plural = "list activity"

    def __str__(self) -> str:
        return f"{self.actor_email} {self.message}"
