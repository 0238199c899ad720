"""Counting: who took part on paper or by show of hands, the staff's double-entered counts, closing a vote by
its frozen rule, corrections, and a result counted elsewhere recorded for the procedure's vote step.

Each function runs in one transaction with its audit entry and refuses with a reason and a stable code. One vote
per elector holds across channels by the unique index (see ``casting``): a voter ticked off on paper cannot also
vote online, nor the reverse.
"""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi import figures_hooks
from yishi.audit.actions import Action
from yishi.audit.chain import canonical_json
from yishi.audit.services import record
from yishi.errors import Refused, enforce
from yishi.matters.models import Matter
from yishi.people.actors import Actor, acting_person, person_of
from yishi.procedures import services as engine
from yishi.procedures.predicates import may_record_vote

from . import predicates, rules_math
from .counting import CountResult as _Count
from .counting import count as _count
from .counting import entries_of as _entries
from .counting import seated
from .drafting import rule_at
from .models import (
    TALLIED_CHANNELS,
    Channel,
    Correction,
    CorrectionTarget,
    NamedChoice,
    Option,
    Participation,
    Proxy,
    Status,
    TallyEntry,
    Vote,
    VoteResult,
)
from .queries import current_result
from .rules_math import ABSTAIN, NO, YES, Counts, TallyState
from .seats import already_voted, elector_of, frozen_digest, lock_matter, locked, option_of

# ---- recording a result counted elsewhere (kept for the procedure's vote step) ------------------------------


def _entitled(names, electorate: int, seated: int | None) -> list[str]:
    """The named list an electorate other than the seated body's needs: one name per person entitled."""
    names = [str(n).strip() for n in (names or []) if str(n).strip()]
    if seated is None or electorate == seated:
        return names
    if len(names) != electorate:
        raise Refused(
            _(
                "%(seated)s members sit in this body today. To record %(electorate)s as entitled to vote, list "
                "the %(electorate)s people who were, one name per line (%(listed)s given)."
            )
            % {"seated": seated, "electorate": electorate, "listed": len(names)},
            "entitled_list_required",
            field="entitled_names",
        )
    if len(set(names)) != len(names):
        raise Refused(
            _("A name appears twice in the list of who was entitled to vote."),
            "entitled_list_repeats",
            field="entitled_names",
        )
    return names


@transaction.atomic
def record_result(
    *,
    actor: Actor,
    matter: Matter,
    present: int,
    in_favour: int,
    against: int,
    abstain: int,
    electorate: int | None = None,
    body: str = "",
    entitled_names=(),
) -> VoteResult:
    """Record the decision on the plan as the body counted it elsewhere. The body is one the procedure's
    decision step names (its statute's rule, as the region sets it); the electorate is the body as seated today
    unless the list of who was entitled is given. A failed vote returns to drafting."""
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    enforce(may_record_vote(actor, matter))
    bodies = matter.step.bodies or ("eight_step",)
    body = body or bodies[0]
    if body not in bodies:
        raise Refused(
            _("At this step the decision is taken by: %(bodies)s.")
            % {"bodies": "、".join(str(rules_math.PRESETS[b].label) for b in bodies)},
            "wrong_body",
            field="body",
        )
    members = seated(body, matter.region)
    if electorate is None:
        electorate = members
    if electorate is None or electorate < 1:
        raise Refused(
            _("Give the number of people entitled to vote."), "electorate_required", field="electorate"
        )
    counts = (electorate, present, in_favour, against, abstain)
    if any(not isinstance(n, int) or n < 0 for n in counts):
        raise Refused(_("Counts must be whole numbers, zero or more."), "invalid_count")
    if present > electorate:
        raise Refused(
            _("More present than entitled to vote: check the numbers."),
            "present_exceeds_electorate",
            field="present",
        )
    if in_favour + against + abstain > present:
        raise Refused(
            _("More votes than people present: check the numbers."), "votes_exceed_present", field="in_favour"
        )
    names = _entitled(entitled_names, electorate, members)
    rule = rule_at(body, matter.region)
    decision = rules_math.decide(
        rule, Counts(electorate, present, {YES: in_favour, NO: against, ABSTAIN: abstain})
    )
    version = matter.plan_versions.order_by("-number").first()
    # Every procedure's vote step comes after a step whose evidence is a drafted plan; versions are kept.
    assert version is not None  # noqa: S101
    result = VoteResult.objects.create(
        matter=matter,
        version=version,
        electorate=electorate,
        present=present,
        in_favour=in_favour,
        against=against,
        abstain=abstain,
        body=body,
        **result_rule_fields(rule),
        seated=members,
        entitled_names=names,
        passed=decision.passed,
        recorded_by=acting_person(actor),
    )
    record(
        actor=actor,
        action=Action.VOTES_RECORD_RESULT,
        target=result,
        data={
            "matter": matter.pk,
            "version": version.number,
            "body": body,
            "seated": members,
            "electorate": electorate,
            "entitled_names": len(names),
            "present": present,
            "in_favour": in_favour,
            "against": against,
            "abstain": abstain,
            "passed": result.passed,
        },
    )
    if not result.passed:
        reason = _("The vote did not pass: %(why)s") % {"why": result.statement}
        engine.return_after_failure(actor=actor, matter=matter, reason=str(reason))
    return result


