"""Finding a person by mobile: authority first, and no answer that tells who is registered.

Every page and endpoint where staff name a resident by their number goes through ``person_by_phone``. At each,
a number nobody registered and the number of a closed account get the same answer; and someone without the
authority is refused before any number is looked up, whether or not it is registered.
"""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone, translation

from tests import builders
from tests.procedures import flows
from tests.votes.conftest import form_photo
from yishi.errors import Refused
from yishi.matters import services as matters
from yishi.meetings import announcing, preparing
from yishi.people.lookup import person_by_phone
from yishi.people.models import Person
from yishi.people.tokens import issue_token
from yishi.votes import drafting

UNKNOWN = "13999999999"
BACKEND = "yishi.people.backends.PhonePasswordBackend"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(place):
    """丽景社区 with a matter in consultation, an announced meeting, a draft vote on a list and an open vote that
    takes proxies; a resident whose account is closed."""
    p = place
    p.closed = builders.person("已注销的居民")
    Person.objects.filter(pk=p.closed.pk).update(is_active=False)
    p.matter = matters.accept(actor=p.secretary, matter=flows.raise_flood(p), procedure_key="eight_steps")
    p.meeting = preparing.create_meeting(
        actor=p.secretary,
        region=p.tree.community,
        form="consultation",
        platform="party_hall",
        title="让居民出行安全",
        starts_at=timezone.now() + datetime.timedelta(days=10),
        place="社区协商议事厅",
        agenda=[p.matter],
    )
    preparing.invite(actor=p.secretary, meeting=p.meeting, people=[p.secretary])
    announcing.announce(actor=p.secretary, meeting=p.meeting)
    reps = [builders.person(f"代表{i}") for i in range(3)]
    for rep in reps:
        builders.role(rep, "representative", p.tree.community)
    p.draft = drafting.create_vote(
        actor=p.secretary, region=p.tree.community, question="修路吗？", electorate="list", people=reps
    )
    p.vote = drafting.open_vote(
        actor=p.secretary,
        vote=drafting.create_vote(
            actor=p.secretary, region=p.tree.community, question="修路吗？", proxies_allowed=True
        ),
    )
    p.principal = p.vote.electors.get(person=reps[1])
    return p


def page(person):
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(person, backend=BACKEND)
    return client


def api(person):
    return Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Bearer {issue_token(person)}")


def _json(client, path, data, method="post"):
    return getattr(client, method)(f"/api/v1{path}", data, content_type="application/json")


# Each entry point: (name, kind, call(world, person, phone) -> response).
ENTRY_POINTS = [
    (
        "matters page: record a visit",
        "page",
        lambda w, who, phone: page(who).post(
            "/m/record/",
            {
                "region": w.tree.compound.pk,
                "category": w.category.pk,
                "channel": "visit",
                "title": "1号楼电梯经常停运",
                "description": "电梯一周坏了三次，老人下不了楼。",
                "submitter_phone": phone,
            },
        ),
    ),
    (
        "matters page: add a resident's name",
        "page",
        lambda w, who, phone: page(who).post(f"/m/{w.matter.pk}/support/", {"phone": phone}),
    ),
    (
        "matters API: record a visit",
        "api",
        lambda w, who, phone: _json(
            api(who),
            "/matters/record",
            {
                "region": w.tree.compound.pk,
                "category": w.category.key,
                "channel": "visit",
                "title": "1号楼电梯经常停运",
                "description": "电梯一周坏了三次，老人下不了楼。",
                "submitter_phone": phone,
            },
        ),
    ),
    (
        "matters API: add a resident's name",
        "api",
        lambda w, who, phone: _json(api(who), f"/matters/{w.matter.pk}/support", {"phone": phone}),
    ),
    (
        "meetings page: invite",
        "page",
        lambda w, who, phone: page(who).post(f"/meetings/{w.meeting.pk}/invite/", {"phones": phone}),
    ),
    (
        "meetings page: check in",
        "page",
        lambda w, who, phone: page(who).post(f"/meetings/{w.meeting.pk}/check-in/", {"phone": phone}),
    ),
    (
        "meetings API: invite",
        "api",
        lambda w, who, phone: _json(api(who), f"/meetings/{w.meeting.pk}/invitations", {"phones": [phone]}),
    ),
    (
        "meetings API: check in",
        "api",
        lambda w, who, phone: _json(api(who), f"/meetings/{w.meeting.pk}/check-in", {"phone": phone}),
    ),
    (
        "votes page: draft a vote",
        "page",
        lambda w, who, phone: page(who).post(
            "/votes/new/",
            {
                "region": w.tree.community.pk,
                "question": "修路吗？",
                "kind": "yes_no",
                "electorate": "list",
                "people": phone,
                "preset": "eight_step",
                "proxy_cap": "3",
            },
        ),
    ),
    (
        "votes page: change a draft",
        "page",
        lambda w, who, phone: page(who).post(
            f"/votes/{w.draft.pk}/edit/",
            {"question": "修路吗？", "preset": "eight_step", "proxy_cap": "3", "people": phone},
        ),
    ),
    (
        "votes page: record a proxy",
        "page",
        lambda w, who, phone: page(who).post(
            f"/votes/{w.vote.pk}/proxies/",
            {"holder_phone": phone, "principal": w.principal.pk, "form_photo": form_photo()},
        ),
    ),
    (
        "votes API: draft a vote",
        "api",
        lambda w, who, phone: _json(
            api(who),
            "/votes/",
            {"region": w.tree.community.pk, "question": "修路吗？", "electorate": "list", "people": [phone]},
        ),
    ),
    (
        "votes API: change a draft",
        "api",
        lambda w, who, phone: _json(api(who), f"/votes/{w.draft.pk}", {"people": [phone]}, method="patch"),
    ),
    (
        "votes API: record a proxy",
        "api",
        lambda w, who, phone: api(who).post(
            f"/api/v1/votes/{w.vote.pk}/proxies",
            {"holder_phone": phone, "principal": w.principal.pk, "form_photo": form_photo()},
        ),
    ),
]


