"""The merge-field language of letter templates.

Organizers write `{{ families.in_ice_custody }}`, `{% if detained.longest_days %}...{% endif %}` and
the seed's bracket fields (`[Decision Maker]`, `[Your Name]`, `[Your Address]`, `[City, State ZIP]`,
`[Your Email]`). Templates are parsed by a Django template engine that knows nothing but `if` and a
few text filters, and are rendered against plain values only, without escaping (letters are plain
text; pages escape them when they show them).

Supporter text is data: it is only ever a value in the context (`supporter.note`), or, when the
supporter edited the whole letter, sent as written with nothing but the bracket fields filled in.
"""
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import FilterExpression, Node, TextNode, Variable, VariableNode
from django.template.defaulttags import IfNode, TemplateLiteral
from django.utils.translation import gettext_lazy as _

from cases.facts import ANONYMOUS, STORY  # noqa: F401  (re-exported: the consent levels of facts)
from cases.facts import FACTS as CASE_FACTS

# --- The fields -----------------------------------------------------------------------------



@dataclass(frozen=True)
class Field:
    name: str
    help: str
    consent: str | None = None  # for case facts: the consent level a family must have given
    example: Any = ""


SUPPORTER_FIELDS = [
    Field("supporter.prefix", "Mr., Mrs., Ms., Miss or Dr.", example="Ms."),
    Field("supporter.first_name", "The supporter's first name", example="Alex"),
    Field("supporter.last_name", "The supporter's last name", example="Sample"),
    Field("supporter.full_name", "First and last name", example="Alex Sample"),
    Field("supporter.street", "Street address", example="123 Main Street"),
    Field("supporter.city", "City", example="Calexico"),
    Field("supporter.state", "State (two letters)", example="CA"),
    Field("supporter.zip", "ZIP code", example="92231"),
    Field("supporter.city_state_zip", "City, State ZIP", example="Calexico, CA 92231"),
    Field("supporter.email", "Email address", example="alex@example.org"),
    Field("supporter.phone", "Phone number (may be empty)", example=""),
    Field("supporter.note", "The supporter's personal note (may be empty)", example=""),
]
DECISION_MAKER_FIELDS = [
    Field("decision_maker.salutation", 'How the letter greets them, e.g. "Senator Padilla"', example="Senator Padilla"),
    Field("decision_maker.name", "Their full name", example="Alex Padilla"),
]
ACTION_FIELDS = [
    Field("action.title", "The action's public title"),
    Field("organization.name", "The organisation running the action"),
]
# Facts about the families: one list, in cases.facts (the case domain decides what consent lets out).
FACT_FIELDS = [Field(f.name, f.help, f.consent) for f in CASE_FACTS.values()]
FIELDS: dict[str, Field] = {f.name: f for f in (*SUPPORTER_FIELDS, *DECISION_MAKER_FIELDS, *ACTION_FIELDS,
                                                 *FACT_FIELDS)}
FACTS: dict[str, Field] = {f.name: f for f in FACT_FIELDS}
# An action's public title and intro may state the same facts as its letter (so the page never
# contradicts it), and the organisation's name; nothing about a supporter or a decision maker.
PAGE_FIELDS: frozenset[str] = frozenset({"organization.name", *FACTS})
NOTE_FIELD = "supporter.note"

# The seed letter's bracket fields, in each language's spelling.
BRACKET_NAMES: dict[str, dict[str, str]] = {
    "en": {"decision_maker.salutation": "Decision Maker", "supporter.full_name": "Your Name",
           "supporter.street": "Your Address", "supporter.city_state_zip": "City, State ZIP",
           "supporter.email": "Your Email", "supporter.phone": "Your Phone", NOTE_FIELD: "Personal Note"},
    "es": {"decision_maker.salutation": "Destinatario", "supporter.full_name": "Tu nombre",
           "supporter.street": "Tu dirección", "supporter.city_state_zip": "Ciudad, Estado Código postal",
           "supporter.email": "Tu correo", "supporter.phone": "Tu teléfono", NOTE_FIELD: "Nota personal"},
}
# Either spelling works in either language's letter.
BRACKETS: dict[str, str] = {name: field for names in BRACKET_NAMES.values() for field, name in names.items()}
# A bracket field starts with a capital letter; "[sic]" or "[1]" are text.
BRACKET_RE = re.compile(r"\[([A-ZÁÉÍÓÚÑ][^\[\]{}\n]{0,40}?)\]")


# --- Parsing and validation -----------------------------------------------------------------

