from django.contrib import admin

from .models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Read-only: posting and moderating go through the services, which audit them (the matter page does both)."""

    list_display = ["pk", "matter", "parent", "created_at", "staff_role", "hidden_at"]
    list_filter = ["staff_role"]
    list_select_related = ["matter"]
    raw_id_fields = ["matter", "parent", "author", "hidden_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
