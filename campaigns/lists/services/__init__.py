"""Creator list writes, by topic: the lists and their board, sharing, export history."""

from .activity import list_activity_record
from .exports import list_export_record
from .lists import (
    COPY_SUFFIX,
    MAX_BUCKET_LABEL,
    MAX_LIST_ITEMS,
    MAX_TAG_LENGTH,
    MAX_TAGS,
    ListAddOutcome,
    ListError,
    creator_snapshot,
    list_add_creators,
    list_archive,
    list_create,
    list_create_with_creators,
    list_delete,
    list_duplicate,
    list_item_change,
    list_item_move,
    list_item_update,
    list_items_move,
    list_items_remove,
    list_restore,
    list_update,
)
from .sharing import (
    INVITATION_SUBJECT,
    MAX_COLLABORATORS,
    list_collaborator_remove,
    list_collaborator_update,
    list_invitation_resend,
    list_invitations_accept,
    list_leave,
    list_share,
    list_transfer,
)

__all__ = [
    "COPY_SUFFIX", "INVITATION_SUBJECT", "MAX_BUCKET_LABEL", "MAX_COLLABORATORS", "MAX_LIST_ITEMS", "MAX_TAGS",
    "MAX_TAG_LENGTH", "ListAddOutcome", "ListError", "creator_snapshot", "list_activity_record",
    "list_add_creators", "list_archive", "list_collaborator_remove", "list_collaborator_update", "list_create",
    "list_create_with_creators", "list_delete", "list_duplicate", "list_export_record", "list_invitation_resend",
    "list_invitations_accept", "list_item_change", "list_item_move", "list_item_update", "list_items_move",
    "list_items_remove", "list_leave", "list_restore", "list_share", "list_transfer", "list_update",
]
