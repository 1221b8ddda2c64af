"""The campaigns API: campaigns, the searches run in them, their results and CSV exports.

Every view parses input, calls one selector or service and renders; ownership is enforced by the
selectors (another user's id is a 404 with the usual error body).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.selectors import TRIAL_RESULT_ROWS, result_row_limit
from influencer_platform.api import (
    CSV_RESPONSES,
    IgnoreClientContentNegotiation,
    IntegerField,
    Pagination,
    error_responses,
)
from scraping.filters import result_filters_parse
from scraping.models import EndReason, JobCreator, JobPhase, JobStatus, Platform, ScrapingJob, SearchType
from scraping.selectors import PAGE_SIZES, RESULT_SORTS, ResultFilters, ResultRows, campaign_results, job_get, job_results
from scraping.serializers import CreatorOutput

from .exports import campaign_export_response, campaign_export_start, search_export_response, search_export_start
from .models import CampaignStatus
from .selectors import CAMPAIGN_SORTS, campaign_get, campaign_list, campaign_searches
from .services import (
    campaign_archive,
    campaign_create,
    campaign_delete,
    campaign_restore,
    campaign_search_cancel,
    campaign_search_start,
    campaign_update,
)


class CampaignOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    search_type = serializers.ChoiceField(choices=SearchType.choices)
    status = serializers.ChoiceField(choices=CampaignStatus.choices,
                                     help_text="Derived from the campaign's searches unless archived.")
    search_count = serializers.IntegerField()
    creators_found = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    archived_at = serializers.DateTimeField(allow_null=True)
    last_activity = serializers.DateTimeField()


class SearchOutput(serializers.Serializer):
    id = serializers.IntegerField()
    campaign_id = serializers.IntegerField(allow_null=True)
    platform = serializers.ChoiceField(choices=Platform.choices)
    search_type = serializers.ChoiceField(choices=SearchType.choices)
    keywords = serializers.ListField(child=serializers.CharField())
    username = serializers.CharField(source="target_username")
    query_label = serializers.CharField()
    target_results = serializers.IntegerField()
    status = serializers.CharField(help_text=", ".join(JobStatus.values))
    phase = serializers.CharField(help_text=", ".join(JobPhase.values))
    end_reason = serializers.CharField(help_text="Blank while running; then " + ", ".join(EndReason.values))
    status_message = serializers.CharField()
    found_count = serializers.IntegerField()
    progress_percent = serializers.IntegerField()
    is_finished = serializers.BooleanField()
    credits_spent = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    duration_seconds = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.INT)
    def get_duration_seconds(self, job: ScrapingJob) -> int | None:
        return int(job.duration.total_seconds()) if job.duration is not None else None


class PostOutput(serializers.Serializer):
    url = serializers.CharField(source="post_url")
    caption = serializers.CharField(source="post_caption")
    views = serializers.IntegerField(source="post_views", allow_null=True)
    likes = serializers.IntegerField(source="post_likes", allow_null=True)
    comments = serializers.IntegerField(source="post_comments", allow_null=True)
    shares = serializers.IntegerField(source="post_shares", allow_null=True)
    hashtags = serializers.ListField(source="post_hashtags", child=serializers.CharField())
    thumbnail_url = serializers.CharField(source="post_thumbnail_url")
    posted_at = serializers.DateTimeField(allow_null=True)


class ResultOutput(serializers.Serializer):
    """A creator as the search that found them saw them."""

    search_id = serializers.IntegerField(source="job_id")
    rank = serializers.IntegerField()
    keyword = serializers.CharField()
    found_at = serializers.DateTimeField()
    creator = CreatorOutput()
    post = PostOutput(source="*")


# Result pages


class ResultPagination(Pagination):
    """Pages of results, cut to the rows the plan shows (the same rows as the results pages).

    ``count`` is every matching row and ``limited_to`` how many of them the plan shows (null: all),
    so a trial client can tell how many more an upgrade would reveal.
    """

    total: int = 0
    limit: int | None = None

    def paginate_results(self, rows: QuerySet[JobCreator], request, view, *, limit: int | None) -> list[JobCreator]:
        window = ResultRows(rows, limit=limit)
        page = self.paginate_queryset(window, request, view=view)
        self.total, self.limit = window.total, None if limit is None else window.shown
        return page

    def get_paginated_response(self, data) -> Response:
        return Response({
            "count": self.total,
            "limited_to": self.limit,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        })

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count"]["description"] = "Every row matching the filters."
        schema["properties"]["limited_to"] = {
            "type": "integer", "nullable": True, "example": TRIAL_RESULT_ROWS,
            "description": f"How many of those rows your plan shows (a trial: those among the first "
                           f"{TRIAL_RESULT_ROWS} of each search); null for all.",
        }
        schema["required"] = [*schema["required"], "limited_to"]
        return schema

    def get_schema_operation_parameters(self, view) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "enum": list(PAGE_SIZES), "default": PAGE_SIZES[0]}
        return parameters


RESULT_FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="Text in the handle, name, bio or matching keyword."),
    OpenApiParameter("has_email", bool, description="Only creators with an email address."),
    OpenApiParameter("verified", bool, description="Only verified creators."),
    OpenApiParameter("min_followers", int),
    OpenApiParameter("max_followers", int),
    OpenApiParameter("sort", str, enum=list(RESULT_SORTS), default="rank"),
]


def _result_filters(request) -> ResultFilters:
    """Read as the results pages read them, so the API filters and sorts exactly as they do."""
    parsed = result_filters_parse(request.query_params)
    if parsed.errors:
        raise serializers.ValidationError(parsed.errors)
    return parsed.filters


class ResultsApi(APIView):
    pagination_class = ResultPagination

    def results_response(self, request, rows: QuerySet[JobCreator]) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_results(rows, request, self, limit=result_row_limit(user=request.user))
        return paginator.get_paginated_response(ResultOutput(page, many=True, context={"request": request}).data)


# Campaigns


class CampaignListApi(APIView):
    pagination_class = Pagination

    class FilterInput(serializers.Serializer):
        status = serializers.ChoiceField(
            choices=CampaignStatus.choices, required=False, allow_blank=True,
            help_text="Without it, every campaign that is not archived.")
        q = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                  help_text="Text in the name or description.")
        sort = serializers.ChoiceField(choices=[(key, label) for key, (_order, label) in CAMPAIGN_SORTS.items()],
                                       required=False, allow_blank=True)

    class CampaignCreateInput(serializers.Serializer):
        name = serializers.CharField(help_text="Up to 120 characters.")
        description = serializers.CharField(required=False, allow_blank=True, default="")
        search_type = serializers.ChoiceField(choices=SearchType.choices, default=SearchType.KEYWORD)

    @extend_schema(operation_id="campaigns_list", parameters=[FilterInput],
                   responses={200: CampaignOutput(many=True), **error_responses(400)})
    def get(self, request):
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        campaigns = campaign_list(user=request.user, status=filters.validated_data.get("status", ""),
                                  text=filters.validated_data.get("q", ""),
                                  sort=filters.validated_data.get("sort") or "newest")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(campaigns, request, view=self)
        return paginator.get_paginated_response(CampaignOutput(page, many=True).data)

    @extend_schema(operation_id="campaigns_create", request=CampaignCreateInput,
                   responses={201: CampaignOutput, **error_responses(400, 403)})
    def post(self, request):
        data = self.CampaignCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = campaign_create(user=request.user, **data.validated_data)
        campaign = campaign_get(user=request.user, campaign_id=campaign.pk)
        return Response(CampaignOutput(campaign).data, status=status.HTTP_201_CREATED)


class CampaignDetailApi(APIView):
    class CampaignUpdateInput(serializers.Serializer):
        name = serializers.CharField(required=False, help_text="Up to 120 characters.")
        description = serializers.CharField(required=False, allow_blank=True)
        search_type = serializers.ChoiceField(choices=SearchType.choices, required=False)

    @extend_schema(operation_id="campaigns_retrieve", responses={200: CampaignOutput, **error_responses(404)})
    def get(self, request, campaign_id: int):
        return Response(CampaignOutput(campaign_get(user=request.user, campaign_id=campaign_id)).data)

    @extend_schema(operation_id="campaigns_update", request=CampaignUpdateInput,
                   responses={200: CampaignOutput, **error_responses(400, 404)})
    def patch(self, request, campaign_id: int):
        campaign = campaign_get(user=request.user, campaign_id=campaign_id)
        data = self.CampaignUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        campaign_update(campaign=campaign, actor=request.user, **data.validated_data)
        return Response(CampaignOutput(campaign_get(user=request.user, campaign_id=campaign_id)).data)

    @extend_schema(operation_id="campaigns_destroy", responses={204: None, **error_responses(404)})
    def delete(self, request, campaign_id: int):
        campaign_delete(campaign=campaign_get(user=request.user, campaign_id=campaign_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CampaignArchiveApi(APIView):
    """Archive: hidden from the default list, no new searches; its running searches are cancelled."""

    @extend_schema(operation_id="campaigns_archive", request=None, responses={200: CampaignOutput, **error_responses(404)})
    def post(self, request, campaign_id: int):
        campaign_archive(campaign=campaign_get(user=request.user, campaign_id=campaign_id), actor=request.user)
        return Response(CampaignOutput(campaign_get(user=request.user, campaign_id=campaign_id)).data)


class CampaignRestoreApi(APIView):
    @extend_schema(operation_id="campaigns_restore", request=None, responses={200: CampaignOutput, **error_responses(404)})
    def post(self, request, campaign_id: int):
        campaign_restore(campaign=campaign_get(user=request.user, campaign_id=campaign_id), actor=request.user)
        return Response(CampaignOutput(campaign_get(user=request.user, campaign_id=campaign_id)).data)


@extend_schema_field({"oneOf": [
    {"type": "string", "example": "vegan skincare, #cleanbeauty"},
    {"type": "array", "items": {"type": "string"}, "example": ["vegan skincare", "#cleanbeauty"]},
]})
class KeywordsField(serializers.Field):
    """Keywords as "a, b" or as a list of strings; the search service parses and checks them."""

    def to_internal_value(self, data) -> str | list[str]:
        keywords = [data] if isinstance(data, str) else data
        if not isinstance(keywords, list) or not all(isinstance(keyword, str) for keyword in keywords):
            raise serializers.ValidationError('Send keywords as "a, b" or as a list of strings.')
        if any("\x00" in keyword for keyword in keywords):
            raise serializers.ValidationError("Null characters are not allowed.")
        return data


class CampaignSearchesApi(APIView):
    pagination_class = Pagination

    class SearchStartInput(serializers.Serializer):
        platform = serializers.ChoiceField(choices=Platform.choices)
        search_type = serializers.ChoiceField(
            choices=SearchType.choices, required=False, help_text="Defaults to the campaign's search type.")
        keywords = KeywordsField(required=False, default="", help_text="Keyword searches: up to 10 keywords.")
        username = serializers.CharField(
            required=False, allow_blank=True, default="",
            help_text="Similar searches: @creator or a link to their profile.")
        target_results = IntegerField(help_text="How many creators to find (1 to 10,000).")

    @extend_schema(operation_id="campaigns_searches_list",
                   responses={200: SearchOutput(many=True), **error_responses(404)})
    def get(self, request, campaign_id: int):
        campaign = campaign_get(user=request.user, campaign_id=campaign_id)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(campaign_searches(campaign=campaign), request, view=self)
        return paginator.get_paginated_response(SearchOutput(page, many=True).data)

    @extend_schema(operation_id="campaigns_searches_create", request=SearchStartInput,
                   responses={201: SearchOutput, **error_responses(400, 403, 404)})
    def post(self, request, campaign_id: int):
        campaign = campaign_get(user=request.user, campaign_id=campaign_id)
        data = self.SearchStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        job = campaign_search_start(
            user=request.user, campaign=campaign,
            **{"search_type": campaign.search_type, **data.validated_data},
        )
        return Response(SearchOutput(job).data, status=status.HTTP_201_CREATED)


class CampaignResultsApi(ResultsApi):
    @extend_schema(operation_id="campaigns_results", parameters=RESULT_FILTER_PARAMETERS,
                   responses={200: ResultOutput(many=True), **error_responses(400, 404)})
    def get(self, request, campaign_id: int):
        """Every creator the campaign's searches found, once each."""
        campaign = campaign_get(user=request.user, campaign_id=campaign_id)
        rows = campaign_results(user=request.user, campaign_id=campaign.pk, filters=_result_filters(request))
        return self.results_response(request, rows)


