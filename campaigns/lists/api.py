"""The creator lists API under /api/v1/lists/: lists, their items, sharing and exports.

Views parse input, fetch the list with ``list_get`` at the access the action needs and call one
service. A list the caller may not act on this way answers 404 with the usual error body, whether
it exists or not (viewers asking to edit included).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.selectors import result_row_limit
from influencer_platform.api import (
    CSV_RESPONSES,
    IdField,
    IgnoreClientContentNegotiation,
    IntegerField,
    Pagination,
    error_responses,
)
from scraping.filters import result_filters_parse
from scraping.models import Platform
from scraping.serializers import CreatorOutput

from .exports import list_export_response, list_export_start
from .selectors import (
    OWNER,
    ItemFilters,
    ListAccess,
    creators_known_to,
    list_collaborators,
    list_exports,
    list_get,
    list_item_get,
    list_items,
    list_list,
    lists_counted,
    result_creator_ids,
)
from .services import (
    list_add_creators,
    list_archive,
    list_collaborator_remove,
    list_collaborator_update,
    list_create,
    list_delete,
    list_duplicate,
    list_item_change,
    list_items_move,
    list_items_remove,
    list_leave,
    list_restore,
    list_share,
    list_update,
)
from .models import Bucket, ListRole, ListType

ROLES = [(OWNER, "Owner"), *ListRole.choices]


# Outputs


class BucketOutput(serializers.Serializer):
    key = serializers.CharField(help_text=", ".join(Bucket.values))
    label = serializers.CharField(help_text="This list's name for the bucket.")
    count = serializers.IntegerField()


# For lists from ``lists_counted``, which gives each its ``bucket_counts`` and ``item_count``.
class ListOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    list_type = serializers.ChoiceField(choices=ListType.choices)
    tags = serializers.ListField(child=serializers.CharField())
    buckets = BucketOutput(source="bucket_counts", many=True, help_text="In board order.")
    item_count = serializers.IntegerField()
    role = serializers.CharField(help_text="Your role on this list: " + ", ".join(key for key, _label in ROLES))
    owner_email = serializers.EmailField(source="owner.email")
    archived = serializers.BooleanField(source="is_archived")
    archived_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class SnapshotOutput(serializers.Serializer):
    followers = serializers.IntegerField(allow_null=True)
    engagement_rate = serializers.CharField(allow_null=True, help_text="Percent, as a decimal string.")
    has_email = serializers.BooleanField()
    taken_at = serializers.DateTimeField()


class ItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    creator = CreatorOutput()
    bucket = serializers.ChoiceField(choices=Bucket.choices)
    position = serializers.IntegerField(help_text="0-based place within the bucket.")
    notes = serializers.CharField()
    pinned = serializers.BooleanField()
    last_contacted_at = serializers.DateTimeField(allow_null=True)
    snapshot = SnapshotOutput(help_text="The creator's metrics when they were added.")
    added_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class CollaboratorOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=ListRole.choices)
    status = serializers.SerializerMethodField(help_text="invited: no account with this email yet; active.")
    invited_at = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.ChoiceField(choices=["invited", "active"]))
    def get_status(self, collaborator) -> str:
        return "invited" if collaborator.is_pending else "active"


class ExportOutput(serializers.Serializer):
    id = serializers.IntegerField()
    exported_by = serializers.EmailField(source="user.email", allow_null=True, default=None)
    row_count = serializers.IntegerField()
    filename = serializers.CharField()
    filters = serializers.DictField()
    created_at = serializers.DateTimeField()


class AddOutput(serializers.Serializer):
    added = serializers.IntegerField()
    skipped = serializers.IntegerField(help_text="Already on the list.")
    skipped_handles = serializers.ListField(child=serializers.CharField(), help_text="The first few skipped.")
    ignored = serializers.IntegerField(help_text="Ids that are not creators your searches found.")
    list = ListOutput(source="creator_list")


class CountOutput(serializers.Serializer):
    count = serializers.IntegerField()


def _list_out(request, list_id: int) -> dict:
    return ListOutput(lists_counted([list_get(user=request.user, list_id=list_id)])[0]).data


# Lists


class ListListApi(APIView):
    pagination_class = Pagination

    class FilterInput(serializers.Serializer):
        status = serializers.ChoiceField(choices=[("active", "Active"), ("archived", "Archived")], required=False,
                                         help_text="Active (the default) or archived lists.")
        q = serializers.CharField(required=False, allow_blank=True, max_length=100)
        type = serializers.ChoiceField(choices=ListType.choices, required=False)

    class ListCreateInput(serializers.Serializer):
        name = serializers.CharField(help_text="Up to 120 characters.")
        description = serializers.CharField(required=False, allow_blank=True, default="")
        list_type = serializers.ChoiceField(choices=ListType.choices, default=ListType.CUSTOM)
        tags = serializers.ListField(child=serializers.CharField(), required=False, default=list)
        bucket_labels = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False,
                                              help_text="Names for the buckets by key, e.g. {\"booked\": \"Signed\"}.")

    @extend_schema(operation_id="lists_list", parameters=[FilterInput],
                   responses={200: ListOutput(many=True), **error_responses(400)})
    def get(self, request):
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        lists = list_list(user=request.user, archived=filters.validated_data.get("status") == "archived",
                          text=filters.validated_data.get("q", ""), list_type=filters.validated_data.get("type", ""))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(lists, request, view=self)
        return paginator.get_paginated_response(ListOutput(lists_counted(page), many=True).data)

    @extend_schema(operation_id="lists_create", request=ListCreateInput,
                   responses={201: ListOutput, **error_responses(400)})
    def post(self, request):
        data = self.ListCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        creator_list = list_create(owner=request.user, **data.validated_data)
        return Response(_list_out(request, creator_list.pk), status=status.HTTP_201_CREATED)


class ListDetailApi(APIView):
    class ListUpdateInput(serializers.Serializer):
        name = serializers.CharField(required=False)
        description = serializers.CharField(required=False, allow_blank=True)
        list_type = serializers.ChoiceField(choices=ListType.choices, required=False)
        tags = serializers.ListField(child=serializers.CharField(), required=False)
        bucket_labels = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False,
                                              help_text="Renames by bucket key; blank restores the usual name.")

    @extend_schema(operation_id="lists_retrieve", responses={200: ListOutput, **error_responses(404)})
    def get(self, request, list_id: int):
        return Response(_list_out(request, list_id))

    @extend_schema(operation_id="lists_update", request=ListUpdateInput,
                   responses={200: ListOutput, **error_responses(400, 404)})
    def patch(self, request, list_id: int):
        creator_list = list_get(user=request.user, list_id=list_id, access=ListAccess.EDIT)
        data = self.ListUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        list_update(creator_list=creator_list, **data.validated_data)
        return Response(_list_out(request, list_id))

    @extend_schema(operation_id="lists_destroy", responses={204: None, **error_responses(404)})
    def delete(self, request, list_id: int):
        """Delete the list with its items, sharing and export history (owner only)."""
        list_delete(creator_list=list_get(user=request.user, list_id=list_id, access=ListAccess.OWN))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListArchiveApi(APIView):
    @extend_schema(operation_id="lists_archive", request=None, responses={200: ListOutput, **error_responses(404)})
    def post(self, request, list_id: int):
        """Archive (owner only): read-only and out of the default views until restored."""
        list_archive(creator_list=list_get(user=request.user, list_id=list_id, access=ListAccess.OWN))
        return Response(_list_out(request, list_id))


class ListRestoreApi(APIView):
    @extend_schema(operation_id="lists_restore", request=None, responses={200: ListOutput, **error_responses(404)})
    def post(self, request, list_id: int):
        list_restore(creator_list=list_get(user=request.user, list_id=list_id, access=ListAccess.OWN))
        return Response(_list_out(request, list_id))


class ListDuplicateApi(APIView):
    @extend_schema(operation_id="lists_duplicate", request=None, responses={201: ListOutput, **error_responses(404)})
    def post(self, request, list_id: int):
        """Copy a list you can read into a new list of your own, named "<name> (copy)"."""
        copy = list_duplicate(creator_list=list_get(user=request.user, list_id=list_id), actor=request.user)
        return Response(_list_out(request, copy.pk), status=status.HTTP_201_CREATED)


# Items


def _item_filters(query_params) -> ItemFilters:
    """The items' filters, validated and read once (a bad value is a 400 with the field named)."""
    data = ListItemsApi.ItemFilterInput(data=query_params)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    return ItemFilters(bucket=values.get("bucket", ""), has_email=values.get("has_email", False),
                       platform=values.get("platform", ""), text=values.get("q", "").strip())


