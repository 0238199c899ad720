"""Counting a vote's channels for its close: each tallied channel's accepted count, or why it cannot be counted
yet (a count waiting for its check, two entries that disagree, a count not entered). Reads only: the service
that closes a vote counts with these, and ``predicates.may_close`` asks them before offering to close.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from yishi.access.models import RoleAssignment
from yishi.access.roles import Role
from yishi.errors import Refused
from yishi.regions.models import Household, Level, within

from . import rules_math
from .models import TALLIED_CHANNELS, Ballot, Channel, ElectorateKind, NamedChoice, Vote
from .rules_math import Counts, TallyState


def hundredths(weight: Decimal) -> int:
    return int(weight * 100)


def entries_of(vote: Vote, channel: str) -> list[rules_math.Entry]:
    return [
        rules_math.Entry(e.round, e.position, e.entered_by_id, e.counts)
        for e in vote.tally_entries.filter(channel=channel)
    ]


@dataclass
class CountResult:
    counts: Counts
    by_channel: dict[str, dict]
    receipts: list[str]


def channel_counts(vote: Vote, channel: Channel, taking_part: int, keys: list[str]) -> dict[str, int]:
    """The accepted count of one tallied channel, or a refusal saying what is missing."""
    named = dict(
        NamedChoice.objects.filter(vote=vote, channel=channel)
        .values("option__key")
        .annotate(n=Count("pk"))
        .values_list("option__key", "n")
    )
    state, accepted = rules_math.tally_state(entries_of(vote, channel))
    label = Channel(channel).label
    if state == TallyState.PENDING:
        raise Refused(
            _(
                "The %(channel)s count has been entered once; a second member of staff must enter it "
                "before the vote can close."
            )
            % {"channel": label},
            "tally_pending",
        )
    if state == TallyState.MISMATCH:
        raise Refused(
            _(
                "The two entries of the %(channel)s count disagree. Count again and have it entered "
                "twice before the vote can close."
            )
            % {"channel": label},
            "tally_mismatch",
        )
    if state == TallyState.NONE:
        if sum(named.values()) == taking_part:
            accepted = {k: named.get(k, 0) for k in keys}
        else:
            raise Refused(
                _("%(n)s voters took part by %(channel)s but their count has not been entered.")
                % {"n": taking_part, "channel": label},
                "tally_missing",
            )
    # ACCEPTED carries its counts; NONE took them from the named list above; the other states refused.
    assert accepted is not None  # noqa: S101
    counts = {k: int(accepted.get(k, 0)) for k in keys}
    if sum(counts.values()) > taking_part:
        raise Refused(
            _("The %(channel)s count is more than the voters ticked off for it.") % {"channel": label},
            "tally_exceeds_participants",
        )
    if any(named.get(k, 0) > counts[k] for k in keys):
        raise Refused(
            _("The named list of the %(channel)s vote has more names for a choice than its count.")
            % {"channel": label},
            "named_exceeds_tally",
        )
    return counts


def count(vote: Vote) -> CountResult:
    keys = list(vote.options.order_by("position").values_list("key", flat=True))
    taking_part = dict(
        vote.participations.values("channel").annotate(n=Count("pk")).values_list("channel", "n")
    )
    online = dict(
        Ballot.objects.filter(vote=vote, option__isnull=False)
        .values("option__key")
        .annotate(n=Count("pk"))
        .values_list("option__key", "n")
    )
    online_voters = taking_part.get(Channel.ONLINE, 0) + taking_part.get(Channel.PROXY, 0)
    if sum(online.values()) != online_voters:
        raise Refused(
            _(
                "The online ballots (%(b)s) do not match the voters recorded online (%(p)s): the vote "
                "cannot close. Ask the system administrator to check the database."
            )
            % {"b": sum(online.values()), "p": online_voters},
            "count_mismatch",
        )
    online_counts = {k: online.get(k, 0) for k in keys}
    by_channel: dict[str, dict] = {
        Channel.ONLINE.value: {"taking_part": online_voters, "counts": online_counts}
    }
    choices = dict(online_counts)
    for channel in TALLIED_CHANNELS:
        n = taking_part.get(channel, 0)
        counts = channel_counts(vote, channel, n, keys) if n else dict.fromkeys(keys, 0)
        by_channel[channel.value] = {"taking_part": n, "counts": counts}
        for k in keys:
            choices[k] += counts[k]
    electors = list(vote.electors.values_list("pk", "weight"))
    present = sum(taking_part.values())
    weights: dict[str, Any] = {}  # Counts' *_weight fields, in owners' mode
    if vote.by_area:
        weight_of = {pk: hundredths(w) for pk, w in electors}
        took_part = vote.participations.values_list("elector_id", flat=True)
        named = list(NamedChoice.objects.filter(vote=vote).values_list("elector_id", "option__key"))
        if len(named) != present:
            raise Refused(
                _("An owners' vote is counted by area: every owner who took part needs a named choice."),
                "named_required",
            )
        area = dict.fromkeys(keys, 0)
        for elector_id, key in named:
            area[key] += weight_of[elector_id]
        weights = {
            "electorate_weight": sum(weight_of.values()),
            "present_weight": sum(weight_of[pk] for pk in took_part),
            "choice_weights": area,
        }
    receipts = sorted(
        Ballot.objects.filter(vote=vote, option__isnull=False).values_list("receipt", flat=True)
    )
    return CountResult(
        Counts(electorate=len(electors), present=present, choices=choices, **weights), by_channel, receipts
    )


# ---- the electorate ---------------------------------------------------------------------------------------


def electorate_people(vote: Vote) -> list[int]:
    if vote.electorate_kind == ElectorateKind.LIST:
        return sorted(vote.listed.filter(is_active=True).values_list("pk", flat=True))
    role = Role.REPRESENTATIVE if vote.electorate_kind == ElectorateKind.REPRESENTATIVES else vote.body_role
    holders = (
        RoleAssignment.objects.active()
        .filter(role=role, person__is_active=True)
        .filter(within(vote.region, "region"))
        .values_list("person_id", flat=True)
        .distinct()
    )
    return sorted(set(holders))


# The bodies whose members a roster counts: the representatives (a role held in the community), the households
# (the household roster). A villagers' or residents' meeting counted by heads has no roster of everyone aged 18.
_SEATED_BY_ROLE = {"eight_step": Role.REPRESENTATIVE, "village_representatives": Role.REPRESENTATIVE}
_SEATED_BY_HOUSEHOLD = {"village_assembly_households"}


def community_of(region):
    """The community (or village) a region belongs to: its body decides."""
    if region.level <= Level.COMMUNITY:
        return region
    return region.ancestors().filter(level=Level.COMMUNITY).first() or region


def seated(preset: str, region) -> int | None:
    """How many sit in ``preset``'s body at ``region``'s community today, or None where no roster counts them
    (a meeting by heads, or a community that has recorded none of the body's members yet)."""
    community = community_of(region)
    if preset in _SEATED_BY_ROLE:
        return (
            RoleAssignment.objects.active()
            .filter(role=_SEATED_BY_ROLE[preset], person__is_active=True)
            .filter(within(community, "region"))
            .values("person_id")
            .distinct()
            .count()
        ) or None
    if preset in _SEATED_BY_HOUSEHOLD:
        return Household.objects.filter(within(community, "region")).count() or None
    return None
