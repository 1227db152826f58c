"""Reads of the advocacy domain, scoped to the caller. Every queryset of actions, submissions and
letters for staff starts from actions_with_perm (404 outside it); the public reads are the
published actions and their aggregate progress only."""
from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet, Sum

from accounts.models import User
from accounts.roles import VIEW_ACTION, VIEW_SUPPORTERS

from .models import (
    PENDING_STATUSES, Action, ActionCase, ActionShare, ActionStatus, Channel, DecisionMaker, Letter, LetterStatus,
    PdfBatch, Submission, Tally, TallyKind,
)
from .permissions import actions_with_perm


def visible_actions(*, user: User) -> QuerySet[Action]:
    return actions_with_perm(user, VIEW_ACTION)


def action_list(*, user: User) -> QuerySet[Action]:
    return visible_actions(user=user).select_related("organization").prefetch_related(
        Prefetch("action_cases", queryset=ActionCase.objects.only("id", "action_id", "case_id")),
        Prefetch("fixed_targets", queryset=DecisionMaker.objects.only("id")),
    )


def supporter_actions(*, user: User) -> QuerySet[Action]:
    """Actions whose supporters the user may see (their names, addresses and letters)."""
    return actions_with_perm(user, VIEW_SUPPORTERS)


def submission_list(*, user: User) -> QuerySet[Submission]:
    return Submission.objects.filter(action__in=supporter_actions(user=user).values("pk"))


def letter_list(*, user: User) -> QuerySet[Letter]:
    return Letter.objects.filter(action__in=supporter_actions(user=user).values("pk")).select_related(
        "decision_maker", "submission")


def batch_list(*, user: User) -> QuerySet[PdfBatch]:
    return PdfBatch.objects.filter(action__in=supporter_actions(user=user).values("pk")).select_related(
        "decision_maker")


def share_list(*, user: User) -> QuerySet[ActionShare]:
    return ActionShare.objects.filter(action__in=supporter_actions(user=user).values("pk")).select_related(
        "user", "organization")


def public_actions() -> QuerySet[Action]:
    """What /act/<slug>/ may show: published actions, and ended ones (which say so). Never drafts."""
    return Action.objects.filter(status__in=(ActionStatus.PUBLISHED, ActionStatus.CLOSED, ActionStatus.WON)) \
        .select_related("organization")


# What a submission reads of its action (the letters' texts are the worker's business).
SUBMIT_READS = ("id", "slug", "status", "deadline", "paused_reason", "languages", "supporter_editing",
                "target_senators", "target_representative", "target_case_officials", "version", "organization_id")


@dataclass(frozen=True)
class Progress:
    goal: int
    letters_sent: int
    pledges: int
    offline_letters: int
    counts_pledges: bool = True  # the action's goal_counts_pledges
    # The action's page only (not the lists): people who wrote, and their letters not sent yet
    # (on their way, or waiting for the organizers to print or send them).
    supporters: int = 0
    letters_waiting: int = 0

    @property
    def total(self) -> int:
        """What counts toward the goal: letters sent and handwritten letters received, and pledges
        when the organizer counts them."""
        return self.letters_sent + self.offline_letters + (self.pledges if self.counts_pledges else 0)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.total / self.goal)) if self.goal else 0


def progress(action: Action) -> Progress:
    """People who wrote; letters sent and waiting; pledges and offline letters; the total against
    the goal. Three queries: the letters by status (index on action, status), the people who wrote
    (index on action, email), the tallies by kind."""
    groups = Letter.objects.filter(action=action).values_list("status", "channel").annotate(n=Count("pk")).order_by()
    sent = waiting = 0
    for status, channel, n in groups:
        if status == LetterStatus.SENT:
            sent += n
        elif status in (*PENDING_STATUSES, LetterStatus.UNCONFIRMED) and channel != Channel.CONTACT_FORM:
            waiting += n  # (a contact form's letter is the supporter's to send: not ours to count as waiting)
    supporters = Submission.objects.filter(action=action).count()
    tallies = dict(Tally.objects.filter(action=action).values_list("kind").annotate(n=Sum("count")).order_by())
    return Progress(goal=action.goal, letters_sent=sent, pledges=tallies.get(TallyKind.PLEDGE, 0) or 0,
                    offline_letters=tallies.get(TallyKind.OFFLINE_LETTER, 0) or 0,
                    counts_pledges=action.goal_counts_pledges, supporters=supporters, letters_waiting=waiting)


