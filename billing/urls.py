from django.urls import path

from . import views

urlpatterns = [
    path("onboarding/plan/", views.onboarding_plan, name="onboarding_plan"),
    path("billing/", views.billing_overview, name="billing"),
    path("billing/plans/", views.plans, name="billing_plans"),
    path("billing/checkout/", views.checkout, name="billing_checkout"),
    path("billing/checkout/success/", views.checkout_success, name="billing_checkout_success"),
    path("billing/checkout/cancel/", views.checkout_cancel, name="billing_checkout_cancel"),
    path("billing/demo/checkout/<str:session_id>/", views.demo_checkout, name="billing_demo_checkout"),
    path("billing/portal/", views.portal, name="billing_portal"),
    path("billing/subscription/change/", views.subscription_change, name="billing_subscription_change"),
    path("billing/subscription/cancel/", views.subscription_cancel_view, name="billing_subscription_cancel"),
    path("billing/subscription/resume/", views.subscription_resume_view, name="billing_subscription_resume"),
    path("billing/subscription/start-now/", views.subscription_start_now_view, name="billing_subscription_start_now"),
    path("billing/webhook/stripe/", views.stripe_webhook, name="billing_stripe_webhook"),
]
