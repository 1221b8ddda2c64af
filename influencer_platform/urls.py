from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from billing.api import MeApi
from campaigns.api import (
    CampaignArchiveApi,
    CampaignDetailApi,
    CampaignExportApi,
    CampaignListApi,
    CampaignRestoreApi,
    CampaignResultsApi,
    CampaignSearchesApi,
    SearchCancelApi,
    SearchDetailApi,
    SearchExportApi,
    SearchResultsApi,
)
from campaigns.lists.api import (
    ListArchiveApi,
    ListCollaboratorDetailApi,
    ListCollaboratorsApi,
    ListDetailApi,
    ListDuplicateApi,
    ListExportApi,
    ListExportsApi,
    ListItemDetailApi,
    ListItemsApi,
    ListItemsBulkApi,
    ListLeaveApi,
    ListListApi,
    ListRestoreApi,
)

from .views import healthz

api_v1 = [
    path("me", MeApi.as_view(), name="api_me"),
    path("campaigns/", CampaignListApi.as_view(), name="api_campaign_list"),
    path("campaigns/<int:campaign_id>/", CampaignDetailApi.as_view(), name="api_campaign_detail"),
    path("campaigns/<int:campaign_id>/archive/", CampaignArchiveApi.as_view(), name="api_campaign_archive"),
    path("campaigns/<int:campaign_id>/restore/", CampaignRestoreApi.as_view(), name="api_campaign_restore"),
    path("campaigns/<int:campaign_id>/searches/", CampaignSearchesApi.as_view(), name="api_campaign_searches"),
    path("campaigns/<int:campaign_id>/results/", CampaignResultsApi.as_view(), name="api_campaign_results"),
    path("campaigns/<int:campaign_id>/export.csv", CampaignExportApi.as_view(), name="api_campaign_export"),
    path("searches/<int:job_id>/", SearchDetailApi.as_view(), name="api_search_detail"),
    path("searches/<int:job_id>/cancel/", SearchCancelApi.as_view(), name="api_search_cancel"),
    path("searches/<int:job_id>/results/", SearchResultsApi.as_view(), name="api_search_results"),
    path("searches/<int:job_id>/export.csv", SearchExportApi.as_view(), name="api_search_export"),
    path("lists/", ListListApi.as_view(), name="api_list_list"),
    path("lists/<int:list_id>/", ListDetailApi.as_view(), name="api_list_detail"),
    path("lists/<int:list_id>/archive/", ListArchiveApi.as_view(), name="api_list_archive"),
    path("lists/<int:list_id>/restore/", ListRestoreApi.as_view(), name="api_list_restore"),
    path("lists/<int:list_id>/duplicate/", ListDuplicateApi.as_view(), name="api_list_duplicate"),
    path("lists/<int:list_id>/leave/", ListLeaveApi.as_view(), name="api_list_leave"),
    path("lists/<int:list_id>/items/", ListItemsApi.as_view(), name="api_list_items"),
    path("lists/<int:list_id>/items/bulk/", ListItemsBulkApi.as_view(), name="api_list_items_bulk"),
    path("lists/<int:list_id>/items/<int:item_id>/", ListItemDetailApi.as_view(), name="api_list_item_detail"),
    path("lists/<int:list_id>/collaborators/", ListCollaboratorsApi.as_view(), name="api_list_collaborators"),
    path("lists/<int:list_id>/collaborators/<int:collaborator_id>/", ListCollaboratorDetailApi.as_view(),
         name="api_list_collaborator_detail"),
    path("lists/<int:list_id>/export.csv", ListExportApi.as_view(), name="api_list_export"),
    path("lists/<int:list_id>/exports/", ListExportsApi.as_view(), name="api_list_exports"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("billing.urls")),
    path("", include("campaigns.urls")),
    path("", include("campaigns.lists.urls")),
    path("", include("scraping.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