def result_rule_fields(rule: rules_math.Rule) -> dict:
    """A ``VoteResult``'s columns for the rule it was judged by."""
    return {
        "quorum_numerator": rule.quorum_numerator,
        "quorum_denominator": rule.quorum_denominator,
        "quorum_strict": rule.quorum_strict,
        "numerator": rule.threshold_numerator,
        "denominator": rule.threshold_denominator,
        "base": rule.base.value,
        "strict": rule.strict,
    }


# ---- paper and show of hands ------------------------------------------------------------------------------


def _tallied_channel(channel) -> Channel:
    if channel not in [c.value for c in TALLIED_CHANNELS]:
        raise Refused(
            _("Counts are entered for paper ballots or a show of hands."), "unknown_channel", field="channel"
        )
    return Channel(channel)


@transaction.atomic
def record_participation(
    *, actor: Actor, vote: Vote, channel: str, electors, choices=None
) -> list[Participation]:
    """Tick off who took part on paper or by show of hands, so that none of them can also vote online.

    ``choices`` (an open vote only): the named list of who voted how, elector → option key.
    """
    vote = locked(vote)
    enforce(predicates.may_record_participation(actor, vote))
    channel = _tallied_channel(channel)
    resolved = [elector_of(vote, who) for who in electors]
    if not resolved:
        raise Refused(_("Name at least one voter."), "electors_required", field="electors")
    if len({e.pk for e in resolved}) != len(resolved):
        raise Refused(_("A voter is named twice."), "elector_repeated", field="electors")
    named: dict[int, Option] = {}
    if choices:
        if vote.secret:
            raise Refused(
                _("A secret vote keeps no list of who voted how."), "named_in_secret", field="choices"
            )
        for who, option in dict(choices).items():
            elector = elector_of(vote, who)
            if elector.pk not in {e.pk for e in resolved}:
                raise Refused(
                    _("%(who)s is named with a choice but not ticked off as taking part.") % {"who": elector},
                    "named_not_taking_part",
                    field="choices",
                )
            named[elector.pk] = option_of(vote, option)
    if vote.by_area and len(named) != len(resolved):
        raise Refused(
            _("An owners' vote is counted by area: record each owner's choice by name."),
            "named_required",
            field="choices",
        )
    taken = {p.elector_id: p for p in Participation.objects.filter(vote=vote, elector__in=resolved)}
    for elector in resolved:
        if elector.pk in taken:
            raise already_voted(taken[elector.pk])
    recorder = acting_person(actor)
    try:
        with transaction.atomic():
            made = Participation.objects.bulk_create(
                [Participation(vote=vote, elector=e, channel=channel, recorded_by=recorder) for e in resolved]
            )
    except IntegrityError:
        taken = {p.elector_id: p for p in Participation.objects.filter(vote=vote, elector__in=resolved)}
        first = next((e for e in resolved if e.pk in taken), None)
        if first is None:
            raise
        raise already_voted(taken[first.pk]) from None
    NamedChoice.objects.bulk_create(
        [
            NamedChoice(vote=vote, elector_id=pk, option=option, channel=channel, recorded_by=recorder)
            for pk, option in named.items()
        ]
    )
    record(
        actor=actor,
        action=Action.VOTES_RECORD_PARTICIPATION,
        target=vote,
        data={"channel": channel, "electors": [e.pk for e in resolved], "named": sorted(named)},
    )
    figures_hooks.changed(vote)
    return made


