"""The demo city: the seed report's places, units and people in 沧州市 (河北省).

The province, city and the report's two districts carry their official division codes. The streets the
report's communities belong to are not named in it: the assignment below is illustrative, and codes below
the district level are made up in the official shape.
"""

import random

from django.contrib.auth.hashers import make_password
from django.db import transaction

from yishi.access.models import RoleAssignment
from yishi.access.roles import Role
from yishi.access.services import assign_role
from yishi.notifications import muted
from yishi.people.models import Membership, Person, Relation
from yishi.regions.models import Household, Level, Occupancy, Region, UnitKind
from yishi.regions.services import create_region, create_unit

from .names import draw_name
from .shared import REPRESENTATIVES, Demo, Login, add_staff
from .stories import load_stories

DEMO_PASSWORD = "yishi-demo-2026"  # noqa: S105 - published in the README for the demo only


# (district, street name, street code, community, community code, [(compound, buildings, entrances, floors, vacant share)])
PLACES = [
    (
        "运河区",
        "南湖街道",
        "130903003",
        "丽景社区",
        "130903003001",
        [("万泰丽景小区", 4, 2, 6, 0.08), ("馨泰花园小区", 2, 2, 5, 0.1)],
    ),
    ("运河区", "水月寺街道", "130903001", "朝东社区", "130903001001", [("戒毒所小区", 3, 2, 6, 0.12)]),
    (
        "新华区",
        "建设北街街道",
        "130902001",
        "三角线社区",
        "130902001001",
        # 建材城小区: 200 households (5 buildings × 2 entrances × 10 floors × 2 flats), no property company.
        [("建材城小区", 5, 2, 10, 0.15), ("生产资料小区", 2, 2, 6, 0.1)],
    ),
]

SECRETARIES = {"丽景社区": "张金利", "三角线社区": "孙丽", "朝东社区": "艾丽丽"}
SECRETARY_PHONES = {"丽景社区": "13900000101", "三角线社区": "13900000201", "朝东社区": "13900000301"}
# The two committees (两委) beyond the secretary, where a story needs them: 三角线社区's show of hands in S2
# counts the committee members, and a second member enters the check count of each tally.
COMMITTEE_MEMBERS = {
    "三角线社区": [
        ("刘卫东", "13900000202", "社区居委会主任", "M"),
        ("赵淑芳", "13900000203", "社区居委会委员", "F"),
    ]
}


def _region(demo, parent, level, name, code=None):
    region = create_region(actor=None, parent=parent, level=level, name=name, code=code)
    demo.regions[name] = region
    return region


def _households(
    compound: Region, buildings: int, entrances: int, floors: int, vacant_share: float, rng
) -> list:
    """Buildings under the compound and every flat in them (two per landing)."""
    created = []
    for b in range(1, buildings + 1):
        building = create_region(actor=None, parent=compound, level=Level.BUILDING, name=f"{b}号楼")
        for e in range(1, entrances + 1):
            for floor in range(1, floors + 1):
                for flat in (1, 2):
                    created.append(
                        Household(
                            region=building,
                            unit=str(e),
                            room=f"{floor}0{flat}",
                            occupancy=Occupancy.VACANT if rng.random() < vacant_share else Occupancy.OCCUPIED,
                            floor_area=rng.choice([58, 62.5, 75, 86, 92.3, 105, 118]),
                        )
                    )
    return Household.objects.bulk_create(created)


def _residents(households: list, rng, phone_counter) -> list[Person]:
    """A head for every occupied household, most with a mobile phone (some elderly have none)."""
    heads, memberships = [], []
    for household in households:
        if household.occupancy == Occupancy.VACANT:
            continue
        gender = rng.choice("FM")
        phone = str(next(phone_counter)) if rng.random() < 0.85 else None
        heads.append((household, Person(name=draw_name(rng, gender), phone=phone, gender=gender)))
    people = Person.objects.bulk_create([p for _, p in heads])
    for (household, _), person in zip(heads, people, strict=True):
        memberships.append(
            Membership(person=person, household=household, relation=Relation.OWNER, is_head=True)
        )
    Membership.objects.bulk_create(memberships)
    for person in people:
        person.set_unusable_password()
    Person.objects.bulk_update(people, ["password"])
    return people


