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


# The one rule for "detained" (days in detention, the 30-day flag, the dashboard, the filters and
# the letter facts all read detained_since, which only these kinds set): federal custody that
# exists because of the person's immigration status - CBP holding, ICE detention and ORR custody,
# shelter or foster care (an ORR foster home is still federal custody of an unaccompanied child).
# State child welfare is not counted: a state court placed the child under state law, and the
# federal government no longer holds them. docs/domain-rules.md gives the sources.
DETAINED_KINDS: frozenset[str] = frozenset(
    {CustodianKind.CBP, CustodianKind.ICE_DETENTION, CustodianKind.ORR_SHELTER, CustodianKind.ORR_FOSTER_CARE}
)

# ORR cares only for children: an unaccompanied child is under 18 (6 U.S.C. 279(g)(2)).
ORR_KINDS: frozenset[str] = frozenset({CustodianKind.ORR_SHELTER, CustodianKind.ORR_FOSTER_CARE})
ADULT_AGE = 18

# Where each custody may be held: the facility kinds it accepts. A custody not listed names no
# facility at all (released, removed, with a sponsor, reunified, unknown). An empty facility is
# allowed where one is accepted (advocates often learn the custodian before the place). The
# PostgreSQL trigger of migration 0005 holds the same table.
CUSTODY_FACILITY_KINDS: dict[str, frozenset[str]] = {
    CustodianKind.CBP: frozenset({"cbp_station", "port_of_entry"}),
    CustodianKind.ICE_DETENTION: frozenset({"ice_detention"}),
    CustodianKind.ORR_SHELTER: frozenset({"orr_shelter"}),
    CustodianKind.ORR_FOSTER_CARE: frozenset({"orr_shelter"}),
    CustodianKind.STATE_CHILD_WELFARE: frozenset({"other"}),
}


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
    # RESTRICT: a sponsor a child was released to stays on the record as long as that custody does.
    sponsor = models.ForeignKey(
        "cases.Sponsor", on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
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
            # "With sponsor" names the sponsor, and only it does.
            models.CheckConstraint(
                condition=models.Q(kind=CustodianKind.WITH_SPONSOR, sponsor__isnull=False)
                | (~models.Q(kind=CustodianKind.WITH_SPONSOR) & models.Q(sponsor__isnull=True)),
                name="custody_sponsor_iff_with_sponsor",
                violation_error_message=_("Custody 'with sponsor' names the sponsor, and no other custody does."),
            ),
            models.CheckConstraint(
                condition=(models.Q(kind=CustodianKind.REMOVED) & ~models.Q(removed_to=""))
                | (~models.Q(kind=CustodianKind.REMOVED) & models.Q(removed_to="")),
                name="custody_removed_iff_country",
                violation_error_message=_("Say which country the person was removed to; only a removal names one."),
            ),
            models.CheckConstraint(
                condition=models.Q(release_type="") | models.Q(kind=CustodianKind.RELEASED),
                name="custody_release_type_only_on_release",
                violation_error_message=_("Only a release has a release type."),
            ),
            # Overlap is refused on PostgreSQL by an exclusion constraint (migration 0005).
        ]
        indexes = [
            # Case filters (custodian kind, facility, detained > N days) probe open episodes.
            models.Index(fields=["kind", "detained_since"], name="open_episode_kind_idx",
                         condition=models.Q(ended_on__isnull=True)),
            models.Index(fields=["facility"], name="open_episode_facility_idx",
                         condition=models.Q(ended_on__isnull=True)),
            # Each person's current custody, and the families list's "longest detained first" (the
            # earliest detained_since of a family's open episodes, read per family: docs/performance.md).
            # On PostgreSQL it also carries what the API's list shows of an open episode (kind,
            # facility), so selectors.list_members reads the index alone: at a million families
            # PostgreSQL otherwise chose the exclusion constraint's GiST index, 3 ms slower a page.
            # (SQLite builds it without the included columns.)
            models.Index(fields=["person", "detained_since"], name="open_episode_person_cover",
                         include=["kind", "facility"], condition=models.Q(ended_on__isnull=True)),
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
