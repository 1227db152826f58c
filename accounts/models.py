import functools
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager, Group
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class ReminderMode(models.TextChoices):
    INDIVIDUAL = "individual", _("One email per reminder")
    DIGEST = "digest", _("One digest each morning")


def default_time_zone() -> str:
    return settings.TIME_ZONE


@functools.cache
def time_zones() -> frozenset[str]:
    """The IANA zone names: available_timezones() reads the zone database from disk on every call
    (about 10 ms), and it does not change while the process runs."""
    return frozenset(available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in time_zones():
        raise ValidationError(_("Choose a time zone from the list (e.g. America/Los_Angeles)."), code="time_zone")


class User(AbstractUser):
    """Staff user; signs in with an email address."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(
        _("language"), max_length=8, choices=[("en", "English"), ("es", "Español")], default="en"
    )

    # Reminders of hearings and deadlines (cases.services.reminders): one email each, or all of a
    # morning's in one digest; paused, none at all.
    reminder_mode = models.CharField(_("reminders"), max_length=12, choices=ReminderMode.choices,
                                     default=ReminderMode.INDIVIDUAL)
    reminders_paused = models.BooleanField(_("reminders paused"), default=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        # A new password (set_password keeps the raw one until the save) ends every API token: a
        # token must not outlive the password that obtained it. Sessions end through Django's own
        # session hash; the one that changed it is kept by update_session_auth_hash.
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            from .tokens import tokens_end_for  # lazy: tokens builds on this model

            tokens_end_for(user=self)


class Organization(models.Model):
    class Kind(models.TextChoices):
        LEGAL = "legal", _("Legal services")
        ADVOCACY = "advocacy", _("Advocacy")

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.LEGAL)
    # Every member signs in with a second factor, not only the roles that read PII (roles.py).
    require_two_factor = models.BooleanField(_("two-factor sign-in for every member"), default=False)
    # Reminders go out in the morning of this zone, and their days are counted in it.
    time_zone = models.CharField(_("time zone"), max_length=64, default=default_time_zone,
                                 validators=[validate_time_zone])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["legal", "advocacy"]), name="organization_kind_valid"
            )
        ]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def __str__(self) -> str:
        return self.name


class OrganizationGroup(models.Model):
    """The Django group that carries one role's object permissions for one organisation."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="role_groups"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="org_role")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "role"], name="one_group_per_org_role"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="organizationgroup_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} / {self.role}"


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_org"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"


class AccessKind(models.TextChoices):
    READ = "read", _("Read a family's personal data")
    SEARCH = "search", _("Searched families")
    EXPORT = "export", _("Exported or downloaded")
    SIGN_IN = "sign_in", _("Signed in with the password")
    SIGN_IN_FAILED = "sign_in_failed", _("Wrong password")
    LOCKED_OUT = "locked_out", _("Sign-in paused after failures")
    SECOND_FACTOR = "second_factor", _("Passed the second factor")
    SECOND_FACTOR_FAILED = "second_factor_failed", _("Wrong second-factor code")
    TWO_FACTOR_CHANGED = "two_factor_changed", _("Two-factor sign-in changed")
    TOKEN = "token", _("API token issued or ended")


class AccessVia(models.TextChoices):
    PAGE = "page", _("staff page")
    API = "api", _("API")
    ADMIN = "admin", _("admin")
    FEED = "feed", _("calendar feed")


class AccessEvent(models.Model):
    """One entry of the access log (accounts.audit): who read, searched, exported or signed in, when
    and how. Append-only: on PostgreSQL a trigger refuses UPDATE and DELETE, like the case history.
    Never holds PII: `what` names the kind of page or file ("case page", "letters CSV"), never a
    name, an A-number or a search term. Users, organisations and families are kept as plain ids,
    so the log outlives anything it mentions."""

    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(User, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    kind = models.CharField(max_length=24, choices=AccessKind.choices)
    via = models.CharField(max_length=8, choices=AccessVia.choices, blank=True)
    what = models.CharField(max_length=80, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    # The organisation an export or download belongs to (case reads name their families instead).
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.DO_NOTHING,
                                     db_constraint=False, related_name="+")
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [
            # An organisation admin's log, newest first, per member (accounts.audit.log_for).
            models.Index(fields=["user", "-id"], name="access_user_recent_idx"),
            models.Index(fields=["organization", "-id"], name="access_org_recent_idx"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(kind__in=AccessKind.values), name="access_kind_valid")]


class AccessEventCase(models.Model):
    """A family whose PII an access event showed (one row per family: a list of 50 is 50 rows)."""

    event = models.ForeignKey(AccessEvent, on_delete=models.DO_NOTHING, related_name="cases")
    case_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["case_id", "event"], name="access_case_idx")]  # filter by family