def load(seed: int = 2020) -> Demo:
    # The stories happened weeks or months ago: nobody is texted about them.
    with muted(), transaction.atomic():
        return _load(seed)


def _load(seed: int) -> Demo:
    rng = random.Random(seed)
    demo = Demo()
    province = _region(demo, None, Level.PROVINCE, "河北省", "130000000000")
    city = _region(demo, province, Level.CITY, "沧州市", "130900000000")
    _region(demo, city, Level.DISTRICT, "运河区", "130903000000")
    _region(demo, city, Level.DISTRICT, "新华区", "130902000000")

    admin = Person.objects.create_superuser("13000000000", "系统管理员", None)
    assign_role(actor=None, person=admin, role=Role.ADMIN, region=province)
    demo.logins.append(Login(admin.name, admin.phone, "system administrator · /admin/", "password"))
    add_staff(
        demo, "王建华", "13900000001", Role.BUREAU, city, title="市民政局基层政权建设和社区治理科", gender="M"
    )
    add_staff(demo, "李明", "13900000002", Role.EXPERT, city, title="律师", expertise="legal", gender="M")
    add_staff(
        demo, "周静", "13900000003", Role.EXPERT, city, title="社会工作师", expertise="social", gender="F"
    )

    phones = iter(range(13910000001, 13999999999))
    for district, street_name, street_code, community_name, community_code, compounds in PLACES:
        street = demo.regions.get(street_name) or _region(
            demo, demo.regions[district], Level.STREET, street_name, street_code
        )
        community = _region(demo, street, Level.COMMUNITY, community_name, community_code)
        add_staff(
            demo,
            SECRETARIES[community_name],
            SECRETARY_PHONES[community_name],
            Role.COMMITTEE,
            community,
            title="社区党委书记",
            gender="F" if community_name != "丽景社区" else "M",
        )
        for name, phone, title, gender in COMMITTEE_MEMBERS.get(community_name, []):
            add_staff(demo, name, phone, Role.COMMITTEE, community, title=title, gender=gender)
        community_people: list[Person] = []
        for compound_name, *shape in compounds:
            compound = _region(demo, community, Level.COMPOUND, compound_name)
            households = _households(compound, *shape, rng)
            community_people += _residents(households, rng, phones)
        _community_roles(demo, community, community_people, rng)

    _units(demo)
    load_stories(demo)
    _set_demo_passwords(demo)
    return demo


