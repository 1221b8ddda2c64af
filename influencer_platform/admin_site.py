from django.contrib import admin


class PlatformAdminSite(admin.AdminSite):
    site_header = "Creator Radar operations"
    site_title = "Creator Radar admin"
    index_title = "Run the platform"

    def has_permission(self, request) -> bool:
        # Operators are decided by the product (is_admin flag or ADMIN_EMAILS), not by is_staff
        # alone, so a stale is_staff can never open the console.
        return bool(getattr(request.user, "is_platform_admin", False))
