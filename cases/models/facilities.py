from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ._constraints import AppendOnly, Versioned, enum_check


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


class ReferenceChange(AppendOnly):
    """Who created or changed a shared facility or field office, when, from what to what. Every
    organisation's letters are addressed through these rows, so each change is on record; like the
    case history it is append-only (a PostgreSQL trigger refuses UPDATE and DELETE, migration 0006)."""

    subject_type = models.CharField(max_length=16)  # "facility" or "fieldoffice"
    subject_id = models.BigIntegerField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=16)  # "created" or "updated"
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        # A facility's page lists its changes, newest first.
        indexes = [models.Index(fields=["subject_type", "subject_id", "-at"], name="reference_change_idx")]
        verbose_name_plural = "reference history entries"

    def __str__(self) -> str:
        return f"{self.subject_type} {self.subject_id} {self.action}"
