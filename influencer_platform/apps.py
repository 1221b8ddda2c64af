import dramatiq
from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules

from .actor_names import ACTOR_NAMES


class KernelConfig(AppConfig):
    name = "influencer_platform"
    verbose_name = "Platform"

    def ready(self) -> None:
        # Every process (web and worker) must know every actor, so that queues are declared
        # before a worker starts and messages can be enqueued from any page.
        autodiscover_modules("actors")
        missing = sorted(ACTOR_NAMES - set(dramatiq.get_broker().get_declared_actors()))
        if missing:
            raise ImproperlyConfigured(f"No actor is declared for the background tasks {', '.join(missing)} "
                                       "(influencer_platform.actor_names).")


class PlatformAdminConfig(AdminConfig):
    default_site = "influencer_platform.admin_site.PlatformAdminSite"