class ListItemsApi(APIView):
    pagination_class = Pagination

    class ItemFilterInput(serializers.Serializer):
        bucket = serializers.ChoiceField(choices=Bucket.choices, required=False)
        has_email = serializers.BooleanField(required=False)
        platform = serializers.ChoiceField(choices=Platform.choices, required=False)
        q = serializers.CharField(required=False, max_length=100, help_text="Text in the handle, name or notes.")

    class ItemsAddInput(serializers.Serializer):
        creator_ids = serializers.ListField(child=IdField(), required=False, max_length=10_000,
                                            help_text="Creators found by your searches (or on lists you read).")
        search_id = IdField(required=False,
                            help_text="Add every creator of this search matching the filters.")
        campaign_id = IdField(required=False,
                              help_text="Add every creator of this campaign matching the filters.")
        q = serializers.CharField(required=False, allow_blank=True, max_length=100)
        has_email = serializers.BooleanField(required=False)
        verified = serializers.BooleanField(required=False)
        min_followers = IntegerField(required=False, min_value=0)
        max_followers = IntegerField(required=False, min_value=0)
        bucket = serializers.ChoiceField(choices=Bucket.choices, default=Bucket.BACKLOG)

        def validate(self, data):
            sources = [key for key in ("creator_ids", "search_id", "campaign_id") if key in data]
            if len(sources) != 1:
                raise serializers.ValidationError("Send exactly one of creator_ids, search_id or campaign_id.")
            return data

    @extend_schema(operation_id="lists_items_list", parameters=[ItemFilterInput],
                   responses={200: ItemOutput(many=True), **error_responses(400, 404)})
    def get(self, request, list_id: int):
        creator_list = list_get(user=request.user, list_id=list_id)
        items = list_items(creator_list=creator_list, filters=_item_filters(request.query_params))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response(ItemOutput(page, many=True, context={"request": request}).data)

    @extend_schema(operation_id="lists_items_add", request=ItemsAddInput,
                   responses={201: AddOutput, **error_responses(400, 404, 409)})
    def post(self, request, list_id: int):
        """Add creators at the end of a bucket; those already on the list are skipped and counted."""
        creator_list = list_get(user=request.user, list_id=list_id, access=ListAccess.EDIT)
        data = self.ItemsAddInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "creator_ids" in values:
            creator_ids = creators_known_to(user=request.user, creator_ids=values["creator_ids"],
                                            limit=result_row_limit(user=request.user))
            asked = len(set(values["creator_ids"]))
        else:
            # Read as the results pages read their filters, so "all matching" means the same rows as there.
            filters = result_filters_parse({key: value for key, value in request.data.items()
                                            if value not in (False, None, "")})
            if filters.errors:
                raise serializers.ValidationError(filters.errors)
            source = {"job_id": values["search_id"]} if "search_id" in values else \
                {"campaign_id": values["campaign_id"]}
            creator_ids = result_creator_ids(user=request.user, filters=filters.filters,
                                             limit=result_row_limit(user=request.user), **source)
            asked = len(creator_ids)
        outcome = list_add_creators(creator_list=creator_list, actor=request.user, creator_ids=creator_ids,
                                    bucket=values["bucket"])
        body = {"added": outcome.added, "skipped": outcome.skipped, "skipped_handles": outcome.skipped_handles,
                "ignored": asked - len(creator_ids), "list": _list_out(request, list_id)}
        return Response(body, status=status.HTTP_201_CREATED)


