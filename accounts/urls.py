from django.urls import path

from . import views

urlpatterns = [
    path("onboarding/", views.onboarding, name="onboarding"),
    path("onboarding/business/", views.onboarding_info, name="onboarding_info"),
    path("onboarding/brand/", views.onboarding_intent, name="onboarding_intent"),
    path("settings/", views.account_settings, name="account_settings"),
    path("settings/notifications/", views.notifications_update, name="notifications_update"),
    path("settings/tokens/", views.api_token_create, name="api_token_create"),
    path("settings/tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
