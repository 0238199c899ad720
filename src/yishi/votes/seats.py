"""A vote's seats and rows as every write about a vote finds them: the vote locked, its matter locked, the seat
(elector) a person, household or proxy votes in, the option named, the refusal of a second vote, the receipt
codes of the blank ballots, and the digest of what froze when the vote opened.
"""

import hashlib
import secrets

from django.utils.translation import gettext_lazy as _

from yishi.audit.chain import canonical_json
from yishi.errors import Refused
from yishi.matters.models import Matter
from yishi.people.actors import Actor
from yishi.people.models import Person
from yishi.regions.models import Household

from . import predicates
from .models import Elector, ElectorVoice, Option, Participation, Vote

RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to misread


def new_receipt() -> str:
    """12 random characters (60 bits), in three groups: "7KQ2-M9XA-3FHD"."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def locked(vote: Vote) -> Vote:
    return Vote.objects.select_for_update().get(pk=vote.pk)


def option_of(vote: Vote, option) -> Option:
    key = option.key if isinstance(option, Option) and option.vote_id == vote.pk else option
    found = vote.options.filter(key=str(key)).order_by("pk").first() if isinstance(key, str | int) else None
    if found is None:
        raise Refused(_("That is not one of this vote's choices."), "unknown_option", field="option")
    return found


def elector_of(vote: Vote, who) -> Elector:
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


def already_voted(participation: Participation, actor: Actor = None) -> Refused:
    """The refusal of a second vote by ``participation.elector``, addressed to the voter when it is them."""
    return predicates.already(participation.elector, participation.channel, actor)


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


def lock_matter(vote: Vote) -> Matter | None:
    """The matter a plan vote decides, locked (the predicates then check its step)."""
    if vote.matter_id is None:
        return None
    return Matter.objects.select_for_update().get(pk=vote.matter_id)
