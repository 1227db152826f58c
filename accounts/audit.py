"""The access log: who read which family's personal data (staff pages, API, admin), who searched,
who exported or downloaded anything, and every sign-in, failed sign-in, lockout and two-factor
change. One entry per request, naming the families it showed; never the data itself (no name,
A-number, address or search term), so the log can be shown to an organisation's admins and kept.
Append-only: the database refuses UPDATE and DELETE on PostgreSQL (migration 0004)."""
from collections.abc import Iterable

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.dispatch import receiver
from django.http import HttpRequest

from axes.signals import user_locked_out

from .client_ip import client_ip
from .models import AccessEvent, AccessEventCase, AccessKind, AccessVia, Membership, Organization, User

__all__ = ["AccessKind", "AccessVia", "log_for", "record", "record_pii_shown"]


def _request_of(request: object) -> HttpRequest | None:
    return getattr(request, "_request", request)  # DRF's Request wraps Django's


def record(request: object | None, kind: str, *, user: User | None = None, via: str = "", what: str = "",
           case_ids: Iterable[int] = (), object_id: int | None = None,
           organization: Organization | int | None = None) -> AccessEvent:
    """Write one entry (and one row per family it concerns): two INSERTs at most."""
    django_request = _request_of(request) if request is not None else None
    if user is None and django_request is not None and getattr(django_request, "user", None) is not None \
            and django_request.user.is_authenticated:
        user = django_request.user
    org_id = organization.pk if isinstance(organization, Organization) else organization
    ids = sorted(set(case_ids))
    event = AccessEvent(
        user_id=user.pk if user is not None else None, kind=kind, via=via, what=what[:80], object_id=object_id,
        organization_id=org_id, ip=(client_ip(django_request) or None) if django_request is not None else None)
    # An entry is never stored without the families it names, and a read that showed a page costs
    # one commit. On PostgreSQL both INSERTs are one statement, so one round trip with its own
    # commit (a case-list page wrote 50 model instances through the ORM in two queries and a
    # COMMIT: about 3 ms of a 45 ms request, docs/performance.md). Inside a caller's transaction
    # either way simply joins it.
    if connection.vendor == "postgresql":
        event.pk = _insert_in_one_statement(event, ids)
        event._state.adding, event._state.db = False, connection.alias  # as Model.save() leaves it
        return event
    with transaction.atomic(savepoint=False):
        event.save(force_insert=True)
        if ids:
            AccessEventCase.objects.bulk_create([AccessEventCase(event=event, case_id=cid) for cid in ids])
    return event


def _insert_in_one_statement(event: AccessEvent, case_ids: list[int]) -> int:
    """INSERT the entry and its families' rows with one statement (data-modifying CTEs); its id."""
    fields = [f for f in AccessEvent._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(event, add=True), connection) for f in fields]
    family = AccessEventCase._meta
    sql = (f'WITH event AS (INSERT INTO "{AccessEvent._meta.db_table}" ({", ".join(f.column for f in fields)}) '
           f'VALUES ({", ".join(["%s"] * len(fields))}) RETURNING id), '
           f'families AS (INSERT INTO "{family.db_table}" ({family.get_field("event").column}, '
           f'{family.get_field("case_id").column}) SELECT event.id, unnest(%s::bigint[]) FROM event) '
           "SELECT id FROM event")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, case_ids])
        return cursor.fetchone()[0]


def record_pii_shown(request: object, case_ids: Iterable[int], *, via: str, what: str,
                     search: bool = False, object_id: int | None = None) -> None:
    """A response showed these families' PII to the signed-in user: one entry, if any did."""
    ids = set(case_ids)
    if ids:
        record(request, AccessKind.SEARCH if search else AccessKind.READ, via=via, what=what, case_ids=ids,
               object_id=object_id)


def log_for(*, organization: Organization) -> QuerySet[AccessEvent]:
    """What an organisation's admins see: reads and searches of the families it owns (by anyone,
    co-counsel included), its exports, and its members' sign-ins and other entries. Newest first."""
    from cases.models import Case  # lazy: cases builds on accounts

    owned = AccessEventCase.objects.filter(
        event=OuterRef("pk"), case_id__in=Case.objects.filter(organization=organization).values("pk"))
    members = Membership.objects.filter(organization=organization, user_id=OuterRef("user_id"))
    return (AccessEvent.objects.filter(Q(organization=organization) | Q(Exists(owned)) | Q(Exists(members)))
            .select_related("user").order_by("-id"))


def case_references(case_ids: set[int]) -> dict[int, str]:
    """The families' references (not PII: the organisation's own file numbers), for the log page."""
    from cases.models import Case  # lazy: cases builds on accounts

    return dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "reference")) if case_ids else {}


# --- Sign-in events ------------------------------------------------------------------------------

@receiver(user_logged_in)
def _signed_in(sender: object, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    record(request, AccessKind.SIGN_IN, user=user, via=AccessVia.API if _is_api(request) else AccessVia.PAGE)


@receiver(user_login_failed)
def _sign_in_failed(sender: object, credentials: dict, request: HttpRequest | None = None, **kwargs: object) -> None:
    # The account, when the typed address is one; never the address or password typed.
    email = str(credentials.get("email") or credentials.get("username") or "").lower()
    user = User.objects.filter(email=email).first() if email else None
    record(request, AccessKind.SIGN_IN_FAILED, user=user, via=AccessVia.API if _is_api(request) else AccessVia.PAGE)


def _is_api(request: HttpRequest | None) -> bool:
    return request is not None and request.path.startswith("/api/")


@receiver(user_locked_out)
def _locked_out(sender: object, request: HttpRequest | None, username: str | None = None, **kwargs: object) -> None:
    """django-axes paused signing in (the limit was just reached)."""
    user = User.objects.filter(email=(username or "").lower()).first() if username else None
    record(request, AccessKind.LOCKED_OUT, user=user, via=AccessVia.API if _is_api(request) else AccessVia.PAGE)
