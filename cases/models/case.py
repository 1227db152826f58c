from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from ._constraints import Versioned, enum_check, share_constraints


class ConsentLevel(models.TextChoices):
    NONE = "none", _("Nothing may be shared")
    ANONYMOUS = "anonymous", _("Anonymous facts")
    STORY = "story", _("First names and story")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Case(Versioned):
    """One family."""

    Status = CaseStatus

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="cases"
    )
    reference = models.CharField(
        max_length=40, help_text=_("The organisation's own reference code, e.g. CAL-2019-017.")
    )
    separated_on = models.DateField(null=True, blank=True)
    separation_place = models.CharField(max_length=200, blank=True)
    port_of_entry = models.ForeignKey(
        "cases.Facility", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(_("internal summary"), blank=True)
    # Advocacy consent: what the family agreed may be used in letters; revocable at once.
    consent_level = models.CharField(
        max_length=12, choices=ConsentLevel.choices, default=ConsentLevel.NONE
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A closed file stays on record, readable as before; the dashboard no longer asks for it.
    status = models.CharField(max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    closed_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-id"]
        permissions = [
            ("view_case_pii", "Can see names, dates of birth, A-numbers, addresses and notes"),
            ("share_case", "Can share the case with co-counsel"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reference"], name="case_reference_unique_in_org"
            ),
            enum_check("consent_level", ConsentLevel, "case"),
            enum_check("status", CaseStatus, "case"),
            models.CheckConstraint(
                condition=models.Q(status="open", closed_on__isnull=True)
                | models.Q(status="closed", closed_on__isnull=False) & ~models.Q(closed_reason=""),
                name="case_closed_has_date_and_reason",
                violation_error_message=_("A closed file says when and why it was closed."),
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class CaseUserObjectPermission(UserObjectPermissionBase):
    """Direct-FK guardian rows (a generic object_pk table does not scale to 100k cases)."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseShare(models.Model):
    """A case shared with co-counsel: a user or another organisation. Revoking keeps the row
    (revoked_at) for the record and removes the permission rows."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    access = models.CharField(max_length=8, choices=[("view", "Read only"), ("change", "Read and change")])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = share_constraints("case", "caseshare")


class Assignment(models.Model):
    """A volunteer (or any member) assigned to a case; for volunteers it is their only access."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="one_assignment_per_user")]
