from django.urls import path

from . import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("campaigns/", views.campaign_index, name="campaign_list"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/analytics/", views.campaign_comparison, name="campaign_comparison"),
    path("campaigns/analytics.csv", views.campaign_comparison_export, name="campaign_comparison_export"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:campaign_id>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:campaign_id>/archive/", views.campaign_archive_toggle, name="campaign_archive"),
    path("campaigns/<int:campaign_id>/delete/", views.campaign_remove, name="campaign_delete"),
    path("campaigns/<int:campaign_id>/results/", views.campaign_results_view, name="campaign_results"),
    path("campaigns/<int:campaign_id>/export/", views.campaign_export_start_view, name="campaign_export_start"),
    path("campaigns/<int:campaign_id>/export.csv", views.campaign_export, name="campaign_export"),
    path("campaigns/<int:campaign_id>/analytics/", views.campaign_analytics, name="campaign_analytics"),
    path("campaigns/<int:campaign_id>/analytics.csv", views.campaign_analytics_export,
         name="campaign_analytics_export"),
    path("campaigns/<int:campaign_id>/searches/new/", views.search_new, name="search_new"),
    path("searches/<int:job_id>/", views.search_detail, name="search_detail"),
    path("searches/<int:job_id>/progress/", views.search_progress, name="search_progress"),
    path("searches/<int:job_id>/cancel/", views.search_cancel, name="search_cancel"),
    path("searches/<int:job_id>/resume/", views.search_resume, name="search_resume"),
    path("searches/<int:job_id>/export/", views.search_export_start_view, name="search_export_start"),
    path("searches/<int:job_id>/export.csv", views.search_export, name="search_export"),
]