# Searches


class SearchDetailApi(APIView):
    @extend_schema(operation_id="searches_retrieve", responses={200: SearchOutput, **error_responses(404)})
    def get(self, request, job_id: int):
        return Response(SearchOutput(job_get(user=request.user, job_id=job_id)).data)


class SearchCancelApi(APIView):
    @extend_schema(operation_id="searches_cancel", request=None,
                   responses={200: SearchOutput, **error_responses(404, 409)})
    def post(self, request, job_id: int):
        """Stop a running search; the creators it found stay. A search that has ended answers 409."""
        job = campaign_search_cancel(user=request.user, job=job_get(user=request.user, job_id=job_id))
        return Response(SearchOutput(job).data)


class SearchResultsApi(ResultsApi):
    @extend_schema(operation_id="searches_results", parameters=RESULT_FILTER_PARAMETERS,
                   responses={200: ResultOutput(many=True), **error_responses(400, 404)})
    def get(self, request, job_id: int):
        return self.results_response(
            request, job_results(user=request.user, job_id=job_id, filters=_result_filters(request)))


# CSV exports


class SearchExportApi(APIView):
    content_negotiation_class = IgnoreClientContentNegotiation

    @extend_schema(operation_id="searches_export", request=None, responses=CSV_RESPONSES)
    def post(self, request, job_id: int):
        """The search's results as CSV (plans with CSV export), recorded on its campaign's activity.
        A POST because it records the export."""
        search_export_start(user=request.user, job_id=job_id)
        return search_export_response(user=request.user, job_id=job_id)


class CampaignExportApi(APIView):
    content_negotiation_class = IgnoreClientContentNegotiation

    @extend_schema(operation_id="campaigns_export", request=None, responses=CSV_RESPONSES)
    def post(self, request, campaign_id: int):
        """Every creator the campaign found, as CSV (plans with CSV export), recorded on its activity.
        A POST because it records the export."""
        campaign_export_start(user=request.user, campaign_id=campaign_id)
        return campaign_export_response(user=request.user, campaign_id=campaign_id)

