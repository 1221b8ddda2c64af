from django.apps import AppConfig


class AdminPanelConfig(AppConfig):
    name = "adminpanel"
    verbose_name = "Operations"
