"""Proxies (委托投票): recorded by staff with the signed form, capped per holder, never secret unless allowed."""

import pytest

from tests.votes.conftest import form_photo, opened
from yishi.errors import Refused
from yishi.votes import casting, queries, tallies
from yishi.votes.models import Ballot, Channel, Participation, Proxy


def refused(code, fn, **kwargs):
    with pytest.raises(Refused) as exc:
        fn(**kwargs)
    assert exc.value.code == code, exc.value.reason
    return exc.value


def proxy(town, vote, holder, principal, actor=None):
    return casting.record_proxy(
        actor=actor or town.secretary, vote=vote, holder=holder, principal=principal, form_photo=form_photo()
    )


@pytest.fixture
def with_proxies(town):
    return opened(town, proxies_allowed=True)


def test_a_proxy_holder_votes_for_their_principal_once(town, with_proxies):
    vote = with_proxies
    recorded = proxy(town, vote, holder=town.reps[0], principal=town.reps[1])
    assert recorded.form_photo.name.endswith(".jpg") and recorded.recorded_by == town.secretary
    receipt = casting.cast_ballot(actor=town.reps[0], vote=vote, option="yes", principal=town.reps[1])
    participation = Participation.objects.get(elector__person=town.reps[1])
    assert (participation.channel, participation.proxy) == (Channel.PROXY, recorded)
    assert Ballot.objects.get(receipt=receipt).option.key == "yes"
    casting.cast_ballot(actor=town.reps[0], vote=vote, option="no")  # and their own vote besides
    refused("voted_by_proxy", casting.cast_ballot, actor=town.reps[1], vote=vote, option="no")
    refused(
        "voted_by_proxy",
        casting.cast_ballot,
        actor=town.reps[0],
        vote=vote,
        option="no",
        principal=town.reps[1],
    )
    assert queries.participation_by_channel(vote)["proxy"] == 1


def test_a_principal_who_votes_in_person_first_leaves_the_proxy_nothing_to_do(town, with_proxies):
    vote = with_proxies
    proxy(town, vote, holder=town.reps[0], principal=town.reps[1])
    casting.cast_ballot(actor=town.reps[1], vote=vote, option="no")
    error = refused(
        "already_voted",
        casting.cast_ballot,
        actor=town.reps[0],
        vote=vote,
        option="yes",
        principal=town.reps[1],
    )
    assert town.reps[1].name in str(error)


def test_one_person_holds_at_most_three_proxies_by_default(town, with_proxies):
    vote = with_proxies
    for principal in town.reps[1:4]:
        proxy(town, vote, holder=town.reps[0], principal=principal)
    error = refused("proxy_cap", proxy, town=town, vote=vote, holder=town.reps[0], principal=town.reps[4])
    assert "3 proxies" in str(error)
    assert Proxy.objects.filter(vote=vote).count() == 3


def test_the_cap_is_the_vote_rule(town):
    vote = opened(town, proxies_allowed=True, proxy_cap=1)
    proxy(town, vote, holder=town.reps[0], principal=town.reps[1])
    refused("proxy_cap", proxy, town=town, vote=vote, holder=town.reps[0], principal=town.reps[2])


def test_a_secret_ballot_takes_no_proxies_unless_the_rules_allow_them(town):
    vote = opened(town, proxies_allowed=True, secret=True)
    refused("proxy_secret", proxy, town=town, vote=vote, holder=town.reps[0], principal=town.reps[1])
    allowed = opened(town, proxies_allowed=True, secret=True, question="另一个", secret_proxies=True)
    proxy(town, allowed, holder=town.reps[0], principal=town.reps[1])
    assert casting.cast_ballot(actor=town.reps[0], vote=allowed, option="yes", principal=town.reps[1])


def test_a_vote_without_proxies_refuses_them(town):
    vote = opened(town)
    refused("proxies_not_allowed", proxy, town=town, vote=vote, holder=town.reps[0], principal=town.reps[1])


def test_nobody_votes_for_someone_without_a_recorded_proxy(town, with_proxies):
    refused(
        "no_proxy",
        casting.cast_ballot,
        actor=town.reps[0],
        vote=with_proxies,
        option="yes",
        principal=town.reps[1],
    )


@pytest.mark.parametrize(
    ("holder", "principal", "code"),
    [
        (0, 0, "proxy_self"),
        ("resident", "resident", "not_an_elector"),
    ],
)
def test_a_proxy_for_oneself_or_for_a_non_elector_is_refused(town, with_proxies, holder, principal, code):
    pick = {0: town.reps[0], "resident": town.resident}
    refused(code, proxy, town=town, vote=with_proxies, holder=pick[holder], principal=pick[principal])


def test_a_second_proxy_for_the_same_principal_is_refused(town, with_proxies):
    proxy(town, with_proxies, holder=town.reps[0], principal=town.reps[1])
    refused("proxy_exists", proxy, town=town, vote=with_proxies, holder=town.reps[2], principal=town.reps[1])


def test_a_proxy_needs_the_photo_of_its_signed_form_and_staff_authority(town, with_proxies):
    refused(
        "form_photo_required",
        casting.record_proxy,
        actor=town.secretary,
        vote=with_proxies,
        holder=town.reps[0],
        principal=town.reps[1],
        form_photo=None,
    )
    refused(
        "forbidden",
        proxy,
        town=town,
        vote=with_proxies,
        holder=town.reps[0],
        principal=town.reps[1],
        actor=town.reps[2],
    )
    assert not Proxy.objects.exists()


def test_withdrawing_an_unused_proxy_is_a_signed_correction_that_frees_the_holders_place(town, with_proxies):
    vote = with_proxies
    first = proxy(town, vote, holder=town.reps[0], principal=town.reps[1])
    for principal in town.reps[2:4]:
        proxy(town, vote, holder=town.reps[0], principal=principal)
    correction = tallies.correct(actor=town.secretary, vote=vote, proxy=first, reason="本人撤回委托")
    assert (correction.target, correction.target_id, correction.signed_by) == (
        "proxy",
        str(first.pk),
        town.secretary,
    )
    assert correction.audit_hash
    assert Proxy.objects.filter(pk=first.pk).exists()  # nothing is deleted
    refused(
        "no_proxy", casting.cast_ballot, actor=town.reps[0], vote=vote, option="yes", principal=town.reps[1]
    )
    proxy(town, vote, holder=town.reps[0], principal=town.reps[4])  # the cap counts active proxies
    refused("proxy_voided", tallies.correct, actor=town.secretary, vote=vote, proxy=first, reason="再次撤回")


def test_a_proxy_already_used_cannot_be_withdrawn(town, with_proxies):
    vote = with_proxies
    used = proxy(town, vote, holder=town.reps[0], principal=town.reps[1])
    casting.cast_ballot(actor=town.reps[0], vote=vote, option="yes", principal=town.reps[1])
    refused("proxy_used", tallies.correct, actor=town.secretary, vote=vote, proxy=used, reason="撤回")
