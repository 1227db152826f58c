"""The access log (issue 11, item 4; OWASP ASVS 5.0 16.3): who read which family's personal data
(staff pages, API, admin), who searched by A-number or name, who exported or downloaded anything,
and every sign-in, failed sign-in, lockout and two-factor change. One entry per request, naming
the user, the families and the kind of access, and never the PII itself. Organisation admins read
their organisation's log; nobody can change it, and on PostgreSQL the database refuses to."""
import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from accounts.models import AccessEvent, AccessEventCase
from tests.advocacy.conftest import action, congress, consented_case, director, draft  # noqa: F401

from .two_factor import authenticator, fresh_code

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests/factories.py
# What the log must never hold: the fixture family's names and A-number (tests/conftest.py).
PII = ("Ana", "Lucía", "A-201-555-019", "201555019", "201-555-019")


def signed_in(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def new_entries(since: int) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(pk__gt=since).order_by("pk"))


def last_id() -> int:
    return AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def families(entry: AccessEvent) -> list[int]:
    return sorted(AccessEventCase.objects.filter(event=entry).values_list("case_id", flat=True))


def assert_no_pii(entry: AccessEvent) -> None:
    text = " ".join(str(v) for v in (entry.what, entry.via, entry.kind, entry.ip, entry.object_id))
    for value in PII:
        assert value not in text, value


def test_reading_a_case_page_adds_one_entry(alice, case):  # noqa: ANN001
    client = signed_in(alice)
    since = last_id()
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    [entry] = new_entries(since)
    assert (entry.user_id, entry.kind, entry.via, entry.what) == (alice.pk, "read", "page", "case page")
    assert families(entry) == [case.pk]
    assert_no_pii(entry)


def test_a_reader_without_pii_rights_reads_no_pii_and_adds_nothing(olga, victor, case):  # noqa: ANN001
    for user in (olga, victor):
        client = signed_in(user)
        since = last_id()
        assert client.get(f"/cases/{case.pk}/").status_code == 200
        assert new_entries(since) == []


def test_reading_a_person_over_the_api_adds_one_entry(alice, case):  # noqa: ANN001
    person = case.people.get(first_name="Ana")
    client = signed_in(alice)
    since = last_id()
    response = client.get(f"/api/v1/people/{person.pk}/")
    assert response.status_code == 200 and response.json()["first_name"] == "Ana"
    [entry] = new_entries(since)
    assert (entry.user_id, entry.kind, entry.via, entry.object_id) == (alice.pk, "read", "api", person.pk)
    assert entry.what == "person retrieve"
    assert families(entry) == [case.pk]
    assert_no_pii(entry)


def test_a_co_counsel_read_is_in_the_owning_organisations_log(bob, shared_with_bob, case, adam):  # noqa: ANN001
    client = signed_in(bob)
    since = last_id()
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    [entry] = new_entries(since)
    assert entry.user_id == bob.pk and families(entry) == [case.pk]
    page = signed_in(adam).get("/members/access-log/").content.decode()
    assert "bob@example.test" in page and case.reference in page


def test_an_a_number_search_adds_one_entry_without_the_number(alice, case):  # noqa: ANN001
    client = signed_in(alice)
    since = last_id()
    response = client.post("/api/v1/people/search/", {"a_number": "A 201 555 019"}, content_type="application/json")
    assert response.status_code == 200 and len(response.json()["results"]) == 1
    [entry] = new_entries(since)
    assert (entry.user_id, entry.kind, entry.via) == (alice.pk, "search", "api")
    assert families(entry) == [case.pk]
    assert_no_pii(entry)

    since = last_id()
    assert client.post("/cases/", {"a_number": "A-201-555-019"}).status_code == 200  # the families page's box
    [entry] = new_entries(since)
    assert (entry.kind, entry.via, entry.what) == ("search", "page", "search by A-number")
    assert families(entry) == [case.pk]
    assert_no_pii(entry)


def test_a_csv_export_adds_one_entry(olga, action, consented_case):  # noqa: ANN001, F811
    client = signed_in(olga)
    since = last_id()
    response = client.get(f"/api/v1/actions/{action.pk}/letters-csv/")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    [entry] = new_entries(since)
    assert (entry.user_id, entry.kind, entry.via, entry.what) == (olga.pk, "export", "api", "letters CSV")
    assert (entry.object_id, entry.organization_id) == (action.pk, action.organization_id)
    assert families(entry) == [consented_case.pk]
    assert_no_pii(entry)


def test_a_refused_read_adds_nothing(charlie, case):  # noqa: ANN001
    client = signed_in(charlie)
    since = last_id()
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert new_entries(since) == []


# --- Sign-in, failures, lockout, two-factor ----------------------------------------------------------

