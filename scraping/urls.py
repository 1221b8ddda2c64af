from django.urls import path

from . import views

urlpatterns = [
    path("img/<str:signature>/", views.image_proxy, name="image_proxy"),
]
