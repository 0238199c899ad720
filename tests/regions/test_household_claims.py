"""A roster import cannot claim other people (issue 13, point 11): a registered person a household roster names
as head is asked, by SMS, and holds nothing until they confirm it themselves; the import's answer is the same
for registered and unknown numbers."""

import io

import openpyxl
import pytest
from django.test import Client

from tests import builders
from yishi.errors import Refused
from yishi.people.models import HouseholdClaim, Membership
from yishi.people.services import answer_claim
from yishi.people.sms import MemoryBackend
from yishi.regions.household_import import import_households
from yishi.votes import drafting
from yishi.votes.models import Elector, ElectorateKind

HEADER = ["楼栋", "单元", "房号", "户号", "居住状态", "建筑面积", "户主姓名", "户主手机"]
BACKEND = "yishi.people.backends.PhonePasswordBackend"


def xlsx(rows) -> io.BytesIO:
    workbook = openpyxl.Workbook()
    for row in (HEADER, *rows):
        workbook.active.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


@pytest.fixture
def world(db):
    t = builders.tree()
    committee = builders.person("居委会委员")
    builders.role(committee, "committee", t.community)
    elsewhere = builders.person("别处的书记", phone="13912349999", password="pw-12345678x")
    builders.role(elsewhere, "committee", t.sibling)
    return t, committee, elsewhere


def roster(t, committee, phone, room="101"):
    return import_households(
        actor=committee,
        compound=t.compound,
        file=xlsx([("1号楼", "1", room, None, "常住", 80, "户主", phone)]),
    )


def test_a_registered_person_is_asked_and_holds_no_seat_until_they_confirm(
    world, django_capture_on_commit_callbacks
):
    t, committee, elsewhere = world
    with django_capture_on_commit_callbacks(execute=True):
        roster(t, committee, "13912349999")
    claim = HouseholdClaim.objects.get(person=elsewhere)
    assert claim.answered_at is None and not Membership.objects.filter(person=elsewhere).exists()
    assert [m.phone for m in MemoryBackend.outbox] == ["13912349999"]
    assert "户主" in MemoryBackend.outbox[0].text  # told in Chinese

    vote = drafting.create_vote(
        actor=committee, region=t.community, question="是否同意？", electorate=ElectorateKind.HOUSEHOLDS
    )
    vote = drafting.open_vote(actor=committee, vote=vote)
    elector = Elector.objects.get(vote=vote)
    assert not elector.voices.filter(person=elsewhere).exists()  # no voice for the household

    answer_claim(actor=elsewhere, claim=claim, confirm=True)
    head = Membership.objects.get(person=elsewhere)
    assert head.is_head and head.household_id == claim.household_id


def test_the_answer_is_the_same_for_registered_and_unknown_numbers(world):
    t, committee, _elsewhere = world
    known = roster(t, committee, "13912349999", room="101").as_data()
    unknown = roster(t, committee, "13912340123", room="102").as_data()
    assert known == unknown


def test_only_the_person_named_answers_and_only_once(world):
    t, committee, elsewhere = world
    roster(t, committee, "13912349999")
    claim = HouseholdClaim.objects.get()
    for intruder in (committee, builders.person("路人")):
        with pytest.raises(Refused) as exc:
            answer_claim(actor=intruder, claim=claim, confirm=True)
        assert exc.value.code == "forbidden"
    answer_claim(actor=elsewhere, claim=claim, confirm=False)
    assert not Membership.objects.filter(person=elsewhere).exists()
    with pytest.raises(Refused) as exc:
        answer_claim(actor=elsewhere, claim=claim, confirm=True)
    assert exc.value.code == "already_answered"
    assert not Membership.objects.filter(person=elsewhere).exists()


def test_the_home_page_asks_and_the_answer_is_taken_there(world):
    t, committee, elsewhere = world
    roster(t, committee, "13912349999")
    claim = HouseholdClaim.objects.get()
    me = Client()
    me.force_login(elsewhere, backend=BACKEND)
    home = me.get("/work/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'action="/me/households/{claim.pk}/"' in home or f"/households/{claim.pk}/" in home
    other = Client()
    other.force_login(committee, backend=BACKEND)
    other.post(f"/me/households/{claim.pk}/", {"answer": "confirm"})
    assert not Membership.objects.filter(household=claim.household).exists()
    answered = me.post(f"/me/households/{claim.pk}/", {"answer": "confirm"})
    assert answered.status_code == 302
    assert Membership.objects.get(household=claim.household).person == elsewhere


def test_the_api_lists_and_answers(world):
    t, committee, elsewhere = world
    roster(t, committee, "13912349999")
    me = Client()
    me.force_login(elsewhere, backend=BACKEND)
    listed = me.get("/api/v1/people/me/household-claims").json()
    assert len(listed) == 1 and listed[0]["confirmed"] is None
    claim_id = listed[0]["id"]
    other = Client()
    other.force_login(committee, backend=BACKEND)
    assert other.get("/api/v1/people/me/household-claims").json() == []
    refused = other.post(
        f"/api/v1/people/me/household-claims/{claim_id}", {"confirm": True}, content_type="application/json"
    )
    assert refused.status_code == 403
    done = me.post(
        f"/api/v1/people/me/household-claims/{claim_id}", {"confirm": True}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["confirmed"] is True
    assert Membership.objects.filter(person=elsewhere, is_head=True).exists()
