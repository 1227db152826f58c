"""The merge-field language: the seed's bracket fields and named facts, nothing else, and
supporter text that is always data."""
import pytest
from django.core.exceptions import ValidationError

from advocacy.letters import merge


def test_the_seed_bracket_fields_become_merge_fields():
    t = merge.parse("Dear [Decision Maker],\n\n[Your Name]\n[Your Address]\n[City, State ZIP]\n[Your Email]")
    assert t.fields == {"decision_maker.salutation", "supporter.full_name", "supporter.street",
                        "supporter.city_state_zip", "supporter.email"}
    text = t.render({"decision_maker": {"salutation": "Senator Padilla"},
                     "supporter": {"full_name": "Rosa Supporter", "street": "12 Orange Ave",
                                   "city_state_zip": "Calexico, CA 92231", "email": "rosa@example.org"}})
    assert text == "Dear Senator Padilla,\n\nRosa Supporter\n12 Orange Ave\nCalexico, CA 92231\nrosa@example.org\n"


def test_spanish_bracket_fields_are_the_same_fields():
    assert merge.parse("Estimado/a [Destinatario]: [Tu nombre]").fields == {"decision_maker.salutation",
                                                                            "supporter.full_name"}


@pytest.mark.parametrize(("source", "named"), [
    ("Dear [Your Pet],", "[Your Pet]"),
    ("{{ families.secret }} families", "{{ families.secret }}"),
    ("{% if case.summary %}x{% endif %}", "{{ case.summary }}"),
    ("{{ supporter.note|default:families.nope }}", "{{ families.nope }}"),
])
def test_an_unknown_field_is_refused_by_name(source, named):  # noqa: ANN001
    with pytest.raises(ValidationError) as exc:
        merge.parse(source)
    assert any(named in message for message in exc.value.message_dict["letter_body"]), exc.value


@pytest.mark.parametrize("source", [
    "{% load static %}", "{% include 'base.html' %}", "{% debug %}", "{% now 'Y' %}", "{{ families.count|safe }}",
    "{% for x in families.first_names %}{{ x }}{% endfor %}", "{% if %}",
])
def test_tags_and_filters_beyond_if_and_text_filters_are_refused(source):  # noqa: ANN001
    with pytest.raises(ValidationError) as exc:
        merge.parse(source)
    assert exc.value.message_dict["letter_body"]


def test_lowercase_or_numbered_brackets_are_text():
    t = merge.parse("They were told [sic] to wait [1].")
    assert t.fields == frozenset()
    assert t.render({}) == "They were told [sic] to wait [1].\n"


def test_conditions_and_filters_work_on_facts():
    t = merge.parse("{% if detained.longest_days %}held {{ detained.longest_days }} day{{ detained.longest_days"
                    "|pluralize }}{% else %}nobody held{% endif %}")
    assert t.fields == {"detained.longest_days"}
    assert t.render({"detained": {"longest_days": 1}}) == "held 1 day\n"
    assert t.render({"detained": {"longest_days": 40}}) == "held 40 days\n"


def test_values_are_never_evaluated_as_template_code():
    t = merge.parse("Note: {{ supporter.note }}")
    evil = "{{ families.count }} {% debug %} <script>alert(1)</script>"
    assert t.render({"supporter": {"note": evil}}) == f"Note: {evil}\n"


def test_a_supporters_own_letter_is_sent_as_written_with_only_brackets_filled():
    own = "Dear [Decision Maker],\n{{ families.count }} {% if x %}<b>[Your Name]</b>"
    out = merge.fill_brackets(own, {"decision_maker.salutation": "Senator Schiff", "supporter.full_name": "Rosa"})
    assert out == "Dear Senator Schiff,\n{{ families.count }} {% if x %}<b>Rosa</b>\n"


def test_an_empty_note_leaves_no_gap():
    t = merge.parse("Dear X,\n\n[Personal Note]\n\nRosa")
    assert t.render({"supporter": {"note": ""}}) == "Dear X,\n\nRosa\n"


def test_a_fact_printed_only_inside_its_own_condition_is_optional():
    t = merge.parse("{{ families.count }} families.{% if families.first_names %} Among them "
                    "{{ families.first_names }}.{% else %} {{ detained.longest_days }}{% endif %}")
    assert t.fields == {"families.count", "families.first_names", "detained.longest_days"}
    assert t.required == {"families.count", "detained.longest_days"}