def _clean_counts(vote: Vote, counts) -> dict[str, int]:
    keys = list(vote.options.order_by("position").values_list("key", flat=True))
    raw = {(k.key if isinstance(k, Option) else str(k)): v for k, v in dict(counts or {}).items()}
    unknown = set(raw) - set(keys)
    if unknown:
        raise Refused(_("That is not one of this vote's choices."), "unknown_option", field="counts")
    cleaned = {}
    for key in keys:
        value = raw.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise Refused(_("Counts must be whole numbers, zero or more."), "invalid_count", field="counts")
        cleaned[key] = value
    return cleaned


@transaction.atomic
def enter_tally(*, actor: Actor, vote: Vote, channel: str, counts) -> TallyEntry:
    """One member of staff's count of the paper ballots or raised hands: option key → votes.

    The count is accepted when a second, different member of staff enters the same figures. If the two
    disagree, both stay on record, neither counts, and the vote cannot close until two new entries agree.
    """
    vote = locked(vote)
    enforce(predicates.may_enter_tally(actor, vote))
    channel = _tallied_channel(channel)
    cleaned = _clean_counts(vote, counts)
    taking_part = vote.participations.filter(channel=channel).count()
    if sum(cleaned.values()) > taking_part:
        raise Refused(
            _("The count (%(n)s) is more than the %(m)s voters ticked off for this channel.")
            % {"n": sum(cleaned.values()), "m": taking_part},
            "tally_exceeds_participants",
            field="counts",
        )
    entries = _entries(vote, channel)
    state, _accepted = rules_math.tally_state(entries)
    if state == TallyState.ACCEPTED:
        raise Refused(
            _("This count has already been entered twice and accepted; a change is a correction."),
            "tally_accepted",
        )
    if state == TallyState.PENDING:
        first = max(entries, key=lambda e: (e.round, e.position))
        if first.entered_by == person_of(actor).pk:
            raise Refused(
                _("You entered the first count; a second member of staff must enter the check count."),
                "same_staff",
            )
        place = (first.round, 2)
    else:
        place = (max((e.round for e in entries), default=0) + 1, 1)
    try:
        with transaction.atomic():
            entry = TallyEntry.objects.create(
                vote=vote,
                channel=channel,
                round=place[0],
                position=place[1],
                counts=cleaned,
                entered_by=person_of(actor),
            )
    except IntegrityError:  # pragma: no cover - the vote row is locked
        raise Refused(
            _("Someone else has just entered this count; reload the page."), "stale_tally"
        ) from None
    agrees = None
    if place[1] == 2:
        state, _accepted = rules_math.tally_state(
            [*entries, rules_math.Entry(*place, person_of(actor).pk, cleaned)]
        )
        agrees = state == TallyState.ACCEPTED
    record(
        actor=actor,
        action=Action.VOTES_ENTER_TALLY,
        target=entry,
        data={
            "vote": vote.pk,
            "channel": channel,
            "round": place[0],
            "position": place[1],
            "counts": cleaned,
            "agrees": agrees,
        },
    )
    return entry


