import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests import builders


@pytest.fixture
def place(db):
    """丽景社区 with its secretary, council member, an expert, units, two residents and a neighbour."""
    t = builders.tree()
    ns = SimpleNamespace(tree=t)
    ns.secretary = builders.person("张金利", password="pw-12345678x")
    builders.role(ns.secretary, "committee", t.community, title="社区党委书记")
    ns.council = builders.person("议事会成员")
    builders.role(ns.council, "council", t.community)
    ns.lawyer = builders.person("李明")
    builders.role(ns.lawyer, "expert", t.city, expertise="legal")
    ns.fire = builders.unit("市消防救援支队", kind="fire_rescue", home_region=t.city, serves=[t.community])
    ns.property = builders.unit("万泰丽景小区物业服务公司", kind="property", home_region=t.community, serves=[t.compound])
    ns.fire_staff = builders.person("赵振华")
    builders.role(ns.fire_staff, "unit_staff", t.city, unit=ns.fire)
    ns.resident = builders.person("刘桂兰", gender="F")
    ns.neighbour = builders.person("王建国", gender="M")
    ns.outsider = builders.person("外人")
    ns.other_secretary = builders.person("艾丽丽")
    builders.role(ns.other_secretary, "committee", t.sibling)
    ns.category = builders.category("environment")
    ns.today = timezone.localdate()
    ns.now = timezone.now()
    ns.soon = ns.today + datetime.timedelta(days=30)
    return ns
