from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ._constraints import Versioned

STORY_MAX_LENGTH = 1200


class Story(Versioned):
    """A short paragraph about a family, in each language, that letters may tell - only while the
    family's consent is "story" and only once an advocate approved this very text (any change
    withdraws the approval). Children's first names are refused: they never leave the record."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="story")
    text = models.TextField(_("story (English)"), max_length=STORY_MAX_LENGTH, blank=True)
    text_es = models.TextField(_("story (Spanish)"), max_length=STORY_MAX_LENGTH, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "stories"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approved_at__isnull=True) | ~models.Q(text="") | ~models.Q(text_es=""),
                name="story_approved_has_text",
                violation_error_message=_("An approved story has text."),
            ),
        ]

    def __str__(self) -> str:
        return f"Story of case {self.case_id}"

    @property
    def approved(self) -> bool:
        return self.approved_at is not None

    def in_language(self, language: str) -> str:
        """The story in a letter's language; none when it is not written in that language (a letter
        never mixes languages)."""
        return (self.text_es if language == "es" else self.text).strip()
