"""Writes a page hides in some state are refused by the service itself, whatever client asks, and save nothing:
a proxy withdrawn after its vote closed, a plan vote on a matter no longer open, screening into a retired
category, a closed account added as a supporter. (Found by a review of every service's state checks.)"""

import pytest

from tests import builders
from tests.procedures import flows
from tests.votes import conftest as votes_conftest
from tests.votes.conftest import form_photo, opened
from yishi.audit.models import AuditEntry
from yishi.errors import Refused
from yishi.matters import services as matters
from yishi.matters.models import Category, Support
from yishi.procedures import services as engine
from yishi.votes import casting, drafting, tallies
from yishi.votes.models import Correction, Vote

town = votes_conftest.town  # the votes' fixture: a community with its representatives


def refused(call) -> Refused:
    audits = AuditEntry.objects.count()
    with pytest.raises(Refused) as exc:
        call()
    assert AuditEntry.objects.count() == audits
    return exc.value


def test_an_unused_proxy_is_withdrawn_while_the_vote_is_open_and_not_after_it_closed(town):
    vote = opened(town, proxies_allowed=True)
    kept = casting.record_proxy(
        actor=town.secretary, vote=vote, holder=town.reps[0], principal=town.reps[1], form_photo=form_photo()
    )
    withdrawn = casting.record_proxy(
        actor=town.secretary, vote=vote, holder=town.reps[2], principal=town.reps[3], form_photo=form_photo()
    )
    tallies.correct(actor=town.secretary, vote=vote, reason="委托人撤回", proxy=withdrawn)
    for rep in town.reps[4:11]:
        casting.cast_ballot(actor=rep, vote=vote, option="yes")
    vote = tallies.close_vote(actor=town.secretary, vote=vote)
    exc = refused(lambda: tallies.correct(actor=town.secretary, vote=vote, reason="委托人撤回", proxy=kept))
    assert exc.code == "vote_closed"
    assert Correction.objects.filter(vote=vote).count() == 1


def test_a_plan_vote_is_not_created_for_a_matter_no_longer_open(place):
    m = matters.accept(actor=place.secretary, matter=flows.raise_flood(place))
    flows.to_review(place, m)
    # after acceptance only the committee withdraws a matter (the submitter asks it to)
    engine.withdraw(actor=place.secretary, matter=m, reason="居民不再需要")
    exc = refused(
        lambda: drafting.create_vote(
            actor=place.secretary, region=place.tree.community, question="是否同意方案？", matter=m
        )
    )
    assert (exc.code, exc.field) == ("not_open", "matter")
    assert not Vote.objects.filter(matter=m).exists()


def test_screening_refuses_a_retired_category_and_leaves_the_matter_new(place):
    retired = Category.objects.create(key="retired", name="已停用", active=False)
    m = flows.raise_flood(place)
    exc = refused(lambda: matters.accept(actor=place.secretary, matter=m, category=retired))
    assert (exc.code, exc.field) == ("category_required", "category")
    m.refresh_from_db()
    assert m.category_id != retired.pk and m.status == "new"


def test_staff_cannot_add_a_closed_account_as_a_supporter(place):
    m = flows.raise_flood(place)
    gone = builders.person("已注销")
    gone.is_active = False
    gone.save()
    exc = refused(lambda: matters.support(actor=place.secretary, matter=m, person=gone))
    assert (exc.code, exc.field) == ("person_inactive", "person")
    assert not Support.objects.filter(matter=m, person=gone).exists()
    matters.support(actor=place.secretary, matter=m, person=place.neighbour)  # an active one is added
    assert Support.objects.filter(matter=m, person=place.neighbour).exists()
