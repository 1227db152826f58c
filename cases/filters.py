"""Case list filters. Each is an EXISTS probe on indexed rows, so filtering never duplicates a
case and never needs DISTINCT."""
import datetime as dt

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from accounts.roles import VIEW_PII
from config.api import IdFilter

from .fields import normalise_a_number
from .models import (
    Case, CredibleFearProcess, CustodianKind, CustodyEpisode, Hearing, Person, Sponsor, detained_since_cutoff,
)
from .permissions import cases_with_perm
from .search import cases_matching, search_words
from .selectors import a_number_index_for, upcoming_cutoff


A_NUMBER_IN_URL = "A-numbers are never sent in a URL: POST the filters to this list's search/ endpoint."


def _open_episode(**filters) -> Exists:  # noqa: ANN003
    return Exists(CustodyEpisode.objects.filter(person__case=OuterRef("pk"), ended_on__isnull=True, **filters))


class CaseFilter(django_filters.FilterSet):
    custodian_kind = django_filters.ChoiceFilter(choices=CustodianKind.choices, method="filter_custodian_kind",
                                                 label="Someone in the family is currently in this custody")
    facility = IdFilter(method="filter_facility", label="Someone is currently held here")
    field_office = django_filters.CharFilter(method="filter_field_office",
                                             label="Someone is held in this ICE field office's area (e.g. SND)")
    detained_more_than = django_filters.NumberFilter(method="filter_detained", min_value=0, max_value=100_000,
                                                     label="Someone has been detained more than N days")
    sponsor_status = django_filters.ChoiceFilter(choices=Sponsor.Status.choices, method="filter_sponsor_status")
    credible_fear_outcome = django_filters.ChoiceFilter(choices=CredibleFearProcess.Outcome.choices,
                                                        method="filter_fear_outcome")
    hearing_within = django_filters.NumberFilter(method="filter_hearing_within", min_value=0, max_value=100_000,
                                                 label="A scheduled hearing in the next N days")
    review_due_within = django_filters.NumberFilter(method="filter_review_due_within", min_value=0,
                                                    max_value=100_000,
                                                    label="A requested judge's review is due in the next N days")
    sponsor_in_vetting = django_filters.BooleanFilter(method="filter_sponsor_in_vetting",
                                                      label="A sponsor is identified, applying or in home study")
    status = django_filters.ChoiceFilter(field_name="status", choices=Case.Status.choices,
                                         label="Open or closed files (default: both)")
    reference = django_filters.CharFilter(field_name="reference", lookup_expr="icontains")
    a_number = django_filters.CharFilter(method="refuse_in_url", label="Not accepted here: use POST .../search/")

    class Meta:
        model = Case
        fields = ["custodian_kind", "facility", "field_office", "detained_more_than", "sponsor_status",
                  "credible_fear_outcome", "hearing_within", "review_due_within", "sponsor_in_vetting", "status",
                  "reference", "a_number"]

    # The four current-custody filters describe ONE person's open episode: "in ICE custody for
    # more than 30 days" must not match a parent in ICE for 5 days plus a child in a shelter for
    # 40. Each method only records its condition; filter_queryset applies them in one EXISTS.
    def filter_custodian_kind(self, qs: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        self._episode["kind"] = value
        return qs

    def filter_facility(self, qs: QuerySet[Case], name: str, value: int) -> QuerySet[Case]:
        self._episode["facility_id"] = value
        return qs

    def filter_field_office(self, qs: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        self._episode["facility__field_office__code"] = value.upper()
        return qs

    def filter_detained(self, qs: QuerySet[Case], name: str, value: int) -> QuerySet[Case]:
        # detained_since is set only on detention episodes; "more than N" days means since < today - N
        self._episode["detained_since__lt"] = detained_since_cutoff(int(value))
        return qs

    def filter_queryset(self, queryset: QuerySet[Case]) -> QuerySet[Case]:
        self._episode: dict = {}
        queryset = super().filter_queryset(queryset)
        return queryset.filter(_open_episode(**self._episode)) if self._episode else queryset

    def filter_sponsor_status(self, qs: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return qs.filter(Exists(Sponsor.objects.filter(case=OuterRef("pk"), status=value)))

    def filter_fear_outcome(self, qs: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return qs.filter(Exists(CredibleFearProcess.objects.filter(person__case=OuterRef("pk"), outcome=value)))

    def filter_hearing_within(self, qs: QuerySet[Case], name: str, value: int) -> QuerySet[Case]:
        return qs.filter(Exists(Hearing.objects.filter(
            proceeding__case=OuterRef("pk"), status="scheduled",
            scheduled_at__gte=timezone.now(), scheduled_at__lte=upcoming_cutoff(int(value)),
        )))

    def filter_review_due_within(self, qs: QuerySet[Case], name: str, value: int) -> QuerySet[Case]:
        today = timezone.localdate()
        due = CredibleFearProcess.review_due_between(today, today + dt.timedelta(days=int(value)))
        return qs.filter(Exists(CredibleFearProcess.objects.filter(due, person__case=OuterRef("pk"))))

    def filter_sponsor_in_vetting(self, qs: QuerySet[Case], name: str, value: bool | None) -> QuerySet[Case]:
        if value is None:
            return qs
        vetting = Exists(Sponsor.objects.filter(case=OuterRef("pk"), status__in=Sponsor.IN_VETTING))
        return qs.filter(vetting if value else ~vetting)

    def refuse_in_url(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        # An A-number in a URL ends up in browser history and every proxy's access log.
        raise ValidationError({"a_number": [A_NUMBER_IN_URL]})


class CaseSearchFilter(CaseFilter):
    """The case filters plus what must never sit in a URL - words of a name, the exact A-number -
    read from a POST body."""

    text = django_filters.CharFilter(
        method="filter_text", max_length=200,
        label="Words of the reference, a member's or sponsor's name or a docket; accents and capitals ignored")
    a_number = django_filters.CharFilter(method="filter_a_number", label="Exact A-number of a family member",
                                        validators=[normalise_a_number])

    def filter_text(self, qs: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        # Names, sponsors and dockets are PII: only families whose PII the reader may see match on
        # them; every visible family matches on its reference.
        words = search_words(value)
        if not words:
            return qs
        return cases_matching(qs, words=words, named_in=cases_with_perm(self.request.user, VIEW_PII).values("pk"))

    def filter_a_number(self, qs: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        # Searching by A-number is PII access: a reader who cannot see A-numbers cannot probe them.
        index = a_number_index_for(value)
        if index is None:
            return qs.none()
        return qs.filter(Exists(Person.objects.filter(case=OuterRef("pk"), a_number_index=index)),
                         pk__in=cases_with_perm(self.request.user, VIEW_PII).values("pk"))


class PersonFilter(django_filters.FilterSet):
    case = IdFilter(field_name="case_id")
    a_number = django_filters.CharFilter(method="refuse_in_url", label="Not accepted here: use POST .../search/")

    class Meta:
        model = Person
        fields = ["case", "role", "a_number"]

    refuse_in_url = CaseFilter.refuse_in_url


class PersonSearchFilter(PersonFilter):
    a_number = django_filters.CharFilter(method="filter_a_number", label="Exact A-number",
                                        validators=[normalise_a_number])

    def filter_a_number(self, qs: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        index = a_number_index_for(value)
        if index is None:
            return qs.none()
        return qs.filter(a_number_index=index, case__in=cases_with_perm(self.request.user, VIEW_PII).values("pk"))
