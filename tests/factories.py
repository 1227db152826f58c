"""Fictional test data only. Rows that carry rules (cases, people, custody) are created through
the services, so tests exercise the same path as the product."""
import datetime as dt

import factory
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Organization, User
from cases import services
from cases.models import Facility, FieldOffice


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    # Hashed before the insert: one write per user, not an insert and then a password update.
    password = factory.django.Password("correct horse battery staple")


def organization(name: str, kind: str = Organization.Kind.LEGAL) -> Organization:
    return account_services.organization_create(name=name, kind=kind)


def member(org: Organization, role: str, email: str | None = None) -> User:
    user = UserFactory(email=email) if email else UserFactory()
    account_services.membership_add(organization=org, user=user, role=role, actor=None)
    return user


class FieldOfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FieldOffice
        django_get_or_create = ("code",)

    code = "SND"
    name = "San Diego Field Office"
    city = "San Diego"
    state = "CA"


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility

    name = factory.Sequence(lambda n: f"Test Detention Center {n}")
    kind = Facility.Kind.ICE_DETENTION
    city = "Calexico"
    state = "CA"
    field_office = factory.SubFactory(FieldOfficeFactory)


def make_case(actor: User, org: Organization, reference: str | None = None, **fields):  # noqa: ANN201
    reference = reference or f"T-{Organization.objects.count()}-{timezone.now().timestamp():.6f}"
    return services.case_create(actor=actor, organization=org, reference=reference, **fields)


def make_person(actor: User, case, role: str = "parent", first_name: str = "Ana", **fields):  # noqa: ANN001, ANN201
    return services.person_create(actor=actor, case=case, role=role, first_name=first_name,
                                  last_name=fields.pop("last_name", "Ejemplo"), **fields)


def detain(actor: User, person, facility=None, days_ago: int = 40, kind: str = "ice_detention"):  # noqa: ANN001, ANN201
    return services.custody_transfer(actor=actor, person=person, kind=kind, facility=facility,
                                     on=timezone.localdate() - dt.timedelta(days=days_ago))
