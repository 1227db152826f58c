"""Decision makers: members of Congress come from the importer; agency officials, judges and
field office directors are entered here by staff (Django model permissions)."""
from django.contrib import admin

from .models import DecisionMaker, ZipDistrict


@admin.register(DecisionMaker)
class DecisionMakerAdmin(admin.ModelAdmin):
    list_display = ("salutation", "kind", "state", "district", "active")
    list_filter = ("kind", "active", "state")
    search_fields = ("name", "salutation", "bioguide_id")


@admin.register(ZipDistrict)
class ZipDistrictAdmin(admin.ModelAdmin):
    """The crosswalk is imported (import_zip_districts), never edited by hand."""

    list_display = ("zcta", "state", "district")
    search_fields = ("zcta",)

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
