"""The API reference's table of contents: every operation's section (tag) and one-line summary.

Kept in one table, by operation id, so that ``/api/docs/`` reads as one document whatever app an
endpoint lives in; an operation missing here shows under "Other" with no summary, which the schema
test refuses. Plain data, so that the settings can read the tags (``influencer_platform.api.ApiSchema``
applies them).
"""

from __future__ import annotations

TAGS = [
    {"name": "Account", "description": "Who the token belongs to, their plan and this month's usage."},
    {"name": "Campaigns", "description": "Campaigns group the searches run for one brief."},
    {"name": "Searches", "description": "Searches find creators on one platform; results arrive while they run."},
    {"name": "Results", "description": "The creators a search or a campaign found, filtered, sorted and paged."},
    {"name": "Exports", "description": "CSV files of results and lists; every export is recorded."},
    {"name": "Lists", "description": "Creator lists: saved creators on a board of stages."},
    {"name": "List items", "description": "The creators on a list, their stage, notes and position."},
    {"name": "Collaborators", "description": "People a list is shared with, as editors or viewers."},
]

OPERATIONS: dict[str, tuple[str, str]] = {
    "me": ("Account", "Your account, plan and usage"),
    "campaigns_list": ("Campaigns", "List campaigns"),
    "campaigns_create": ("Campaigns", "Create a campaign"),
    "campaigns_retrieve": ("Campaigns", "Get a campaign"),
    "campaigns_update": ("Campaigns", "Update a campaign"),
    "campaigns_destroy": ("Campaigns", "Delete a campaign and its searches"),
    "campaigns_archive": ("Campaigns", "Archive a campaign"),
    "campaigns_restore": ("Campaigns", "Restore an archived campaign"),
    "campaigns_searches_list": ("Searches", "List a campaign's searches"),
    "campaigns_searches_create": ("Searches", "Start a search"),
    "searches_retrieve": ("Searches", "Get a search and its progress"),
    "searches_cancel": ("Searches", "Cancel a running search"),
    "campaigns_results": ("Results", "Every creator a campaign found"),
    "searches_results": ("Results", "The creators a search found"),
    "campaigns_export": ("Exports", "Export a campaign's creators as CSV"),
    "searches_export": ("Exports", "Export a search's creators as CSV"),
    "lists_export": ("Exports", "Export a list as CSV"),
    "lists_exports_list": ("Exports", "A list's export history"),
    "lists_list": ("Lists", "List your creator lists"),
    "lists_create": ("Lists", "Create a list"),
    "lists_retrieve": ("Lists", "Get a list"),
    "lists_update": ("Lists", "Rename a list or change its stages"),
    "lists_destroy": ("Lists", "Delete a list"),
    "lists_archive": ("Lists", "Archive a list"),
    "lists_restore": ("Lists", "Restore an archived list"),
    "lists_duplicate": ("Lists", "Duplicate a list"),
    "lists_leave": ("Lists", "Leave a list shared with you"),
    "lists_items_list": ("List items", "List the creators on a list"),
    "lists_items_add": ("List items", "Add creators to a list"),
    "lists_items_retrieve": ("List items", "Get a creator on a list"),
    "lists_items_update": ("List items", "Move a creator or edit their notes"),
    "lists_items_destroy": ("List items", "Remove a creator from a list"),
    "lists_items_bulk": ("List items", "Move or remove many creators at once"),
    "lists_collaborators_list": ("Collaborators", "List who a list is shared with"),
    "lists_collaborators_create": ("Collaborators", "Share a list"),
    "lists_collaborators_update": ("Collaborators", "Change a collaborator's role"),
    "lists_collaborators_destroy": ("Collaborators", "Stop sharing a list with someone"),
}
OTHER_TAG = "Other"
