"""Offered equals accepted, for votes: the staff page that runs a vote and the public page's "vote now" offer
exactly what the services accept, for every state of a vote, every principal and every action (see
``tests/grid.py``)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from PIL import Image

from tests import grid
from yishi.votes import casting, drafting, pages, predicates, tallies
from yishi.votes.models import Vote
from yishi.votes.queries import active_proxies


def form_photo():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return SimpleUploadedFile("proxy.png", out.getvalue(), content_type="image/png")


ZERO = {"yes": 0, "no": 0, "abstain": 0}


def _vote(w, question, *, open_it=False, close=False, **kwargs):
    kwargs.setdefault("electorate", "households")
    kwargs.setdefault("proxies_allowed", True)
    vote = drafting.create_vote(actor=w.committee, region=w.tree.compound, question=question, **kwargs)
    if open_it:
        vote = drafting.open_vote(actor=w.committee, vote=vote)
    return vote


def build():
    w = grid.place()
    draft = _vote(w, "草案")
    nobody = _vote(w, "无人投票", electorate="representatives")
    plain = _vote(w, "是否同意维修？", open_it=True)
    # A proxy recorded for the vacant flat's household: the neighbour holds it.
    casting.record_proxy(
        actor=w.committee, vote=plain, holder=w.neighbour, principal=w.home3, form_photo=form_photo()
    )
    pending = _vote(w, "纸质票待复核", open_it=True)
    tallies.record_participation(
        actor=w.committee, vote=pending, channel="paper", electors=[w.home3], choices={w.home3: "yes"}
    )
    tallies.enter_tally(actor=w.committee, vote=pending, channel="paper", counts={"yes": 1})
    voted = _vote(w, "居民已投票", open_it=True)
    casting.cast_ballot(actor=w.resident, vote=voted, option="yes")
    secret = _vote(w, "无记名投票", open_it=True, secret=True)
    owners = _vote(w, "业主共同决定", open_it=True, preset="owners_ordinary")
    closed = _vote(w, "已结束", open_it=True)
    tallies.close_vote(actor=w.committee, vote=closed)
    w.votes = {
        "draft": draft.pk,
        "draft with nobody to vote": nobody.pk,
        "open, a proxy recorded": plain.pk,
        "open, a paper count waiting for its check": pending.pk,
        "open, the resident voted": voted.pk,
        "open, secret": secret.pk,
        "open, an owners' vote by area": owners.pk,
        "closed": closed.pk,
    }
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from grid.built_once(django_db_blocker, build)


def _fresh(pk):
    return Vote.objects.select_related("region", "matter", "version").get(pk=pk)


def _calls(person, pk, w) -> dict:
    def vote():
        return _fresh(pk)

    def participation():
        v = vote()
        return tallies.record_participation(
            actor=person,
            vote=v,
            channel="paper",
            electors=[w.home2],
            choices=None if v.secret else {w.home2: "yes"},
        )

    calls = {
        "edit": lambda: drafting.change_draft(actor=person, vote=vote(), question="是否同意新方案？"),
        "open": lambda: drafting.open_vote(actor=person, vote=vote()),
        "participation": participation,
        "tally": lambda: tallies.enter_tally(actor=person, vote=vote(), channel="hands", counts=ZERO),
        "proxy": lambda: casting.record_proxy(
            actor=person, vote=vote(), holder=w.elsewhere, principal=w.home2, form_photo=form_photo()
        ),
        "withdraw_proxy": lambda: tallies.correct(
            actor=person, vote=vote(), reason="委托人撤回", proxy=active_proxies(vote()).first()
        ),
        "close": lambda: tallies.close_vote(actor=person, vote=vote()),
        "recount": lambda: tallies.correct(
            actor=person, vote=vote(), reason="重新清点", tallies={"paper": ZERO}
        ),
    }
    if not active_proxies(vote()).exists():
        del calls["withdraw_proxy"]  # the form lists the unused proxies; there is none
    return calls


def _request(person):
    request = RequestFactory().get("/")
    request.user = person
    return request


# The staff page's forms, by the action each takes.
RUN_FORMS = {
    "open": "open",
    "participation": "participation",
    "tally": "tally",
    "proxy": "proxy",
    "withdraw": "withdraw_proxy",
    "close": "close",
    "recount": "recount",
}


def test_every_staff_action_on_a_vote_is_offered_exactly_when_the_service_accepts_it(world, db):
    mismatches, checked = [], 0
    for state, pk in world.votes.items():
        for label, person in grid.principals(world).items():
            vote = _fresh(pk)
            reasons = predicates.reasons(person, vote)
            calls = _calls(person, pk, world)
            if predicates.authority(person, "votes.manage_vote", vote) is None:
                shown = set(pages.run_context(_request(person), vote, {})["forms"])
                expected = {form for form, action in RUN_FORMS.items() if reasons[action] is None}
                if "withdraw_proxy" not in calls:
                    expected.discard("withdraw")
                assert shown == expected, (state, label, shown, expected)
            offered = {a: r for a, r in reasons.items() if a in calls}
            mismatches += grid.compare(state=state, principal=label, offered=offered, calls=calls)
            checked += len(calls)
    grid.assert_none(mismatches, checked)


def test_voting_is_offered_exactly_when_the_service_accepts_it(world, db):
    mismatches, checked = [], 0
    for state, pk in world.votes.items():
        for label, person in grid.principals(world).items():
            vote = _fresh(pk)
            reason = predicates.may_vote(person, vote)
            if vote.status != "draft":  # a draft's public page does not exist for those who may not run it
                detail = pages.detail_context(_request(person), vote)
                assert bool(detail["to_vote"]) == (reason is None), (state, label)
            mismatches += grid.compare(
                state=state,
                principal=label,
                offered={"vote": reason},
                calls={
                    "vote": lambda person=person, pk=pk: casting.cast_ballot(
                        actor=person, vote=_fresh(pk), option="yes"
                    )
                },
            )
            checked += 1
    grid.assert_none(mismatches, checked)


def test_the_staff_see_why_a_vote_cannot_close_yet_in_the_services_words(world, db):
    from django.test import Client
    from django.urls import reverse

    pk = world.votes["open, a paper count waiting for its check"]
    client = Client()
    client.force_login(world.clerk)
    html = client.get(reverse("votes:run", args=[pk])).content.decode()
    assert 'id="why-not-close"' in html
    assert str(predicates.may_close(world.clerk, _fresh(pk)).reason) in html
    assert reverse("votes:close", args=[pk]) not in html
