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
