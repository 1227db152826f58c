"""No N+1, proven: advocacy lists and pages issue the same number of queries for a few rows as for
many, and the public form's hot path is counted query by query."""
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.cases.helpers import client_for

from .conftest import SUPPORTER, make_action, sign

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

AUTH = 3  # the session row; the user row; the authenticator that verified the session (django-otp)


def _count(fn) -> int:  # noqa: ANN001
    fn()  # warm-up: guardian caches a permission's content type per process
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code in (200, 302), getattr(response, "content", b"")[:500]
    return len(ctx.captured_queries)


def _supporters(action, n: int, start: int = 0) -> None:  # noqa: ANN001
    for i in range(start, start + n):
        sign(action, email=f"q{i}@example.org")


# GET /api/v1/actions/
ACTION_LIST = AUTH + 4
#   the page of actions, filtered by the permission rows (user's own UNION ALL their groups'), joined to organisation
#   their linked cases (prefetch)
#   their fixed targets (prefetch)
#   which actions the caller may change (only they see the linked families)

# GET /api/v1/actions/{id}/
ACTION_DETAIL = AUTH + 8
#   the action, permission-filtered, joined to organisation
#   its linked cases (prefetch); its fixed targets (prefetch)
#   letters by status (grouped: sent, and waiting); people who wrote (count); tallies by kind (sum)
#   the latest tallies
#   which actions the caller may change (only they see the linked families)

# GET /api/v1/letters/ and /api/v1/submissions/
LETTER_LIST = AUTH + 1  # the page, joined to decision maker and submission, for actions whose supporters you see
SUBMISSION_LIST = AUTH + 1  # the page, for actions whose supporters you see

# GET /api/v1/actions/{id}/report/
REPORT = AUTH + 9
#   the action (permission-filtered), its cases and fixed targets (prefetches, shared with the detail)
#   letters by decision maker, status, channel and failure reason (grouped); those decision makers
#   letters by status; people who wrote; tallies by kind
#   referrals by code

# GET /act/<slug>/ (anonymous)
PUBLIC_PAGE = 4
#   the published action, joined to organisation
#   letters by status (grouped: sent, and waiting)
#   people who wrote (count)
#   tallies by kind (sum)

# POST /act/<slug>/ (a new supporter, valid), once the process has looked up this ZIP code and this
# action's targets in the last minute (advocacy.targets reuses them: no query)
PUBLIC_SUBMIT = 5
#   the published action, joined to organisation (without the letter's texts)
#   [SAVEPOINT]; INSERT ... ON CONFLICT DO NOTHING the submission; INSERT the supporter's notice (their email, an
#   outbox row); [RELEASE SAVEPOINT]  (in production one transaction: BEGIN and COMMIT are not statements here)
#   (the delivery task, enqueued after the commit, creates the letters: off the supporter's request)
PUBLIC_SUBMIT_COLD = PUBLIC_SUBMIT + 4
#   the ZIP code's districts; the state's senators; the district's representative; the fixed targets


@pytest.fixture
def many_actions(olga, consented_case, congress, director):  # noqa: ANN001, ANN201
    def make(n: int) -> None:
        for _ in range(n):
            make_action(olga, [consented_case], fixed_targets=[director])
    return make


def test_action_list(olga, many_actions):  # noqa: ANN001
    api = client_for(olga)
    many_actions(2)
    few = _count(lambda: api.get("/api/v1/actions/"))
    many_actions(10)
    assert few == _count(lambda: api.get("/api/v1/actions/")) == ACTION_LIST


def test_action_detail_and_report(olga, action):  # noqa: ANN001
    api = client_for(olga)
    _supporters(action, 2)
    detail = _count(lambda: api.get(f"/api/v1/actions/{action.pk}/"))
    report = _count(lambda: api.get(f"/api/v1/actions/{action.pk}/report/"))
    _supporters(action, 10, start=2)
    assert detail == _count(lambda: api.get(f"/api/v1/actions/{action.pk}/")) == ACTION_DETAIL
    assert report == _count(lambda: api.get(f"/api/v1/actions/{action.pk}/report/")) == REPORT


def test_letter_and_submission_lists(olga, action):  # noqa: ANN001
    api = client_for(olga)
    _supporters(action, 2)
    letters, submissions = _count(lambda: api.get("/api/v1/letters/")), _count(lambda: api.get("/api/v1/submissions/"))
    _supporters(action, 15, start=2)
    assert letters == _count(lambda: api.get("/api/v1/letters/")) == LETTER_LIST
    assert submissions == _count(lambda: api.get("/api/v1/submissions/")) == SUBMISSION_LIST


def test_the_public_page(action):  # noqa: ANN001
    client = Client()
    _supporters(action, 2)
    few = _count(lambda: client.get(f"/act/{action.slug}/"))
    _supporters(action, 10, start=2)
    assert few == _count(lambda: client.get(f"/act/{action.slug}/")) == PUBLIC_PAGE


def test_the_public_submission(action):  # noqa: ANN001
    from advocacy.targets import clear_directory_caches

    emails = iter(f"p{i}@example.org" for i in range(10))
    # A new supporter each time: a browser of their own.
    assert _count(lambda: Client().post(f"/act/{action.slug}/", {**SUPPORTER, "email": next(emails)})) == PUBLIC_SUBMIT
    clear_directory_caches()
    with CaptureQueriesContext(connection) as ctx:
        assert Client().post(f"/act/{action.slug}/", {**SUPPORTER, "email": next(emails)}).status_code == 302
    assert len(ctx.captured_queries) == PUBLIC_SUBMIT_COLD


# POST /act/<slug>/ again from the same supporter's browser (their owner token), changing the note
PUBLIC_RESUBMIT = 6
#   the published action
#   their submission, by action, email and owner token
#   [SAVEPOINT]; UPDATE the submission; INSERT their notice (unless one waits); [RELEASE SAVEPOINT]
#   (then the delivery task re-makes the letters and emails them)


def test_the_same_supporter_resubmitting(action):  # noqa: ANN001
    browser = Client()
    assert browser.post(f"/act/{action.slug}/", SUPPORTER).status_code == 302
    notes = iter(f"Note {i}" for i in range(10))
    assert _count(lambda: browser.post(f"/act/{action.slug}/", {**SUPPORTER, "note": next(notes)})) == PUBLIC_RESUBMIT
