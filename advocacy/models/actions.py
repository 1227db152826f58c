from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cases.models._constraints import enum_check, share_constraints


class ActionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")
    WON = "won", _("Won")


class SupporterEditing(models.TextChoices):
    NONE = "none", _("Supporters send the letter as written")
    NOTE = "note", _("Supporters may add a personal note")
    BODY = "body", _("Supporters may edit the letter")


class Language(models.TextChoices):
    EN = "en", "English"
    ES = "es", "Español"


class Action(models.Model):
    """A public call to write to decision makers, built on one or more families' cases.

    The letter template names live facts (`{{ detained.count }}`, `[Decision Maker]`); every letter
    is rendered from the records, filtered by each family's consent, when it is sent.
    """

    Status = ActionStatus
    Editing = SupporterEditing

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="actions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    intro = models.TextField(blank=True)
    letter_subject = models.CharField(max_length=300)
    letter_body = models.TextField()
    # The Spanish edition; the page and the letters are offered in Spanish when `languages` has "es".
    title_es = models.CharField(max_length=200, blank=True)
    intro_es = models.TextField(blank=True)
    letter_subject_es = models.CharField(max_length=300, blank=True)
    letter_body_es = models.TextField(blank=True)
    languages = models.JSONField(default=list)
    supporter_editing = models.CharField(max_length=8, choices=SupporterEditing.choices,
                                         default=SupporterEditing.NOTE)
    # Who a letter goes to: the supporter's own members of Congress, fixed decision makers, and the
    # officials responsible for where the action's families are held (field office directors).
    target_senators = models.BooleanField(default=True)
    target_representative = models.BooleanField(default=True)
    target_case_officials = models.BooleanField(default=False)
    fixed_targets = models.ManyToManyField("advocacy.DecisionMaker", blank=True, related_name="+")
    cases = models.ManyToManyField("cases.Case", through="advocacy.ActionCase", related_name="+")
    goal = models.PositiveIntegerField(default=0)
    # The organizer's choice, stated on the page: do pledges (promises to write) count toward the
    # goal, or only letters (sent, and handwritten ones received)?
    # Letters written on paper (with children, at a vigil) and collected by the organizers: the
    # public page offers a printable kit, and organizers record the batches they receive.
    collects_handwritten = models.BooleanField(
        _("collects handwritten letters"), default=False,
        help_text=_("Offer a printable kit (instructions, where letters go, a lined page) on the public page."))
    goal_counts_pledges = models.BooleanField(
        _("pledges count toward the goal"), default=True,
        help_text=_("Untick when the goal is letters only: pledges are then shown beside it, not in it."))
    deadline = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.DRAFT)
    # Set when a letter could not be rendered because a fact it uses lost its last consenting
    # family; letters wait until the organizer edits the letter and resumes.
    paused_reason = models.CharField(max_length=300, blank=True)
    won_suggested_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # The one-time token of the builder form that created the action: a second submit of the same
    # form (a double click, a retried request) finds this action instead of creating another.
    request_token = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        permissions = [("view_action_supporters", "Can see who signed: names, emails, addresses, letters")]
        constraints = [
            enum_check("status", ActionStatus, "action"),
            enum_check("supporter_editing", SupporterEditing, "action"),
            # Two racing submits of one form: the second insert fails here and finds the first
            # (services.actions.action_create, which also looks the token up through this index).
            models.UniqueConstraint(fields=["organization", "request_token"], name="one_action_per_request_token"),
        ]
        indexes = [
            # The beat tasks: published actions whose deadline passed; actions that may be won.
            models.Index(fields=["deadline"], name="action_open_deadline_idx",
                         condition=models.Q(status="published")),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == ActionStatus.PUBLISHED

    def text(self, field: str, language: str) -> str:
        """The Spanish edition of a field when asked for and written, else the English one."""
        if language == Language.ES:
            value = getattr(self, f"{field}_es", "")
            if value:
                return value
        return getattr(self, field)


class ActionCase(models.Model):
    """A family whose records an action's letters draw on."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="action_cases")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="action_links")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["action", "case"], name="one_link_per_action_case")]


class ActionUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Action, on_delete=models.CASCADE)


class ActionGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Action, on_delete=models.CASCADE)


class ActionShare(models.Model):
    """An action shared with a coalition partner (a user or an organisation). Revoking keeps the
    row for the record and removes the permission rows."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="+")
    access = models.CharField(max_length=8, choices=[("view", _("Read only")), ("change", _("Run together"))])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = share_constraints("action", "actionshare")


class TallyKind(models.TextChoices):
    PLEDGE = "pledge", _("Pledges")
    OFFLINE_LETTER = "offline_letter", _("Offline (handwritten) letters")


class Tally(models.Model):
    """Counts organizers record by hand: pledges, and letters written on paper. Append-only; a
    correction is a negative entry, so the record says who changed the count and when."""

    Kind = TallyKind

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="tallies")
    kind = models.CharField(max_length=16, choices=TallyKind.choices)
    count = models.IntegerField()
    note = models.CharField(max_length=200, blank=True)
    # A batch of handwritten letters: when it reached the organizers, and from whom (a group or an
    # event - "Sunday school, St. Mark's" - never a child's name).
    received_on = models.DateField(null=True, blank=True)
    received_from = models.CharField(max_length=120, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name_plural = "tallies"
        constraints = [
            enum_check("kind", TallyKind, "tally"),
            models.CheckConstraint(condition=~models.Q(count=0), name="tally_count_nonzero"),
        ]
