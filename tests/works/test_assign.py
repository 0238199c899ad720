"""Giving a task (service and model): to a responsible unit, to the committee (两委) of the matter's community
itself, or to a person found by their mobile number: exactly one of the three, in the service and in the
database. A task carrying out a part of the plan takes the part's words, date and unit. Every refusal says what
is missing, in Chinese, and saves nothing."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from tests import builders
from tests.procedures import flows
from yishi.audit.models import AuditEntry
from yishi.errors import Refused
from yishi.matters import services as matters
from yishi.plans.services import draft_version, record_consensus
from yishi.procedures import services as engine
from yishi.works.models import Responsible, Work
from yishi.works.queries import current_parts
from yishi.works.services import assign_work

pytestmark = pytest.mark.django_db


def parts(m) -> dict:
    """The plan's parts as it stands, by what they say."""
    return {p.what: p for p in current_parts(m)}


def refusal(call) -> Refused:
    """The refusal ``call`` meets, its reason put into zh-hans words; nothing is saved (no task, no audit entry)."""
    before = (Work.objects.count(), AuditEntry.objects.count())
    with translation.override("zh-hans"), pytest.raises(Refused) as exc:
        call()
    assert (Work.objects.count(), AuditEntry.objects.count()) == before
    exc.value.words = str(exc.value.reason)
    return exc.value


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


