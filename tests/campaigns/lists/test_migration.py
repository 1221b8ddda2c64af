"""Lists made while they lived in the campaigns app read back unchanged from the lists app."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from adminpanel.models import AdminAction
from campaigns.lists.models import Bucket, CreatorList, CreatorListItem, ListCollaborator, ListExport, ListRole
from tests.factories import UserFactory

from .support import make_creator

BEFORE_MOVE = [("campaigns", "0003_search_resumed_activity"), ("lists", None)]
# The models the test writes with, as they were before the move.
STATE_BEFORE_MOVE = [("campaigns", "0003_search_resumed_activity"), ("adminpanel", "0001_initial"),
                     ("contenttypes", "0002_remove_content_type_name")]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


# Serialized rollback: the next tests find the database's first rows (content types by id) again.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_lists_made_in_the_campaigns_app_read_back_after_the_move():
    owner, editor = UserFactory(), UserFactory()
    first, second = make_creator(handle="glowwithmia"), make_creator(handle="dewyskin")
    try:
        old = _migrate(BEFORE_MOVE).loader.project_state(STATE_BEFORE_MOVE).apps
        old_list = old.get_model("campaigns", "CreatorList").objects.create(
            owner_id=owner.pk, name="Spring launch", list_type="campaign", tags=["skincare"],
            bucket_labels={"booked": "Signed"})
        item = old.get_model("campaigns", "CreatorListItem")
        item.objects.create(creator_list=old_list, creator_id=first.pk, bucket="shortlist", position=0,
                            notes="Loves our serum", added_by_id=owner.pk, snapshot={"followers": 1000})
        item.objects.create(creator_list=old_list, creator_id=second.pk, bucket="booked", position=0)
        old.get_model("campaigns", "ListCollaborator").objects.create(
            creator_list=old_list, email=editor.email, user_id=editor.pk, role="editor", invited_by_id=owner.pk)
        old.get_model("campaigns", "ListExport").objects.create(
            creator_list=old_list, user_id=owner.pk, row_count=2, filename="spring-launch.csv",
            filters={"bucket": "booked"})
        old_type = old.get_model("contenttypes", "ContentType").objects.get_or_create(
            app_label="campaigns", model="creatorlist")[0]
        old.get_model("adminpanel", "AdminAction").objects.create(
            actor_email="ops@example.com", action="campaigns.creatorlist.change", target_type="campaigns.creatorlist",
            target_id=str(old_list.pk), target_repr="Spring launch")
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    moved = CreatorList.objects.get(pk=old_list.pk)
    assert (moved.owner, moved.name, moved.list_type, moved.tags) == (owner, "Spring launch", "campaign", ["skincare"])
    assert moved.bucket_label(Bucket.BOOKED) == "Signed"
    items = {i.creator.handle: i for i in CreatorListItem.objects.filter(creator_list=moved).select_related("creator")}
    assert items["glowwithmia"].bucket == Bucket.SHORTLIST and items["glowwithmia"].notes == "Loves our serum"
    assert items["glowwithmia"].added_by == owner and items["glowwithmia"].snapshot == {"followers": 1000}
    assert items["dewyskin"].bucket == Bucket.BOOKED
    collaborator = ListCollaborator.objects.get(creator_list=moved)
    assert (collaborator.user, collaborator.role, collaborator.invited_by) == (editor, ListRole.EDITOR, owner)
    export = ListExport.objects.get(creator_list=moved)
    assert (export.user, export.row_count, export.filename, export.filters) == (
        owner, 2, "spring-launch.csv", {"bucket": "booked"})

    # The content type kept its id (permissions and log entries point at it) under the new label.
    assert ContentType.objects.get_for_model(CreatorList).pk == old_type.pk
    assert not ContentType.objects.filter(app_label="campaigns", model="creatorlist").exists()
    entry = AdminAction.objects.get(target_id=str(moved.pk), actor_email="ops@example.com")
    assert (entry.target_type, entry.action) == ("lists.creatorlist", "lists.creatorlist.change")
