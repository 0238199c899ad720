"""The Django admin is for the system administrator (superuser) only, and reads.

Writes go through services.
"""

from django.contrib import admin


def superuser_only(request) -> bool:
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = superuser_only
admin.site.site_header = "Yishi 议事 · administration"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Changes made here would skip the service layer's checks and the audit chain."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
