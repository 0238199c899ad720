from django.contrib import admin

from yishi.web.admin import ReadOnlyAdmin

from .models import RoleAssignment


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["person", "role", "region", "unit", "title", "granted_at", "revoked_at"]
    list_filter = ["role"]
    list_select_related = ["person", "region", "unit"]
