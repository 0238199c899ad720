"""A community with representatives, staff to count, a compound of owners; votes built through the services."""

import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from tests import builders
from yishi.people.models import Membership, Relation
from yishi.votes import drafting


@pytest.fixture(autouse=True)
def _english():
    """Reasons are composed in the active language; these tests read them in English."""
    with translation.override("en"):
        yield


def representatives(region, n, prefix="代表"):
    people = [builders.person(f"{prefix}{i}") for i in range(n)]
    for p in people:
        builders.role(p, "representative", region)
    return people


def owned_household(region, room, area, *owners, member=None):
    """A household with its floor area and owners. Memberships are written directly: no service makes them yet
    (the household import does, from a spreadsheet)."""
    household = builders.household(region, room=room, floor_area=Decimal(area))
    for owner in owners:
        Membership.objects.create(person=owner, household=household, relation=Relation.OWNER, is_head=True)
    if member is not None:
        Membership.objects.create(person=member, household=household, relation=Relation.MEMBER)
    return household


def form_photo(name="proxy.png"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@pytest.fixture
def town(db):
    """丽景社区: its secretary and a second committee member (two staff to count), ten representatives,
    a resident with no role, the owners' committee of 万泰丽景小区, and the sibling community's secretary."""
    t = builders.tree()
    ns = SimpleNamespace(tree=t)
    ns.secretary = builders.person("张金利")
    builders.role(ns.secretary, "committee", t.community)
    ns.clerk = builders.person("李文书")
    builders.role(ns.clerk, "committee", t.community)
    ns.reps = representatives(t.community, 10)
    ns.resident = builders.person("刘桂兰")
    ns.owners_committee = builders.person("业委会主任")
    builders.role(ns.owners_committee, "owners_committee", t.compound)
    ns.other_secretary = builders.person("艾丽丽")
    builders.role(ns.other_secretary, "committee", t.sibling)
    return ns


def opened(town, **kwargs):
    """A vote of the community's representatives, created and opened by the secretary."""
    kwargs.setdefault("region", town.tree.community)
    kwargs.setdefault("question", "是否同意维修小区西侧道路？")
    vote = drafting.create_vote(actor=town.secretary, **kwargs)
    return drafting.open_vote(actor=town.secretary, vote=vote)
