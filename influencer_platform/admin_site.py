from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import path, reverse
from django.utils.module_loading import import_string


class PlatformAdminSite(admin.AdminSite):
    site_header = "Creator Radar operations"
    site_title = "Creator Radar admin"
    index_title = "Run the platform"
    site_url = "/dashboard/"
    # List pages need the width more than a second copy of the index.
    enable_nav_sidebar = False

    def has_permission(self, request) -> bool:
        # Operators are decided by the product (is_admin flag or ADMIN_EMAILS), not by is_staff
        # alone, so a stale is_staff can never open the console.
        return bool(getattr(request.user, "is_platform_admin", False))

    def login(self, request, extra_context=None):
        # Operators sign in through the site's own sign-in (allauth), so one failed-login limit
        # and one email verification rule apply to every password form.
        if request.user.is_authenticated:
            # Signed in, not an operator: the site's sign-in would send them straight back here.
            raise PermissionDenied
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
        return HttpResponseRedirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")

    def register(self, model_or_iterable, admin_class=None, **options):
        # Behaviour every admin page shares (the audit log) is mixed in here, named in settings so
        # that this kernel module imports no app.
        admin_class = admin_class or admin.ModelAdmin
        for mixin in map(import_string, getattr(settings, "ADMIN_MODEL_ADMIN_MIXINS", ())):
            if not issubclass(admin_class, mixin):
                admin_class = type(admin_class.__name__, (mixin, admin_class),
                                   {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__})
        return super().register(model_or_iterable, admin_class, **options)

    # Sections whose app name reads wrong beside the product's own "Accounts" (django-allauth's
    # sign-in email addresses).
    section_names = {"account": "Sign-in"}

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            app["name"] = self.section_names.get(app["app_label"], app["name"])
        return app_list

    def get_urls(self):
        # Pages of the console that belong to no single model (the operations overview).
        extra = [
            path(route, self.admin_view(import_string(view)), name=name)
            for route, view, name in getattr(settings, "ADMIN_EXTRA_VIEWS", ())
        ]
        return extra + super().get_urls()
