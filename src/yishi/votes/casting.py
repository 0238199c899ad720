"""Voting online and by proxy: an elector casts a ballot and gets a receipt; a written proxy is recorded.

Each function runs in one transaction with its audit entry and refuses with a reason and a stable code.

**One vote per elector.** ``Participation`` is unique per (vote, elector) in the database, whatever the channel:
an online ballot, a paper ballot or a raised hand ticked off by staff, a proxy's vote. Of two simultaneous
submits one inserts, the other meets the unique index and is refused; nothing relies on ``select_for_update``
alone (which SQLite ignores; there, IMMEDIATE transactions queue writers instead).

**Secret ballots: what is and is not unlinkable.**
What we achieve: no stored column links a secret ballot to its voter. ``Ballot`` has no column referring to an
elector, a person or a participation (the schema test checks this), no time (a cast time could be matched to
the participation's), and a random UUID key. No ballot-level fact goes into the audit chain: the cast's entry
names the participation and the channel, never the option or the receipt. Ballots are not even inserted when
cast: when the vote opens, one blank ballot per elector is laid out with a random receipt code, in random
order, and a voter fills a blank chosen at random, so neither ids nor insertion order (SQLite's rowid included)
follow the order of voting. Receipt codes are published only after closing: a list growing while the vote is
open would date each receipt. ``NamedChoice`` (who voted how) is written only for open votes. An owners' vote
(by floor area) cannot be secret: a ballot's area would name the flat, and Art. 278 votes are signed anyway.
What we do not achieve: the server sees voter and choice together while it records a ballot, and anyone who
can read the database's own bookkeeping can link them. PostgreSQL stamps every row version with the id of the
transaction that wrote it (``xmin``); the participation and the ballot are written in one transaction, so that
a voter is never counted without a ballot or the reverse, and their ids are equal or adjacent (the participation
goes in through a savepoint, which takes the next id); tests/votes/test_secret_ballot.py shows the join. The
write-ahead log, the physical order of updated rows and statement logs carry the same link. Breaking it would
need ballots written later, in shuffled batches, by a separate process: a deliberate non-goal. A vote with few
voters, or where all voted alike, reveals choices by arithmetic, as any published count does; so does a paper
or show-of-hands channel with one voter. A proxy holder knows what they chose for their principal.

**Receipts (Helios-style, simplified).** Each online ballot returns a receipt code; the closed vote's public
page lists every receipt counted (with its choice for an open vote). A voter who finds their code knows their
ballot was counted, and anyone can check that the number of codes equals the online ballots counted. It does
not prove that the choice recorded is the one the voter made (for a secret vote the list shows no choices), nor
that the server added no ballots for electors who did not vote online: the participation list per channel is
the check on that, and the audit chain's head hash, published with the result, fixes every entry behind it.
"""

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi import figures_hooks
from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused, enforce
from yishi.people.actors import Actor, acting_person
from yishi.people.models import Person
from yishi.regions.models import Household
from yishi.uploads import clean_photo, new_token

from . import predicates
from .models import Ballot, Channel, Correction, CorrectionTarget, NamedChoice, Participation, Proxy, Vote
from .seats import already_voted, elector_of, locked, option_of


def _locked_shared(vote: Vote) -> Vote:
    """The vote, locked against closing but not against other voters.

    On PostgreSQL ``FOR SHARE``: ballots cast at once proceed together, while ``close_vote`` (``FOR UPDATE``)
    waits for them and a ballot arriving after it reads the vote closed. SQLite queues whole write
    transactions (IMMEDIATE), so a plain read is already consistent there.
    """
    if connection.vendor == "postgresql":
        # The lock and the read in one statement (the ORM has no FOR SHARE).
        found = list(
            Vote.objects.raw(f"SELECT * FROM {Vote._meta.db_table} WHERE id = %s FOR SHARE", [vote.pk])  # noqa: S608
        )
        if not found:
            raise Vote.DoesNotExist(vote.pk)
        shared = found[0]
    else:
        shared = Vote.objects.get(pk=vote.pk)
    if shared.region_id == vote.region_id and Vote.region.is_cached(vote):
        shared.region = vote.region  # a region never moves: the caller's copy is current
    return shared


def _require_open(vote: Vote) -> None:
    enforce(predicates.not_open(vote))


def _active_proxies(vote: Vote):
    voided = Correction.objects.filter(vote=vote, target=CorrectionTarget.PROXY).values_list(
        "target_id", flat=True
    )
    return vote.proxies.exclude(pk__in=[int(pk) for pk in voided])


# ---- casting online ---------------------------------------------------------------------------------------


def _blank_ballot(vote: Vote) -> Ballot:
    """A blank ballot drawn uniformly at random, locked for this voter (others skip it on PostgreSQL).

    Uniformly, not "the next receipt after a random code": that favours ballots after wide gaps, and the
    order of voting then shows through the order of receipts (a rank correlation above 0.6 in 1 of 300
    votes of 40). One statement draws and locks, so a voter never holds a blank it does not fill."""
    blanks = Ballot.objects.filter(vote=vote, option__isnull=True).order_by("?")
    if connection.features.has_select_for_update_skip_locked:
        blanks = blanks.select_for_update(skip_locked=True)
    chosen = blanks.first()
    if chosen is None:  # cannot happen: one blank per elector, one participation per elector
        raise Refused(_("No blank ballot is left for this vote."), "no_blank_ballot")
    return chosen


