"""Reads about votes: what is open to a person, participation per channel, the public result and receipts."""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from yishi.access.queries import can, regions_where, require
from yishi.audit import receipts
from yishi.audit.actions import Action
from yishi.regions.models import Region, within
from yishi.regions.queries import RuleKey

from . import rules_math
from .models import (
    TALLIED_CHANNELS,
    Ballot,
    Channel,
    Correction,
    CorrectionTarget,
    Elector,
    ElectorVoice,
    NamedChoice,
    Participation,
    Proxy,
    Status,
    TallyEntry,
    Vote,
)

MANAGE = "votes.manage_vote"


def get_vote_for(user, vote_id: int, action: str | None = None) -> Vote:
    """A vote by id (``Vote.DoesNotExist`` when absent: a 404). ``action`` also checks authority (``Refused``).

    An opened vote is public. A draft is its organisers' until it opens (its question, rule and options may still
    change): to anyone who may not manage it, it does not exist.
    """
    vote = Vote.objects.select_related("region", "matter", "version").get(pk=vote_id)
    if vote.status == Status.DRAFT and not can(user, MANAGE, vote):
        raise Vote.DoesNotExist(vote_id)
    if action is not None:
        require(user, action, vote)
    return vote


# Who may read a vote: anyone, once it is opened; a draft is for the staff preparing it.
PUBLIC = ~Q(status=Status.DRAFT)


def public_votes(region: Region) -> QuerySet:
    """The opened and closed votes held at ``region`` and below, the most recently opened first."""
    return (
        Vote.objects.filter(within(region, "region"))
        .filter(PUBLIC)
        .select_related("region")
        .order_by("-opened_at", "-pk")
    )


def managed_votes(user) -> QuerySet:
    """Votes ``user`` may run (drafts included), open and draft first, then the most recent."""
    regions = regions_where(user, MANAGE)
    return (
        Vote.objects.filter(region__in=regions)
        .select_related("region")
        .order_by("closed_at", "-created_at", "-pk")
    )


def may_manage(user, vote: Vote) -> bool:
    return can(user, MANAGE, vote)


def rule_source(vote: Vote) -> tuple[str, str]:
    """The rule's name and where it comes from (the statute or the report), as shown beside the rule."""
    preset = rules_math.PRESETS.get(vote.preset)
    if preset is None:
        return str(_("A rule set for this vote")), str(_("set by the organisers of this vote"))
    return str(preset.label), preset.source


def region_rules() -> list[RuleKey]:
    """The vote rules a region may set for itself and below: each body's threshold and quorum (the statute's
    by default; the eight-step threshold's default is the city's setting)."""
    keys = []
    for preset in rules_math.PRESETS.values():
        rule = preset.rule
        if rule.method == rules_math.Method.THRESHOLD:
            default = (
                list(settings.YISHI_VOTE_THRESHOLD)
                if preset.key == "eight_step"
                else [rule.threshold_numerator, rule.threshold_denominator]
            )
            keys.append(
                RuleKey(
                    rules_math.threshold_key(preset.key),
                    _("%(body)s: share in favour needed to pass") % {"body": preset.label},
                    "fraction",
                    default,
                    preset.source,
                )
            )
        if rule.has_quorum:
            keys.append(
                RuleKey(
                    rules_math.quorum_key(preset.key),
                    _("%(body)s: share of the members who must take part") % {"body": preset.label},
                    "fraction",
                    [rule.quorum_numerator, rule.quorum_denominator],
                    preset.source,
                )
            )
    return keys


def _voided_proxy():
    """Correction rows that withdraw the proxy at ``OuterRef("pk")``."""
    return Correction.objects.filter(
        target=CorrectionTarget.PROXY, target_id=Cast(OuterRef("pk"), output_field=CharField())
    )


def active_proxies(vote: Vote) -> QuerySet:
    """The proxies of ``vote`` that have not been withdrawn by a correction."""
    return vote.proxies.exclude(Exists(_voided_proxy()))


def electors_of(vote: Vote, person) -> QuerySet:
    """The seats ``person`` may vote for in ``vote``: their own, and each household they speak for."""
    # A subquery, not a join: the join needs DISTINCT over every selected column (30 ms among 8,000 electors).
    spoken_for = ElectorVoice.objects.filter(person=person).values("elector")
    return vote.electors.filter(Q(person=person) | Q(pk__in=spoken_for))