class LetterEngine(Engine):
    """A template engine with no built-in tags or filters but those of letters.language."""

    default_builtins: list[str] = []


ENGINE = LetterEngine(builtins=["advocacy.letters.language"], loaders=[], autoescape=False,
                      string_if_invalid="", debug=False)


def _brackets_to_variables(text: str, errors: list[str]) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1)
        field = BRACKETS.get(name)
        if field is None:
            errors.append(str(_("Unknown merge field [%(name)s].") % {"name": name}))
            return match.group(0)
        return "{{ " + field + " }}"

    return BRACKET_RE.sub(replace, text)


def _expression_variables(expr: FilterExpression) -> Iterator[str]:
    if isinstance(expr.var, Variable) and expr.var.lookups is not None:
        yield ".".join(expr.var.lookups)
    for _func, args in expr.filters:
        for is_variable, arg in args:
            if is_variable and isinstance(arg, Variable) and arg.lookups is not None:
                yield ".".join(arg.lookups)


def _condition_variables(cond: Any) -> Iterator[str]:
    if isinstance(cond, TemplateLiteral):
        yield from _expression_variables(cond.value)
    for part in ("first", "second"):
        if getattr(cond, part, None) is not None:
            yield from _condition_variables(getattr(cond, part))


def _variables(nodes: Iterable[Node], guarded: frozenset[str] = frozenset()) -> Iterator[tuple[str, bool]]:
    """Every field a template reads, and whether the letter needs it: a field printed inside
    `{% if field %}` (or any condition naming it) is optional; everything else is required."""
    for node in nodes:
        if isinstance(node, VariableNode):
            for name in _expression_variables(node.filter_expression):
                yield name, name not in guarded
        elif isinstance(node, IfNode):
            for condition, nodelist in node.conditions_nodelists:
                tested = frozenset(_condition_variables(condition)) if condition is not None else frozenset()
                for name in tested:
                    yield name, False
                yield from _variables(nodelist, guarded | tested)
        elif not isinstance(node, TextNode):  # the engine knows no other tag; be sure anyway
            raise TemplateSyntaxError(f"{type(node).__name__} is not allowed in a letter")


@dataclass(frozen=True)
class LetterTemplate:
    source: str
    template: Template
    fields: frozenset[str]  # every field the template reads
    required: frozenset[str]  # the fields it prints unconditionally: a letter cannot go without them

    def render(self, context: dict[str, Any]) -> str:
        return tidy(self.template.render(Context(context, autoescape=False)))


def parse(source: str, *, field_label: str = "letter_body", allowed: frozenset[str] | None = None) -> LetterTemplate:
    """Parse a template, or raise ValidationError naming every unknown field or tag (`allowed`:
    the fields this text may use, every field by default)."""
    errors: list[str] = []
    converted = _brackets_to_variables(source, errors)
    try:
        template = Template(converted, engine=ENGINE)
        reads = list(_variables(template.nodelist))
    except TemplateSyntaxError as exc:
        raise ValidationError({field_label: [str(_("This template cannot be read: %(error)s") % {"error": exc})]})
    used = frozenset(name for name, _needed in reads)
    for name in sorted(used - FIELDS.keys()):
        errors.append(str(_("Unknown merge field {{ %(name)s }}.") % {"name": name}))
    for name in sorted((used & FIELDS.keys()) - (FIELDS.keys() if allowed is None else allowed)):
        errors.append(str(_("{{ %(name)s }} belongs in the letter, not on the public page.") % {"name": name}))
    if errors:
        raise ValidationError({field_label: errors})
    return LetterTemplate(source=source, template=template, fields=used,
                          required=frozenset(name for name, needed in reads if needed))


@lru_cache(maxsize=512)
def compiled(source: str, page: bool = False) -> LetterTemplate:
    """Parsed templates, shared by every letter of an action (a template's text is its key)."""
    return parse(source, allowed=PAGE_FIELDS if page else None)


def tidy(text: str) -> str:
    """No trailing spaces, at most one empty line in a row (an empty note leaves no gap)."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def fill_brackets(text: str, values: dict[str, Any]) -> str:
    """A supporter's own letter: the bracket fields are filled in and nothing else is read - their
    `{{`, `{%` and markup stay exactly as they wrote them."""
    def replace(match: re.Match) -> str:
        field = BRACKETS.get(match.group(1))
        return str(values.get(field, match.group(0))) if field else match.group(0)

    return tidy(BRACKET_RE.sub(replace, text))
