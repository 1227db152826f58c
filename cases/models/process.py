import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ._constraints import Versioned, blank_or_enum_check, enum_check


class SponsorCategory(models.TextChoices):
    CAT_1 = "1", _("1: parent or legal guardian")
    CAT_2A = "2A", _("2A: immediate relative, primary caregiver")
    CAT_2B = "2B", _("2B: other immediate relative")
    CAT_3 = "3", _("3: distant relative or unrelated adult")
    CAT_4 = "4", _("4: no sponsor identified")


class SponsorStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    APPLICATION_SUBMITTED = "application_submitted", _("Application submitted")
    HOME_STUDY = "home_study", _("Home study")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    RELEASED_TO_SPONSOR = "released_to_sponsor", _("Released to sponsor")


class Sponsor(Versioned):
    Category = SponsorCategory
    Status = SponsorStatus

    # "Vetted" and "secured" are one fact: ORR approved the sponsor (or already released the child
    # to them). A sponsor who is only identified, or whose application or home study is under way,
    # is not secured - letters to officials must not claim it (docs/domain-rules.md).
    VETTED = frozenset({Status.APPROVED, Status.RELEASED_TO_SPONSOR})
    SECURED = VETTED
    # The vetting steps in order; home study only when ORR requires one. Approved or denied ends
    # vetting; only an approved sponsor may then receive the child.
    IN_VETTING = frozenset({Status.IDENTIFIED, Status.APPLICATION_SUBMITTED, Status.HOME_STUDY})

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="sponsors")
    person = models.ForeignKey(
        "cases.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="sponsors",
        help_text=_("The child this sponsor is for; empty for the whole family."),
    )
    # PII: name, contact.
    name = models.CharField(max_length=160)
    relationship = models.CharField(max_length=80, blank=True)
    category = models.CharField(max_length=2, choices=Category.choices)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.IDENTIFIED)
    contact = models.CharField(max_length=255, blank=True)
    # The day the next vetting step is due (fingerprints, documents, the home study): the assigned
    # advocates are reminded of it while the sponsor is in vetting (cases.services.reminders).
    step_due_on = models.DateField(_("next vetting step due on"), null=True, blank=True)

    class Meta:
        ordering = ["case_id", "id"]
        constraints = [enum_check("category", SponsorCategory, "sponsor"), enum_check("status", SponsorStatus, "sponsor")]
        indexes = [
            # The reminder planner: vetting steps due in the coming days.
            models.Index(fields=["step_due_on"], name="sponsor_step_due_idx",
                         condition=models.Q(step_due_on__isnull=False,
                                            status__in=["identified", "application_submitted", "home_study"])),
        ]

    def __str__(self) -> str:
        return f"Sponsor #{self.pk} ({self.get_status_display()})"

    @property
    def is_secured(self) -> bool:
        return self.status in self.SECURED

    @property
    def is_vetted(self) -> bool:
        return self.status in self.VETTED


class FearKind(models.TextChoices):
    CREDIBLE = "credible", _("Credible fear")
    REASONABLE = "reasonable", _("Reasonable fear")


class FearOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    POSITIVE = "positive", _("Positive")
    NEGATIVE = "negative", _("Negative")


class FearReview(models.TextChoices):
    NONE = "", _("Not requested")
    DECLINED = "declined", _("IJ review declined")
    REQUESTED = "requested", _("IJ review requested")
    AFFIRMED = "affirmed", _("IJ affirmed the negative finding")
    VACATED = "vacated", _("IJ vacated the negative finding")


