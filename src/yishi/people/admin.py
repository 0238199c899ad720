from django.contrib import admin

from yishi.web.admin import ReadOnlyAdmin

from .models import Person


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["name", "masked_phone", "is_active", "is_superuser", "date_joined"]
    search_fields = ["name", "phone"]
    exclude = ["password", "id_number", "phone"]

    @admin.display(description="phone")
    def masked_phone(self, obj):
        from .phones import mask_phone

        return mask_phone(obj.phone)
