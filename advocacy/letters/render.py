"""Rendering letters from live, consent-filtered facts.

Facts come from cases.facts (the case domain decides what a family's consent lets out). They are
reused while the families' records are unchanged (a one-query fingerprint), so a letter costs a
template render, not a walk over every family - and a consent revoked a moment ago is already
reflected in the very next letter, because revoking changes the fingerprint.
"""
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from cases.facts import FACTS as CASE_FACTS
from cases.facts import AdvocacyFacts, advocacy_facts, facts_fingerprint

from ..models import Action, ActionCase, DecisionMaker, Language, Submission, SupporterEditing
from . import merge
from .phrasing import duration_words

_FACTS_CACHE: "OrderedDict[tuple, AdvocacyFacts]" = OrderedDict()
_FACTS_LOCK = Lock()
_FACTS_CACHE_SIZE = 256


def action_case_ids(action: Action) -> list[int]:
    return list(ActionCase.objects.filter(action=action).order_by("case_id").values_list("case_id", flat=True))


def facts_for(action: Action, case_ids: list[int] | None = None) -> AdvocacyFacts:
    """The action's facts as the records stand now."""
    ids = action_case_ids(action) if case_ids is None else case_ids
    key = (tuple(ids), facts_fingerprint(case_ids=ids))
    with _FACTS_LOCK:
        if key in _FACTS_CACHE:
            _FACTS_CACHE.move_to_end(key)
            return _FACTS_CACHE[key]
    facts = advocacy_facts(case_ids=ids)
    with _FACTS_LOCK:
        _FACTS_CACHE[key] = facts
        while len(_FACTS_CACHE) > _FACTS_CACHE_SIZE:
            _FACTS_CACHE.popitem(last=False)
    return facts


def why_unavailable(field: str, facts: AdvocacyFacts) -> str:
    spec = merge.FACTS[field]
    if facts.consenting == 0:
        return _("no family in this action has consented to share facts")
    if spec.consent == merge.STORY and facts.story == 0:
        return _("no family in this action has consented to share its story")
    if field.startswith("detained.") or field == "families.port_of_entry":
        return _("none of the consenting families has this fact on record now")
    return _("not available")


def unavailable_fields(fields: frozenset[str], facts: AdvocacyFacts) -> dict[str, str]:
    """The facts a template uses that nothing may support now, each with the reason."""
    return {f: why_unavailable(f, facts) for f in sorted(fields) if f in merge.FACTS and facts.values[f] is None}


def _fact_text(name: str, value: Any, language: str) -> Any:
    if CASE_FACTS[name].kind == "duration":
        return duration_words(value, language)
    if CASE_FACTS[name].kind == "stories":  # a paragraph each, only those written in this language
        return "\n\n".join(story[language] for story in value if story.get(language))
    if isinstance(value, list):
        with translation.override(language):
            # "Ana, Rosa and Marta" / "Ana, Rosa y Marta"
            return str(get_text_list([str(v) for v in value], _("and")))
    return value


@dataclass(frozen=True)
class Supporter:
    """What a letter may say about its sender: a submission, or the preview's sample."""

    prefix: str
    first_name: str
    last_name: str
    street: str
    city: str
    state: str
    zip: str
    email: str
    phone: str = ""
    note: str = ""

    @classmethod
    def of(cls, submission: Submission, *, editing: str) -> "Supporter":
        return cls(
            prefix=submission.prefix, first_name=submission.first_name, last_name=submission.last_name,
            street=submission.street, city=submission.city, state=submission.state, zip=submission.zip_code,
            email=submission.email, phone=submission.phone,
            note=submission.note if editing != SupporterEditing.NONE else "",
        )

    @classmethod
    def sample(cls) -> "Supporter":
        ex = {f.name.split(".", 1)[1]: f.example for f in merge.SUPPORTER_FIELDS}
        return cls(**{k: ex[k] for k in ("prefix", "first_name", "last_name", "street", "city", "state", "zip",
                                         "email")})

    def values(self) -> dict[str, str]:
        return {
            "prefix": self.prefix, "first_name": self.first_name, "last_name": self.last_name,
            "full_name": f"{self.first_name} {self.last_name}".strip(), "street": self.street, "city": self.city,
            "state": self.state, "zip": self.zip, "city_state_zip": f"{self.city}, {self.state} {self.zip}",
            "email": self.email, "phone": self.phone, "note": self.note,
        }