def open_votes_for(person) -> QuerySet:
    """Open votes in which ``person`` may vote (as an elector, a household member or a proxy holder).

    Each is annotated ``voted``: whether every seat they may vote for themselves has been used.
    """
    if person is None or not person.is_authenticated:
        return Vote.objects.none()
    mine = Elector.objects.filter(Q(person=person) | Q(voices__person=person), vote=OuterRef("pk"))
    unused = mine.exclude(Exists(Participation.objects.filter(elector=OuterRef("pk"))))
    held = Proxy.objects.filter(vote=OuterRef("pk"), holder=person).exclude(Exists(_voided_proxy()))
    return (
        Vote.objects.filter(status=Status.OPEN)
        .filter(Exists(mine) | Exists(held))
        .annotate(voted=Exists(mine) & ~Exists(unused))
        .select_related("region")
        .order_by("opened_at", "pk")
    )


@dataclass
class Seat:
    """One vote ``person`` may cast in a vote: their own, a household's they speak for, or a principal's by proxy.

    ``key`` names it in a form or a request: "self", "h<household id>" or "p<elector id>".
    """

    key: str
    kind: str  # own | household | proxy
    elector: Elector
    label: str
    channel: str | None = None  # how this seat has taken part, if it has

    @property
    def used(self) -> bool:
        return self.channel is not None


def seats_for(vote: Vote, person) -> list[Seat]:
    """Every seat ``person`` may vote for in ``vote``, in a fixed number of queries."""
    if person is None or not person.is_authenticated:
        return []
    seats = []
    for e in electors_of(vote, person).select_related("person", "household__region").order_by("pk"):
        if e.person_id is not None:
            seats.append(Seat("self", "own", e, str(_("yourself"))))
        else:
            seats.append(
                Seat(
                    f"h{e.household_id}", "household", e, str(_("your household, %(h)s") % {"h": e.household})
                )
            )
    # A proxy is recorded only where the vote takes proxies, a rule frozen once it opens: otherwise none exist.
    proxies = active_proxies(vote).filter(holder=person) if vote.takes_proxies else Proxy.objects.none()
    for proxy in proxies.select_related("principal__person", "principal__household__region").order_by("pk"):
        seats.append(
            Seat(
                f"p{proxy.principal_id}",
                "proxy",
                proxy.principal,
                str(_("%(who)s, by proxy") % {"who": proxy.principal}),
            )
        )
    used = (
        dict(
            Participation.objects.filter(vote=vote, elector__in=[s.elector for s in seats]).values_list(
                "elector_id", "channel"
            )
        )
        if seats
        else {}
    )
    for seat in seats:
        seat.channel = used.get(seat.elector.pk)
    return seats


def find_seat(seats: list[Seat], key: str | None) -> Seat | None:
    """The seat named ``key``; without a key, the first not yet used."""
    if not key:
        return next((s for s in seats if not s.used), None)
    return next((s for s in seats if s.key == key), None)


def recorded_participations(vote: Vote, seats: list[Seat]) -> list[tuple[Seat, receipts.Recorded | None]]:
    """For each seat that took part, where the record holds its taking part (``audit.receipts.Recorded``, or
    None until a signed checkpoint holds it). The record holds that a seat voted, never what it chose."""
    taken = {
        p.elector_id: p
        for p in Participation.objects.filter(vote=vote, elector__in=[s.elector for s in seats])
    }
    return [
        (seat, receipts.recorded(taken[seat.elector.pk], Action.VOTES_CAST_BALLOT))
        for seat in seats
        if seat.elector.pk in taken
    ]


def participation_by_channel(vote: Vote) -> dict[str, int]:
    """How many electors took part through each channel (every channel named, zero included)."""
    counted = dict(vote.participations.values("channel").annotate(n=Count("pk")).values_list("channel", "n"))
    return {c.value: counted.get(c.value, 0) for c in Channel}


def tally_status(vote: Vote, channel: str) -> tuple[rules_math.TallyState, dict | None]:
    entries = [
        rules_math.Entry(e.round, e.position, e.entered_by_id, e.counts)
        for e in vote.tally_entries.filter(channel=channel)
    ]
    state, counts = rules_math.tally_state(entries)
    return state, (dict(counts) if counts is not None else None)