# ---- closing ----------------------------------------------------------------------------------------------


def _result_json(count: _Count, decision: rules_math.Decision) -> dict:
    c = count.counts
    result = {
        "electorate": c.electorate,
        "present": c.present,
        "counts": dict(c.choices),
        "blank": c.present - sum(c.choices.values()),
        "by_channel": count.by_channel,
        "receipts": len(count.receipts),
        "receipts_digest": hashlib.sha256("\n".join(count.receipts).encode()).hexdigest(),
        "decision": {
            "passed": decision.passed,
            "code": decision.code,
            "winner": decision.winner,
            "params": json.loads(canonical_json(dict(decision.params))),
        },
    }
    if c.electorate_weight:
        result["area"] = {
            "electorate": rules_math.area_text(c.electorate_weight),
            "present": rules_math.area_text(c.present_weight),
            "counts": {k: rules_math.area_text(v) for k, v in c.choice_weights.items()},
        }
    return result


@transaction.atomic
def close_vote(*, actor: Actor, vote: Vote) -> Vote:
    """Count every channel, decide by the frozen rule, publish the result with the audit chain's head.

    A vote on a matter's plan also writes the procedure's ``VoteResult`` (the vote step's evidence); a failed
    one sends the matter back to drafting. That is allowed only while the matter is at its vote step.
    """
    vote = locked(vote)
    matter = lock_matter(vote)
    # The channels' counts are checked by counting them, below: the refusal ``predicates.may_close`` gives.
    enforce(predicates.may_close(actor, vote, counted=False))
    if frozen_digest(vote) != vote.frozen_digest:
        raise Refused(
            _(
                "The vote's rule, options or electorate differ from what was frozen when it opened: it "
                "cannot close. Ask the system administrator to check the database."
            ),
            "frozen_changed",
        )
    count = _count(vote)
    decision = rules_math.decide(vote.rule, count.counts)
    result = _result_json(count, decision)
    winner = vote.options.get(key=decision.winner) if decision.winner else None
    vote_result = None
    if matter is not None:
        # A vote on a matter names its plan version (the constraint ``vote_matter_with_version``).
        assert vote.version_id is not None  # noqa: S101
        c = count.counts
        vote_result = VoteResult.objects.create(
            matter=matter,
            version_id=vote.version_id,
            electorate=c.electorate,
            present=c.present,
            in_favour=c.choices[YES],
            against=c.choices[NO],
            abstain=c.present - c.choices[YES] - c.choices[NO],
            body=vote.preset,
            **result_rule_fields(vote.rule),
            seated=c.electorate,  # the electorate frozen when the vote opened is the body as seated then
            passed=decision.passed,
            recorded_by=acting_person(actor),
        )
    now = timezone.now()
    updated = Vote.objects.filter(pk=vote.pk, status=Status.OPEN).update(
        status=Status.CLOSED,
        closed_at=now,
        closed_by=acting_person(actor),
        passed=decision.passed,
        result_code=decision.code,
        winner=winner,
        result=result,
    )
    if updated != 1:  # pragma: no cover - the row is locked
        raise Refused(_("Someone else has just closed this vote."), "vote_closed")
    entry = record(
        actor=actor,
        action=Action.VOTES_CLOSE_VOTE,
        target=vote,
        data={**result, "vote_result": vote_result and vote_result.pk, "winner": winner and winner.key},
    )
    figures_hooks.changed(vote)
    Vote.objects.filter(pk=vote.pk).update(audit_seq=entry.seq, audit_hash=entry.hash)
    vote.refresh_from_db()
    if matter is not None and not decision.passed:
        labels = {o.key: str(o.display) for o in vote.options.all()}
        reason = _("The vote did not pass: %(why)s") % {"why": decision.reason(labels)}
        engine.return_after_failure(actor=actor, matter=matter, reason=str(reason))
    return vote


