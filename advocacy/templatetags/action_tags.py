from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):  # noqa: ANN001, ANN201
    """A dict's value in a template (progress by action id, counts by status)."""
    return mapping.get(key) if mapping else None


@register.filter
def due_in_words(deadline):  # noqa: ANN001, ANN201
    """How far off a deadline is, in the reader's language: "today", "tomorrow", "in 3 days" (in the
    time zone the page shows dates in), or that it has passed."""
    import datetime as dt

    from django.utils import timezone
    from django.utils.translation import gettext, ngettext

    if not isinstance(deadline, dt.datetime):
        return ""
    if deadline <= timezone.now():
        return gettext("ended")
    days = (timezone.localtime(deadline).date() - timezone.localdate()).days
    if days == 0:
        return gettext("today")
    if days == 1:
        return gettext("tomorrow")
    return ngettext("in %(days)d day", "in %(days)d days", days) % {"days": days}
