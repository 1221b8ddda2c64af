from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.module_loading import autodiscover_modules


class KernelConfig(AppConfig):
    name = "influencer_platform"
    verbose_name = "Platform"

    def ready(self) -> None:
        # Every process (web and worker) must know every actor, so that queues are declared
        # before a worker starts and messages can be enqueued from any page.
        autodiscover_modules("actors")


class PlatformAdminConfig(AdminConfig):
    default_site = "influencer_platform.admin_site.PlatformAdminSite"
