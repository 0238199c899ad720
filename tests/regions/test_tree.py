"""The region tree (paths, subtrees, ancestry, division codes), households and responsible units."""

import pytest

from tests import builders
from yishi.audit.models import AuditEntry
from yishi.errors import Refused
from yishi.regions.codes import CodeError, normalize_code
from yishi.regions.models import PATH_WIDTH, Household, Level, Region, Unit, within
from yishi.regions.services import bulk_insert_regions, create_household, create_region, create_unit


def ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def counts():
    return Region.objects.count(), Household.objects.count(), Unit.objects.count(), AuditEntry.objects.count()


@pytest.fixture
def t(db):
    return builders.tree()


# --- paths and subtrees -------------------------------------------------------------------------------------


def test_a_region_path_is_its_ancestors_ids_zero_padded(t):
    assert t.city.path == str(t.city.pk).zfill(PATH_WIDTH)
    assert t.district.path == t.city.path + str(t.district.pk).zfill(PATH_WIDTH)
    assert t.building.path == t.compound.path + str(t.building.pk).zfill(PATH_WIDTH)
    assert t.building.depth == 6
    stored = Region.objects.get(pk=t.building.pk)
    assert stored.path == t.building.path
    assert stored.ancestor_ids == [
        t.city.pk,
        t.district.pk,
        t.street.pk,
        t.community.pk,
        t.compound.pk,
        t.building.pk,
    ]


def test_create_region_records_an_audit_entry(db):
    before = AuditEntry.objects.count()
    city = create_region(actor=None, parent=None, level=Level.CITY, name="沧州市", code="1309")
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("seq")
    assert (entry.action, entry.target_id) == ("regions.create_region", str(city.pk))
    assert entry.data["code"] == "130900000000"


def test_subtree_is_the_region_and_everything_below_it(t):
    assert ids(Region.objects.subtree(t.community)) == {t.community.pk, t.compound.pk, t.building.pk}
    assert ids(Region.objects.subtree(t.street)) == {
        t.street.pk,
        t.community.pk,
        t.compound.pk,
        t.building.pk,
        t.sibling.pk,
        t.sibling_compound.pk,
    }
    assert ids(Region.objects.subtree(t.building)) == {t.building.pk}
    assert ids(Region.objects.subtree(t.other_district)) == {t.other_district.pk}
    assert ids(Region.objects.subtree(t.city)) == ids(Region.objects.all())


def test_descendants_leave_out_the_region_itself(t):
    assert ids(Region.objects.descendants(t.community)) == {t.compound.pk, t.building.pk}
    assert ids(Region.objects.descendants(t.building)) == set()


def test_within_filters_related_rows_by_their_region(t):
    mine = builders.household(t.building, room="101")
    in_sibling = builders.household(t.sibling_compound, room="101")
    households = Household.objects.filter(within(t.community, "region"))
    assert ids(households) == {mine.pk}
    assert ids(Household.objects.filter(within(t.street, "region"))) == {mine.pk, in_sibling.pk}


def test_ancestors_run_from_the_root_down_to_the_region(t):
    assert list(t.building.ancestors()) == [t.city, t.district, t.street, t.community, t.compound, t.building]
    assert list(t.city.ancestors()) == [t.city]


def test_contains_reaches_down_never_sideways_or_up(t):
    assert t.street.contains(t.building)
    assert t.community.contains(t.community)
    assert not t.sibling.contains(t.building)
    assert not t.building.contains(t.community)
    assert not t.other_district.contains(t.street)


def test_a_deep_tree_of_all_seven_levels_gives_every_node_exactly_its_subtree(db):
    chain = []
    parent = None
    codes = {
        Level.PROVINCE: "13",
        Level.CITY: "1309",
        Level.DISTRICT: "130903",
        Level.STREET: "130903001",
        Level.COMMUNITY: "130903001001",
    }
    for level in Level:
        parent = create_region(
            actor=None, parent=parent, level=level, name=f"第{level.value}级", code=codes.get(level)
        )
        chain.append(parent)
    # A parallel branch at every level, so each subtree has something to leave out.
    side = [create_region(actor=None, parent=node, level=node.level + 1, name="旁支") for node in chain[:-1]]

    for i, node in enumerate(chain):
        expected = {n.pk for n in chain[i:]} | {s.pk for s in side if node.contains(s)}
        assert ids(Region.objects.subtree(node)) == expected
        assert list(node.ancestors()) == chain[: i + 1]
    assert chain[-1].depth == len(Level)


