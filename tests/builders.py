"""Test data built through the services, as the product builds it (actor=None is the system)."""

import itertools
from types import SimpleNamespace

from yishi.access.services import assign_role
from yishi.people.services import register_person
from yishi.regions.models import Level
from yishi.regions.services import create_household, create_region, create_unit

_phones = itertools.count(13800000001)


def next_phone() -> str:
    return str(next(_phones))


def person(name="居民", phone=None, password=None, gender=""):
    return register_person(
        actor=None, name=name, phone=phone or next_phone(), password=password, gender=gender
    )


def role(who, role, region, **kwargs):
    return assign_role(actor=None, person=who, role=role, region=region, **kwargs)


def tree():
    """沧州市 → 运河区 → 街道 → 丽景社区 (with 万泰丽景小区 → 1号楼) and a sibling 朝东社区; 新华区 beside."""
    city = create_region(actor=None, parent=None, level=Level.CITY, name="沧州市", code="130900000000")
    district = create_region(actor=None, parent=city, level=Level.DISTRICT, name="运河区", code="130903")
    other_district = create_region(
        actor=None, parent=city, level=Level.DISTRICT, name="新华区", code="130902"
    )
    street = create_region(
        actor=None, parent=district, level=Level.STREET, name="水月寺街道", code="130903001"
    )
    community = create_region(
        actor=None, parent=street, level=Level.COMMUNITY, name="丽景社区", code="130903001001"
    )
    sibling = create_region(
        actor=None, parent=street, level=Level.COMMUNITY, name="朝东社区", code="130903001002"
    )
    compound = create_region(actor=None, parent=community, level=Level.COMPOUND, name="万泰丽景小区")
    building = create_region(actor=None, parent=compound, level=Level.BUILDING, name="1号楼")
    sibling_compound = create_region(actor=None, parent=sibling, level=Level.COMPOUND, name="戒毒所小区")
    return SimpleNamespace(
        city=city,
        district=district,
        other_district=other_district,
        street=street,
        community=community,
        sibling=sibling,
        compound=compound,
        building=building,
        sibling_compound=sibling_compound,
    )


def household(region, room="101", unit="1", **kwargs):
    return create_household(actor=None, region=region, room=room, unit=unit, **kwargs)


def unit(name="万泰物业", kind="property", home_region=None, serves=()):
    return create_unit(actor=None, name=name, kind=kind, home_region=home_region, serves=list(serves))


def category(key="environment"):
    """A seeded category. Transactional tests flush the seed rows, so re-create them when missing."""
    from yishi.matters.models import Category

    names = {
        "disputes": "矛盾纠纷",
        "property": "物业管理服务",
        "environment": "小区环境",
        "renovation": "老旧小区改造",
        "facilities": "公共设施",
        "safety": "安全隐患",
        "other": "其他",
    }
    return Category.objects.get_or_create(key=key, defaults={"name": names[key]})[0]