@transaction.atomic
def cast_ballot(
    *, actor: Actor, vote: Vote, option, household: Household | None = None, principal=None
) -> str:
    """An elector votes online and gets a receipt code. ``principal``: vote for them, holding their proxy."""
    voter = acting_person(actor)
    if voter is None:
        raise Refused(_("Log in to vote."), Refused.FORBIDDEN)
    vote = _locked_shared(vote)
    _require_open(vote)
    chosen = option_of(vote, option)
    proxy = None
    if principal is not None:
        elector = elector_of(vote, principal)
        if not vote.takes_proxies:
            raise Refused(_("This vote does not allow voting by proxy."), "proxies_not_allowed")
        proxy = next(
            (
                p
                for p in vote.proxies.filter(holder=voter, principal=elector).order_by("-pk")
                if not predicates.proxy_voided(p)
            ),
            None,
        )
        if proxy is None:
            raise Refused(
                _("No proxy for %(who)s has been recorded in your name.") % {"who": elector}, "no_proxy"
            )
        channel = Channel.PROXY
    else:
        elector = elector_of(vote, household if household is not None else voter)
        if elector.household_id is not None and not elector.voices.filter(person=voter).exists():
            raise Refused(_("You are not registered as a member of this household."), "not_an_elector")
        channel = Channel.ONLINE
    # One participation per elector is the unique index's to keep: a seat already used (online, on paper, or
    # by a second submission at the same moment) fails the insert, and is then read to say how it was used.
    try:
        with transaction.atomic():
            participation = Participation.objects.create(
                vote=vote, elector=elector, channel=channel, proxy=proxy, recorded_by=voter
            )
    except IntegrityError:
        earlier = Participation.objects.filter(vote=vote, elector=elector).first()
        if earlier is None:
            raise
        raise already_voted(earlier, actor if proxy is None else None) from None
    ballot = _blank_ballot(vote)
    filled = Ballot.objects.filter(pk=ballot.pk, option__isnull=True).update(
        option=chosen, cast_at=None if vote.secret else timezone.now()
    )
    if filled != 1:  # pragma: no cover - the blank was locked or the writers were queued
        raise RuntimeError("a blank ballot was filled twice")
    if not vote.secret:
        NamedChoice.objects.create(
            vote=vote,
            elector=elector,
            option=chosen,
            channel=channel,
            ballot_id=ballot.pk,
            recorded_by=voter,
        )
    # Nothing about the ballot itself: neither its option nor its receipt enters the chain.
    record(
        actor=actor,
        action=Action.VOTES_CAST_BALLOT,
        target=participation,
        data={"vote": vote.pk, "channel": channel, "proxy": proxy and proxy.pk},
    )
    figures_hooks.added(participation)
    return ballot.receipt


# ---- proxies ----------------------------------------------------------------------------------------------


@transaction.atomic
def record_proxy(*, actor: Actor, vote: Vote, holder: Person, principal, form_photo) -> Proxy:
    """Record a written authorisation: ``holder`` votes for ``principal``. ``form_photo``: the signed form."""
    vote = locked(vote)
    enforce(predicates.may_record_proxy(actor, vote))
    if not isinstance(holder, Person) or not holder.is_active:
        raise Refused(_("Name the person who will hold the proxy."), "holder_required", field="holder")
    elector = elector_of(vote, principal)
    if elector.person_id == holder.pk or elector.voices.filter(person=holder).exists():
        raise Refused(_("A voter cannot hold their own proxy."), "proxy_self", field="holder")
    earlier = Participation.objects.filter(vote=vote, elector=elector).first()
    if earlier is not None:
        raise already_voted(earlier)
    active = _active_proxies(vote)
    if active.filter(principal=elector).exists():
        raise Refused(
            _("A proxy for %(who)s is already recorded; correct it first to record another.")
            % {"who": elector},
            "proxy_exists",
        )
    held = active.filter(holder=holder).count()
    if held >= vote.proxy_cap:
        raise Refused(
            _("%(holder)s already holds %(n)s proxies, the most this vote allows.")
            % {"holder": holder, "n": held},
            "proxy_cap",
        )
    if form_photo is None:
        raise Refused(_("Add a photo of the signed proxy form."), "form_photo_required", field="form_photo")
    content, _width, _height = clean_photo(form_photo)
    proxy = Proxy(
        vote=vote, holder=holder, principal=elector, token=new_token(), recorded_by=acting_person(actor)
    )
    assert content.name is not None  # noqa: S101 - clean_photo names the file it makes
    proxy.form_photo.save(content.name, content, save=False)
    proxy.save()
    record(
        actor=actor,
        action=Action.VOTES_RECORD_PROXY,
        target=proxy,
        data={"vote": vote.pk, "holder": holder.pk, "principal": elector.pk},
    )
    return proxy
