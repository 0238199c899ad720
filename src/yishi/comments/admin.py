from django.contrib import admin

from .models import Comment

# Lookups in the list's address that would pick out one person's comments: on a back-to-back matter, where the
# page shows every resident as "a resident", that would tie them to it (``?author=<id>``).
_PERSONAL_LOOKUPS = ("author",)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Read-only: posting and moderating go through the services, which audit them (the matter page does both).

    A comment on a back-to-back matter keeps its author from the system administrator too, as the page keeps it
    from everyone (``comments.presenters``): its author is not shown, and the list cannot be filtered by author.
    """

    list_display = ["pk", "matter", "parent", "created_at", "staff_role", "hidden_at"]
    list_filter = ["staff_role"]
    list_select_related = ["matter"]
    raw_id_fields = ["matter", "parent", "author", "hidden_by"]

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if obj is not None and obj.matter.back_to_back:
            exclude.append("author")
        return exclude

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split("__")[0] in _PERSONAL_LOOKUPS:
            return False
        return super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
