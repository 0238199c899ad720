"""How a resident's phone and ID number appear to each viewer: whole only to themself and their committee."""

import pytest
from django.contrib.auth.models import AnonymousUser

from tests import builders
from tests.access.conftest import fresh
from yishi.access.services import revoke_role
from yishi.people.models import Membership, Person
from yishi.people.presenters import present_person

PHONE = "13812341234"
MASKED_PHONE = "138****1234"
ID_NUMBER = "13090319900101123X"
MASKED_ID = "130903********123X"


@pytest.fixture
def resident(world) -> Person:
    """王桂兰, living at 1号楼 101 in 丽景社区, with her phone and ID number on record."""
    person = builders.person(name="王桂兰", phone=PHONE)
    # There is no service for moving in yet; the membership row is all the presenter reads.
    Membership.objects.create(person=person, household=builders.household(world.building), is_head=True)
    Person.objects.filter(pk=person.pk).update(id_number=ID_NUMBER)
    return fresh(person)


def viewer(role: str, region, name: str) -> Person:
    someone = builders.person(name=name)
    builders.role(someone, role, region)
    return fresh(someone)


def assert_whole(view) -> None:
    assert (view.phone, view.id_number, view.masked) == (PHONE, ID_NUMBER, False)


def assert_masked(view) -> None:
    assert (view.phone, view.id_number, view.masked) == (MASKED_PHONE, MASKED_ID, True)


def test_a_person_sees_their_own_phone_and_id_number_whole(resident):
    assert_whole(present_person(resident, resident))


def test_the_committee_of_their_community_sees_them_whole(world, resident):
    assert_whole(present_person(resident, viewer("committee", world.community, "两委委员")))


def test_the_bureau_above_their_community_sees_them_whole(world, resident):
    assert_whole(present_person(resident, viewer("bureau", world.district, "民政局干部")))


def test_the_committee_of_a_sibling_community_sees_them_masked(world, resident):
    assert_masked(present_person(resident, viewer("committee", world.sibling, "邻社区委员")))


def test_a_neighbour_living_in_the_same_building_sees_them_masked(world, resident):
    neighbour = viewer("resident", world.community, "邻居")
    Membership.objects.create(person=neighbour, household=builders.household(world.building, room="102"))
    assert_masked(present_person(resident, neighbour))


def test_a_representative_of_their_community_sees_them_masked(world, resident):
    assert_masked(present_person(resident, viewer("representative", world.community, "居民代表")))


def test_an_anonymous_visitor_sees_them_masked(resident):
    assert_masked(present_person(resident, AnonymousUser()))


def test_nobody_at_all_sees_them_masked(resident):
    assert_masked(present_person(resident, None))


def test_a_committee_member_whose_role_was_taken_away_sees_them_masked(world, resident):
    former = viewer("committee", world.community, "前委员")
    revoke_role(actor=None, assignment=former.roles.get())
    assert_masked(present_person(resident, fresh(former)))


def test_a_committee_sees_whole_someone_who_serves_in_its_community_without_living_there(world):
    serving = builders.person(name="网格员", phone="13912345678")
    builders.role(serving, "representative", world.compound)
    committee = viewer("committee", world.community, "两委委员")
    assert present_person(serving, committee).phone == "13912345678"
    assert present_person(serving, viewer("committee", world.sibling, "邻社区委员")).phone == "139****5678"


def test_the_name_is_shown_to_everyone(resident):
    assert present_person(resident, AnonymousUser()).name == "王桂兰"


def test_an_id_number_masks_to_its_first_6_and_last_4_characters(world, resident):
    view = present_person(resident, AnonymousUser())
    assert view.id_number[:6] == ID_NUMBER[:6]
    assert view.id_number[-4:] == ID_NUMBER[-4:]
    assert set(view.id_number[6:-4]) == {"*"}
    assert len(view.id_number) == len(ID_NUMBER)


def test_a_person_with_no_phone_or_id_number_shows_empty_fields_not_stars(world):
    elder = builders.person(name="张大爷")
    Person.objects.filter(pk=elder.pk).update(phone=None)
    view = present_person(fresh(elder), AnonymousUser())
    assert (view.phone, view.id_number) == ("", "")
