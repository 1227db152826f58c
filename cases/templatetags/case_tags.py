"""Template filters for case pages, each wrapping a tested function of the case domain."""
from django import template

from ..facts import current_episode, days_detained
from ..timeline import person_name

register = template.Library()


@register.filter
def who(person, pii_ids) -> str:  # noqa: ANN001
    """A person's name for readers who may see it; otherwise their role and initial."""
    return person_name(person, pii=person.case_id in pii_ids)


@register.filter
def custody(person):  # noqa: ANN001, ANN201
    """The open custody episode (prefetched by the selectors)."""
    return current_episode(person)


@register.filter
def detained_days(person) -> int | None:  # noqa: ANN001
    return days_detained(person)


@register.filter
def a_number(value: str) -> str:
    """'201555019' -> 'A-201-555-019', as it is written on the family's papers."""
    return f"A-{value[:3]}-{value[3:6]}-{value[6:]}" if len(value) == 9 else value


@register.simple_tag(takes_context=True)
def sort_url(context, sort: str) -> str:  # noqa: ANN001
    """The families list's current filters in another order, from its first page."""
    params = context["request"].GET.copy()
    params.pop("before", None)
    params["sort"] = sort
    return f"?{params.urlencode()}"
