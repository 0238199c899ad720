import pytest
from django.utils import translation

from tests import builders
from tests.procedures import flows
from yishi.audit.models import AuditEntry
from yishi.errors import Refused
from yishi.matters import services as matters
from yishi.matters.models import Matter, Status, Support
from yishi.matters.presenters import submitter_label
from yishi.matters.queries import similar_matters


@pytest.fixture(autouse=True)
def _english():
    """Reasons are composed in the active language when refused; these tests read them in English."""
    with translation.override("en"):
        yield


def test_a_resident_raises_a_matter_online(place):
    m = flows.raise_flood(place)
    assert (m.status, m.channel, m.submitter) == (Status.NEW, "online", place.resident)
    assert AuditEntry.objects.filter(action="matters.raise_matter", target_id=str(m.pk)).exists()


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("title", "", "title_required"),
        ("title", "长" * 101, "title_too_long"),
        ("description", "  ", "description_required"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(place, field, value, code):
    kwargs = {"title": "积水", "description": "路面积水"} | {field: value}
    with pytest.raises(Refused) as exc:
        matters.raise_matter(
            actor=place.resident, region=place.tree.compound, category=place.category, **kwargs
        )
    assert exc.value.code == code
    assert not Matter.objects.exists()


def test_a_matter_must_be_about_a_community_or_below(place):
    with pytest.raises(Refused) as exc:
        matters.raise_matter(
            actor=place.resident,
            region=place.tree.street,
            category=place.category,
            title="积水",
            description="积水",
        )
    assert exc.value.code == "wrong_level"


def test_back_to_back_submitter_is_hidden_from_staff_public_and_the_audit_chain(place):
    m = flows.raise_flood(place, back_to_back=True)
    assert submitter_label(m, place.secretary) == "a resident (back to back)"
    assert submitter_label(m, None) == "a resident (back to back)"
    assert "hidden" in submitter_label(m, place.resident)
    entry = AuditEntry.objects.get(action="matters.raise_matter", target_id=str(m.pk))
    assert entry.actor_ref == ""
    assert place.resident.name not in str(entry.data)


def test_staff_record_a_visit_and_a_back_to_back_record_keeps_no_name(place):
    m = matters.record_matter(
        actor=place.secretary,
        region=place.tree.compound,
        category=place.category,
        channel="visit",
        title="小路积水",
        description="来访反映",
        submitter=place.neighbour,
    )
    assert m.recorded_by == place.secretary and m.channel == "visit"
    with pytest.raises(Refused) as exc:
        matters.record_matter(
            actor=place.secretary,
            region=place.tree.compound,
            category=place.category,
            channel="box",
            title="意见箱",
            description="匿名",
            submitter_name="某人",
            back_to_back=True,
        )
    assert exc.value.code == "back_to_back_named"
    with pytest.raises(Refused) as exc:
        matters.record_matter(
            actor=place.other_secretary,
            region=place.tree.compound,
            category=place.category,
            channel="visit",
            title="x",
            description="y",
        )
    assert exc.value.code == "forbidden"


def test_similar_open_matters_in_the_same_community_are_offered(place):
    flood = flows.raise_flood(place)
    matters.raise_matter(
        actor=place.neighbour,
        region=place.tree.compound,
        category=place.category,
        title="楼道灯坏了",
        description="三单元楼道灯不亮",
    )
    found = similar_matters(region=place.tree.compound, text="小区西边小路下雨积水，有人摔伤")
    assert [m.pk for m, _score in found] == [flood.pk]
    elsewhere = similar_matters(region=place.tree.sibling_compound, text="小区西边小路下雨积水，有人摔伤")
    assert elsewhere == []


def test_support_counts_once_and_not_for_the_submitter(place):
    m = flows.raise_flood(place)
    matters.support(actor=place.neighbour, matter=m)
    with pytest.raises(Refused) as exc:
        matters.support(actor=place.neighbour, matter=m)
    assert exc.value.code == "already_supported"
    with pytest.raises(Refused) as exc:
        matters.support(actor=place.resident, matter=m)
    assert exc.value.code == "own_matter"
    m.refresh_from_db()
    assert m.supporter_count == 1


def test_merging_a_duplicate_moves_its_people_and_keeps_both_readable(place):
    first = flows.raise_flood(place)
    second = matters.record_matter(
        actor=place.secretary,
        region=place.tree.compound,
        category=place.category,
        channel="visit",
        title="西侧路积水",
        description="同一问题",
        submitter=place.neighbour,
    )
    third = builders.person("第三人")
    matters.support(actor=third, matter=second)
    merged = matters.merge(actor=place.secretary, matter=second, into=first)
    first.refresh_from_db()
    assert merged.status == Status.MERGED and merged.merged_into == first
    assert first.supporter_count == 2
    assert set(Support.objects.filter(matter=first).values_list("person__name", flat=True)) == {
        "王建国",
        "第三人",
    }


def test_screening_decline_needs_a_public_reason_and_refer_names_the_receiver(place):
    m = flows.raise_flood(place)
    with pytest.raises(Refused) as exc:
        matters.decline(actor=place.secretary, matter=m, reason=" ")
    assert exc.value.code == "reason_required"
    m = matters.decline(actor=place.secretary, matter=m, reason="属于个人纠纷，建议调解")
    assert m.status == Status.DECLINED and m.public_reason
    with pytest.raises(Refused) as exc:
        matters.accept(actor=place.secretary, matter=m)
    assert exc.value.code == "already_screened"
    m2 = matters.refer(actor=place.secretary, matter=flows.raise_flood(place), to="运河区住建局")
    assert (m2.status, m2.referred_to) == (Status.REFERRED, "运河区住建局")


def test_only_the_communitys_committee_screens(place):
    m = flows.raise_flood(place)
    for who in (place.resident, place.council, place.other_secretary, place.lawyer):
        with pytest.raises(Refused) as exc:
            matters.accept(actor=who, matter=m)
        assert exc.value.code == "forbidden"


def test_screening_decisions_are_posted_on_the_community_board_without_the_submitter(place):
    from yishi.notices.models import Notice

    accepted = matters.accept(
        actor=place.secretary,
        matter=flows.raise_flood(place, back_to_back=True),
        procedure_key="short_path",
        procedure_reason="小型维修",
    )
    declined = matters.decline(actor=place.secretary, matter=flows.raise_flood(place), reason="属于个人纠纷")
    notices = {n.matter_id: n for n in Notice.objects.all()}
    assert notices[accepted.pk].kind == "accepted" and notices[accepted.pk].region == place.tree.community
    assert "小型维修" in notices[accepted.pk].body
    assert notices[declined.pk].kind == "declined" and "属于个人纠纷" in notices[declined.pk].body
    assert all(place.resident.name not in n.title + n.body for n in notices.values())
