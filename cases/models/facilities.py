from django.db import models
from django.utils.translation import gettext_lazy as _

from ._constraints import Versioned, enum_check


class FieldOffice(Versioned):
    """An ICE Enforcement and Removal Operations field office (area of responsibility)."""

    code = models.CharField(_("AOR code"), max_length=3, unique=True, help_text="e.g. SND, LOS")
    name = models.CharField(max_length=120)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=2, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z]{3}$"), name="fieldoffice_code_format"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} - {self.name}"


class FacilityKind(models.TextChoices):
    ICE_DETENTION = "ice_detention", _("ICE detention center")
    CBP_STATION = "cbp_station", _("CBP station")
    ORR_SHELTER = "orr_shelter", _("ORR shelter")
    PORT_OF_ENTRY = "port_of_entry", _("Port of entry")
    COURT = "court", _("Court")
    OTHER = "other", _("Other")


class Facility(Versioned):
    Kind = FacilityKind

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    address = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=2, blank=True)
    field_office = models.ForeignKey(
        FieldOffice, on_delete=models.PROTECT, null=True, blank=True, related_name="facilities"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "facilities"
        constraints = [
            enum_check("kind", FacilityKind, "facility"),
            models.UniqueConstraint(fields=["name", "city", "state"], name="facility_unique_place"),
        ]

    def __str__(self) -> str:
        return self.name
