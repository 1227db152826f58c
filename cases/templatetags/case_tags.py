"""Template filters for case pages, each wrapping a tested function of the case domain."""
from django import template
from django.utils.translation import gettext as _

from ..facts import current_episode, days_detained

register = template.Library()


@register.filter
def who(person, pii_ids) -> str:  # noqa: ANN001
    """A person's name for readers who may see it; otherwise their role and number."""
    if person.case_id in pii_ids:
        return f"{person.first_name} {person.last_name}".strip()
    return f"{person.get_role_display()} #{person.pk}"


@register.filter
def custody(person):  # noqa: ANN001, ANN201
    """The open custody episode (prefetched by the selectors)."""
    return current_episode(person)


@register.filter
def detained_days(person) -> int | None:  # noqa: ANN001
    return days_detained(person)


@register.filter
def event_label(event) -> str:  # noqa: ANN001
    labels = {
        "case.opened": _("Case opened"), "case.updated": _("Case updated"), "case.shared": _("Shared"),
        "case.share_revoked": _("Share revoked"), "case.assigned": _("Assigned"), "case.unassigned": _("Unassigned"),
        "case.reunified": _("Reunified"), "consent.recorded": _("Consent recorded"),
        "consent.revoked": _("Consent revoked"), "person.added": _("Person added"),
        "person.updated": _("Person updated"), "custody.transferred": _("Custody changed"),
        "custody.recorded": _("Custody recorded"), "custody.corrected": _("Custody corrected"),
        "sponsor.added": _("Sponsor added"), "sponsor.updated": _("Sponsor updated"),
        "sponsor.status_changed": _("Sponsor status changed"), "credible_fear.opened": _("Credible-fear process opened"),
        "credible_fear.decided": _("Interview outcome"), "credible_fear.review_requested": _("Judge review requested"),
        "credible_fear.reviewed": _("Judge review decided"), "credible_fear.updated": _("Credible fear updated"),
        "proceeding.opened": _("Proceeding opened"), "proceeding.updated": _("Proceeding updated"),
        "hearing.scheduled": _("Hearing scheduled"), "hearing.updated": _("Hearing updated"),
        "note.added": _("Note added"), "advocacy.linked": _("Used in an advocacy action"),
        "advocacy.unlinked": _("No longer used in an advocacy action"),
    }
    return labels.get(event.action, event.action)


@register.filter
def a_number(value: str) -> str:
    """'201555019' -> 'A-201-555-019', as it is written on the family's papers."""
    return f"A-{value[:3]}-{value[3:6]}-{value[6:]}" if len(value) == 9 else value