class ListItemDetailApi(APIView):
    class ItemUpdateInput(serializers.Serializer):
        bucket = serializers.ChoiceField(choices=Bucket.choices, required=False)
        position = IntegerField(required=False, min_value=0,
                                help_text="0-based place in the bucket; past the end means last.")
        before_item_id = IdField(required=False, help_text="Place it just before this item.")
        notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
        pinned = serializers.BooleanField(required=False)
        last_contacted_at = serializers.DateTimeField(required=False, allow_null=True)

    @extend_schema(operation_id="lists_items_retrieve", responses={200: ItemOutput, **error_responses(404)})
    def get(self, request, list_id: int, item_id: int):
        creator_list = list_get(user=request.user, list_id=list_id)
        return Response(ItemOutput(list_item_get(creator_list=creator_list, item_id=item_id),
                                   context={"request": request}).data)

    @extend_schema(operation_id="lists_items_update", request=ItemUpdateInput,
                   responses={200: ItemOutput, **error_responses(400, 404, 409)})
    def patch(self, request, list_id: int, item_id: int):
        """Move (bucket, position or before_item_id) and/or change notes, pin and last contact."""
        creator_list = list_get(user=request.user, list_id=list_id, access=ListAccess.EDIT)
        data = self.ItemUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        list_item_change(creator_list=creator_list, actor=request.user, item_id=item_id, **data.validated_data)
        return Response(ItemOutput(list_item_get(creator_list=creator_list, item_id=item_id),
                                   context={"request": request}).data)

    @extend_schema(operation_id="lists_items_destroy", responses={204: None, **error_responses(404, 409)})
    def delete(self, request, list_id: int, item_id: int):
        creator_list = list_get(user=request.user, list_id=list_id, access=ListAccess.EDIT)
        list_item_get(creator_list=creator_list, item_id=item_id)
        list_items_remove(creator_list=creator_list, actor=request.user, item_ids=[item_id])
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListItemsBulkApi(APIView):
    class BulkInput(serializers.Serializer):
        action = serializers.ChoiceField(choices=[("move", "Move"), ("remove", "Remove")])
        item_ids = serializers.ListField(child=IdField(), min_length=1, max_length=10_000)
        bucket = serializers.ChoiceField(choices=Bucket.choices, required=False,
                                         help_text="Where to move them (move only); they go last, in board order.")

        def validate(self, data):
            if data["action"] == "move" and "bucket" not in data:
                raise serializers.ValidationError({"bucket": "Choose where to move them."})
            return data

    @extend_schema(operation_id="lists_items_bulk", request=BulkInput,
                   responses={200: CountOutput, **error_responses(400, 404, 409)})
    def post(self, request, list_id: int):
        """Move or remove several items at once; answers how many changed."""
        creator_list = list_get(user=request.user, list_id=list_id, access=ListAccess.EDIT)
        data = self.BulkInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values["action"] == "move":
            count = list_items_move(creator_list=creator_list, actor=request.user, item_ids=values["item_ids"],
                                    bucket=values["bucket"])
        else:
            count = list_items_remove(creator_list=creator_list, actor=request.user, item_ids=values["item_ids"])
        return Response({"count": count})


