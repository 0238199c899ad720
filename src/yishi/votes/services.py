"""Every write about votes: create, open (freeze), cast, proxies, participation and tallies, close, correct.

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

import hashlib
import json
import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi import figures_hooks
from yishi.access.queries import require
from yishi.audit.actions import Action
from yishi.audit.chain import canonical_json
from yishi.audit.services import record
from yishi.errors import Refused, enforce
from yishi.matters.models import Matter
from yishi.matters.models import Status as MatterStatus
from yishi.people.models import Membership, Person, Relation
from yishi.procedures import services as engine
from yishi.procedures.predicates import may_record_vote
from yishi.regions.models import Household, Region, within
from yishi.regions.queries import rule_for
from yishi.uploads import clean_photo, new_token

from . import predicates, rules_math
from .counting import CountResult as _Count
from .counting import count as _count
from .counting import electorate_people as _snapshot_people
from .counting import entries_of as _entries
from .models import (
    BODY_ROLES,
    STANDARD_LABELS,
    TALLIED_CHANNELS,
    Ballot,
    Channel,
    Correction,
    CorrectionTarget,
    Elector,
    ElectorateKind,
    ElectorVoice,
    Kind,
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
from .rules_math import ABSTAIN, NO, YES, Counts, Method, Rule, TallyState, reaches

# ---- recording a result counted elsewhere (kept for the procedure's vote step) ------------------------------


@transaction.atomic
def record_result(
    *, actor, matter: Matter, electorate: int, present: int, in_favour: int, against: int, abstain: int
) -> VoteResult:
    """Record the representatives' vote on the plan (step 6) as counted. A failed vote returns to drafting."""
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    enforce(may_record_vote(actor, matter))
    counts = (electorate, present, in_favour, against, abstain)
    if any(not isinstance(n, int) or n < 0 for n in counts):
        raise Refused(_("Counts must be whole numbers, zero or more."), "invalid_count")
    if electorate < 1:
        raise Refused(
            _("Give the number of representatives entitled to vote."),
            "electorate_required",
            field="electorate",
        )
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
    numerator, denominator = eight_step_threshold(matter.region)
    version = matter.plan_versions.order_by("-number").first()
    result = VoteResult.objects.create(
        matter=matter,
        version=version,
        electorate=electorate,
        present=present,
        in_favour=in_favour,
        against=against,
        abstain=abstain,
        numerator=numerator,
        denominator=denominator,
        passed=reaches(in_favour, electorate, numerator, denominator),
        recorded_by=actor,
    )
    record(
        actor=actor,
        action=Action.VOTES_RECORD_RESULT,
        target=result,
        data={
            "matter": matter.pk,
            "version": version.number,
            "electorate": electorate,
            "present": present,
            "in_favour": in_favour,
            "against": against,
            "abstain": abstain,
            "passed": result.passed,
        },
    )
    if not result.passed:
        reason = _("The vote did not pass: %(yes)s of %(n)s in favour, %(need)s needed.") % {
            "yes": in_favour,
            "n": electorate,
            "need": -(-electorate * numerator // denominator),
        }
        engine.return_after_failure(actor=actor, matter=matter, reason=str(reason))
    return result


# ---- helpers ----------------------------------------------------------------------------------------------

RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to misread


def new_receipt() -> str:
    """12 random characters (60 bits), in three groups: "7KQ2-M9XA-3FHD"."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _person(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _locked(vote: Vote) -> Vote:
    return Vote.objects.select_for_update().get(pk=vote.pk)


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
        locked = found[0]
    else:
        locked = Vote.objects.get(pk=vote.pk)
    if locked.region_id == vote.region_id and Vote.region.is_cached(vote):
        locked.region = vote.region  # a region never moves: the caller's copy is current
    return locked


def _require_open(vote: Vote) -> None:
    enforce(predicates.not_open(vote))


def _option(vote: Vote, option) -> Option:
    key = option.key if isinstance(option, Option) and option.vote_id == vote.pk else option
    found = vote.options.filter(key=str(key)).order_by("pk").first() if isinstance(key, str | int) else None
    if found is None:
        raise Refused(_("That is not one of this vote's choices."), "unknown_option", field="option")
    return found


def _elector(vote: Vote, who) -> Elector:
    """The elector for an Elector, a Person (their own seat, or their only household) or a Household."""
    if isinstance(who, Elector):
        found = who if who.vote_id == vote.pk else None
    elif isinstance(who, Household):
        found = vote.electors.filter(household=who).first()
    elif isinstance(who, Person):
        own = vote.electors.filter(person=who).order_by("pk").first()
        if own is not None:
            found = own
        else:
            households = list(vote.electors.filter(voices__person=who).distinct()[:2])
            if len(households) > 1:
                raise Refused(
                    _("This person may vote for more than one household here: choose which."),
                    "choose_household",
                    field="household",
                )
            found = households[0] if households else None
    else:
        found = None
    if found is None:
        raise Refused(_("This person is not entitled to vote in this vote."), "not_an_elector")
    return found


def _already(participation: Participation, actor=None) -> Refused:
    """The refusal of a second vote by ``participation.elector``, addressed to the voter when it is them."""
    return predicates.already(participation.elector, participation.channel, actor)


def _active_proxies(vote: Vote):
    voided = Correction.objects.filter(vote=vote, target=CorrectionTarget.PROXY).values_list(
        "target_id", flat=True
    )
    return vote.proxies.exclude(pk__in=[int(pk) for pk in voided])


# ---- drafting ---------------------------------------------------------------------------------------------

_UNSET = object()


def _clean_question(question) -> str:
    question = " ".join(str(question or "").split())
    if not question or len(question) > 200:
        raise Refused(_("Ask the question in up to 200 characters."), "question_required", field="question")
    return question


def _clean_options(kind: str, options) -> list[Option]:
    if kind == Kind.YES_NO:
        if options:
            raise Refused(
                _("A yes/no vote has no options of its own."), "options_not_allowed", field="options"
            )
        return [
            Option(key=key, position=i, label=str(STANDARD_LABELS[key]))
            for i, key in enumerate((YES, NO, ABSTAIN), start=1)
        ]
    options = list(options or [])
    if len(options) < 2:
        raise Refused(_("A choice needs at least two options."), "options_required", field="options")
    cleaned = []
    for i, raw in enumerate(options, start=1):
        raw = raw if isinstance(raw, dict) else {"label": raw}
        label = " ".join(str(raw.get("label") or "").split())
        if not label or len(label) > 100:
            raise Refused(
                _("Option %(n)s needs a name of up to 100 characters.") % {"n": i},
                "option_label_required",
                field="options",
            )
        price = raw.get("price")
        if price not in (None, ""):
            try:
                price = Decimal(str(price)).quantize(Decimal("0.01"))
            except InvalidOperation:
                raise Refused(
                    _("Option %(n)s: the price must be a number of yuan.") % {"n": i},
                    "invalid_amount",
                    field="options",
                ) from None
            if price < 0:
                raise Refused(
                    _("Option %(n)s: the price cannot be negative.") % {"n": i},
                    "invalid_amount",
                    field="options",
                )
        else:
            price = None
        cleaned.append(
            Option(
                key=str(i),
                position=i,
                label=label,
                price=price,
                description=str(raw.get("description") or "").strip(),
            )
        )
    if len({o.label for o in cleaned}) != len(cleaned):
        raise Refused(_("Two options have the same name."), "option_label_repeated", field="options")
    cleaned.append(Option(key=ABSTAIN, position=len(cleaned) + 1, label=str(STANDARD_LABELS[ABSTAIN])))
    return cleaned


def eight_step_threshold(region: Region | None) -> tuple[int, int]:
    """The eight-step vote's threshold at ``region``: the region's own (or nearest ancestor's), else the city's."""
    value, _source = rule_for(
        region, "vote_threshold:eight_steps", (tuple(settings.YISHI_VOTE_THRESHOLD), "")
    )
    numerator, denominator = value
    return numerator, denominator


def _rule_for(preset: str, rule: Rule | None, region: Region | None = None) -> tuple[str, Rule]:
    if rule is not None:
        if not isinstance(rule, Rule):
            raise Refused(_("Unknown voting rule."), "unknown_rule", field="rule")
        return "", rule
    if preset not in rules_math.PRESETS:
        raise Refused(_("Unknown voting rule."), "unknown_rule", field="rule")
    chosen = rules_math.PRESETS[preset].rule
    if preset == "eight_step":
        # The city's setting for the eight-step vote (also what record_result applies).
        numerator, denominator = eight_step_threshold(region)
        chosen = Rule(threshold_numerator=numerator, threshold_denominator=denominator)
    return preset, chosen


def _rule_fields(rule: Rule) -> dict:
    return {
        "method": rule.method.value,
        "quorum_numerator": rule.quorum_numerator,
        "quorum_denominator": rule.quorum_denominator,
        "quorum_strict": rule.quorum_strict,
        "threshold_numerator": rule.threshold_numerator,
        "threshold_denominator": rule.threshold_denominator,
        "threshold_base": rule.base.value,
        "threshold_strict": rule.strict,
        "by_area": rule.by_area,
    }


def _check_setup(vote: Vote) -> None:
    """Refuse a combination of kind, rule, electorate and secrecy that cannot be run."""
    rule = vote.rule
    if vote.kind == Kind.YES_NO and rule.method != Method.THRESHOLD:
        raise Refused(
            _("A yes/no vote is decided by a threshold, not by the most votes."),
            "rule_kind_mismatch",
            field="rule",
        )
    if vote.kind == Kind.OPTIONS and rule.method != Method.PLURALITY:
        raise Refused(
            _("A choice among options is decided by the most votes."), "rule_kind_mismatch", field="rule"
        )
    if rule.by_area and vote.electorate_kind != ElectorateKind.HOUSEHOLDS:
        raise Refused(
            _("An owners' vote is counted by household: choose one voter per household."),
            "owners_vote_households",
            field="electorate",
        )
    if rule.by_area and vote.secret:
        raise Refused(
            _("An owners' vote cannot be secret: each ballot's floor area would show whose it is."),
            "owners_vote_open",
            field="secret",
        )
    if vote.electorate_kind == ElectorateKind.BODY and vote.body_role not in BODY_ROLES:
        raise Refused(_("Choose the body whose members vote."), "body_required", field="body_role")
    if vote.matter_id is not None and vote.kind != Kind.YES_NO:
        raise Refused(_("A vote on a plan is a yes/no vote."), "plan_vote_yes_no", field="kind")
    if not isinstance(vote.proxy_cap, int) or vote.proxy_cap < 1:
        raise Refused(
            _("A proxy holder must be allowed at least one proxy."), "invalid_proxy_cap", field="proxy_cap"
        )


@transaction.atomic
def create_vote(
    *,
    actor,
    region: Region,
    question: str,
    kind: str = Kind.YES_NO,
    options=(),
    electorate: str = ElectorateKind.REPRESENTATIVES,
    body_role: str = "",
    people=(),
    preset: str = "eight_step",
    rule: Rule | None = None,
    secret: bool = False,
    proxies_allowed: bool = False,
    proxy_cap: int = 3,
    secret_proxies: bool = False,
    matter: Matter | None = None,
    version=None,
    description: str = "",
) -> Vote:
    """A draft vote. ``options``: labels or dicts with label, price, description (for a choice among options).

    ``rule`` (a ``rules_math.Rule``) overrides ``preset``; ``people`` is the electorate of a LIST vote.
    A vote on a matter's plan names the matter (and the version, by default the latest).
    """
    require(actor, "votes.manage_vote", region)
    if kind not in Kind.values:
        raise Refused(_("Unknown kind of vote."), "unknown_kind", field="kind")
    if electorate not in ElectorateKind.values:
        raise Refused(_("Unknown electorate."), "unknown_electorate", field="electorate")
    preset, chosen = _rule_for(preset, rule, region)
    if matter is not None:
        matter = Matter.objects.select_for_update().get(
            pk=matter.pk
        )  # as it is now, not as the caller read it
        if matter.status != MatterStatus.OPEN:
            raise Refused(
                _("This matter is %(status)s; its plan is no longer voted on.")
                % {"status": matter.get_status_display()},
                "not_open",
                field="matter",
            )
        if not region.contains(matter.region):
            raise Refused(
                _("The vote must be held where the matter is, or above it."),
                "region_outside_matter",
                field="region",
            )
        if version is None:
            version = matter.plan_versions.order_by("-number").first()
        if version is None or version.matter_id != matter.pk:
            raise Refused(
                _("Name a plan version of this matter to vote on."), "version_required", field="version"
            )
    elif version is not None:
        raise Refused(
            _("A plan version is voted on together with its matter."), "matter_required", field="matter"
        )
    people = list(people or [])
    if people and electorate != ElectorateKind.LIST:
        raise Refused(
            _("A list of voters is given only for a vote by list."), "people_not_allowed", field="people"
        )
    vote = Vote(
        region=region,
        matter=matter,
        version=version,
        question=_clean_question(question),
        description=str(description or "").strip(),
        kind=kind,
        electorate_kind=electorate,
        body_role=body_role if electorate == ElectorateKind.BODY else "",
        preset=preset,
        **_rule_fields(chosen),
        secret=bool(secret),
        proxies_allowed=bool(proxies_allowed),
        proxy_cap=proxy_cap,
        secret_proxies=bool(secret_proxies),
        created_by=_person(actor),
    )
    _check_setup(vote)
    options = _clean_options(kind, options)
    vote.save()
    for option in options:
        option.vote = vote
    Option.objects.bulk_create(options)
    if people:
        vote.listed.set(people)
    record(
        actor=actor,
        action=Action.VOTES_CREATE_VOTE,
        target=vote,
        data={
            "region": region.pk,
            "matter": matter and matter.pk,
            "kind": kind,
            "electorate": electorate,
            "rule": _rule_fields(chosen),
            "secret": vote.secret,
            "options": [o.key for o in options],
        },
    )
    return vote


@transaction.atomic
def change_draft(
    *,
    actor,
    vote: Vote,
    question=_UNSET,
    description=_UNSET,
    options=_UNSET,
    people=_UNSET,
    preset=_UNSET,
    rule=_UNSET,
    secret=_UNSET,
    proxies_allowed=_UNSET,
    proxy_cap=_UNSET,
) -> Vote:
    """Change a draft. Once the vote is open nothing about its question, rule, options or electorate changes."""
    vote = _locked(vote)
    enforce(predicates.may_edit(actor, vote))
    changed = []
    if question is not _UNSET:
        vote.question = _clean_question(question)
        changed.append("question")
    if description is not _UNSET:
        vote.description = str(description or "").strip()
        changed.append("description")
    if preset is not _UNSET or rule is not _UNSET:
        vote.preset, chosen = _rule_for(
            vote.preset if preset is _UNSET else preset, None if rule is _UNSET else rule, vote.region
        )
        for name, value in _rule_fields(chosen).items():
            setattr(vote, name, value)
        changed.append("rule")
    for name, value in (("secret", secret), ("proxies_allowed", proxies_allowed), ("proxy_cap", proxy_cap)):
        if value is not _UNSET:
            setattr(vote, name, value)
            changed.append(name)
    _check_setup(vote)
    vote.save()
    if options is not _UNSET:
        cleaned = _clean_options(vote.kind, options)
        vote.options.all().delete()
        for option in cleaned:
            option.vote = vote
        Option.objects.bulk_create(cleaned)
        changed.append("options")
    if people is not _UNSET:
        if vote.electorate_kind != ElectorateKind.LIST:
            raise Refused(
                _("A list of voters is given only for a vote by list."), "people_not_allowed", field="people"
            )
        vote.listed.set(list(people))
        changed.append("people")
    record(actor=actor, action=Action.VOTES_CHANGE_DRAFT, target=vote, data={"changed": changed})
    return vote


# ---- opening: the electorate, rule and options freeze ------------------------------------------------------


def frozen_digest(vote: Vote) -> str:
    """A digest of everything that freezes at opening: rule, secrecy, proxies, options, electorate, voices."""
    fields = {
        name: getattr(vote, name)
        for name in (
            "question",
            "kind",
            "electorate_kind",
            "body_role",
            "method",
            "quorum_numerator",
            "quorum_denominator",
            "quorum_strict",
            "threshold_numerator",
            "threshold_denominator",
            "threshold_base",
            "threshold_strict",
            "by_area",
            "secret",
            "proxies_allowed",
            "proxy_cap",
            "secret_proxies",
            "matter_id",
            "version_id",
        )
    }
    body = {
        "vote": vote.pk,
        "fields": fields,
        "options": list(
            vote.options.order_by("position").values_list("key", "label", "price", "description")
        ),
        "electors": list(
            vote.electors.order_by("pk").values_list("pk", "person_id", "household_id", "weight")
        ),
        "voices": list(
            ElectorVoice.objects.filter(elector__vote=vote)
            .order_by("elector_id", "person_id")
            .values_list("elector_id", "person_id")
        ),
    }
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()


def _lock_matter(vote: Vote) -> Matter | None:
    """The matter a plan vote decides, locked (the predicates then check its step)."""
    if vote.matter_id is None:
        return None
    return Matter.objects.select_for_update().get(pk=vote.matter_id)


@transaction.atomic
def open_vote(*, actor, vote: Vote) -> Vote:
    """Open the vote: the electorate is taken as it stands now, and rule, options and electorate freeze."""
    vote = _locked(vote)
    _lock_matter(vote)
    enforce(predicates.may_open(actor, vote))
    _check_setup(vote)
    electors: list[Elector] = []
    voices: dict[int, list[int]] = {}
    if vote.electorate_kind == ElectorateKind.HOUSEHOLDS:
        households = list(Household.objects.filter(within(vote.region, "region")).order_by("pk"))
        members = Membership.objects.filter(household__in=households, person__is_active=True)
        if vote.by_area:
            members = members.filter(relation=Relation.OWNER)
        for household_id, person_id in members.values_list("household_id", "person_id"):
            voices.setdefault(household_id, []).append(person_id)
        electors = [
            Elector(vote=vote, household=h, weight=h.floor_area if vote.by_area else 1) for h in households
        ]
    else:
        electors = [Elector(vote=vote, person_id=pk) for pk in _snapshot_people(vote)]
    if not electors:  # pragma: no cover - ``predicates.empty_electorate`` refused it
        raise Refused(_("Nobody would be entitled to vote: the electorate is empty."), "empty_electorate")
    Elector.objects.bulk_create(electors, batch_size=1000)
    ElectorVoice.objects.bulk_create(
        [ElectorVoice(elector=e, person_id=p) for e in electors for p in voices.get(e.household_id, ())],
        batch_size=1000,
    )
    # One blank ballot per elector, receipt codes drawn at random and laid out in random order.
    receipts: set[str] = set()
    while len(receipts) < len(electors):
        receipts.add(new_receipt())
    blanks = [Ballot(vote=vote, receipt=code) for code in receipts]
    secrets.SystemRandom().shuffle(blanks)
    Ballot.objects.bulk_create(blanks, batch_size=1000)
    now = timezone.now()
    digest = frozen_digest(vote)
    Vote.objects.filter(pk=vote.pk, status=Status.DRAFT).update(
        status=Status.OPEN, opened_at=now, opened_by=_person(actor), frozen_digest=digest
    )
    vote.refresh_from_db()
    record(
        actor=actor,
        action=Action.VOTES_OPEN_VOTE,
        target=vote,
        data={
            "electorate": len(electors),
            "digest": digest,
            "rule": _rule_fields(vote.rule),
            "secret": vote.secret,
            "options": list(vote.options.values_list("key", flat=True)),
        },
    )
    return vote


# ---- casting online ---------------------------------------------------------------------------------------


def _blank_ballot(vote: Vote) -> Ballot:
    """A blank ballot chosen at random, locked for this voter (others skip it on PostgreSQL)."""
    blanks = Ballot.objects.filter(vote=vote, option__isnull=True)
    if connection.features.has_select_for_update_skip_locked:
        blanks = blanks.select_for_update(skip_locked=True)
    start = new_receipt()
    chosen = blanks.filter(receipt__gte=start).order_by("receipt").first()
    if chosen is None:
        chosen = blanks.filter(receipt__lt=start).order_by("receipt").first()
    if chosen is None:  # cannot happen: one blank per elector, one participation per elector
        raise Refused(_("No blank ballot is left for this vote."), "no_blank_ballot")
    return chosen


@transaction.atomic
def cast_ballot(*, actor, vote: Vote, option, household: Household | None = None, principal=None) -> str:
    """An elector votes online and gets a receipt code. ``principal``: vote for them, holding their proxy."""
    if _person(actor) is None:
        raise Refused(_("Log in to vote."), Refused.FORBIDDEN)
    vote = _locked_shared(vote)
    _require_open(vote)
    chosen = _option(vote, option)
    proxy = None
    if principal is not None:
        elector = _elector(vote, principal)
        if not vote.takes_proxies:
            raise Refused(_("This vote does not allow voting by proxy."), "proxies_not_allowed")
        proxy = next(
            (
                p
                for p in vote.proxies.filter(holder=actor, principal=elector).order_by("-pk")
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
        elector = _elector(vote, household if household is not None else actor)
        if elector.household_id is not None and not elector.voices.filter(person=actor).exists():
            raise Refused(_("You are not registered as a member of this household."), "not_an_elector")
        channel = Channel.ONLINE
    # One participation per elector is the unique index's to keep: a seat already used (online, on paper, or
    # by a second submission at the same moment) fails the insert, and is then read to say how it was used.
    try:
        with transaction.atomic():
            participation = Participation.objects.create(
                vote=vote, elector=elector, channel=channel, proxy=proxy, recorded_by=actor
            )
    except IntegrityError:
        earlier = Participation.objects.filter(vote=vote, elector=elector).first()
        if earlier is None:
            raise
        raise _already(earlier, actor if proxy is None else None) from None
    ballot = _blank_ballot(vote)
    filled = Ballot.objects.filter(pk=ballot.pk, option__isnull=True).update(
        option=chosen, cast_at=None if vote.secret else timezone.now()
    )
    if filled != 1:  # pragma: no cover - the blank was locked or the writers were queued
        raise RuntimeError("a blank ballot was filled twice")
    if not vote.secret:
        NamedChoice.objects.create(
            vote=vote, elector=elector, option=chosen, channel=channel, ballot_id=ballot.pk, recorded_by=actor
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
def record_proxy(*, actor, vote: Vote, holder: Person, principal, form_photo) -> Proxy:
    """Record a written authorisation: ``holder`` votes for ``principal``. ``form_photo``: the signed form."""
    vote = _locked(vote)
    enforce(predicates.may_record_proxy(actor, vote))
    if not isinstance(holder, Person) or not holder.is_active:
        raise Refused(_("Name the person who will hold the proxy."), "holder_required", field="holder")
    elector = _elector(vote, principal)
    if elector.person_id == holder.pk or elector.voices.filter(person=holder).exists():
        raise Refused(_("A voter cannot hold their own proxy."), "proxy_self", field="holder")
    earlier = Participation.objects.filter(vote=vote, elector=elector).first()
    if earlier is not None:
        raise _already(earlier)
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
    proxy = Proxy(vote=vote, holder=holder, principal=elector, token=new_token(), recorded_by=_person(actor))
    proxy.form_photo.save(content.name, content, save=False)
    proxy.save()
    record(
        actor=actor,
        action=Action.VOTES_RECORD_PROXY,
        target=proxy,
        data={"vote": vote.pk, "holder": holder.pk, "principal": elector.pk},
    )
    return proxy


# ---- paper and show of hands ------------------------------------------------------------------------------


def _tallied_channel(channel) -> Channel:
    if channel not in [c.value for c in TALLIED_CHANNELS]:
        raise Refused(
            _("Counts are entered for paper ballots or a show of hands."), "unknown_channel", field="channel"
        )
    return Channel(channel)


@transaction.atomic
def record_participation(*, actor, vote: Vote, channel: str, electors, choices=None) -> list[Participation]:
    """Tick off who took part on paper or by show of hands, so that none of them can also vote online.

    ``choices`` (an open vote only): the named list of who voted how, elector → option key.
    """
    vote = _locked(vote)
    enforce(predicates.may_record_participation(actor, vote))
    channel = _tallied_channel(channel)
    resolved = [_elector(vote, who) for who in electors]
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
            elector = _elector(vote, who)
            if elector.pk not in {e.pk for e in resolved}:
                raise Refused(
                    _("%(who)s is named with a choice but not ticked off as taking part.") % {"who": elector},
                    "named_not_taking_part",
                    field="choices",
                )
            named[elector.pk] = _option(vote, option)
    if vote.by_area and len(named) != len(resolved):
        raise Refused(
            _("An owners' vote is counted by area: record each owner's choice by name."),
            "named_required",
            field="choices",
        )
    taken = {p.elector_id: p for p in Participation.objects.filter(vote=vote, elector__in=resolved)}
    for elector in resolved:
        if elector.pk in taken:
            raise _already(taken[elector.pk])
    recorder = _person(actor)
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
        raise _already(taken[first.pk]) from None
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
def enter_tally(*, actor, vote: Vote, channel: str, counts) -> TallyEntry:
    """One member of staff's count of the paper ballots or raised hands: option key → votes.

    The count is accepted when a second, different member of staff enters the same figures. If the two
    disagree, both stay on record, neither counts, and the vote cannot close until two new entries agree.
    """
    vote = _locked(vote)
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
        if first.entered_by == actor.pk:
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
                entered_by=actor,
            )
    except IntegrityError:  # pragma: no cover - the vote row is locked
        raise Refused(
            _("Someone else has just entered this count; reload the page."), "stale_tally"
        ) from None
    agrees = None
    if place[1] == 2:
        state, _accepted = rules_math.tally_state([*entries, rules_math.Entry(*place, actor.pk, cleaned)])
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
def close_vote(*, actor, vote: Vote) -> Vote:
    """Count every channel, decide by the frozen rule, publish the result with the audit chain's head.

    A vote on a matter's plan also writes the procedure's ``VoteResult`` (the vote step's evidence); a failed
    one sends the matter back to drafting. That is allowed only while the matter is at its vote step.
    """
    vote = _locked(vote)
    matter = _lock_matter(vote)
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
        c = count.counts
        vote_result = VoteResult.objects.create(
            matter=matter,
            version_id=vote.version_id,
            electorate=c.electorate,
            present=c.present,
            in_favour=c.choices[YES],
            against=c.choices[NO],
            abstain=c.present - c.choices[YES] - c.choices[NO],
            numerator=vote.threshold_numerator,
            denominator=vote.threshold_denominator,
            passed=decision.passed,
            recorded_by=_person(actor),
        )
    now = timezone.now()
    updated = Vote.objects.filter(pk=vote.pk, status=Status.OPEN).update(
        status=Status.CLOSED,
        closed_at=now,
        closed_by=_person(actor),
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
def correct(*, actor, vote: Vote, reason: str, proxy: Proxy | None = None, tallies=None) -> Correction:
    """A correction is a new record, signed and in the audit chain, pointing at what it corrects.

    ``proxy``: void an unused proxy (e.g. the principal withdrew it). ``tallies``: a recount of a closed vote's
    paper or show-of-hands count, channel → counts; the result is decided again by the frozen rule and shown
    beside the original. A recount that would turn a plan vote's outcome is refused: the matter has moved on
    by that outcome, and its procedure must be used instead.
    """
    vote = _locked(vote)
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
            vote=vote, target=CorrectionTarget.PROXY, target_id=str(proxy.pk), reason=reason, signed_by=actor
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


def _recount(actor, vote: Vote, reason: str, tallies) -> Correction:
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
        signed_by=actor,
        data={"tallies": recounted, "result": result},
    )
