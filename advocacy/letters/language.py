"""The only tags and filters a letter template may use: `{% if %}` and a handful of text filters.
Nothing that reads files, loads libraries or reaches objects: the context holds plain strings and
numbers only."""
from django.template import Library, defaultfilters, defaulttags

register = Library()
register.tag("if", defaulttags.do_if)
for _name in ("default", "pluralize", "yesno", "upper", "lower", "capfirst", "title"):
    register.filter(_name, getattr(defaultfilters, _name))
