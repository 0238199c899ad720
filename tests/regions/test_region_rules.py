"""A region's own rules (DESIGN.md, "Rules and defaults"): the nearest region's setting wins, else the default
with its source; who may set one; the notice rule in use; the public page."""

import pytest

from tests import builders
from tests.meetings.conftest import clock, s1, schedule  # noqa: F401 (fixtures)
from yishi.audit.models import AuditEntry
from yishi.errors import Refused
from yishi.meetings import announcing, rules
from yishi.regions.queries import rule_for
from yishi.regions.services import set_region_rule
from yishi.votes.drafting import eight_step_threshold

BACKEND = "yishi.people.backends.PhonePasswordBackend"
KEY = "meeting_notice_days:consultation"


@pytest.fixture
def world(db):
    t = builders.tree()
    bureau = builders.person("民政局")
    builders.role(bureau, "bureau", t.city)
    return t, bureau


def test_no_setting_gives_the_default_with_its_source(world):
    t, _bureau = world
    assert rule_for(t.community, KEY, (3, "the law")) == (3, "the law")
    assert rules.notice_days("consultation", t.community) == 3
    assert rules.notice_source("consultation", t.community) == rules.NOTICE_DAYS["consultation"].source
    assert eight_step_threshold(t.community) == (2, 3)


def test_the_nearest_ancestor_wins(world):
    t, bureau = world
    set_region_rule(actor=bureau, region=t.city, key=KEY, value=7, source="市民政局 2025 通知")
    set_region_rule(actor=bureau, region=t.street, key=KEY, value=4, source="街道议事规则")
    value, source = rule_for(t.community, KEY, (3, "the law"))
    assert value == 4 and "街道议事规则" in source and t.street.name in source
    assert rule_for(t.other_district, KEY, (3, "the law"))[0] == 7
    set_region_rule(actor=bureau, region=t.community, key=KEY, value=None, source="社区自定")
    assert rules.notice_days("consultation", t.community) is None
    assert rules.notice_days("consultation", t.sibling) == 4


def test_a_districts_change_reaches_its_communities_but_not_a_sibling_district(world):
    t, bureau = world
    rule = set_region_rule(
        actor=bureau,
        region=t.district,
        key="vote_threshold:eight_steps",
        value=[3, 4],
        source="运河区 议事规则",
    )
    assert rule.set_by == bureau and rule.set_at is not None
    assert eight_step_threshold(t.community) == (3, 4)
    assert eight_step_threshold(t.other_district) == (2, 3)
    assert AuditEntry.objects.filter(action="regions.set_rule", target_id=str(t.district.pk)).exists()


@pytest.mark.parametrize(
    ("key", "value", "code"),
    [
        ("meeting_notice_days:nonsense", 3, "unknown_rule"),
        ("quorum", 3, "unknown_rule"),
        (KEY, 61, "invalid_value"),
        (KEY, -1, "invalid_value"),
        (KEY, "5", "invalid_value"),
        (KEY, True, "invalid_value"),
        ("vote_threshold:eight_steps", [4, 3], "invalid_value"),
        ("vote_threshold:eight_steps", [0, 3], "invalid_value"),
        ("vote_threshold:eight_steps", 2, "invalid_value"),
    ],
)
def test_bad_keys_and_values_are_refused(world, key, value, code):
    t, bureau = world
    with pytest.raises(Refused) as refused:
        set_region_rule(actor=bureau, region=t.district, key=key, value=value, source="x")
    assert refused.value.code == code
    assert not t.district.rules.exists()


def test_the_edges_of_the_ranges_are_accepted(world):
    t, bureau = world
    set_region_rule(actor=bureau, region=t.district, key=KEY, value=60, source="x")
    set_region_rule(actor=bureau, region=t.district, key=KEY, value=0, source="x")
    set_region_rule(
        actor=bureau, region=t.district, key="vote_threshold:eight_steps", value=[3, 3], source="x"
    )
    assert t.district.rules.count() == 2


def test_a_source_is_required(world):
    t, bureau = world
    with pytest.raises(Refused) as refused:
        set_region_rule(actor=bureau, region=t.district, key=KEY, value=5, source="  ")
    assert refused.value.code == "source_required"


def test_a_community_committee_may_not_set_rules(world):
    t, _bureau = world
    secretary = builders.person("书记")
    builders.role(secretary, "committee", t.community)
    with pytest.raises(Refused) as refused:
        set_region_rule(actor=secretary, region=t.community, key=KEY, value=5, source="x")
    assert refused.value.code == Refused.FORBIDDEN
    assert not t.community.rules.exists()


def test_a_district_bureau_may_not_set_rules_in_a_sibling_district(world):
    t, _bureau = world
    district_bureau = builders.person("运河区民政局")
    builders.role(district_bureau, "bureau", t.district)
    with pytest.raises(Refused) as refused:
        set_region_rule(actor=district_bureau, region=t.other_district, key=KEY, value=5, source="x")
    assert refused.value.code == Refused.FORBIDDEN


def test_a_consultation_announced_in_the_district_is_late_at_4_days_with_5_set_and_not_at_5(s1):  # noqa: F811
    bureau = builders.person("民政局")
    builders.role(bureau, "bureau", s1.t.district)
    set_region_rule(actor=bureau, region=s1.t.district, key=KEY, value=5, source="运河区 协商规则")
    on_time = schedule(s1, form="consultation", days_ahead=5)
    announcement = announcing.announce(actor=s1.p.secretary, meeting=on_time)
    assert announcement.late is False and announcement.required_days == 5
    short = schedule(s1, form="consultation", days_ahead=4)  # enough under the default of 3
    with pytest.raises(Refused) as refused:
        announcing.announce(actor=s1.p.secretary, meeting=short)
    assert refused.value.code == "short_notice" and "运河区 协商规则" in str(refused.value)
    late = announcing.announce(actor=s1.p.secretary, meeting=short, late_reason="汛期")
    assert late.late is True and late.required_days == 5


def test_the_page_lists_every_rule_with_its_value_and_source(world, client):
    t, bureau = world
    set_region_rule(actor=bureau, region=t.district, key=KEY, value=5, source="运河区 协商规则")
    page = client.get(f"/r/{t.community.pk}/rules/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "运河区 协商规则" in html and t.district.name in html
    assert rules.NOTICE_DAYS["villagers"].source in html  # a default, with its source
    assert "2/3" in html
    assert 'name="source"' not in html  # no form for the public
    assert (
        client.post(f"/r/{t.community.pk}/rules/", {"key": KEY, "value": "1", "source": "x"}).status_code
        == 403
    )


def test_a_bureau_sets_a_rule_on_the_page_and_a_bad_value_is_a_form_error(world, client):
    t, bureau = world
    client.force_login(bureau, backend=BACKEND)
    assert 'name="source"' in client.get(f"/r/{t.district.pk}/rules/").content.decode()
    bad = client.post(f"/r/{t.district.pk}/rules/", {"key": KEY, "value": "99", "source": "x"})
    assert bad.status_code == 400 and not t.district.rules.exists()
    ok = client.post(
        f"/r/{t.district.pk}/rules/",
        {"key": "vote_threshold:eight_steps", "value": "3/4", "source": "区议事规则"},
    )
    assert ok.status_code == 302
    assert eight_step_threshold(t.community) == (3, 4)
