"""建材城小区 in 丽景社区 for the survey tests: two buildings with households, the people who survey them.

Households are recorded through the services; memberships by the ORM (no service records them yet: the
household import does it in bulk).
"""

from types import SimpleNamespace

import pytest

from tests import builders
from yishi.people.models import Membership
from yishi.regions.models import Level
from yishi.regions.services import create_region
from yishi.surveys import services


def member(person, household, **kwargs):
    return Membership.objects.create(person=person, household=household, **kwargs)


def make_place():
    t = builders.tree()
    ns = SimpleNamespace(tree=t)
    ns.compound = create_region(actor=None, parent=t.community, level=Level.COMPOUND, name="建材城小区")
    ns.b1 = create_region(actor=None, parent=ns.compound, level=Level.BUILDING, name="1号楼")
    ns.b2 = create_region(actor=None, parent=ns.compound, level=Level.BUILDING, name="2号楼")
    ns.b1_homes = [builders.household(ns.b1, room=f"{floor}0{door}") for floor in (1, 2) for door in (1, 2)]
    ns.b2_homes = [builders.household(ns.b2, room=f"10{door}") for door in (1, 2)]
    ns.secretary = builders.person("张金利")
    builders.role(ns.secretary, "committee", t.community)
    ns.owners = builders.person("业委会主任")
    builders.role(ns.owners, "owners_committee", ns.compound)
    ns.other_secretary = builders.person("艾丽丽")
    builders.role(ns.other_secretary, "committee", t.sibling)
    ns.resident = builders.person("刘桂兰")
    member(ns.resident, ns.b1_homes[0], is_head=True)
    ns.spouse = builders.person("王建国")
    member(ns.spouse, ns.b1_homes[0])
    ns.neighbour = builders.person("李大爷")
    member(ns.neighbour, ns.b2_homes[0], is_head=True)
    ns.outsider = builders.person("外人")
    member(ns.outsider, builders.household(t.sibling_compound), is_head=True)
    return ns


@pytest.fixture
def place(db):
    return make_place()


def gardening_survey(p, *, open_it=True):
    """The S2 survey: agree to hire a gardening team? which service matters? anything to add?"""
    survey = services.create_survey(
        actor=p.secretary,
        region=p.compound,
        title="聘请专业绿化队入户调查表",
        description="小区无物业，绿化带由志愿者维护效果不佳。",
    )
    agree = services.add_question(
        actor=p.secretary,
        survey=survey,
        kind="single",
        text="是否同意聘请专业绿化队？",
        choices=["同意", "不同意", "无所谓"],
    )
    services_q = services.add_question(
        actor=p.secretary,
        survey=survey,
        kind="multiple",
        text="您最关心哪些养护内容？",
        choices=["修剪", "浇水", "除草", "病虫害防治"],
    )
    remarks = services.add_question(
        actor=p.secretary, survey=survey, kind="text", text="其他意见和建议", required=False
    )
    if open_it:
        services.open_survey(actor=p.secretary, survey=survey)
    survey.refresh_from_db()
    return SimpleNamespace(
        survey=survey,
        agree=agree,
        services=services_q,
        remarks=remarks,
        yes=agree.choices.get(label="同意"),
        no=agree.choices.get(label="不同意"),
        prune=services_q.choices.get(label="修剪"),
        water=services_q.choices.get(label="浇水"),
        weed=services_q.choices.get(label="除草"),
    )


def answers(s, agree=None, picks=(), remark=None):
    """A valid set of answers to the gardening survey (agreeing, pruning) unless told otherwise."""
    result = {s.agree.pk: (agree or s.yes).pk, s.services.pk: [c.pk for c in (picks or [s.prune])]}
    if remark is not None:
        result[s.remarks.pk] = remark
    return result


@pytest.fixture
def gardening(place):
    return gardening_survey(place)