def context(*, action: Action, facts: AdvocacyFacts, supporter: Supporter, decision_maker: DecisionMaker | None,
            language: str, page: bool = False) -> dict[str, Any]:
    """The template context: nested plain values, nothing with attributes to reach into. (`page`:
    for the public title and intro, which cannot name the title.)"""
    title = action.text("title", language)
    ctx: dict[str, Any] = {
        "supporter": supporter.values(),
        "decision_maker": {
            "salutation": decision_maker.salutation if decision_maker else "[Decision Maker]",
            "name": decision_maker.name if decision_maker else "[Decision Maker]",
        },
        "action": {"title": title if page or "{" not in title else page_text(action, "title", language, facts)},
        "organization": {"name": action.organization.name},
    }
    for name, value in facts.values.items():
        group, key = name.split(".", 1)
        # An unavailable fact reads as empty: `{% if %}` treats it as absent, and a letter that prints
        # one unconditionally is never sent (render() refuses it first).
        ctx.setdefault(group, {})[key] = "" if value is None else _fact_text(name, value, language)
    return ctx


def flat(ctx: dict[str, Any]) -> dict[str, Any]:
    return {f"{group}.{key}": value for group, values in ctx.items() for key, value in values.items()}


class FactsUnavailable(Exception):
    """A fact the letter uses has no consenting family behind it any more: the letter must wait."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    # For Communicating with Congress: the organisation's text and what the supporter wrote.
    organization_statement: str
    constituent_message: str


def render(*, action: Action, facts: AdvocacyFacts, supporter: Supporter, decision_maker: DecisionMaker | None,
           language: str, edited_body: str = "") -> Rendered:
    """The letter exactly as it will be sent. Raises FactsUnavailable rather than send a letter
    whose facts no consenting family supports."""
    language = language if language in action.languages else Language.EN
    subject_t = merge.compiled(action.text("letter_subject", language))
    body_t = merge.compiled(action.text("letter_body", language))
    own_letter = action.supporter_editing == SupporterEditing.BODY and edited_body.strip()
    needed = subject_t.required | (frozenset() if own_letter else body_t.required)
    missing = unavailable_fields(needed, facts)
    if missing:
        raise FactsUnavailable(missing)
    ctx = context(action=action, facts=facts, supporter=supporter, decision_maker=decision_maker, language=language)
    subject = " ".join(subject_t.render(ctx).split())
    if own_letter:
        body = signed(merge.fill_brackets(edited_body, flat(ctx)), edited_body, ctx["supporter"])
        return Rendered(subject=subject, body=body, organization_statement="", constituent_message=body)
    body = body_t.render(ctx)
    statement = body
    if supporter.note:
        ctx["supporter"] = {**ctx["supporter"], "note": ""}
        statement = body_t.render(ctx)
    return Rendered(subject=subject, body=body, organization_statement=statement, constituent_message=supporter.note)


PAGE_TEXTS = ("title", "intro")


def page_text(action: Action, field: str, language: str, facts: AdvocacyFacts | None = None) -> str:
    """The action's public title or intro as the page shows it: its merge fields filled from the
    same live, consent-filtered facts as the letter (an unavailable fact reads as empty)."""
    source = action.text(field, language)
    if "{" not in source:
        return source
    try:
        template = merge.compiled(source, page=True)
    except ValidationError:
        return source  # refused when saved: only text from before that rule can get here
    ctx = context(action=action, facts=facts or facts_for(action), supporter=Supporter.sample(),
                  decision_maker=None, language=language, page=True)
    text = template.render(ctx).strip()
    return " ".join(text.split()) if field == "title" else text


def _unavailable(label: str, template: merge.LetterTemplate, facts: AdvocacyFacts,
                 into: dict[str, list[str]]) -> None:
    for name, reason in unavailable_fields(template.required, facts).items():
        into.setdefault(label, []).append(
            _("The merge field {{ %(name)s }} is unavailable: %(reason)s.") % {"name": name, "reason": reason})


def _check_page_texts(action: Action, facts: AdvocacyFacts, suffix: str, errors: dict[str, list[str]],
                      unavailable: dict[str, list[str]]) -> None:
    for field in PAGE_TEXTS:
        label = f"{field}{suffix}"
        source = getattr(action, label)
        if "{" not in source:
            continue
        try:
            template = merge.parse(source, field_label=label, allowed=merge.PAGE_FIELDS)
        except ValidationError as exc:
            errors.setdefault(label, []).extend(exc.message_dict[label])
            continue
        _unavailable(label, template, facts, unavailable)


# The seed's signature block, which every letter carries: an office answers a constituent it can
# identify, so a supporter's own letter is signed with their name and address unless it already
# places them ([Your Name] in the text).
SIGNATURE = ("full_name", "street", "city_state_zip", "email")
NAME_BRACKETS = tuple(f"[{b}]" for b, field in merge.BRACKETS.items() if field == "supporter.full_name")


def signed(body: str, written: str, supporter: dict[str, str]) -> str:
    if any(b in written for b in NAME_BRACKETS):
        return body
    block = "\n".join(supporter[k] for k in SIGNATURE if supporter.get(k))
    return merge.tidy(f"{body.rstrip()}\n\n{block}")


def starting_letter(*, action: Action, language: str) -> str:
    """What a supporter who writes their own letter starts from: the action's letter with today's
    facts filled in and the supporter's and decision maker's bracket fields left for them ([Your
    Name] ... are filled when each letter goes out). Empty when the facts are unavailable."""
    facts = facts_for(action)
    body_t = merge.compiled(action.text("letter_body", language))
    if unavailable_fields(body_t.required, facts):
        return ""
    ctx = context(action=action, facts=facts, supporter=Supporter.sample(), decision_maker=None, language=language)
    names = merge.BRACKET_NAMES[language if language in merge.BRACKET_NAMES else Language.EN]
    ctx["supporter"] = {**{k: "" for k in ctx["supporter"]},
                        **{field.split(".", 1)[1]: f"[{name}]" for field, name in names.items()}, "note": ""}
    ctx["decision_maker"] = {"salutation": f"[{names['decision_maker.salutation']}]",
                             "name": f"[{names['decision_maker.salutation']}]"}
    return body_t.render(ctx)


def check_template(*, action: Action, facts: AdvocacyFacts, strict: bool = True) -> dict[str, list[str]]:
    """What an action requires of its texts: every field known, a place for the supporter's note
    when the action invites one, and - to publish (`strict`) - every fact available. Errors name the
    field (and, for a fact, why it is unavailable). Not strict (saving a draft), facts unavailable
    now are returned as warnings instead: the families' records or consent may change before it
    is published."""
    errors: dict[str, list[str]] = {}
    unavailable: dict[str, list[str]] = {}
    languages = [Language.EN, *([Language.ES] if Language.ES in action.languages else [])]
    for language in languages:
        suffix = "" if language == Language.EN else "_es"
        _check_page_texts(action, facts, suffix, errors, unavailable)
        for field in ("letter_subject", "letter_body"):
            label = f"{field}{suffix}"
            source = getattr(action, label)
            if not source.strip():
                if suffix:
                    errors.setdefault(label, []).append(_("Write the Spanish letter, or offer the action in English only."))
                continue
            try:
                template = merge.parse(source, field_label=label)
            except ValidationError as exc:
                errors.setdefault(label, []).extend(exc.message_dict[label])
                continue
            _unavailable(label, template, facts, unavailable)
            if (field == "letter_body" and action.supporter_editing == SupporterEditing.NOTE
                    and merge.NOTE_FIELD not in template.fields):
                errors.setdefault(label, []).append(
                    _("Supporters may add a personal note: put [Personal Note] where it belongs in the letter.")
                )
    if strict:
        for label, messages in unavailable.items():
            errors.setdefault(label, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return unavailable


def draft_warnings(action: Action) -> dict[str, list[str]]:
    """The facts a saved action's texts use that nothing supports now: it cannot be published
    (or resumed) until the records or the texts change."""
    try:
        return check_template(action=action, facts=facts_for(action), strict=False)
    except ValidationError as exc:  # saved before a rule it now breaks: show that instead
        return exc.message_dict


@dataclass(frozen=True)
class Preview:
    subject: str
    body: str
    errors: dict[str, list[str]]
    fields: list[dict[str, Any]]


def preview(*, action: Action, language: str = Language.EN, subject: str | None = None, body: str | None = None,
            decision_maker: DecisionMaker | None = None, case_ids: list[int] | None = None) -> Preview:
    """The organizer's live preview: the letter (saved or being typed) for a sample supporter, with
    the facts as they stand now (of `case_ids` while an action is being built). Never raises for
    bad text: the errors come back with it, naming the field, so the builder can show them as the
    organizer types."""
    facts = facts_for(action, case_ids)
    texts = {"letter_subject": subject if subject is not None else action.text("letter_subject", language),
             "letter_body": body if body is not None else action.text("letter_body", language)}
    errors: dict[str, list[str]] = {}
    templates = {}
    for label, source in texts.items():
        try:
            templates[label] = merge.parse(source, field_label=label)
        except ValidationError as exc:
            errors[label] = exc.message_dict[label]
            continue
        for name, reason in unavailable_fields(templates[label].required, facts).items():
            errors.setdefault(label, []).append(
                _("The merge field {{ %(name)s }} is unavailable: %(reason)s.") % {"name": name, "reason": reason})
    ctx = context(action=action, facts=facts, supporter=Supporter.sample(), decision_maker=decision_maker,
                  language=language)
    rendered = {label: t.render(ctx) for label, t in templates.items() if label not in errors}
    values = flat(ctx)
    fields = [{"name": f.name, "help": f.help, "value": None if values.get(f.name) is None else str(values[f.name]),
               "available": not (f.name in merge.FACTS and facts.values[f.name] is None),
               "reason": why_unavailable(f.name, facts) if f.name in merge.FACTS and facts.values[f.name] is None
               else ""} for f in merge.FIELDS.values()]
    return Preview(subject=" ".join(rendered.get("letter_subject", "").split()), body=rendered.get("letter_body", ""),
                   errors=errors, fields=fields)
