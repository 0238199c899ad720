"""May I? — one predicate per vote action, in the words the service refuses with.

Each ``may_<action>(person, vote, …)`` returns None when ``person`` may take the action now, or the ``Refused``
the service raises (``enforce(may_<action>(actor, vote))`` once the vote is locked). ``person`` None is the
system (the command line). ``offers`` lists the actions for the staff page; voting itself is offered per seat.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yishi.access.queries import require
from yishi.errors import Offers, Refused
from yishi.matters.models import Matter
from yishi.procedures.services import require_step_action
from yishi.regions.models import Household, within

from . import counting
from .models import Channel, Correction, CorrectionTarget, ElectorateKind, Participation, Status, Vote
from .queries import MANAGE, seats_for

ENTER = "votes.enter_tally"
PROXY = "votes.record_proxy"
CORRECT = "votes.correct"

# The actions on a vote as its staff page offers them.
ACTIONS = ("edit", "open", "participation", "tally", "proxy", "withdraw_proxy", "close", "recount")


def _person(person):
    return person if person is not None and person.is_authenticated else None


def authority(person, action: str, target) -> Refused | None:
    """The role table's answer as a refusal: ``require`` raises it, a predicate returns it."""
    try:
        require(person, action, target)
    except Refused as refused:
        return refused
    return None


def _signed(person, message) -> Refused | None:
    """Counts and corrections carry the name of the member of staff who makes them (the system has none)."""
    return Refused(message, Refused.FORBIDDEN) if _person(person) is None else None


# ---- the vote's state, whoever asks ------------------------------------------------------------------------


_ALREADY = {  # channel -> (said to the voter, said about someone else, code)
    Channel.ONLINE: (
        _("You have already voted online."),
        _("%(who)s has already voted online."),
        "already_voted",
    ),
    Channel.PROXY: (
        _("Your proxy has already voted for you."),
        _("%(who)s has already voted through a proxy."),
        "voted_by_proxy",
    ),
    Channel.PAPER: (
        _("You have already been counted on a paper ballot; nobody votes twice."),
        _("%(who)s has already been counted on a paper ballot; nobody votes twice."),
        "counted_on_paper",
    ),
    Channel.HANDS: (
        _("You have already been counted in the show of hands; nobody votes twice."),
        _("%(who)s has already been counted in the show of hands; nobody votes twice."),
        "counted_on_paper",
    ),
}


def already(elector, channel, person=None) -> Refused:
    """The refusal of a second vote by ``elector`` (who took part by ``channel``), addressed to the voter
    when ``person`` is them."""
    to_voter, about, code = _ALREADY[Channel(channel)]
    if person is not None and elector.person_id == person.pk:
        return Refused(to_voter, code)
    return Refused(about % {"who": elector}, code)


def proxy_voided(proxy) -> bool:
    return Correction.objects.filter(
        vote_id=proxy.vote_id, target=CorrectionTarget.PROXY, target_id=str(proxy.pk)
    ).exists()


def not_open(vote: Vote) -> Refused | None:
    """Why the vote takes no ballot now (not opened yet, closed), or None while it is open."""
    if vote.status == Status.DRAFT:
        return Refused(_("This vote has not been opened yet."), "vote_not_open")
    if vote.status != Status.OPEN:
        return Refused(_("This vote is closed."), "vote_closed")
    return None


def frozen() -> Refused:
    return Refused(
        _("The vote is open: its question, rule, options and electorate can no longer change."), "vote_frozen"
    )


def _at_vote_step(person, vote: Vote) -> Refused | None:
    """A vote on a matter's plan opens and closes only while the matter is at its vote step, on its latest
    plan version."""
    if vote.matter_id is None:
        return None
    matter = Matter.objects.get(pk=vote.matter_id)
    try:
        require_step_action(person, matter, "procedures.record_vote")
    except Refused as refused:
        return refused
    latest = matter.plan_versions.order_by("-number").values_list("pk", flat=True).first()
    if latest != vote.version_id:
        return Refused(
            _("A newer version of the plan has been drafted since this vote was prepared."), "stale_version"
        )
    return None


def empty_electorate(vote: Vote) -> Refused | None:
    """Why opening would freeze no electorate (nobody in it; an owners' vote without floor areas), or None."""
    if vote.electorate_kind == ElectorateKind.HOUSEHOLDS:
        households = Household.objects.filter(within(vote.region, "region"))
        if vote.by_area:
            # A zero area counts as none: each household is weighed by it.
            without = households.filter(Q(floor_area__isnull=True) | Q(floor_area=0)).order_by("pk")
            first = without.first()
            if first is not None:
                return Refused(
                    _(
                        "%(n)s household(s) have no floor area recorded (e.g. %(h)s); an owners' vote "
                        "counts by area."
                    )
                    % {"n": without.count(), "h": first},
                    "area_missing",
                )
        anyone = households.exists()
    else:
        anyone = bool(counting.electorate_people(vote))
    if not anyone:
        return Refused(_("Nobody would be entitled to vote: the electorate is empty."), "empty_electorate")
    return None


