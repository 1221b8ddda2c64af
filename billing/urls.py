from django.urls import path

from . import views

urlpatterns = [
    path("onboarding/plan/", views.onboarding_plan, name="onboarding_plan"),
    path("billing/", views.billing_overview, name="billing"),
]
