"""Reads about votes: what is open to a person, participation per channel, the public result and receipts."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from yishi.access.queries import require

from . import rules_math
from .models import (
    TALLIED_CHANNELS,
    Ballot,
    Channel,
    CorrectionTarget,
    Elector,
    NamedChoice,
    Participation,
    Status,
    Vote,
)


def get_vote_for(user, vote_id: int, action: str | None = None) -> Vote:
    """A vote by id (``Vote.DoesNotExist`` when absent: a 404). Votes are public; ``action`` also checks authority."""
    vote = Vote.objects.select_related("region", "matter", "version").get(pk=vote_id)
    if action is not None:
        require(user, action, vote)
    return vote


def electors_of(vote: Vote, person) -> QuerySet:
    """The seats ``person`` may vote for in ``vote``: their own, and each household they speak for."""
    return vote.electors.filter(Q(person=person) | Q(voices__person=person)).distinct()


def open_votes_for(person) -> QuerySet:
    """Open votes in which ``person`` may vote (as an elector, a household member or a proxy holder).

    Each is annotated ``voted``: whether every seat they may vote for themselves has been used.
    """
    if person is None or not person.is_authenticated:
        return Vote.objects.none()
    mine = Elector.objects.filter(Q(person=person) | Q(voices__person=person), vote=OuterRef("pk"))
    unused = mine.exclude(Exists(Participation.objects.filter(elector=OuterRef("pk"))))
    return (
        Vote.objects.filter(status=Status.OPEN)
        .filter(Exists(mine) | Q(proxies__holder=person))
        .annotate(voted=Exists(mine) & ~Exists(unused))
        .distinct()
        .order_by("opened_at", "pk")
    )


def participation_by_channel(vote: Vote) -> dict[str, int]:
    """How many electors took part through each channel (every channel named, zero included)."""
    counted = dict(vote.participations.values("channel").annotate(n=Count("pk")).values_list("channel", "n"))
    return {c.value: counted.get(c.value, 0) for c in Channel}


def tally_status(vote: Vote, channel: str) -> tuple[rules_math.TallyState, dict | None]:
    entries = [rules_math.Entry(e.round, e.position, e.entered_by_id, e.counts)
               for e in vote.tally_entries.filter(channel=channel)]
    state, counts = rules_math.tally_state(entries)
    return state, (dict(counts) if counts is not None else None)


def current_result(vote: Vote) -> dict:
    """The result as it stands: the latest recount if there is one, else the result written at closing."""
    latest = vote.corrections.filter(target=CorrectionTarget.RESULT).order_by("-signed_at", "-pk").first()
    return latest.data["result"] if latest is not None else vote.result


def receipts_counted(vote: Vote) -> list[tuple[str, str | None]]:
    """The receipt codes of the online ballots counted, sorted; with each choice only for an open vote.

    Published once the vote is closed: a list growing while voting runs would date each receipt.
    """
    if vote.status != Status.CLOSED:
        return []
    ballots = Ballot.objects.filter(vote=vote, option__isnull=False).order_by("receipt")
    if vote.secret:
        return [(code, None) for code in ballots.values_list("receipt", flat=True)]
    return [(b.receipt, str(b.option.display)) for b in ballots.select_related("option")]


@dataclass
class PublicResult:
    vote: Vote
    status: str
    rule: str
    electorate: int
    taking_part: dict[str, int]
    closed: bool = False
    counts: list[tuple[str, str, int]] = field(default_factory=list)  # key, label, votes
    blank: int = 0
    passed: bool | None = None
    reason: str = ""
    winner: str | None = None
    receipts: list[tuple[str, str | None]] = field(default_factory=list)
    audit_seq: int | None = None
    audit_hash: str = ""
    corrected: bool = False
    corrections: list = field(default_factory=list)
    named: list[tuple[str, str, str]] = field(default_factory=list)  # who, choice, channel: open votes only
    tallies: dict[str, str] = field(default_factory=dict)  # channel -> double-entry state


def public_result(vote: Vote) -> PublicResult:
    """What anyone may see of a vote: rule, participation, and once closed the counts, decision and receipts."""
    options = list(vote.options.order_by("position"))
    labels = {o.key: str(o.display) for o in options}
    out = PublicResult(
        vote=vote, status=vote.status, rule=vote.rule.describe(), electorate=vote.electors.count(),
        taking_part=participation_by_channel(vote),
        tallies={c.value: tally_status(vote, c)[0].value for c in TALLIED_CHANNELS},
    )
    if vote.status != Status.CLOSED:
        return out
    result = current_result(vote)
    decision = rules_math.Decision(result["decision"]["passed"], result["decision"]["code"],
                                   result["decision"]["params"], result["decision"]["winner"])
    out.closed = True
    out.counts = [(o.key, labels[o.key], result["counts"].get(o.key, 0)) for o in options]
    out.blank = result["blank"]
    out.passed = decision.passed
    out.reason = decision.reason(labels)
    out.winner = labels.get(decision.winner) if decision.winner else None
    out.receipts = receipts_counted(vote)
    out.audit_seq, out.audit_hash = vote.audit_seq, vote.audit_hash
    out.corrections = list(vote.corrections.order_by("signed_at", "pk"))
    out.corrected = any(c.target == CorrectionTarget.RESULT for c in out.corrections)
    if not vote.secret:
        out.named = [(str(n.elector), str(n.option.display), n.channel) for n in
                     NamedChoice.objects.filter(vote=vote).select_related("elector__person", "elector__household",
                                                                            "option")]
    return out