# ---- the staff's actions -----------------------------------------------------------------------------------


def may_edit(person, vote: Vote) -> Refused | None:
    refused = authority(person, MANAGE, vote)
    if refused is None and vote.status != Status.DRAFT:
        refused = frozen()
    return refused


def may_open(person, vote: Vote) -> Refused | None:
    refused = authority(person, MANAGE, vote)
    if refused is None and vote.status != Status.DRAFT:
        refused = Refused(_("This vote has already been opened."), "already_open")
    return refused or _at_vote_step(person, vote) or empty_electorate(vote)


def may_record_participation(person, vote: Vote) -> Refused | None:
    """Ticking off who took part on paper or by a show of hands."""
    return authority(person, ENTER, vote) or not_open(vote)


def may_enter_tally(person, vote: Vote) -> Refused | None:
    """A member of staff's count of paper ballots or raised hands (an owners' vote is counted by name)."""
    refused = (
        authority(person, ENTER, vote)
        or _signed(person, _("A count is entered by a named member of staff."))
        or not_open(vote)
    )
    if refused is None and vote.by_area:
        refused = Refused(
            _("An owners' vote is counted by area: record each owner's choice by name."), "named_required"
        )
    return refused


def may_record_proxy(person, vote: Vote) -> Refused | None:
    refused = authority(person, PROXY, vote) or not_open(vote)
    if refused is None and not vote.proxies_allowed:
        refused = Refused(_("This vote does not allow voting by proxy."), "proxies_not_allowed")
    if refused is None and vote.secret and not vote.secret_proxies:
        refused = Refused(
            _("A secret ballot is not cast by proxy unless the body's rules allow it."), "proxy_secret"
        )
    return refused


def correcting(person, vote: Vote) -> Refused | None:
    return authority(person, CORRECT, vote) or _signed(person, _("A correction is signed by a named person."))


def may_withdraw_proxy(person, vote: Vote) -> Refused | None:
    """Withdrawing an unused proxy while the vote runs (each proxy has ``may_withdraw``)."""
    return correcting(person, vote) or not_open(vote)


def may_withdraw(person, proxy) -> Refused | None:
    refused = may_withdraw_proxy(person, proxy.vote)
    if refused is None and proxy_voided(proxy):
        refused = Refused(_("That proxy has already been withdrawn."), "proxy_voided")
    if refused is None and Participation.objects.filter(proxy=proxy).exists():
        refused = Refused(_("That proxy has already been used to vote; the vote stands."), "proxy_used")
    return refused


def may_recount(person, vote: Vote) -> Refused | None:
    """Correcting a closed vote's paper or show-of-hands count (an owners' vote has none)."""
    refused = correcting(person, vote)
    if refused is None and vote.status != Status.CLOSED:
        refused = Refused(
            _("A count is corrected after the vote has closed; before that, enter it again."),
            "vote_not_closed",
        )
    if refused is None and vote.by_area:
        refused = Refused(
            _("An owners' vote is counted from named choices; it has no count to correct."), "named_required"
        )
    return refused


def may_close(person, vote: Vote, *, counted: bool = True) -> Refused | None:
    """Closing: the vote open, a plan vote's matter at its vote step, and every channel counted (``counted``
    False leaves the counting to the caller, who counts anyway)."""
    refused = authority(person, MANAGE, vote) or not_open(vote) or _at_vote_step(person, vote)
    if refused is None and counted:
        try:
            counting.count(vote)
        except Refused as not_counted:
            refused = not_counted
    return refused


def reasons(person, vote: Vote) -> dict[str, Refused | None]:
    """Every staff action on ``vote`` for ``person`` now: None (open) or the refusal."""
    return {
        "edit": may_edit(person, vote),
        "open": may_open(person, vote),
        "participation": may_record_participation(person, vote),
        "tally": may_enter_tally(person, vote),
        "proxy": may_record_proxy(person, vote),
        "withdraw_proxy": may_withdraw_proxy(person, vote),
        "close": may_close(person, vote),
        "recount": may_recount(person, vote),
    }


def offers(person, vote: Vote) -> Offers:
    return Offers(reasons(person, vote))


# ---- voting ------------------------------------------------------------------------------------------------


def may_vote(person, vote: Vote, seats: list | None = None) -> Refused | None:
    """Voting online for oneself, one's household or a principal: logged in, the vote open, a seat not used.
    ``seats``: ``queries.seats_for(vote, person)`` when the caller has read them already."""
    if _person(person) is None:
        return Refused(_("Log in to vote."), Refused.FORBIDDEN)
    refused = not_open(vote)
    if refused is not None:
        return refused
    seats = seats_for(vote, person) if seats is None else seats
    if not seats:
        return Refused(_("This person is not entitled to vote in this vote."), "not_an_elector")
    if all(seat.used for seat in seats):
        return already(seats[0].elector, seats[0].channel, person)
    return None