@dataclass(frozen=True)
class Need:
    """Letters to one decision maker that wait for a person, and what that person does."""
    kind: str  # print | cwc | failed | unconfirmed | contact_form
    letters: int
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportRow:
    decision_maker: DecisionMaker
    counts: dict[str, int]
    needs: tuple[Need, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _needs(groups: list[dict]) -> tuple[Need, ...]:
    """What a person must do for one decision maker's letters, from their (status, channel, error)
    counts: print them, send them through CWC (no credentials), look into failures, check the
    unconfirmed, or know that supporters were sent to a contact form."""
    from .services.channels import automatic_channels

    by_kind: dict[str, list] = {}
    waiting = (LetterStatus.QUEUED, LetterStatus.RENDERED)
    for g in groups:
        status, channel = g["status"], g["channel"]
        kind = None
        if status in waiting and channel == Channel.PRINT:
            kind = "print"
        elif status == LetterStatus.RENDERED and channel == Channel.CWC and channel not in automatic_channels():
            kind = "cwc"
        elif status in waiting and channel == Channel.CONTACT_FORM:
            kind = "contact_form"
        elif status in (LetterStatus.FAILED, LetterStatus.UNCONFIRMED):
            kind = status
        if kind:
            entry = by_kind.setdefault(kind, [0, set()])
            entry[0] += g["n"]
            if g["last_error"] and kind == LetterStatus.FAILED:
                entry[1].add(g["last_error"])
    order = ["failed", "unconfirmed", "print", "cwc", "contact_form"]
    return tuple(Need(k, by_kind[k][0], tuple(sorted(by_kind[k][1]))) for k in order if k in by_kind)


def delivery_report(action: Action) -> list[ReportRow]:
    """Letters by decision maker and status, and what waits for a person. Two queries: the counts
    (grouped in the database by status, channel and failure reason), the decision makers they name."""
    rows = (Letter.objects.filter(action=action).values("decision_maker_id", "status", "channel", "last_error")
            .annotate(n=Count("pk")).order_by())
    by_dm: dict[int, dict[str, int]] = {}
    groups: dict[int, list[dict]] = {}
    for row in rows:
        counts = by_dm.setdefault(row["decision_maker_id"], dict.fromkeys(LetterStatus.values, 0))
        counts[row["status"]] += row["n"]
        groups.setdefault(row["decision_maker_id"], []).append(row)
    people = DecisionMaker.objects.select_related("field_office").in_bulk(list(by_dm))
    return sorted((ReportRow(people[pk], counts, _needs(groups[pk])) for pk, counts in by_dm.items()),
                  key=lambda r: (-r.total, r.decision_maker.salutation))


def referral_counts(action: Action) -> dict[str, int]:
    """How many supporters each referral code brought (codes, not people)."""
    return dict(Submission.objects.filter(action=action).exclude(referred_by="")
                .values_list("referred_by").annotate(n=Count("pk")).order_by())




def progress_for(actions: list[Action]) -> dict[int, Progress]:
    """Progress of a page of actions: two grouped queries, whatever the page's length."""
    ids = [a.pk for a in actions]
    sent = dict(Letter.objects.filter(action_id__in=ids, status=LetterStatus.SENT).values_list("action_id")
                .annotate(n=Count("pk")).order_by())
    tallies: dict[int, dict[str, int]] = {}
    for action_id, kind, n in (Tally.objects.filter(action_id__in=ids).values_list("action_id", "kind")
                               .annotate(n=Sum("count")).order_by()):
        tallies.setdefault(action_id, {})[kind] = n or 0
    return {a.pk: Progress(goal=a.goal, letters_sent=sent.get(a.pk, 0),
                           pledges=tallies.get(a.pk, {}).get(TallyKind.PLEDGE, 0),
                           offline_letters=tallies.get(a.pk, {}).get(TallyKind.OFFLINE_LETTER, 0),
                           counts_pledges=a.goal_counts_pledges) for a in actions}
