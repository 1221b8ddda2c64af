from django.urls import path

from . import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("lists/", views.list_index, name="list_index"),
]