def _community_roles(demo, community, people, rng):
    """Representatives (≥ 1/3 women), council members and, in 建材城小区, its owners' committee and building heads."""
    with_phone = [p for p in people if p.phone]
    women = [p for p in with_phone if p.gender == "F"]
    men = [p for p in with_phone if p.gender == "M"]
    n = REPRESENTATIVES[community.name]
    n_women = max(n // 2, -(-n // 3))
    reps = women[:n_women] + men[: n - n_women]
    for person in reps:
        assign_role(actor=None, person=person, role=Role.REPRESENTATIVE, region=community)
    first = reps[0]
    demo.logins.append(
        Login(first.name, first.phone, f"{Role.REPRESENTATIVE.label} · {community.name}", "code")
    )
    for person in reps[:5]:
        assign_role(actor=None, person=person, role=Role.COUNCIL, region=community)
    if community.name == "三角线社区":
        compound = demo.regions["建材城小区"]
        for person in reps[5:8]:
            assign_role(
                actor=None, person=person, role=Role.OWNERS_COMMITTEE, region=compound, title="业委会委员"
            )
        heads = [p for p in with_phone if p not in reps][:10]
        entrances = [b for b in compound.children.order_by("path") for _ in (1, 2)]
        for person, building in zip(heads, entrances, strict=False):
            assign_role(actor=None, person=person, role=Role.BUILDING_HEAD, region=building, title="单元长")
    resident = next(p for p in with_phone if p not in reps)
    demo.logins.append(
        Login(resident.name, resident.phone, f"{Role.RESIDENT.label} · {community.name}", "code")
    )


def _units(demo):
    r = demo.regions
    fire = create_unit(
        actor=None,
        name="市消防救援支队",
        kind=UnitKind.FIRE_RESCUE,
        home_region=r["沧州市"],
        serves=[r["丽景社区"]],
    )
    brigade = create_unit(
        actor=None,
        name="运河区消防救援大队",
        kind=UnitKind.FIRE_RESCUE,
        home_region=r["运河区"],
        serves=[r["丽景社区"], r["朝东社区"]],
    )
    chengguan = create_unit(
        actor=None,
        name="运河区城管",
        kind=UnitKind.URBAN_MANAGEMENT,
        home_region=r["运河区"],
        serves=[r["丽景社区"], r["朝东社区"]],
    )
    prop = create_unit(
        actor=None,
        name="万泰丽景小区物业服务公司",
        kind=UnitKind.PROPERTY,
        home_region=r["丽景社区"],
        serves=[r["万泰丽景小区"]],
    )
    add_staff(
        demo,
        "赵振华",
        "13900000011",
        Role.UNIT_STAFF,
        r["沧州市"],
        title="市消防救援支队联络员",
        unit=fire,
        gender="M",
    )
    add_staff(
        demo,
        "钱海涛",
        "13900000012",
        Role.UNIT_STAFF,
        r["运河区"],
        title="消防救援大队联络员",
        unit=brigade,
        gender="M",
    )
    add_staff(
        demo,
        "孙立新",
        "13900000013",
        Role.UNIT_STAFF,
        r["运河区"],
        title="城管中队长",
        unit=chengguan,
        gender="M",
    )
    add_staff(
        demo,
        "吴秀云",
        "13900000014",
        Role.UNIT_STAFF,
        r["万泰丽景小区"],
        title="物业经理",
        unit=prop,
        gender="F",
    )


def _set_demo_passwords(demo):
    # One hash for every demo staff login: hashing each separately would add seconds to `make demo`.
    staff_phones = [login.phone for login in demo.logins if login.how == "password"]
    Person.objects.filter(phone__in=staff_phones).update(password=make_password(DEMO_PASSWORD))


def logins() -> list[Login]:
    """The demo logins, read back from the database (for printing when the demo is already loaded)."""
    rows = []
    admin = Person.objects.filter(is_superuser=True).order_by("pk").first()
    if admin:
        rows.append(Login(admin.name, admin.phone, "system administrator · /admin/", "password"))
    staff = (
        RoleAssignment.objects.active()
        .filter(role__in=[Role.BUREAU, Role.EXPERT, Role.COMMITTEE, Role.UNIT_STAFF])
        .select_related("person", "region")
        .order_by("person__phone")
    )
    rows += [
        Login(
            a.person.name, a.person.phone, f"{a.title or a.get_role_display()} · {a.region.name}", "password"
        )
        for a in staff
    ]
    for community in Region.objects.filter(level=Level.COMMUNITY, name__in=REPRESENTATIVES).order_by("path"):
        reps = (
            RoleAssignment.objects.active()
            .filter(role=Role.REPRESENTATIVE, region=community)
            .select_related("person")
            .order_by("pk")
        )
        rep = reps.first()
        if rep:
            rows.append(
                Login(
                    rep.person.name,
                    rep.person.phone,
                    f"{Role.REPRESENTATIVE.label} · {community.name}",
                    "code",
                )
            )
        # The same resident load() printed: the first one with a phone who is not a representative.
        resident = (
            Person.objects.filter(
                memberships__household__region__path__startswith=community.path, phone__isnull=False
            )
            .exclude(pk__in=reps.values("person"))
            .order_by("pk")
            .first()
        )
        if resident:
            rows.append(
                Login(resident.name, resident.phone, f"{Role.RESIDENT.label} · {community.name}", "code")
            )
    return rows