# Sharing


class ListCollaboratorsApi(APIView):
    class ShareInput(serializers.Serializer):
        email = serializers.EmailField()
        role = serializers.ChoiceField(choices=ListRole.choices)

    @extend_schema(operation_id="lists_collaborators_list",
                   responses={200: CollaboratorOutput(many=True), **error_responses(404)})
    def get(self, request, list_id: int):
        creator_list = list_get(user=request.user, list_id=list_id, access=ListAccess.OWN)
        return Response(CollaboratorOutput(list_collaborators(creator_list=creator_list), many=True).data)

    @extend_schema(operation_id="lists_collaborators_create", request=ShareInput,
                   responses={201: CollaboratorOutput, **error_responses(400, 404)})
    def post(self, request, list_id: int):
        """Share by email (owner only). Without an account yet, access starts when they sign up."""
        creator_list = list_get(user=request.user, list_id=list_id, access=ListAccess.OWN)
        data = self.ShareInput(data=request.data)
        data.is_valid(raise_exception=True)
        collaborator = list_share(creator_list=creator_list, actor=request.user, **data.validated_data)
        return Response(CollaboratorOutput(collaborator).data, status=status.HTTP_201_CREATED)


class ListCollaboratorDetailApi(APIView):
    class RoleInput(serializers.Serializer):
        role = serializers.ChoiceField(choices=ListRole.choices)

    @extend_schema(operation_id="lists_collaborators_update", request=RoleInput,
                   responses={200: CollaboratorOutput, **error_responses(400, 404)})
    def patch(self, request, list_id: int, collaborator_id: int):
        creator_list = list_get(user=request.user, list_id=list_id, access=ListAccess.OWN)
        data = self.RoleInput(data=request.data)
        data.is_valid(raise_exception=True)
        collaborator = list_collaborator_update(creator_list=creator_list, collaborator_id=collaborator_id,
                                                role=data.validated_data["role"])
        return Response(CollaboratorOutput(collaborator).data)

    @extend_schema(operation_id="lists_collaborators_destroy", responses={204: None, **error_responses(404)})
    def delete(self, request, list_id: int, collaborator_id: int):
        creator_list = list_get(user=request.user, list_id=list_id, access=ListAccess.OWN)
        list_collaborator_remove(creator_list=creator_list, collaborator_id=collaborator_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListLeaveApi(APIView):
    @extend_schema(operation_id="lists_leave", request=None, responses={204: None, **error_responses(400, 404)})
    def post(self, request, list_id: int):
        """Take yourself off a list shared with you (the owner deletes instead)."""
        list_leave(creator_list=list_get(user=request.user, list_id=list_id), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Exports


class ListExportApi(APIView):
    content_negotiation_class = IgnoreClientContentNegotiation

    @extend_schema(operation_id="lists_export", parameters=[ListItemsApi.ItemFilterInput],
                   request=None, responses={**CSV_RESPONSES, **error_responses(400)})
    def post(self, request, list_id: int):
        """The list as CSV (plans with CSV export), recorded in its export history; the filters are query
        parameters, as for the items. A POST because it records the export."""
        filters = _item_filters(request.query_params)
        list_export_start(user=request.user, list_id=list_id, filters=filters)
        return list_export_response(user=request.user, list_id=list_id, filters=filters)


class ListExportsApi(APIView):
    pagination_class = Pagination

    @extend_schema(operation_id="lists_exports_list", responses={200: ExportOutput(many=True), **error_responses(404)})
    def get(self, request, list_id: int):
        creator_list = list_get(user=request.user, list_id=list_id)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(list_exports(creator_list=creator_list), request, view=self)
        return paginator.get_paginated_response(ExportOutput(page, many=True).data)

