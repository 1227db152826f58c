"""Form widgets are drawn by Jinja2 (config/form_renderer.py) for speed: every field of every form
on the family page must come out as Django's own template engine draws it, empty and with errors,
in English and in Spanish. Only whitespace may differ where HTML collapses it (between tags, before
a label's text); a text area's value must be the same to the character."""
import re

import pytest
from django.forms.renderers import DjangoTemplates
from django.utils import translation

from cases import forms as case_forms
from cases.views import TRANSITIONS
from config.form_renderer import JinjaWidgets

pytestmark = pytest.mark.django_db


def drawn(form) -> str:  # noqa: ANN001
    html = "".join(str(field) + str(field.errors) + field.label_tag() for field in form)
    html = re.sub(r'(name="once"[^>]*value=")[0-9a-f-]+"', r'\1X"', html)  # a fresh one-time token per form
    # A text area keeps its whitespace (a browser drops only the newline right after the tag).
    areas = [re.sub(r"^\r?\n", "", text) for text in re.findall(r"<textarea[^>]*>(.*?)</textarea>", html, re.S)]
    html = re.sub(r"(<textarea[^>]*>).*?</textarea>", r"\1</textarea>", html, flags=re.S)
    html = re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()
    return html + "".join(f"[textarea:{text!r}]" for text in areas)


def forms_of(case, renderer, data=None):  # noqa: ANN001, ANN201
    for name, transition in TRANSITIONS.items():
        yield name, transition.form(data, case=case, renderer=renderer)
    yield "intake", case_forms.IntakeForm(data, renderer=renderer)
    yield "facility", case_forms.FacilityForm(data, renderer=renderer)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("bound", [False, True], ids=["empty", "with errors"])
def test_every_family_page_field_is_drawn_as_djangos_engine_draws_it(family, language, bound):  # noqa: ANN001
    # Typed text with runs of spaces and a line break, in the fields that are text areas.
    typed = "Two  spaces\n  and a line"
    data = {"once": "not-a-token", "body": typed, "text": typed, "text_es": typed, "summary": typed} if bound else None
    with translation.override(language):
        django_drawn = {name: drawn(form) for name, form in forms_of(family.case, DjangoTemplates(), data)}
        jinja_drawn = {name: drawn(form) for name, form in forms_of(family.case, JinjaWidgets(), data)}
    assert len(django_drawn) == len(TRANSITIONS) + 2
    assert not bound or sum("[textarea:'Two  spaces" in html for html in django_drawn.values()) == 2  # note, story
    for name, html in django_drawn.items():
        assert "<" in html and (not bound or "errorlist" in html or name in ("reopen",)), name
        assert jinja_drawn[name] == html, name


def test_a_widget_only_djangos_engine_knows_is_still_drawn():
    from django.contrib.admin.widgets import AdminDateWidget

    html = AdminDateWidget().render("on", None, renderer=JinjaWidgets())
    assert 'class="vDateField' in html
