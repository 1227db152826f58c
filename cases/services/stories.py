"""A family's story for letters: written and approved by someone who may change the case and read
its names (an advocate, or co-counsel with change access). Letters tell it only while the family's
consent is "story" and the text is the approved one (cases.facts)."""
import re
import unicodedata

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import CHANGE, VIEW_PII

from ..models import Case, Story
from ..permissions import require_case_perm
from ._base import field_error, record_event, validate
from .errors import StaleVersion

CHILD_NAME = "Take the child's name out: children's names never leave the record."


def _words(text: str) -> set[str]:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return set(re.findall(r"[a-z]+", plain))


def _no_child_names(case: Case, story: Story) -> None:
    names = {w for first in case.people.filter(role="child").values_list("first_name", flat=True)
             for w in _words(first)}
    for field in ("text", "text_es"):
        if names & _words(getattr(story, field)):
            raise field_error(field, CHILD_NAME, code="child_name")


def _summary(story: Story) -> dict:
    # The history says that the text changed and whether it was approved, never the text itself.
    return {"text": "[set]" if story.text else "", "text_es": "[set]" if story.text_es else "",
            "approved": story.approved}


def story_save(*, actor: User, case: Case, text: str, text_es: str, approve: bool,
               version: int | None = None) -> Story:
    """Write the family's story (creating it the first time). A change of text withdraws an earlier
    approval unless the same save approves the new text; `approve` alone approves what is there."""
    with transaction.atomic():
        require_case_perm(actor, CHANGE, case)
        require_case_perm(actor, VIEW_PII, case)
        story = Story.objects.select_for_update().filter(case=case).first()
        if story is not None and version is not None and story.version != version:
            raise StaleVersion()
        before = _summary(story) if story else {}
        story = story or Story(case=case)
        changed = (story.text, story.text_es) != (text.strip(), text_es.strip())
        story.text, story.text_es = text.strip(), text_es.strip()
        if approve:
            if not (story.text or story.text_es):
                raise field_error("text", "Write the story before approving it.", code="empty")
            story.approved_by, story.approved_at = actor, timezone.now()
        elif changed:
            story.approved_by, story.approved_at = None, None
        validate(story, exclude=("case",))
        _no_child_names(case, story)
        if story.pk:
            story.version += 1
        story.save()
        record_event(case=case, actor=actor, action="story.approved" if approve else "story.saved", subject=story,
                     before=before, after=_summary(story))
    return story
