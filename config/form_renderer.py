"""How form widgets are drawn (settings.FORM_RENDERER)."""
from pathlib import Path

import django.forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property


class JinjaWidgets(Jinja2):
    """Django's own form and widget templates drawn by Jinja2, which ships an edition of each: the
    family page draws about sixty widgets, and Django's template engine spent about a third of that
    page's time on them (docs/performance.md). A widget whose template exists only for Django's
    engine (the admin's, a library's) is drawn by that engine, as before."""

    def __init__(self) -> None:
        super().__init__()
        self._django = DjangoTemplates()

    @cached_property
    def engine(self):  # noqa: ANN201
        return self.backend({"APP_DIRS": True, "NAME": "djangoforms", "OPTIONS": {}, "DIRS": [
            Path(django.forms.__file__).parent / "jinja2", settings.BASE_DIR / "templates" / "jinja2"]})

    def get_template(self, template_name: str):  # noqa: ANN201
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self._django.get_template(template_name)
