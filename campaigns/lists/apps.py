from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "campaigns.lists"
    label = "lists"
    verbose_name = "Creator lists"