@dataclass
class ChannelTally:
    """One tallied channel as the staff page shows it. ``first_by``: who entered a count still waiting for its
    check; the figures of a waiting count are not shown, so that the second entry is made independently."""

    channel: str
    label: str
    taking_part: int
    state: str
    accepted: dict | None = None
    first_by: object = None
    disagreeing: list = field(default_factory=list)  # the two entries of a round that did not agree


def tally_overview(vote: Vote) -> list[ChannelTally]:
    """The double entry of every tallied channel, in two queries."""
    taking_part = participation_by_channel(vote)
    entries = list(
        TallyEntry.objects.filter(vote=vote)
        .select_related("entered_by")
        .order_by("channel", "round", "position")
    )
    out = []
    for channel in TALLIED_CHANNELS:
        mine = [e for e in entries if e.channel == channel]
        state, accepted = rules_math.tally_state(
            [rules_math.Entry(e.round, e.position, e.entered_by_id, e.counts) for e in mine]
        )
        row = ChannelTally(
            channel.value,
            str(channel.label),
            taking_part[channel.value],
            state.value,
            dict(accepted) if accepted is not None else None,
        )
        if state == rules_math.TallyState.PENDING:
            row.first_by = mine[-1].entered_by
        elif state == rules_math.TallyState.MISMATCH:
            latest = max(e.round for e in mine)
            row.disagreeing = [e for e in mine if e.round == latest]
        out.append(row)
    return out


def current_result(vote: Vote) -> dict:
    """The result as it stands: the latest recount if there is one, else the result written at closing."""
    latest = vote.corrections.filter(target=CorrectionTarget.RESULT).order_by("-signed_at", "-pk").first()
    return latest.data["result"] if latest is not None else vote.result


def counted_ballots(vote: Vote) -> QuerySet:
    """The online ballots counted, by receipt code; none before the vote closes (a list growing while voting
    runs would date each receipt). Their choices may be shown only for an open (not secret) vote."""
    if vote.status != Status.CLOSED:
        return Ballot.objects.none()
    ballots = Ballot.objects.filter(vote=vote, option__isnull=False).order_by("receipt")
    return ballots if vote.secret else ballots.select_related("option")


RECEIPT_FORMAT = re.compile(r"^[0-9A-Z]{12}$")


def normalize_receipt(text: str) -> str:
    """A receipt code as typed ("7kq2 m9xa 3fhd") in its printed form ("7KQ2-M9XA-3FHD"), or "" if it is not one."""
    raw = re.sub(r"[^0-9A-Za-z]", "", str(text or "")).upper()
    if not RECEIPT_FORMAT.match(raw):
        return ""
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def receipt_counted(vote: Vote, code: str) -> bool | None:
    """Whether a receipt code is among the ballots counted; ``None`` before the vote closes."""
    if vote.status != Status.CLOSED:
        return None
    code = normalize_receipt(code)
    return bool(code) and Ballot.objects.filter(vote=vote, option__isnull=False, receipt=code).exists()


def named_choices(vote: Vote) -> QuerySet:
    """Who voted how, for an open vote (online, by proxy, or on a named paper or show-of-hands list): public once
    the vote closes. Always empty for a secret vote."""
    if vote.secret or vote.status != Status.CLOSED:
        return NamedChoice.objects.none()
    return (
        NamedChoice.objects.filter(vote=vote)
        .select_related("elector__person", "elector__household__region", "option")
        .order_by("pk")
    )


def own_receipts(vote: Vote, person) -> list[tuple[str, str, str]]:
    """The receipts of the ballots ``person`` cast in an open (not secret) vote, with the seat and choice.

    A secret vote keeps no link from a voter to a ballot, so the system cannot find a secret receipt again:
    only the voter has it (the page keeps it in their browser).
    """
    if vote.secret or person is None or not person.is_authenticated:
        return []
    seats = electors_of(vote, person).values("pk")
    rows = (
        NamedChoice.objects.filter(vote=vote, ballot__isnull=False)
        .filter(Q(elector__in=seats) | Q(channel=Channel.PROXY, recorded_by=person))
        .select_related("ballot", "option", "elector__person", "elector__household__region")
        .order_by("pk")
    )
    out = []
    for n in rows:
        own = n.channel != Channel.PROXY and n.elector.person_id == person.pk
        who = str(_("yourself")) if own else str(n.elector)
        out.append((who, n.ballot.receipt, str(n.option.display)))
    return out