# --- the database ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [
        {},
        {"unit": True, "to_committee": True},
        {"unit": True, "assignee": True},
        {"to_committee": True, "assignee": True},
        {"unit": True, "to_committee": True, "assignee": True},
    ],
    ids=["none", "unit+committee", "unit+person", "committee+person", "all three"],
)
def test_the_database_refuses_a_task_given_to_none_or_to_more_than_one(place, given):
    m = flows.implementing(place)
    row = {
        "unit": place.fire if given.get("unit") else None,
        "to_committee": bool(given.get("to_committee")),
        "assignee": place.neighbour if given.get("assignee") else None,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Work.objects.create(matter=m, title="修路", due_on=place.soon, **row)
    assert not Work.objects.exists()


@pytest.mark.parametrize("kind", ["unit", "committee", "person"])
def test_the_database_takes_a_task_given_to_exactly_one(place, kind):
    m = flows.implementing(place)
    row = {
        "unit": {"unit": place.fire},
        "committee": {"to_committee": True},
        "person": {"assignee": place.neighbour},
    }[kind]
    work = Work.objects.create(matter=m, title="修路", due_on=place.soon, **row)
    assert work.responsible == kind


# --- the three kinds ---------------------------------------------------------------------------------------


def test_a_task_goes_to_a_unit_serving_the_place(place):
    m = flows.implementing(place)

    work = assign_work(
        actor=place.secretary, matter=m, title="维修坑洼路面", unit=place.fire, due_on=place.soon
    )

    work.refresh_from_db()
    assert (work.unit, work.to_committee, work.assignee) == (place.fire, False, None)
    assert work.responsible == Responsible.UNIT and work.responsible_label == "市消防救援支队"
    entry = AuditEntry.objects.filter(action="works.assign_work").get()
    assert (entry.data["to"], entry.data["unit"], entry.personal_digest) == ("unit", place.fire.pk, "")


def test_a_task_goes_to_the_committee_of_the_matters_community_itself(place):
    m = flows.implementing(place)

    work = assign_work(
        actor=place.secretary, matter=m, title="提示辖区居民", to_committee=True, due_on=place.soon
    )

    work.refresh_from_db()
    assert (work.unit, work.to_committee, work.assignee) == (None, True, None)
    with translation.override("zh-hans"):
        assert work.responsible_label == "社区（村）两委"
    entry = AuditEntry.objects.filter(action="works.assign_work").get()
    assert (entry.data["to"], entry.data["unit"]) == ("committee", None)


def test_a_task_goes_to_a_person_found_by_their_mobile_number_whose_number_the_record_keeps_to_itself(place):
    m = flows.implementing(place)
    spaced = f"{place.neighbour.phone[:3]} {place.neighbour.phone[3:7]} {place.neighbour.phone[7:]}"

    work = assign_work(actor=place.secretary, matter=m, title="看护施工现场", phone=spaced, due_on=place.soon)

    work.refresh_from_db()
    assert (work.unit, work.to_committee, work.assignee) == (None, False, place.neighbour)
    assert work.responsible_label == "王建国"
    entry = AuditEntry.objects.filter(action="works.assign_work").get()
    assert entry.data["to"] == "person" and entry.personal_digest
    assert "assignee" not in entry.data and place.neighbour.phone not in str(entry.data)


# --- none, or two -------------------------------------------------------------------------------------------


def test_a_task_given_to_no_one_is_refused_in_words_naming_the_three(place):
    m = flows.implementing(place)

    refused = refusal(lambda: assign_work(actor=place.secretary, matter=m, title="修路", due_on=place.soon))

    assert (refused.code, refused.field) == ("responsible_required", "responsible")
    assert refused.words == "请写明由谁落实这项任务：选择责任单位、社区两委，或填写负责人的手机号。"


@pytest.mark.parametrize(
    "given",
    [
        {"unit": True, "to_committee": True},
        {"unit": True, "phone": True},
        {"to_committee": True, "phone": True},
        {"unit": True, "assignee": True},
        {"assignee": True, "phone": True},
    ],
    ids=["unit+committee", "unit+phone", "committee+phone", "unit+person", "person+phone"],
)
def test_a_task_given_to_two_is_refused_and_nothing_is_saved(place, given):
    m = flows.implementing(place)
    kwargs = {
        "unit": place.fire if given.get("unit") else None,
        "to_committee": bool(given.get("to_committee")),
        "assignee": place.resident if given.get("assignee") else None,
        "phone": place.neighbour.phone if given.get("phone") else "",
    }

    refused = refusal(
        lambda: assign_work(actor=place.secretary, matter=m, title="修路", due_on=place.soon, **kwargs)
    )

    assert (refused.code, refused.field) == ("responsible_ambiguous", "responsible")
    assert refused.words == "一项任务只能交给一方：一个责任单位、社区两委或一个人，请只选其一。"


# --- a part of the plan ------------------------------------------------------------------------------------


def test_a_task_for_a_part_naming_a_unit_takes_its_unit_words_and_date(place):
    m = flows.implementing(place)
    repair = parts(m)["维修坑洼路面"]  # 市消防救援支队, due p.soon

    work = assign_work(actor=place.secretary, matter=m, part=repair)

    work.refresh_from_db()
    assert (work.part, work.unit, work.title, work.due_on) == (repair, place.fire, "维修坑洼路面", place.soon)


def test_a_task_for_a_part_naming_a_unit_may_still_go_to_someone_else_named(place):
    m = flows.implementing(place)
    repair = parts(m)["维修坑洼路面"]

    work = assign_work(actor=place.secretary, matter=m, part=repair, to_committee=True, title="先设警示牌")

    assert (work.unit, work.to_committee, work.title) == (None, True, "先设警示牌")


def test_a_part_the_plan_gives_to_someone_not_a_unit_needs_the_committee_or_a_person_named(place):
    m = flows.implementing(place)
    inform = parts(m)["提示辖区居民"]  # the plan says: 丽景社区居委会

    refused = refusal(lambda: assign_work(actor=place.secretary, matter=m, part=inform, due_on=place.soon))

    assert (refused.code, refused.field) == ("responsible_required", "responsible")
    assert refused.words == (
        "方案把“提示辖区居民”交给“丽景社区居委会”：请选择由社区两委落实，或填写负责人的手机号。"
    )
    work = assign_work(actor=place.secretary, matter=m, part=inform, due_on=place.soon, to_committee=True)
    assert (work.to_committee, work.title) == (True, "提示辖区居民")


def test_a_part_without_a_date_needs_one_given(place):
    m = flows.implementing(place)
    order = parts(m)["维持现场秩序"]  # 物业, no date in the plan

    refused = refusal(lambda: assign_work(actor=place.secretary, matter=m, part=order))

    assert (refused.code, refused.words) == ("due_required", zh("Give a due date."))


def test_a_part_of_an_earlier_version_of_the_plan_is_refused(place):
    m = matters.accept(
        actor=place.secretary,
        matter=flows.raise_flood(place),
        procedure_key="short_path",
        procedure_reason="小型维修",
    )
    first = flows.plan(place, m)
    flows.session(place, m)
    latest = draft_version(
        actor=place.council, matter=m, summary="只修路面", parts=[{"what": "维修路面", "unit": place.fire}]
    )
    record_consensus(actor=place.secretary, matter=m, version=latest, minutes="同意")
    engine.advance(actor=place.secretary, matter=m)
    old = first.parts.get(what="维修坑洼路面")

    refused = refusal(lambda: assign_work(actor=place.secretary, matter=m, part=old, due_on=place.soon))

    assert (refused.code, refused.field) == ("part_outdated", "part")
    assert refused.words == "这一项属于方案的旧版本，请从现行方案中选择。"


def test_a_part_of_another_matter_is_refused(place):
    m, other = flows.implementing(place), flows.implementing(place)
    theirs = parts(other)["维修坑洼路面"]

    refused = refusal(lambda: assign_work(actor=place.secretary, matter=m, part=theirs, due_on=place.soon))

    assert refused.code == "part_mismatch"


# --- the person's number ------------------------------------------------------------------------------------


def test_an_unknown_number_is_answered_exactly_as_a_closed_account(place):
    m = flows.implementing(place)
    closed = builders.person("已注销的居民")
    closed.is_active = False
    closed.save()

    def answer(phone):
        refused = refusal(
            lambda: assign_work(actor=place.secretary, matter=m, title="修路", due_on=place.soon, phone=phone)
        )
        return refused.code, refused.field, refused.words

    unknown = answer("13999999999")
    assert unknown == answer(closed.phone)
    assert unknown == ("unknown_person", "phone", zh("No resident is registered with this number."))


def test_a_number_that_is_not_a_mobile_number_is_refused(place):
    m = flows.implementing(place)

    refused = refusal(
        lambda: assign_work(actor=place.secretary, matter=m, title="修路", due_on=place.soon, phone="12345")
    )

    assert (refused.code, refused.field) == ("invalid_phone", "phone")


@pytest.mark.parametrize("who", ["outsider", "other_secretary", "fire_staff"])
def test_someone_who_may_not_assign_learns_nothing_about_a_number(place, who):
    """Refused as not entitled before any number is looked up: a registered and an unknown number alike."""
    m = flows.implementing(place)
    actor = getattr(place, who)

    def answer(phone):
        refused = refusal(
            lambda: assign_work(actor=actor, matter=m, title="修路", due_on=place.soon, phone=phone)
        )
        return refused.code, refused.words

    assert answer(place.neighbour.phone) == answer("13999999999")
    assert answer("13999999999")[0] == Refused.FORBIDDEN


def test_a_task_is_given_only_while_the_matter_is_carried_out(place):
    m = matters.accept(actor=place.secretary, matter=flows.raise_flood(place), procedure_key="eight_steps")

    refused = refusal(
        lambda: assign_work(
            actor=place.secretary, matter=m, title="修路", due_on=place.soon, to_committee=True
        )
    )

    assert refused.code == "wrong_step"


def test_the_plan_parts_know_which_have_a_task(place):
    m = flows.implementing(place)
    assign_work(actor=place.secretary, matter=m, part=parts(m)["维修坑洼路面"])
    assign_work(
        actor=place.secretary, matter=m, title="与方案无关的任务", to_committee=True, due_on=place.soon
    )

    assert [(p.what, p.tasked) for p in current_parts(m)] == [
        ("维修坑洼路面", True),
        ("提示辖区居民", False),
        ("维持现场秩序", False),
    ]