def test_sign_ins_failures_and_the_second_factor_are_logged(alice):  # noqa: ANN001
    device = authenticator(alice)
    since = last_id()
    client = Client()
    client.post("/accounts/login/", {"username": "alice@example.test", "password": "wrong"})
    client.post("/accounts/login/", {"username": "nobody@example.test", "password": "wrong"})
    client.post("/accounts/login/", {"username": "alice@example.test", "password": PASSWORD})
    client.post("/accounts/two-factor/", {"do": "verify", "code": "12345x"})
    client.post("/accounts/two-factor/", {"do": "verify", "code": fresh_code(device)})
    kinds = [(e.kind, e.user_id) for e in new_entries(since)]
    assert kinds == [("sign_in_failed", alice.pk), ("sign_in_failed", None), ("sign_in", alice.pk),
                     ("second_factor_failed", alice.pk), ("second_factor", alice.pk)]
    assert all(e.ip == "127.0.0.1" for e in new_entries(since))
    assert "nobody" not in str([e.what for e in new_entries(since)])


def test_a_lockout_is_logged(alice, settings):  # noqa: ANN001
    since = last_id()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "alice@example.test", "password": "wrong"})
    assert [e.user_id for e in new_entries(since) if e.kind == "locked_out"] == [alice.pk]


def test_two_factor_changes_are_logged(alice, adam, alpha):  # noqa: ANN001
    from accounts import two_factor

    since = last_id()
    device = two_factor.enrolment_start(user=alice)
    from .two_factor import code

    two_factor.enrolment_confirm(user=alice, device=device, code=code(device.key))
    two_factor.recovery_codes_new(user=alice)
    two_factor.two_factor_remove(user=alice, actor=adam)
    assert [(e.kind, e.user_id, e.what) for e in new_entries(since)] == [
        ("two_factor_changed", alice.pk, "authenticator set up"),
        ("two_factor_changed", alice.pk, "new recovery codes"),
        ("two_factor_changed", alice.pk, "reset by an admin")]


# --- The organisation admin's page ------------------------------------------------------------------

def test_the_admin_reads_the_log_filtered_by_member_and_family(adam, alice, olga, case, charlie, gamma):  # noqa: ANN001
    from tests import factories as f

    other = f.make_case(charlie, gamma, reference="GAM-001")
    signed_in(alice).get(f"/cases/{case.pk}/")
    signed_in(charlie).get(f"/cases/{other.pk}/")  # another organisation's family: not in Alpha's log
    admin = signed_in(adam)
    page = admin.get("/members/access-log/").content.decode()
    assert "alice@example.test" in page and "ALP-001" in page
    assert "charlie@example.test" not in page and "GAM-001" not in page
    for value in PII:
        assert value not in page
    by_olga = admin.get("/members/access-log/", {"user": olga.pk}).content.decode()
    assert by_olga.count('class="log-row"') == 0
    by_case = admin.get("/members/access-log/", {"case": case.pk}).content.decode()
    assert by_case.count('class="log-row"') == 1 and "alice@example.test" in by_case


@pytest.mark.parametrize("who", ["alice", "olga", "vera", "bob", "charlie"])
def test_nobody_but_the_organisations_admin_reads_its_log(request, who, adam, case):  # noqa: ANN001
    signed_in(adam).get(f"/cases/{case.pk}/")
    assert signed_in(request.getfixturevalue(who)).get("/members/access-log/").status_code == 404


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database-level rule exists on PostgreSQL only")
def test_the_database_refuses_to_change_or_delete_an_entry(alice, case):  # noqa: ANN001
    signed_in(alice).get(f"/cases/{case.pk}/")
    entry = AccessEvent.objects.latest("pk")
    for attempt in (lambda: AccessEvent.objects.filter(pk=entry.pk).update(what="nothing to see"),
                    lambda: AccessEvent.objects.filter(pk=entry.pk).delete(),
                    lambda: AccessEventCase.objects.filter(event=entry).update(case_id=0),
                    lambda: AccessEventCase.objects.filter(event=entry).delete()):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    entry.refresh_from_db()
    assert entry.what == "case page" and families(entry) == [case.pk]


@pytest.mark.parametrize(("params", "rows"), [({"case": "9" * 30}, 0), ({"case": "x"}, 0), ({"user": "9" * 30}, 0),
                                            ({"before": "9" * 30}, 1)])
def test_a_filter_no_row_could_match_is_answered_not_an_error(adam, alice, case, params, rows):  # noqa: ANN001
    # A family or member number no database row could have matches nothing; a cursor out of range
    # is ignored (the first page: alice's one read of the case).
    signed_in(alice).get(f"/cases/{case.pk}/")
    response = signed_in(adam).get("/members/access-log/", params)
    assert response.status_code == 200
    assert response.content.decode().count(">ALP-001</a>") == rows  # the entries naming the family
