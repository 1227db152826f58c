import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..fields import EncryptedTextField
from ._constraints import Versioned, blank_or_enum_check, enum_check


class PersonRole(models.TextChoices):
    PARENT = "parent", _("Parent")
    LEGAL_GUARDIAN = "legal_guardian", _("Legal guardian")
    CHILD = "child", _("Child")
    OTHER_RELATIVE = "other_relative", _("Other relative")


class Person(Versioned):
    Role = PersonRole

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="people")
    role = models.CharField(max_length=16, choices=Role.choices)
    # PII: first_name, last_name, date_of_birth, a_number, address (see cases.pii).
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    country_of_birth = models.CharField(max_length=80, blank=True)
    languages = models.CharField(max_length=120, blank=True)
    address = models.CharField(max_length=255, blank=True)
    a_number = EncryptedTextField(blank=True, default="")
    # Keyed HMAC of the normalised A-number: exact lookup and duplicate detection, nothing else.
    a_number_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case_id", "id"]
        verbose_name_plural = "people"
        constraints = [enum_check("role", PersonRole, "person")]
        indexes = [
            # Used by the exact A-number lookup and the duplicate flag.
            models.Index(fields=["a_number_index"], name="person_a_number_idx",
                         condition=~models.Q(a_number_index="")),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} #{self.pk}"

    @property
    def age(self) -> int | None:
        if not self.date_of_birth:
            return None
        today = timezone.localdate()
        dob = self.date_of_birth
        return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


class CustodianKind(models.TextChoices):
    CBP = "cbp", _("CBP holding")
    ICE_DETENTION = "ice_detention", _("ICE detention")
    ORR_SHELTER = "orr_shelter", _("ORR shelter")
    ORR_FOSTER_CARE = "orr_foster_care", _("ORR foster care")
    STATE_CHILD_WELFARE = "state_child_welfare", _("State child welfare / foster care")
    WITH_SPONSOR = "with_sponsor", _("With sponsor")
    RELEASED = "released", _("Released")
    REMOVED = "removed", _("Removed")
    REUNIFIED = "reunified", _("Reunified with family")
    UNKNOWN = "unknown", _("Unknown")


# Government custody that counts as "detained" for days-in-custody and the 30-day flag.
DETAINED_KINDS: frozenset[str] = frozenset(
    {CustodianKind.CBP, CustodianKind.ICE_DETENTION, CustodianKind.ORR_SHELTER, CustodianKind.ORR_FOSTER_CARE}
)


class ReleaseType(models.TextChoices):
    PAROLE = "parole", _("Parole")
    HUMANITARIAN_PAROLE = "humanitarian_parole", _("Humanitarian parole")
    BOND = "bond", _("Bond")
    ATD = "atd", _("Alternatives to detention")
    OTHER = "other", _("Other")


class CustodyEpisode(Versioned):
    """Who held this person, where, from when to when. The open episode is current custody."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="custody_episodes")
    kind = models.CharField(max_length=24, choices=CustodianKind.choices)
    facility = models.ForeignKey(
        "cases.Facility", on_delete=models.PROTECT, null=True, blank=True, related_name="episodes"
    )
    release_type = models.CharField(max_length=24, choices=ReleaseType.choices, blank=True)
    removed_to = models.CharField(_("removed to (country)"), max_length=80, blank=True)
    sponsor = models.ForeignKey(
        "cases.Sponsor", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    # Derived by the custody services, never typed in: the first day of the unbroken run of
    # detention this episode belongs to (CBP -> ICE is one detention), or null when not detained.
    detained_since = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["person_id", "started_on", "id"]
        constraints = [
            enum_check("kind", CustodianKind, "custodyepisode"),
            blank_or_enum_check("release_type", ReleaseType, "custodyepisode"),
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(ended_on__isnull=True),
                name="one_open_custody_episode_per_person",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="custody_episode_ends_after_start",
            ),
        ]
        indexes = [
            # Case filters (custodian kind, facility, detained > N days) probe open episodes.
            models.Index(fields=["kind", "detained_since"], name="open_episode_kind_idx",
                         condition=models.Q(ended_on__isnull=True)),
            models.Index(fields=["facility"], name="open_episode_facility_idx",
                         condition=models.Q(ended_on__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.started_on}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None

    @property
    def days(self) -> int:
        end = self.ended_on or timezone.localdate()
        return (end - self.started_on).days

    @property
    def days_detained(self) -> int | None:
        """Days of unbroken detention up to today (open) or the episode's end."""
        if self.detained_since is None:
            return None
        end = self.ended_on or timezone.localdate()
        return (end - self.detained_since).days

    @property
    def is_detention(self) -> bool:
        return self.kind in DETAINED_KINDS


def detained_since_cutoff(days: int) -> dt.date:
    """Open detention episodes that started on or before this date are over `days` old."""
    return timezone.localdate() - dt.timedelta(days=days)