def answer(kind, response, phone):
    """What the caller learns: the status and the body, less the number they typed (a page shows it back in
    its form) and the page's per-response CSRF token."""
    if kind == "api":
        return response.status_code, response.json()
    body = response.content.decode().replace(phone, "…")
    return response.status_code, re.sub(r"\b[A-Za-z0-9]{64}\b", "…", body)


@pytest.mark.parametrize(("name", "kind", "call"), ENTRY_POINTS, ids=[e[0] for e in ENTRY_POINTS])
def test_an_unknown_number_and_a_closed_accounts_number_get_the_same_answer(world, name, kind, call):
    unknown = answer(kind, call(world, world.secretary, UNKNOWN), UNKNOWN)
    closed = answer(kind, call(world, world.secretary, world.closed.phone), world.closed.phone)

    assert unknown == closed
    assert unknown[0] == (409 if kind == "api" else 400)
    if kind == "api":
        assert unknown[1]["code"] == "unknown_person"


@pytest.mark.parametrize(("name", "kind", "call"), ENTRY_POINTS, ids=[e[0] for e in ENTRY_POINTS])
def test_without_the_authority_a_registered_number_and_an_unknown_one_are_refused_alike(
    world, name, kind, call
):
    registered = answer(kind, call(world, world.outsider, world.neighbour.phone), world.neighbour.phone)
    unknown = answer(kind, call(world, world.outsider, UNKNOWN), UNKNOWN)

    assert registered == unknown
    assert registered[0] in (403, 404)  # a draft is not even shown to them


def test_authority_is_checked_before_the_number_is_read(world):
    for raw in ("not a number", UNKNOWN, world.neighbour.phone, world.closed.phone):
        with pytest.raises(Refused) as exc:
            person_by_phone(world.outsider, raw, action="matters.record_matter", target=world.matter)
        assert exc.value.code == Refused.FORBIDDEN


def test_an_active_resident_is_found_by_their_number_as_people_type_it(world):
    typed = "+86 " + world.neighbour.phone[:3] + "-" + world.neighbour.phone[3:]
    found = person_by_phone(world.secretary, typed, action="matters.record_matter", target=world.matter)
    assert found == world.neighbour


def test_refusals_of_an_unknown_and_a_closed_number_are_the_same_words_code_and_field(world):
    refusals = []
    for raw in (UNKNOWN, world.closed.phone):
        with pytest.raises(Refused) as exc:
            person_by_phone(
                world.secretary, raw, action="matters.record_matter", target=world.matter, field="people"
            )
        refusals.append((str(exc.value.reason), exc.value.code, exc.value.field))
    assert (
        refusals[0]
        == refusals[1]
        == ("No resident is registered with this number.", "unknown_person", "people")
    )
