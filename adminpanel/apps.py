from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _seed_configuration(sender, using: str = "default", **kwargs) -> None:
    from django.db import connections

    from .models import SystemConfiguration
    from .services import config_registry_sync

    # Migrating to an earlier state can leave the table missing; there is nothing to seed then.
    if SystemConfiguration._meta.db_table in connections[using].introspection.table_names():
        config_registry_sync()


class AdminPanelConfig(AppConfig):
    name = "adminpanel"
    verbose_name = "Operations"

    def ready(self) -> None:
        # Every registry key gets its row (and the admin lists it) as soon as the database is
        # migrated, including keys added to the code after the first deploy.
        post_migrate.connect(_seed_configuration, sender=self, dispatch_uid="adminpanel.seed_configuration")