# ---- corrections ------------------------------------------------------------------------------------------


@transaction.atomic
def correct(*, actor: Actor, vote: Vote, reason: str, proxy: Proxy | None = None, tallies=None) -> Correction:
    """A correction is a new record, signed and in the audit chain, pointing at what it corrects.

    ``proxy``: void an unused proxy (e.g. the principal withdrew it). ``tallies``: a recount of a closed vote's
    paper or show-of-hands count, channel → counts; the result is decided again by the frozen rule and shown
    beside the original. A recount that would turn a plan vote's outcome is refused: the matter has moved on
    by that outcome, and its procedure must be used instead.
    """
    vote = locked(vote)
    enforce(predicates.correcting(actor, vote))
    reason = str(reason or "").strip()
    if not reason:
        raise Refused(
            _("Give the reason for the correction; it is shown publicly."), "reason_required", field="reason"
        )
    if (proxy is None) == (tallies is None):
        raise Refused(_("Say what is corrected: a proxy, or a recount."), "correction_target_required")
    if proxy is not None:
        if proxy.vote_id != vote.pk:
            raise Refused(_("That proxy belongs to another vote."), "proxy_other_vote")
        proxy.vote = vote
        # Once closed, an unused proxy changes nothing: withdrawing it would only add noise.
        enforce(predicates.may_withdraw(actor, proxy))
        correction = Correction.objects.create(
            vote=vote,
            target=CorrectionTarget.PROXY,
            target_id=str(proxy.pk),
            reason=reason,
            signed_by=acting_person(actor),
        )
    else:
        correction = _recount(actor, vote, reason, tallies)
    entry = record(
        actor=actor,
        action=Action.VOTES_CORRECT,
        target=correction,
        data={
            "vote": vote.pk,
            "target": correction.target,
            "target_id": correction.target_id,
            "data": correction.data,
        },
    )
    Correction.objects.filter(pk=correction.pk).update(audit_hash=entry.hash)
    correction.audit_hash = entry.hash
    return correction


def _recount(actor: Actor, vote: Vote, reason: str, tallies) -> Correction:
    enforce(predicates.may_recount(actor, vote))
    if not tallies:
        raise Refused(_("Give the recounted figures."), "tallies_required", field="tallies")
    before = current_result(vote)
    by_channel = json.loads(json.dumps(before["by_channel"]))
    recounted = {}
    for channel, counts in dict(tallies).items():
        channel = _tallied_channel(channel)
        cleaned = _clean_counts(vote, counts)
        if sum(cleaned.values()) > by_channel[channel]["taking_part"]:
            raise Refused(
                _("The count is more than the voters ticked off for this channel."),
                "tally_exceeds_participants",
                field="tallies",
            )
        by_channel[channel]["counts"] = recounted[channel.value] = cleaned
    keys = list(vote.options.order_by("position").values_list("key", flat=True))
    choices = {k: sum(c["counts"][k] for c in by_channel.values()) for k in keys}
    counts = Counts(electorate=before["electorate"], present=before["present"], choices=choices)
    decision = rules_math.decide(vote.rule, counts)
    if vote.matter_id is not None and decision.passed != vote.passed:
        raise Refused(
            _(
                "The recount would change whether the plan passed. The matter has moved on by the "
                "original result: send it back through its procedure instead."
            ),
            "correction_changes_matter",
        )
    result = {
        **before,
        "counts": choices,
        "blank": counts.present - sum(choices.values()),
        "by_channel": by_channel,
        "decision": {
            "passed": decision.passed,
            "code": decision.code,
            "winner": decision.winner,
            "params": json.loads(canonical_json(dict(decision.params))),
        },
    }
    return Correction.objects.create(
        vote=vote,
        target=CorrectionTarget.RESULT,
        target_id=str(vote.pk),
        reason=reason,
        signed_by=acting_person(actor),
        data={"tallies": recounted, "result": result},
    )
