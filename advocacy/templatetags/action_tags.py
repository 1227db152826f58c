from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):  # noqa: ANN001, ANN201
    """A dict's value in a template (progress by action id, counts by status)."""
    return mapping.get(key) if mapping else None
