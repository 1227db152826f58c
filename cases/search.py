"""Finding a family by what an advocate remembers: part of a reference, a member's or sponsor's
name, a docket number - typed without accents or capitals ("mejia" finds "Mejía").

Names are folded on both sides by the database: PostgreSQL's unaccent extension (migration 0006),
and on SQLite a Python function of the same name registered on every connection (CasesConfig.ready),
so the embedded default behaves like production."""
import unicodedata

from django.db.models import CharField, Exists, F, Func, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower

# PostgreSQL's unaccent turns these into two letters; NFKD alone would keep or drop them.
_LIGATURES = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
                            "ł": "l", "Ł": "L", "đ": "d", "Đ": "D"})


def unaccent(text: str | None) -> str | None:
    """The SQLite side of UNACCENT: letters without their accents."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Unaccent(Func):
    function = "UNACCENT"
    output_field = CharField()


def folded(expression: F | Value) -> Func:
    return Lower(Unaccent(expression))


def _contains(field: str, word: str) -> Q:
    return Q(**{f"{field}__contains": folded(Value(word))})


def _folded_fields(qs: QuerySet, fields: tuple[str, ...]) -> QuerySet:
    return qs.annotate(**{f"_f_{name}": folded(F(name)) for name in fields})


def cases_matching(cases: QuerySet, *, words: list[str], named_in: QuerySet) -> QuerySet:
    """`cases` where every word is in the reference, or - only among `named_in`, the cases whose
    names the reader may see - in a member's first or last name, a sponsor's name or a docket."""
    from .models import Person, Proceeding, Sponsor

    for word in words:
        people = _folded_fields(Person.objects.filter(case=OuterRef("pk")), ("first_name", "last_name")).filter(
            _contains("_f_first_name", word) | _contains("_f_last_name", word))
        sponsors = _folded_fields(Sponsor.objects.filter(case=OuterRef("pk")), ("name",)).filter(
            _contains("_f_name", word))
        dockets = _folded_fields(Proceeding.objects.filter(case=OuterRef("pk")), ("docket",)).filter(
            _contains("_f_docket", word))
        cases = cases.filter(
            Q(reference__icontains=word)
            | (Q(pk__in=named_in) & (Exists(people) | Exists(sponsors) | Exists(dockets)))
        )
    return cases


def search_words(text: str) -> list[str]:
    """At most six words of at least two letters: a search, not a scan of the table."""
    return [w for w in text.split() if len(w) >= 2][:6]
