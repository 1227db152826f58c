"""A-numbers at rest are ciphertext; they are found only through the keyed blind index, by exact
number in any common formatting; a number seen in two of an organisation's cases is flagged."""
import pytest
from django.db import connection

from cases.models import Person
from tests import factories as f

from .helpers import client_for, refs

pytestmark = pytest.mark.django_db

PLAINTEXT_FORMS = ("201555019", "201-555-019", "A-201-555-019", "A201555019")


def raw_column(column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM cases_person")  # noqa: S608 - fixed column names
        return [row[0] for row in cursor.fetchall()]


def test_a_number_is_not_stored_in_plaintext(mother):
    stored = raw_column("a_number")
    assert any(stored), "the mother's A-number should be stored (encrypted)"
    for value in stored:
        for form in PLAINTEXT_FORMS:
            assert form not in value
    # The blind index is a keyed hash, not the number either.
    for value in raw_column("a_number_index"):
        for form in PLAINTEXT_FORMS:
            assert form not in value


def test_a_number_set_through_the_api_is_not_stored_in_plaintext(alice_api, case):
    r = alice_api.post("/api/v1/people/", {"case": case.pk, "role": "parent", "first_name": "Juan",
                                           "a_number": "A-207-555-123"})
    assert r.status_code == 201
    with connection.cursor() as cursor:
        cursor.execute("SELECT a_number FROM cases_person WHERE id = %s", [r.json()["id"]])
        (stored,) = cursor.fetchone()
    assert stored
    assert "207555123" not in stored and "207-555-123" not in stored


def test_advocate_sees_the_normalised_a_number(alice_api, case, mother):
    r = alice_api.get(f"/api/v1/people/{mother.pk}/")
    assert r.status_code == 200
    assert r.json()["a_number"] == "201555019"
    detail = alice_api.get(f"/api/v1/cases/{case.pk}/").json()
    assert {p["id"]: p["a_number"] for p in detail["people"]}[mother.pk] == "201555019"


def test_organizer_and_volunteer_see_no_a_number(olga, victor, case, mother):
    for user in (olga, victor):
        r = client_for(user).get(f"/api/v1/people/{mother.pk}/")
        assert r.status_code == 200
        assert r.json()["a_number"] is None
        assert r.json()["redacted"] is True


def test_eight_digit_a_number_is_zero_padded(alice_api, case):
    r = alice_api.post("/api/v1/people/", {"case": case.pk, "role": "parent", "first_name": "Juan",
                                           "a_number": "A-12-345-678"})
    assert r.status_code == 201, r.content
    assert r.json()["a_number"] == "012345678"
    assert [p["id"] for p in alice_api.post("/api/v1/people/search/", {"a_number": "012345678"}).json()["results"]] == [
        r.json()["id"]]


@pytest.mark.parametrize("typed", ["A201-555-019", "201555019", "a 201 555 019", "A-201-555-019", "201.555.019"])
def test_case_list_finds_the_family_by_exact_a_number_in_any_formatting(alice_api, case, typed):
    assert refs(alice_api.post("/api/v1/cases/search/", {"a_number": typed})) == {"ALP-001"}


def test_people_list_finds_the_person_by_exact_a_number(alice_api, mother):
    for typed in ("201555019", "A201-555-019"):
        r = alice_api.post("/api/v1/people/search/", {"a_number": typed})
        assert r.status_code == 200
        assert [p["id"] for p in r.json()["results"]] == [mother.pk]


def test_a_number_lookup_is_exact_not_partial(alice_api, case):
    assert refs(alice_api.post("/api/v1/cases/search/", {"a_number": "201555018"})) == set()
    assert alice_api.post("/api/v1/people/search/", {"a_number": "20155501"}).json()["results"] == []


@pytest.mark.parametrize("typed", ["A12-34", "ABCDEFGHI", "1234567890", "201555019; DROP TABLE"])
def test_malformed_a_number_search_is_400(alice_api, case, typed):
    for url in ("/api/v1/cases/search/", "/api/v1/people/search/"):
        r = alice_api.post(url, {"a_number": typed})
        assert r.status_code == 400, (url, r.content)
        assert "a_number" in r.json()


@pytest.mark.parametrize("url", ["/api/v1/cases/", "/api/v1/people/"])
def test_a_number_in_a_url_is_refused_not_ignored(alice_api, case, url):
    """An A-number in a query string lands in access logs; and silently ignoring the filter
    would hand back every family instead of the one asked for."""
    r = alice_api.get(url, {"a_number": "A-201-555-019"})
    assert r.status_code == 400
    assert "search/" in r.json()["a_number"][0]
    assert "201" not in r.json()["a_number"][0]


def test_a_number_lookup_never_reaches_another_organisations_case(as_user, charlie, case):
    assert refs(as_user(charlie).post("/api/v1/cases/search/", {"a_number": "201555019"})) == set()
    assert as_user(charlie).post("/api/v1/people/search/", {"a_number": "201555019"}).json()["results"] == []


# --- duplicates ---------------------------------------------------------------------------------
@pytest.fixture
def same_number_in_another_alpha_case(alice, alpha):  # noqa: ANN001, ANN201
    other = f.make_case(alice, alpha, reference="ALP-002")
    return f.make_person(alice, other, role="parent", first_name="Ana María", a_number="201 555 019")


@pytest.fixture
def same_number_in_a_beta_case(bob, beta):  # noqa: ANN001, ANN201
    other = f.make_case(bob, beta, reference="BETA-001")
    return f.make_person(bob, other, role="parent", first_name="Ana", a_number="A201555019")


def duplicate_flags(client, **params) -> dict[int, bool]:  # noqa: ANN001
    r = client.get("/api/v1/people/", params)
    assert r.status_code == 200
    return {p["id"]: p["a_number_duplicate"] for p in r.json()["results"]}


def test_same_a_number_in_two_cases_of_one_organisation_is_flagged_on_both(
        alice_api, mother, child, same_number_in_another_alpha_case):
    flags = duplicate_flags(alice_api)
    assert flags[mother.pk] is True
    assert flags[same_number_in_another_alpha_case.pk] is True
    assert flags[child.pk] is False  # no A-number: never a duplicate
    r = alice_api.get(f"/api/v1/people/{mother.pk}/")
    assert r.json()["a_number_duplicate"] is True


def test_both_cases_are_found_by_the_shared_a_number(alice_api, mother, same_number_in_another_alpha_case):
    assert refs(alice_api.post("/api/v1/cases/search/", {"a_number": "A-201-555-019"})) == {"ALP-001", "ALP-002"}


def test_case_detail_flags_the_duplicate_too(alice_api, case, mother, same_number_in_another_alpha_case):
    """The case page is where an advocate works; its people must carry the same flag as /people/."""
    detail = alice_api.get(f"/api/v1/cases/{case.pk}/").json()
    assert {p["id"]: p["a_number_duplicate"] for p in detail["people"]}[mother.pk] is True


def test_same_a_number_in_another_organisations_case_is_not_flagged(
        alice_api, bob, mother, same_number_in_a_beta_case):
    assert duplicate_flags(alice_api)[mother.pk] is False
    assert duplicate_flags(client_for(bob))[same_number_in_a_beta_case.pk] is False


def test_two_people_in_the_same_case_with_one_number_are_not_a_cross_case_duplicate(alice, alice_api, case, mother):
    # e.g. the number was typed on the wrong family member: a data-entry slip, not a second case.
    second = f.make_person(alice, case, role="other_relative", first_name="Tía", a_number="201555019")
    flags = duplicate_flags(alice_api)
    assert flags[mother.pk] is False and flags[second.pk] is False


def test_clearing_the_a_number_removes_it_and_its_index(alice_api, mother, same_number_in_another_alpha_case):
    r = alice_api.patch(f"/api/v1/people/{mother.pk}/", {"version": mother.version, "a_number": ""})
    assert r.status_code == 200, r.content
    assert r.json()["a_number"] == ""
    stored = Person.objects.values("a_number_index").get(pk=mother.pk)
    assert stored["a_number_index"] == ""
    assert duplicate_flags(alice_api)[same_number_in_another_alpha_case.pk] is False
