from django.core.exceptions import ValidationError
from django.db import models


def enum_check(field: str, choices: type[models.TextChoices], prefix: str) -> models.CheckConstraint:
    """The database refuses a status that is not in the enumeration."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__in": choices.values}), name=f"{prefix}_{field}_valid"
    )


def blank_or_enum_check(field: str, choices: type[models.TextChoices], prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__in": [*choices.values, ""]}),
        name=f"{prefix}_{field}_valid",
    )


class Versioned(models.Model):
    """Optimistic concurrency: every write names the version it read; services refuse a stale one."""

    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def share_constraints(parent: str, prefix: str) -> list[models.BaseConstraint]:
    """A share goes to exactly one grantee (a user or an organisation), at a known access level,
    and each grantee holds at most one live (unrevoked) share of the same `parent`."""
    return [
        models.CheckConstraint(
            condition=models.Q(user__isnull=False, organization__isnull=True)
            | models.Q(user__isnull=True, organization__isnull=False),
            name=f"{prefix}_one_grantee",
        ),
        models.CheckConstraint(condition=models.Q(access__in=["view", "change"]), name=f"{prefix}_access_valid"),
        models.UniqueConstraint(fields=[parent, "user"], condition=models.Q(revoked_at__isnull=True, user__isnull=False),
                                name=f"{prefix}_one_live_per_user"),
        models.UniqueConstraint(fields=[parent, "organization"],
                                condition=models.Q(revoked_at__isnull=True, organization__isnull=False),
                                name=f"{prefix}_one_live_per_org"),
    ]


class AppendOnly(models.Model):
    """A record of what happened: written once, never changed or deleted through the ORM (and, on
    PostgreSQL, refused by a trigger whatever writes)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError(f"{self._meta.verbose_name_plural.capitalize()} cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # noqa: ANN201
        raise ValidationError(f"{self._meta.verbose_name_plural.capitalize()} cannot be deleted.")
