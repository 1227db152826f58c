"""Form widgets are drawn by Jinja2 (config/form_renderer.py) for speed, and so are the family page's
transition forms (templates/jinja2/staff/form.html, the Jinja2 edition of staff/_form.html): every
field of every form on the family page, and every transition form whole, must come out as Django's
own template engine draws it, empty and with errors, in English and in Spanish. Only whitespace may differ where HTML collapses it (between tags, before
a label's text); a text area's value must be the same to the character."""
import re

import pytest
from django.forms.renderers import DjangoTemplates
from django.template.loader import render_to_string
from django.utils import translation

from cases import forms as case_forms
from cases.views import TRANSITIONS
from config.form_renderer import JinjaWidgets

pytestmark = pytest.mark.django_db


def normalised(html: str) -> str:
    """The HTML with what a browser ignores made equal: the fresh one-time token of each form, two
    spellings of the same escaped character, and whitespace between tags or in a run (a text area keeps its own, less the newline right after
    the tag, which a browser drops)."""
    html = re.sub(r'(name="once"[^>]*value=")[0-9a-f-]+"', r'\1X"', html)
    # The same characters escaped: Django writes &#x27; and &quot;, Jinja2 (MarkupSafe) &#39; and &#34;.
    html = html.replace("&#x27;", "&#39;").replace("&quot;", "&#34;")
    areas = [re.sub(r"^\r?\n", "", text) for text in re.findall(r"<textarea[^>]*>(.*?)</textarea>", html, re.S)]
    html = re.sub(r"(<textarea[^>]*>).*?</textarea>", r"\1</textarea>", html, flags=re.S)
    html = re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()
    return html + "".join(f"[textarea:{text!r}]" for text in areas)


def drawn(form) -> str:  # noqa: ANN001
    return normalised("".join(str(field) + str(field.errors) + field.label_tag() for field in form))


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


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("bound", [False, True], ids=["empty", "with errors"])
def test_every_transition_form_is_drawn_whole_as_staff_form_html_draws_it(family, language, bound):  # noqa: ANN001
    typed = "Two  spaces\n  and a line"
    data = {"once": "not-a-token", "body": typed, "text": typed} if bound else None
    with_fields = 0
    with translation.override(language):
        for name, transition in TRANSITIONS.items():
            form = transition.form(data, case=family.case)
            if bound:
                form.is_valid()
                form.add_error(None, "Refused by the service.")  # a non-field error too
            django_drawn = normalised(render_to_string("staff/_form.html", {"form": form}))
            jinja_drawn = normalised(str(form))
            assert "<input" in django_drawn and (not bound or "error-summary" in django_drawn), name
            assert jinja_drawn == django_drawn, name
            with_fields += 'class="field' in django_drawn
    assert with_fields == len(TRANSITIONS) - 2  # all but unshare and unassign (hidden fields only)