class CredibleFearProcess(Versioned):
    Kind = FearKind
    Outcome = FearOutcome
    Review = FearReview

    # Days within which the immigration judge's review must be concluded, and from when: credible
    # fear, 7 days from the negative determination (8 CFR 1003.42(e)); reasonable fear, 10 days
    # from the referral to the judge (8 CFR 208.31(g)).
    REVIEW_DAYS = {Kind.CREDIBLE: 7, Kind.REASONABLE: 10}

    person = models.ForeignKey("cases.Person", on_delete=models.CASCADE, related_name="fear_processes")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CREDIBLE)
    interview_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    decided_on = models.DateField(null=True, blank=True)
    review = models.CharField(max_length=10, choices=Review.choices, blank=True, default="")
    review_requested_on = models.DateField(null=True, blank=True)
    # The asylum officer's referral to the immigration judge (Form I-863): a reasonable-fear
    # review's 10 days run from it.
    referred_on = models.DateField(_("referred to the judge on"), null=True, blank=True)
    review_decided_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["person_id", "id"]
        verbose_name_plural = "credible-fear processes"
        constraints = [
            enum_check("kind", FearKind, "cfp"),
            enum_check("outcome", FearOutcome, "cfp"),
            blank_or_enum_check("review", FearReview, "cfp"),
            models.CheckConstraint(
                condition=models.Q(review="") | models.Q(outcome="negative"),
                name="cfp_review_only_after_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_on__isnull=True) | models.Q(interview_on__isnull=True)
                | models.Q(decided_on__gte=models.F("interview_on")),
                name="cfp_decision_not_before_interview",
                violation_error_message=_("The decision cannot precede the interview."),
            ),
            models.CheckConstraint(
                condition=models.Q(review_decided_on__isnull=True) | models.Q(review_requested_on__isnull=True)
                | models.Q(review_decided_on__gte=models.F("review_requested_on")),
                name="cfp_review_decision_not_before_request",
                violation_error_message=_("The judge cannot decide before the review was requested."),
            ),
            # A requested reasonable-fear review has a referral date: its deadline counts from it.
            models.CheckConstraint(
                condition=~models.Q(kind="reasonable", review__in=["requested", "affirmed", "vacated"])
                | models.Q(referred_on__isnull=False),
                name="cfp_reasonable_review_has_referral",
                violation_error_message=_("Give the date the case was referred to the immigration judge."),
            ),
        ]
        indexes = [models.Index(fields=["outcome"], name="cfp_outcome_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_outcome_display()}"

    @classmethod
    def review_due_between(cls, first: dt.date, last: dt.date) -> models.Q:
        """Requested reviews whose deadline (review_deadline) falls between the two days, as a
        filter: the dashboard and the case list's filter ask the same question."""
        step = {kind: dt.timedelta(days=n) for kind, n in cls.REVIEW_DAYS.items()}
        return models.Q(outcome=cls.Outcome.NEGATIVE, review=cls.Review.REQUESTED) & (
            models.Q(kind=cls.Kind.CREDIBLE, decided_on__gte=first - step[cls.Kind.CREDIBLE],
                     decided_on__lte=last - step[cls.Kind.CREDIBLE])
            | models.Q(kind=cls.Kind.REASONABLE, referred_on__gte=first - step[cls.Kind.REASONABLE],
                       referred_on__lte=last - step[cls.Kind.REASONABLE])
        )

    @property
    def review_deadline(self) -> dt.date | None:
        """Derived: the day by which the judge's review must be concluded. Only while a review is
        requested and undecided: no request (or a declined one), no deadline."""
        if self.outcome != self.Outcome.NEGATIVE or self.review != self.Review.REQUESTED:
            return None
        start = self.decided_on if self.kind == self.Kind.CREDIBLE else self.referred_on
        return start + dt.timedelta(days=self.REVIEW_DAYS[self.kind]) if start else None


class ProceedingKind(models.TextChoices):
    IMMIGRATION_COURT = "immigration_court", _("Immigration court (removal)")
    BOND = "bond", _("Bond")
    ASYLUM = "asylum", _("Asylum")
    FAMILY_COURT = "family_court", _("Family court / child welfare")


class ProceedingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ProceedingAgencyPosition(models.TextChoices):
    NONE = "", _("Not applicable")
    REUNIFICATION = "reunification", _("Reunification")
    TERMINATION = "termination", _("Termination of parental rights")


class Proceeding(Versioned):
    Kind = ProceedingKind
    Status = ProceedingStatus
    AgencyPosition = ProceedingAgencyPosition

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="proceedings")
    person = models.ForeignKey(
        "cases.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="proceedings"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    court = models.ForeignKey(
        "cases.Facility", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    docket = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    # Child-welfare agency's stated plan (e.g. CPS: reunification or termination).
    agency_position = models.CharField(max_length=16, choices=AgencyPosition.choices, blank=True, default="")
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["case_id", "id"]
        constraints = [
            enum_check("kind", ProceedingKind, "proceeding"),
            enum_check("status", ProceedingStatus, "proceeding"),
            blank_or_enum_check("agency_position", ProceedingAgencyPosition, "proceeding"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class HearingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Hearing(Versioned):
    Status = HearingStatus

    proceeding = models.ForeignKey(Proceeding, on_delete=models.CASCADE, related_name="hearings")
    scheduled_at = models.DateTimeField()
    purpose = models.CharField(max_length=120, blank=True)
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["scheduled_at", "id"]
        constraints = [
            enum_check("status", HearingStatus, "hearing"),
            # A real date: the services also refuse one more than HEARING_YEARS_AHEAD years out.
            models.CheckConstraint(
                condition=models.Q(scheduled_at__gte=dt.datetime(1990, 1, 1, tzinfo=dt.UTC))
                & models.Q(scheduled_at__lt=dt.datetime(2200, 1, 1, tzinfo=dt.UTC)),
                name="hearing_scheduled_in_sane_years",
                violation_error_message=_("Check the date: a hearing falls between 1990 and 2199."),
            ),
        ]
        indexes = [
            # "Hearing within N days" filter and the dashboard.
            models.Index(fields=["scheduled_at"], name="hearing_upcoming_idx",
                         condition=models.Q(status="scheduled")),
        ]

    def __str__(self) -> str:
        return f"Hearing {self.scheduled_at:%Y-%m-%d}"


class Note(models.Model):
    """Free text about the family: PII, seen only with view_case_pii. Notes are not edited."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Note #{self.pk}"