def _bulk(pk, parent, level, name):
    return bulk_insert_regions([Region(pk=pk, parent=parent, level=level, name=name)])[0]


def test_ids_of_different_lengths_never_fall_into_each_others_subtree(db):
    """9 / 10 and 99 / 100 sort the wrong way as text unless every id in the path has the same width."""
    root = _bulk(1, None, Level.CITY, "市")
    nine, ten = _bulk(9, root, Level.DISTRICT, "九"), _bulk(10, root, Level.DISTRICT, "十")
    ninety_nine, hundred = _bulk(99, root, Level.DISTRICT, "九十九"), _bulk(100, root, Level.DISTRICT, "一百")
    under_nine = _bulk(1_000_000_000, nine, Level.STREET, "九下")
    under_ten = _bulk(9_999_999_999, ten, Level.STREET, "十下")  # the widest id a path can hold
    under_99 = _bulk(101, ninety_nine, Level.STREET, "九十九下")
    under_100 = _bulk(999, hundred, Level.STREET, "一百下")

    assert ids(Region.objects.subtree(nine)) == {9, under_nine.pk}
    assert ids(Region.objects.subtree(ten)) == {10, under_ten.pk}
    assert ids(Region.objects.subtree(ninety_nine)) == {99, under_99.pk}
    assert ids(Region.objects.subtree(hundred)) == {100, under_100.pk}
    assert ids(Region.objects.descendants(root)) == {9, 10, 99, 100, 101, 999, 1_000_000_000, 9_999_999_999}
    # Depth-first order by path: each region is followed by its own subtree.
    assert list(Region.objects.values_list("pk", flat=True)) == [
        1,
        9,
        1_000_000_000,
        10,
        9_999_999_999,
        99,
        101,
        100,
        999,
    ]
    assert list(Region.objects.get(pk=9_999_999_999).ancestors()) == [root, ten, under_ten]
    assert all(len(r.path) == r.depth * PATH_WIDTH for r in Region.objects.all())


# --- division codes -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "level", "code"),
    [
        ("130903", Level.DISTRICT, "130903000000"),
        (130903, Level.DISTRICT, "130903000000"),
        ("130903.0", Level.DISTRICT, "130903000000"),  # a number from Excel
        (" 130903001 ", Level.STREET, "130903001000"),
        ("130903001001", Level.COMMUNITY, "130903001001"),
        ("13", Level.PROVINCE, "130000000000"),
        ("", Level.DISTRICT, None),
        (None, Level.COMPOUND, None),
    ],
)
def test_normalize_code_pads_the_short_official_form_to_twelve_digits(raw, level, code):
    assert normalize_code(raw, level) == code


@pytest.mark.parametrize(
    ("raw", "level"),
    [
        ("130903001", Level.DISTRICT),  # non-zero digits below a district's six
        ("130903001001", Level.STREET),
        ("1309030010011", Level.COMMUNITY),  # thirteen digits
        ("13A903", Level.DISTRICT),
        ("一三零九", Level.CITY),
        ("1", Level.PROVINCE),
        ("130903", Level.COMPOUND),  # compounds and buildings have no code
    ],
)
def test_normalize_code_refuses_what_is_not_a_code_for_that_level(raw, level):
    with pytest.raises(CodeError):
        normalize_code(raw, level)


def test_normalize_code_never_returns_anything_but_ascii_digits():
    try:
        code = normalize_code("１３０９０３", Level.DISTRICT)
    except CodeError:
        return
    assert code.isascii()