def participants(vote: Vote) -> QuerySet:
    """Who has taken part and by which channel (never how they voted): for the staff who tick people off."""
    return (
        Participation.objects.filter(vote=vote)
        .select_related("elector__person", "elector__household__region")
        .order_by("channel", "pk")
    )


def electors_waiting(vote: Vote) -> QuerySet:
    """The electors who have not taken part yet, for the staff's paper and show-of-hands lists."""
    return (
        vote.electors.exclude(Exists(Participation.objects.filter(elector=OuterRef("pk"))))
        .select_related("person", "household__region")
        .order_by("pk")
    )


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


def public_result(vote: Vote, *, lists: bool = True) -> PublicResult:
    """What anyone may see of a vote: rule, participation, and once closed the counts, decision and receipts.

    ``lists=False`` leaves out the receipts and the named list, which grow with the electorate: the pages show
    them a page at a time (``counted_ballots``, ``named_choices``).
    """
    options = list(vote.options.order_by("position"))
    labels = {o.key: str(o.display) for o in options}
    out = PublicResult(
        vote=vote,
        status=vote.status,
        rule=vote.rule.describe(),
        electorate=vote.electors.count(),
        taking_part=participation_by_channel(vote),
        tallies={c.value: tally_status(vote, c)[0].value for c in TALLIED_CHANNELS},
    )
    if vote.status != Status.CLOSED:
        return out
    result = current_result(vote)
    decision = rules_math.Decision(
        result["decision"]["passed"],
        result["decision"]["code"],
        result["decision"]["params"],
        result["decision"]["winner"],
    )
    out.closed = True
    out.counts = [(o.key, labels[o.key], result["counts"].get(o.key, 0)) for o in options]
    out.blank = result["blank"]
    out.passed = decision.passed
    out.reason = decision.reason(labels)
    out.winner = labels.get(decision.winner) if decision.winner else None
    out.audit_seq, out.audit_hash = vote.audit_seq, vote.audit_hash
    out.corrections = list(vote.corrections.select_related("signed_by").order_by("signed_at", "pk"))
    out.corrected = any(c.target == CorrectionTarget.RESULT for c in out.corrections)
    if lists:
        out.receipts = receipts_counted(vote)
        out.named = [(str(n.elector), str(n.option.display), n.channel) for n in named_choices(vote)]
    return out


@dataclass
class TallyToEnter:
    """A paper or show-of-hands count that waits on staff: a first entry waiting for its check by someone else,
    or two entries that disagreed and must be counted again."""

    vote: Vote
    channel: str
    label: str
    state: str  # pending | mismatch
    first_by: object = None


def tallies_to_enter(user) -> list[TallyToEnter]:
    """Open votes where ``user`` enters counts and a count waits on them, in two queries whatever their number.

    A first entry that ``user`` made is left out: the check must be entered by a different member of staff.
    """
    if user is None or not user.is_authenticated:
        return []
    votes = list(
        Vote.objects.filter(
            status=Status.OPEN, region__in=regions_where(user, "votes.enter_tally"), by_area=False
        )
        .filter(Exists(TallyEntry.objects.filter(vote=OuterRef("pk"))))
        .select_related("region")
        .order_by("opened_at", "pk")
    )
    entries: dict[tuple[int, str], list[TallyEntry]] = {}
    for e in (
        TallyEntry.objects.filter(vote__in=votes)
        .select_related("entered_by")
        .order_by("vote_id", "channel", "round", "position")
    ):
        entries.setdefault((e.vote_id, e.channel), []).append(e)
    out = []
    for vote in votes:
        for channel in TALLIED_CHANNELS:
            mine = entries.get((vote.pk, channel.value), [])
            state, _counts = rules_math.tally_state(
                [rules_math.Entry(e.round, e.position, e.entered_by_id, e.counts) for e in mine]
            )
            if state == rules_math.TallyState.PENDING and mine[-1].entered_by_id != user.pk:
                out.append(
                    TallyToEnter(vote, channel.value, str(channel.label), state.value, mine[-1].entered_by)
                )
            elif state == rules_math.TallyState.MISMATCH:
                out.append(TallyToEnter(vote, channel.value, str(channel.label), state.value))
    return out
