"""The whole site mounted one level down, as if every one of its URLs had moved."""

from django.urls import include, path

urlpatterns = [path("elsewhere/", include("influencer_platform.urls"))]
