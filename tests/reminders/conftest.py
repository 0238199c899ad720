"""The people and places of the reminder tests. Helpers that drive the worker are in ``worker.py``."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests import builders


@pytest.fixture
def place(db):
    """丽景社区 with its secretary and council, units and their staff, a resident, and the bureau staff of the
    street above it (水月寺街道) and of the district. One fire-brigade liaison serves the sibling community only."""
    t = builders.tree()
    ns = SimpleNamespace(tree=t)
    ns.secretary = builders.person("张金利")
    builders.role(ns.secretary, "committee", t.community, title="社区党委书记")
    ns.council = builders.person("议事会成员")
    builders.role(ns.council, "council", t.community)
    ns.other_secretary = builders.person("艾丽丽")
    builders.role(ns.other_secretary, "committee", t.sibling)
    ns.fire = builders.unit(
        "市消防救援支队", kind="fire_rescue", home_region=t.city, serves=[t.community, t.sibling]
    )
    ns.property = builders.unit(
        "万泰丽景小区物业服务公司", kind="property", home_region=t.community, serves=[t.compound]
    )
    ns.fire_staff = builders.person("赵振华")
    builders.role(ns.fire_staff, "unit_staff", t.city, unit=ns.fire)
    ns.fire_elsewhere = builders.person("朝东消防联络员")
    builders.role(ns.fire_elsewhere, "unit_staff", t.sibling, unit=ns.fire)
    ns.street_bureau = builders.person("街道督办员")
    builders.role(ns.street_bureau, "bureau", t.street)
    ns.district_bureau = builders.person("区民政局")
    builders.role(ns.district_bureau, "bureau", t.district)
    ns.resident = builders.person("刘桂兰", gender="F")
    ns.outsider = builders.person("外人")
    ns.category = builders.category("environment")
    ns.today = timezone.localdate()
    ns.now = timezone.now()
    ns.soon = ns.today + datetime.timedelta(days=30)
    return ns
