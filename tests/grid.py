"""Offered equals accepted: what a page or the API offers a person is what the service lets them do.

Each app's ``test_offers.py`` builds a small world once per module (objects in each state, the principals
below), then for every state × principal × action asks the app's ``offers`` and calls the service with valid
input inside a savepoint that is rolled back. An action offered must be accepted; one not offered must be
refused, with the same code (and, for a person entitled to it, the same words) as the predicate gives.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from tests import builders
from yishi.errors import Refused
from yishi.people.models import Membership, Person
from yishi.regions.models import Level
from yishi.regions.services import create_region


class _Accepted(Exception):
    """Raised inside the savepoint after the service returned, so that what it wrote is rolled back."""


def attempt(call: Callable[[], object]) -> Refused | None:
    """Call a service in a savepoint rolled back whatever happens: None if it accepted, else its refusal."""
    try:
        with transaction.atomic():
            call()
            raise _Accepted
    except _Accepted:
        return None
    except Refused as refused:
        return refused


@dataclass
class Mismatch:
    state: str
    principal: str
    action: str
    offered: bool
    predicate: Refused | None
    service: Refused | None

    def __str__(self) -> str:
        said = (
            "offered" if self.offered else f"not offered ({_code(self.predicate)}: {_words(self.predicate)})"
        )
        did = (
            "accepted" if self.service is None else f"refused ({_code(self.service)}: {_words(self.service)})"
        )
        return f"state {self.state!r}, principal {self.principal!r}, action {self.action!r}: {said}, service {did}"


def _code(refused: Refused | None) -> str:
    return "-" if refused is None else refused.code


def _words(refused: Refused | None) -> str:
    return "" if refused is None else str(refused.reason)


def compare(
    *,
    state: str,
    principal: str,
    offered: dict[str, Refused | None],
    calls: dict[str, Callable[[], object]],
    listed: Iterable[str] | None = None,
    vocabulary: Iterable[str] = (),
) -> list[Mismatch]:
    """``offered``: action -> the predicate's answer (None: open); ``calls``: action -> the service call with
    valid input; ``listed``: what the API's ``available_actions`` says, when the object has one, in its
    ``vocabulary`` (the actions it may list)."""
    assert set(offered) == set(calls), f"actions asked {sorted(offered)} and called {sorted(calls)} differ"
    out = []
    listed = None if listed is None else set(listed)
    vocabulary = set(vocabulary)
    for action, call in calls.items():
        predicate = offered[action]
        service = attempt(call)
        same = (predicate is None) == (service is None)
        if same and service is not None:
            # The same refusal: its code, and for the entitled the words the page shows beside the action.
            same = predicate.code == service.code and (
                service.code == Refused.FORBIDDEN or str(predicate.reason) == str(service.reason)
            )
        if same and listed is not None and action in vocabulary:
            same = (action in listed) == (predicate is None)
        if not same:
            out.append(Mismatch(state, principal, action, predicate is None, predicate, service))
    return out


def assert_none(mismatches: list[Mismatch], checked: int) -> None:
    assert checked > 0
    assert not mismatches, f"{len(mismatches)} of {checked} differ; the first: {mismatches[0]}\n" + "\n".join(
        str(m) for m in mismatches[1:20]
    )


# ---- the place and the principals ------------------------------------------------------------------------


def member(person: Person, household) -> Membership:
    return Membership.objects.create(person=person, household=household, is_head=True)


def place() -> SimpleNamespace:
    """丽景社区 with 万泰丽景小区 (1号楼) and a compound beside it, the sibling 朝东社区 with 戒毒所小区 — and a
    person in each position the grids ask about."""
    t = builders.tree()
    t.compound_beside = create_region(
        actor=None, parent=t.community, level=Level.COMPOUND, name="金色家园小区"
    )
    w = SimpleNamespace(tree=t)
    w.home = builders.household(t.building, room="101", floor_area="89.25")
    w.home2 = builders.household(t.building, room="102", floor_area="60.50")
    w.home3 = builders.household(t.building, room="201", floor_area="75.00", occupancy="vacant")
    w.away_home = builders.household(t.sibling_compound, room="301")
    w.resident = builders.person("刘桂兰")
    member(w.resident, w.home)
    w.neighbour = builders.person("王建国")
    member(w.neighbour, w.home2)
    w.elsewhere = builders.person("外人")
    member(w.elsewhere, w.away_home)
    w.committee = builders.person("张金利")
    builders.role(w.committee, "committee", t.community)
    w.clerk = builders.person("李文书")  # a second committee member: some counts are entered twice
    builders.role(w.clerk, "committee", t.community)
    w.committee_sibling = builders.person("艾丽丽")
    builders.role(w.committee_sibling, "committee", t.sibling)
    w.admin_above = builders.person("市管理员")
    builders.role(w.admin_above, "admin", t.city)
    w.owners = builders.person("业委会主任")
    builders.role(w.owners, "owners_committee", t.compound)
    w.owners_beside = builders.person("隔壁业委会")
    builders.role(w.owners_beside, "owners_committee", t.compound_beside)
    w.superuser = Person.objects.create_superuser(builders.next_phone(), "系统管理员", None)
    return w


def principals(w, *, owners: bool = True) -> dict[str, object]:
    """Who asks, by label: the committee's own node is the community (the nearest above a compound where a
    committee may be held); the administrator's role held at the city is the authority at a parent."""
    out = {
        "anonymous": AnonymousUser(),
        "resident here": w.resident,
        "resident elsewhere": w.elsewhere,
        "committee@own": w.committee,
        "committee@sibling": w.committee_sibling,
        "admin role@city (parent)": w.admin_above,
        "system administrator": w.superuser,
    }
    if owners:
        out["owners' committee@own"] = w.owners
        out["owners' committee@sibling"] = w.owners_beside
    return out


def built_once(django_db_blocker, build: Callable[[], object]):
    """A module's world: built once inside a transaction rolled back at the end of the module (each test
    then runs in a savepoint of it). Use from a module-scoped fixture: ``yield from built_once(…)``."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
