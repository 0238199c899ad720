from django.contrib import admin

from yishi.web.admin import ReadOnlyAdmin

from .models import Household, Region, Unit


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["name", "level", "code", "rural", "parent"]
    list_filter = ["level", "rural"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "occupancy", "floor_area"]
    list_filter = ["occupancy"]
    list_select_related = ["region"]


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "home_region"]
    list_filter = ["kind"]
    search_fields = ["name"]
