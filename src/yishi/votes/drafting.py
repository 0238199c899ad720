"""Drafting a vote and opening it: the question, options, rule and electorate are set while it is a draft, and
freeze when it opens; the electorate is taken as it stands at that moment (one seat per elector) and one blank
ballot is laid out per seat. Each function runs in one transaction with its audit entry.
"""

import dataclasses
import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi.access.queries import require
from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused, enforce
from yishi.matters.models import Matter
from yishi.matters.models import Status as MatterStatus
from yishi.people.actors import Actor, acting_person
from yishi.people.models import Membership, Relation
from yishi.regions.models import Household, Region, within
from yishi.regions.queries import rule_for

from . import predicates, rules_math
from .counting import electorate_people as _snapshot_people
from .models import (
    BODY_ROLES,
    STANDARD_LABELS,
    Ballot,
    Elector,
    ElectorateKind,
    ElectorVoice,
    Kind,
    Option,
    Status,
    Vote,
)
from .rules_math import ABSTAIN, NO, YES, Method, Rule
from .seats import frozen_digest, lock_matter, locked, new_receipt

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
    rule = rule_at("eight_step", region)
    return rule.threshold_numerator, rule.threshold_denominator


def rule_at(preset: str, region: Region | None) -> Rule:
    """The rule of ``preset`` as it holds at ``region``: the statute's, with the quorum and threshold a region
    (or its nearest ancestor) has set in its rules (``/r/<id>/rules/``). The eight-step threshold's default is
    the city's setting."""
    rule = rules_math.PRESETS[preset].rule
    default = (
        tuple(settings.YISHI_VOTE_THRESHOLD)
        if preset == "eight_step"
        else (rule.threshold_numerator, rule.threshold_denominator)
    )
    if rule.method == rules_math.Method.THRESHOLD:
        (n, d), _source = rule_for(region, rules_math.threshold_key(preset), (default, ""))
        rule = dataclasses.replace(rule, threshold_numerator=n, threshold_denominator=d)
    if rule.has_quorum:
        default_quorum = (rule.quorum_numerator, rule.quorum_denominator)
        (n, d), _source = rule_for(region, rules_math.quorum_key(preset), (default_quorum, ""))
        rule = dataclasses.replace(rule, quorum_numerator=n, quorum_denominator=d)
    return rule


def _rule_for(preset: str, rule: Rule | None, region: Region | None = None) -> tuple[str, Rule]:
    if rule is not None:
        if not isinstance(rule, Rule):
            raise Refused(_("Unknown voting rule."), "unknown_rule", field="rule")
        return "", rule
    if preset not in rules_math.PRESETS:
        raise Refused(_("Unknown voting rule."), "unknown_rule", field="rule")
    return preset, rule_at(preset, region)


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
    actor: Actor,
    region: Region,
    question: str,
    kind: str = Kind.YES_NO,
    options=(),
    electorate: str = ElectorateKind.REPRESENTATIVES,
    body_role: str = "",
    people=(),
    preset: str = "",
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
    bodies = matter.procedure.bodies if matter is not None and matter.procedure is not None else ()
    if bodies and kind == Kind.YES_NO and rule is None and preset and preset not in bodies:
        raise Refused(
            _("This matter's decision is taken by: %(bodies)s.")
            % {"bodies": "、".join(str(rules_math.PRESETS[b].label) for b in bodies)},
            "wrong_body",
            field="rule",
        )
    preset, chosen = _rule_for(preset or (bodies[0] if bodies else "eight_step"), rule, region)
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
        created_by=acting_person(actor),
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
    actor: Actor,
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
    vote = locked(vote)
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


@transaction.atomic
def open_vote(*, actor: Actor, vote: Vote) -> Vote:
    """Open the vote: the electorate is taken as it stands now, and rule, options and electorate freeze."""
    vote = locked(vote)
    lock_matter(vote)
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

        def weight(household: Household) -> Decimal | int:
            if not vote.by_area:
                return 1
            # ``predicates.empty_electorate`` refuses an owners' vote with a household of no floor area.
            assert household.floor_area is not None  # noqa: S101
            return household.floor_area

        electors = [Elector(vote=vote, household=h, weight=weight(h)) for h in households]
    else:
        electors = [Elector(vote=vote, person_id=pk) for pk in _snapshot_people(vote)]
    if not electors:  # pragma: no cover - ``predicates.empty_electorate`` refused it
        raise Refused(_("Nobody would be entitled to vote: the electorate is empty."), "empty_electorate")
    Elector.objects.bulk_create(electors, batch_size=1000)
    ElectorVoice.objects.bulk_create(
        [
            ElectorVoice(elector=e, person_id=p)
            for e in electors
            if e.household_id is not None
            for p in voices.get(e.household_id, ())
        ],
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
        status=Status.OPEN, opened_at=now, opened_by=acting_person(actor), frozen_digest=digest
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
