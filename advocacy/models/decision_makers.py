from django.db import models
from django.utils.translation import gettext_lazy as _


class DecisionMakerKind(models.TextChoices):
    PRESIDENT = "president", _("The President")
    US_SENATOR = "us_senator", _("US senator")
    US_REPRESENTATIVE = "us_representative", _("US representative")
    AGENCY_OFFICIAL = "agency_official", _("Agency official")
    JUDGE = "judge", _("Judge")
    GOVERNOR = "governor", _("Governor")
    OTHER = "other", _("Other")


class DecisionMaker(models.Model):
    """Someone a letter is addressed to. Members of Congress are imported (upserted by bioguide
    id) into the shared directory; officials such as an ICE field office director are entered by an
    organisation's staff and belong to that organisation: only its staff change them, and only its
    actions write to them (a decision maker's address is where supporters' letters go)."""

    Kind = DecisionMakerKind

    kind = models.CharField(max_length=20, choices=DecisionMakerKind.choices)
    name = models.CharField(max_length=160)
    salutation = models.CharField(max_length=160, help_text=_('How a letter greets them, e.g. "Senator Padilla".'))
    state = models.CharField(max_length=2, blank=True)
    # House district; 0 is at-large. Empty for everyone else.
    district = models.PositiveSmallIntegerField(null=True, blank=True)
    senate_class = models.PositiveSmallIntegerField(null=True, blank=True)
    bioguide_id = models.CharField(max_length=16, null=True, blank=True, unique=True)
    # An elected executive office ("us-president", "governor-CA"): the office is what actions
    # target, so when its holder changes the import renames the row and every action follows.
    office_key = models.CharField(max_length=40, null=True, blank=True, unique=True, editable=False)
    # Communicating with Congress office code (HCA25, SCA03...), stored, never computed at send time.
    cwc_office_code = models.CharField(max_length=8, blank=True)
    email = models.EmailField(blank=True)
    contact_form_url = models.URLField(max_length=500, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    fax = models.CharField(max_length=40, blank=True)
    postal_address = models.TextField(blank=True)
    field_office = models.ForeignKey(
        "cases.FieldOffice", on_delete=models.SET_NULL, null=True, blank=True, related_name="decision_makers",
        help_text=_("For a field office director: the ICE field office they lead."),
    )
    # Empty: the shared directory (imported, or entered by platform staff in the admin).
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text=_("The organisation that entered this decision maker and maintains it."),
    )
    active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["state", "kind", "district", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=DecisionMakerKind.values), name="decisionmaker_kind_valid"),
        ]
        indexes = [
            # Target lookup: the active senators of a state and the representative of a district.
            models.Index(fields=["kind", "state", "district"], name="dm_target_idx", condition=models.Q(active=True)),
        ]

    def __str__(self) -> str:
        return self.salutation or self.name

    @property
    def full_title(self) -> str:
        """The name an organizer picks it by, distinct for every office: "Field Office Director,
        San Diego (SND)", "Governor, CA (Gavin Newsom)", "The President (Donald J. Trump)"."""
        if self.kind == DecisionMakerKind.AGENCY_OFFICIAL and self.field_office_id:
            office = self.field_office
            return f"{self.salutation or self.name}, {office.city or office.name} ({office.code})"
        if self.kind == DecisionMakerKind.PRESIDENT:
            return f"The President ({self.name})"
        if self.kind == DecisionMakerKind.GOVERNOR and self.state:
            return f"Governor, {self.state} ({self.name})"
        return self.name


class ZipDistrict(models.Model):
    """One row of the ZCTA-to-congressional-district crosswalk. A ZIP with several rows spans
    districts: the supporter chooses, we never pick one silently."""

    zcta = models.CharField(max_length=5)
    state = models.CharField(max_length=2)
    district = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["zcta", "state", "district"], name="zipdistrict_unique"),
        ]
        indexes = [models.Index(fields=["zcta"], name="zipdistrict_zcta_idx")]

    def __str__(self) -> str:
        return f"{self.zcta} {self.state}-{self.district}"