# --- refusals when building the tree ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "level", "name", "code", "refusal"),
    [
        ("district", Level.STREET, "错区街道", "130902001", "code_outside_parent"),
        ("street", Level.COMMUNITY, "错街社区", "130903002001", "code_outside_parent"),
        ("city", Level.DISTRICT, "多位区", "130903001", "invalid_code"),
        ("district", Level.STREET, "字母街道", "13090300A", "invalid_code"),
        ("compound", Level.COMMUNITY, "小区下的社区", None, "wrong_level"),
        ("building", Level.COMPOUND, "楼下的小区", None, "wrong_level"),
        ("district", Level.DISTRICT, "区下的区", "130904", "wrong_level"),
        ("street", Level.COMMUNITY, "丽景社区", None, "name_taken"),
        ("street", Level.COMMUNITY, " 丽景社区 ", None, "name_taken"),
        ("street", Level.COMMUNITY, "重码社区", "130903001001", "code_taken"),
        ("street", Level.COMMUNITY, "  ", None, "name_required"),
        ("street", Level.COMMUNITY, "社" * 101, None, "name_too_long"),
        ("street", 9, "未知层级", None, "unknown_level"),
    ],
)
def test_create_region_refuses_a_misplaced_region_and_saves_nothing(t, where, level, name, code, refusal):
    before = counts()
    with pytest.raises(Refused) as exc:
        create_region(actor=None, parent=getattr(t, where), level=level, name=name, code=code)
    assert exc.value.code == refusal
    assert str(exc.value.reason)
    assert counts() == before


def test_the_same_name_is_allowed_under_different_parents(t):
    create_region(actor=None, parent=t.community, level=Level.COMPOUND, name="戒毒所小区")
    assert Region.objects.filter(name="戒毒所小区").count() == 2


def test_two_top_level_regions_may_not_share_a_name(t):
    before = counts()
    with pytest.raises(Refused) as exc:
        create_region(actor=None, parent=None, level=Level.CITY, name="沧州市")
    assert exc.value.code == "name_taken"
    assert counts() == before


def test_only_the_system_administrator_creates_a_top_level_region(t):
    someone = builders.person("张金利")
    builders.role(someone, "bureau", t.city)
    before = counts()
    with pytest.raises(Refused) as exc:
        create_region(actor=someone, parent=None, level=Level.CITY, name="衡水市")
    assert exc.value.code == Refused.FORBIDDEN
    assert counts() == before


def test_bureau_staff_create_regions_only_inside_their_own_area(t):
    bureau = builders.person("民政局")
    builders.role(bureau, "bureau", t.district)
    street = create_region(
        actor=bureau, parent=t.district, level=Level.STREET, name="新街道", code="130903002"
    )
    assert t.district.contains(street)

    before = counts()
    with pytest.raises(Refused) as exc:
        create_region(
            actor=bureau, parent=t.other_district, level=Level.STREET, name="隔壁街道", code="130902002"
        )
    assert exc.value.code == Refused.FORBIDDEN
    assert counts() == before


# --- households -------------------------------------------------------------------------------------------


def test_create_household_records_the_dwelling_and_an_audit_entry(t):
    before = AuditEntry.objects.count()
    household = create_household(
        actor=None, region=t.building, unit=" 2 ", room=" 301 ", occupancy="vacant", floor_area="89.456"
    )
    household.refresh_from_db()
    assert (household.unit, household.room, household.occupancy) == ("2", "301", "vacant")
    assert str(household.floor_area) == "89.46"
    assert household.is_vacant
    assert AuditEntry.objects.count() == before + 1


def test_a_village_household_can_sit_directly_in_the_village(t):
    village = create_region(actor=None, parent=t.street, level=Level.COMMUNITY, name="王庄村", rural=True)
    assert create_household(actor=None, region=village, room="12号").region == village


