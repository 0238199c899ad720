from django.contrib import admin
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from yishi.web.admin import ReadOnlyAdmin

from .models import Person
from .phones import mask_phone


def _day(moment) -> str:
    """A moment shown to the day only (see ``PersonAdmin``)."""
    return formats.date_format(timezone.localdate(moment), "DATE_FORMAT") if moment else "—"


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    """People, with their phone masked and their last login and registration shown to the day only.

    Everyone, the system administrator included, reads the public audit chain, where a back-to-back raise keeps
    its time to the second. A last login (or a registration) to the second beside it would name who raised it.
    """

    list_display = ["name", "masked_phone", "is_active", "is_superuser", "registered_on"]
    search_fields = ["name", "phone"]
    exclude = ["password", "id_number", "phone", "last_login", "date_joined"]
    readonly_fields = ["registered_on", "last_login_on"]

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    @admin.display(description=_("registered (day)"))
    def registered_on(self, obj):
        return _day(obj.date_joined)

    @admin.display(description=_("last login (day)"))
    def last_login_on(self, obj):
        return _day(obj.last_login)
