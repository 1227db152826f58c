from django.contrib.auth.models import AbstractUser, BaseUserManager, Group
from django.db import models
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


class User(AbstractUser):
    """Staff user; signs in with an email address."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(
        _("language"), max_length=8, choices=[("en", "English"), ("es", "Español")], default="en"
    )

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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["legal", "advocacy"]), name="organization_kind_valid"
            )
        ]

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