@pytest.mark.parametrize(
    ("kwargs", "refusal"),
    [
        ({"room": "101", "unit": "1"}, "household_exists"),
        ({"room": " 101 ", "unit": " 1"}, "household_exists"),
        ({"room": ""}, "room_required"),
        ({"room": "1" * 21}, "room_required"),
        ({"room": "102", "floor_area": "abc"}, "invalid_area"),
        ({"room": "102", "floor_area": "0"}, "invalid_area"),
        ({"room": "102", "floor_area": "-20"}, "invalid_area"),
        ({"room": "102", "floor_area": "1000000"}, "invalid_area"),
        ({"room": "102", "floor_area": "Infinity"}, "invalid_area"),
        ({"room": "102", "occupancy": "rented"}, "invalid_occupancy"),
        ({"room": "102", "occupancy": ""}, "invalid_occupancy"),
    ],
)
def test_create_household_refuses_bad_input_and_saves_nothing(t, kwargs, refusal):
    builders.household(t.building, room="101", unit="1")
    before = counts()
    with pytest.raises(Refused) as exc:
        create_household(actor=None, region=t.building, **kwargs)
    assert exc.value.code == refusal
    assert counts() == before


@pytest.mark.parametrize("where", ["city", "district", "street"])
def test_a_household_cannot_belong_to_a_region_above_a_village(t, where):
    before = counts()
    with pytest.raises(Refused) as exc:
        create_household(actor=None, region=getattr(t, where), room="101")
    assert exc.value.code == "wrong_level"
    assert counts() == before


def test_a_floor_area_of_nan_is_refused_not_an_error(t):
    with pytest.raises(Refused) as exc:
        create_household(actor=None, region=t.building, room="101", floor_area="NaN")
    assert exc.value.code == "invalid_area"


def test_committee_members_add_households_only_in_their_own_community(t):
    member = builders.person("张金利")
    builders.role(member, "committee", t.community)
    assert create_household(actor=member, region=t.building, room="201").region == t.building

    before = counts()
    with pytest.raises(Refused) as exc:
        create_household(actor=member, region=t.sibling_compound, room="201")
    assert exc.value.code == Refused.FORBIDDEN
    assert counts() == before


# --- responsible units ------------------------------------------------------------------------------------


def test_create_unit_records_the_unit_and_the_regions_it_serves(t):
    before = AuditEntry.objects.count()
    unit = create_unit(
        actor=None,
        name=" 万泰 物业 ",
        kind="property",
        home_region=t.community,
        serves=[t.compound, t.building],
        contact_phone="0317-1234567",
    )
    assert unit.name == "万泰 物业"
    assert unit.contact_phone == "0317-1234567"
    assert ids(unit.serves.all()) == {t.compound.pk, t.building.pk}
    assert AuditEntry.objects.count() == before + 1


@pytest.mark.parametrize(
    ("kwargs", "refusal"),
    [
        ({"contact_phone": "call me"}, "invalid_phone"),
        ({"contact_phone": "123"}, "invalid_phone"),
        ({"contact_phone": "1" * 21}, "invalid_phone"),
        ({"kind": "bank"}, "invalid_kind"),
        ({"name": "已有物业"}, "name_taken"),
        ({"name": ""}, "name_required"),
    ],
)
def test_create_unit_refuses_bad_input_and_saves_nothing(t, kwargs, refusal):
    builders.unit(name="已有物业", home_region=t.community)
    before = counts()
    with pytest.raises(Refused) as exc:
        create_unit(
            **{"actor": None, "name": "新物业", "kind": "property", "home_region": t.community, **kwargs}
        )
    assert exc.value.code == refusal
    assert counts() == before


def test_a_contact_phone_without_digits_is_refused(t):
    with pytest.raises(Refused) as exc:
        create_unit(
            actor=None, name="新物业", kind="property", home_region=t.community, contact_phone="-------"
        )
    assert exc.value.code == "invalid_phone"


def test_a_unit_serving_a_region_outside_the_actors_area_is_refused_and_not_saved(t):
    member = builders.person("张金利")
    builders.role(member, "committee", t.community)
    before = counts()
    with pytest.raises(Refused) as exc:
        create_unit(
            actor=member,
            name="新物业",
            kind="property",
            home_region=t.community,
            serves=[t.compound, t.sibling_compound],
        )
    assert exc.value.code == Refused.FORBIDDEN
    assert counts() == before
