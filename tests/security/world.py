"""The world the authority and privacy tests act in: 丽景社区 (the place of tests/conftest.py) with a sibling at
every level of the tree, a holder of every role at every node where it may be held, and the named people of
the stories (the secretary who convenes, the resident who raised the matter, the neighbour who supported it,
the lawyer who reviews, the fire brigade's staff who carry out the work).

Everything is built through the services, as the product builds it.
"""

import datetime
from types import SimpleNamespace

from django.db import connection
from django.utils import timezone

from tests import builders
from yishi.access.roles import LEVELS, Role
from yishi.audit import notes
from yishi.people.models import Membership
from yishi.regions.models import Level
from yishi.regions.services import create_region


def build():
    t = builders.tree()
    # A sibling beside every node on the path from the compound up to the city.
    t.compound2 = create_region(actor=None, parent=t.community, level=Level.COMPOUND, name="金色家园小区")
    t.building2 = create_region(actor=None, parent=t.compound, level=Level.BUILDING, name="2号楼")
    t.street2 = create_region(
        actor=None, parent=t.district, level=Level.STREET, name="西环街道", code="130903002"
    )
    t.city2 = create_region(actor=None, parent=None, level=Level.CITY, name="衡水市", code="131100000000")
    w = SimpleNamespace(tree=t)
    # A witness of the record (a key, no person): the tests put it among the witnesses the record knows.
    w.witness = notes.generate("bureau.example/witness", notes.COSIGNATURE_V1)
    w.secretary = builders.person("张金利", password="pw-12345678x")
    builders.role(w.secretary, "committee", t.community, title="社区党委书记")
    w.council = builders.person("议事会成员")
    builders.role(w.council, "council", t.community)
    w.council_clerk = builders.person("李文书")  # a second committee member: tallies are entered twice
    builders.role(w.council_clerk, "committee", t.community)
    w.lawyer = builders.person("李明")
    builders.role(w.lawyer, "expert", t.city, expertise="legal")
    w.fire = builders.unit("市消防救援支队", kind="fire_rescue", home_region=t.city, serves=[t.community])
    w.property = builders.unit(
        "万泰丽景小区物业服务公司", kind="property", home_region=t.community, serves=[t.compound]
    )
    w.stranger_unit = builders.unit(
        "新华区环卫所", kind="urban_management", home_region=t.other_district, serves=[t.other_district]
    )
    w.fire_staff = builders.person("赵振华")
    builders.role(w.fire_staff, "unit_staff", t.city, unit=w.fire)
    w.resident = builders.person("刘桂兰", gender="F")
    w.neighbour = builders.person("王建国", gender="M")
    w.outsider = builders.person("外人")
    w.other_secretary = builders.person("艾丽丽")
    builders.role(w.other_secretary, "committee", t.sibling)
    w.category = builders.category("environment")
    w.today = timezone.localdate()
    w.now = timezone.now()
    w.soon = w.today + datetime.timedelta(days=30)
    # Homes in the compound: the resident's and the neighbour's.
    w.home = builders.household(t.building, room="101", floor_area="89.25")
    w.home2 = builders.household(t.building, room="102", floor_area="60.50")
    Membership.objects.create(person=w.resident, household=w.home, is_head=True)
    Membership.objects.create(person=w.neighbour, household=w.home2, is_head=True)
    # A holder of every role at every node where it may be held (the unit staff's unit has no work here).
    w.regions = [
        t.city,
        t.city2,
        t.district,
        t.other_district,
        t.street,
        t.street2,
        t.community,
        t.sibling,
        t.compound,
        t.compound2,
        t.sibling_compound,
        t.building,
        t.building2,
    ]
    w.holders = {}
    for r in Role:
        for region in w.regions:
            if region.level not in LEVELS[r]:
                continue
            who = builders.person(f"{r.value}@{region.name}")
            extra = {"unit": w.stranger_unit} if r == Role.UNIT_STAFF else {}
            if r == Role.EXPERT:
                extra = {"expertise": "social"}
            builders.role(who, r, region, **extra)
            w.holders[(r.value, region.pk)] = who
    w.plain = builders.person("普通居民")
    return w


def chain(region):
    """The region and its ancestors, nearest first."""
    out = []
    while region is not None:
        out.append(region)
        region = region.parent
    return out


def positions(w, region):
    """For each role: who holds it at the object's own node (the nearest node above it where the role may be
    held, or a node below it when there is none above), at the next such node above, and at a sibling of the
    own node. -> list of (label, person, reaches)."""
    from yishi.regions.models import Region

    out = []
    up = chain(region)
    for r in Role:
        allowed = [x for x in up if x.level in LEVELS[r]]
        if allowed:
            own = allowed[0]
            out.append((f"{r.value}@own", w.holders[(r.value, own.pk)], True))
            if len(allowed) > 1:
                out.append((f"{r.value}@parent", w.holders[(r.value, allowed[1].pk)], True))
        else:
            below = [x for x in w.regions if x.level in LEVELS[r] and region.contains(x) and x != region]
            own = below[0]
            out.append((f"{r.value}@below", w.holders[(r.value, own.pk)], False))
        sibling = next(
            x
            for x in w.regions
            if x.level == own.level and x != own and not x.contains(region) and (r.value, x.pk) in w.holders
        )
        out.append((f"{r.value}@sibling", w.holders[(r.value, sibling.pk)], False))
    assert isinstance(region, Region)
    return out


_TABLES = None


def fingerprint(
    mutable=(
        "matters_matter",
        "meetings_meeting",
        "votes_vote",
        "surveys_survey",
        "funds_chargerule",
        "works_work",
        "meetings_minutes",
        "notices_notice",
        "people_person",
        "access_roleassignment",
        "regions_region",
        "regions_rule",
        "reminders_notification",
        "reminders_preference",
    ),
):
    """Every table's row count in one query, and the rows of the tables whose rows change in place."""
    global _TABLES
    if _TABLES is None:
        _TABLES = sorted(
            name
            for name in connection.introspection.table_names()
            if name not in ("django_session", "access_refusedattempt") and not name.startswith("axes_")
        )
    tables = _TABLES
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {q(t)})" for t in tables))  # noqa: S608
        counts = dict(zip(tables, cursor.fetchone(), strict=True))
        rows = {}
        for table in mutable:
            if table in tables:
                cursor.execute(f"SELECT * FROM {q(table)} ORDER BY 1")  # noqa: S608 - our own table names
                rows[table] = cursor.fetchall()
    return counts, rows


def difference(before, after) -> str:
    counts = [f"{t}: {before[0][t]}→{after[0][t]}" for t in before[0] if before[0][t] != after[0].get(t)]
    rows = [t for t in before[1] if before[1][t] != after[1][t]]
    return "; ".join(counts + [f"{t} rows changed" for t in rows])
