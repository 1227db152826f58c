"""Finding a family by what an advocate remembers, typed as it comes: accents and capitals do not
matter ("mejia" finds Mejía), a sponsor's name or a docket finds the family too, and the words go
in a POST - never in a URL, where browser history and access logs would keep a family's name."""
import pytest

from cases import services
from tests import factories as f
from tests.cases.helpers import client_for
from tests.world import *  # noqa: F403  (the cast and the family, built once for the module)

from .test_case_pages import html, listed

pytestmark = pytest.mark.django_db


@pytest.fixture
def mejia(alice, alpha):  # noqa: ANN001, ANN201
    """A second Alpha family: Dulce Mejía Núñez, her sponsor Óscar Peña, a docket."""
    case = f.make_case(alice, alpha, reference="ALP-017")
    dulce = f.make_person(alice, case, role="parent", first_name="Dulce", last_name="Mejía Núñez")
    services.sponsor_create(actor=alice, case=case, person=None, name="Óscar Peña", category="2B")
    services.proceeding_create(actor=alice, case=case, person=dulce, kind="immigration_court", docket="A-SND-88310")
    return case


@pytest.mark.parametrize("typed", ["mejia", "MEJIA", "Mejía", "mejía", "nunez", "NÚÑEZ", "dulce mejia",
                                   "oscar pena", "Peña", "snd-88310", "alp-017"])
def test_a_family_is_found_whatever_the_accents_and_capitals(family, mejia, page_for, typed):  # noqa: ANN001
    body = html(page_for("alice").post("/cases/", {"text": typed}))
    assert listed(body, mejia), typed
    assert not listed(body, family.case), typed  # Ana's family matches none of these words


def test_every_word_must_match(family, mejia, page_for):  # noqa: ANN001
    assert not listed(html(page_for("alice").post("/cases/", {"text": "dulce ejemplo"})), mejia)


@pytest.mark.parametrize(("who", "finds"), [("alice", True), ("adam", True), ("olga", False), ("victor", False),
                                            ("charlie", False), ("vera", False)])
def test_names_sponsors_and_dockets_find_only_families_whose_names_the_reader_sees(family, mejia, page_for,
                                                                                  who, finds):  # noqa: ANN001
    client = page_for(who)
    for typed in ("mejia", "oscar", "88310"):
        assert listed(html(client.post("/cases/", {"text": typed})), mejia) is finds, typed
    # Its reference finds it for every reader of the family (the organizer reads it redacted).
    assert listed(html(client.post("/cases/", {"text": "ALP-017"})), mejia) is (who in ("alice", "adam", "olga"))


def test_a_name_in_the_url_is_refused(family, mejia, page_for):  # noqa: ANN001
    client = page_for("alice")
    for params in ({"q": "mejia"}, {"text": "mejia"}):
        response = client.get("/cases/", params)
        assert response.status_code == 400
        assert not listed(html(response), mejia)


def test_the_search_form_posts_and_keeps_the_words(family, mejia, page_for):  # noqa: ANN001
    client = page_for("alice")
    page = html(client.get("/cases/"))
    assert '<form method="post" class="filters inline-search" role="search"' in page
    assert 'value="mejia"' in html(client.post("/cases/", {"text": "mejia"}))


def test_the_api_searches_names_in_a_post_body(family, mejia, alice, olga):  # noqa: ANN001
    r = client_for(alice).post("/api/v1/cases/search/", {"text": "MEJIA"}, format="json")
    assert r.status_code == 200, r.content
    assert [row["reference"] for row in r.json()["results"]] == ["ALP-017"]
    redacted = client_for(olga).post("/api/v1/cases/search/", {"text": "mejia"}, format="json")
    assert redacted.json()["results"] == []
