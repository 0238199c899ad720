"""Offered equals accepted, for meetings: the staff page that runs a meeting, its public page and the QR
sign-in page offer exactly what the services accept, for every state of a meeting, every principal and
every action — on the meeting, on each agenda matter and on each set of minutes (see ``tests/grid.py``)."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.utils import timezone
from PIL import Image

from tests import builders, grid
from yishi.matters import services as matters
from yishi.matters.models import Matter
from yishi.meetings import announcing, attending, closing, holding, pages, predicates, preparing
from yishi.meetings.models import Invitation, Meeting, Minutes

DAY = datetime.timedelta(days=1)


def photo():
    out = io.BytesIO()
    Image.new("RGB", (80, 60), "white").save(out, "JPEG")
    return SimpleUploadedFile("sheet.jpg", out.getvalue(), content_type="image/jpeg")


def _meeting(w, title, *, starts_in=10 * DAY, announce=False, started_ago=None, close=False, confirm=False):
    meeting = preparing.create_meeting(
        actor=w.committee,
        region=w.tree.community,
        form="consultation",
        platform="party_hall",
        title=title,
        starts_at=timezone.now() + starts_in,
        place="社区协商议事厅",
        agenda=[w.matter],
    )
    preparing.invite(actor=w.committee, meeting=meeting, people=[w.resident, w.neighbour], capacity="居民")
    if announce:
        announcing.announce(actor=w.committee, meeting=meeting)
    if started_ago is not None:
        # The clock has moved on: the meeting started ``started_ago`` ago.
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - started_ago)
        meeting.refresh_from_db()
        attending.check_in(
            actor=w.committee,
            meeting=meeting,
            invitation=Invitation.objects.get(meeting=meeting, person=w.resident),
        )
    if close:
        closing.close_meeting(actor=w.committee, meeting=meeting)
    if confirm:
        closing.confirm_minutes(actor=w.committee, meeting=meeting)
    return meeting.pk


def build():
    w = grid.place()
    category = builders.category("environment")
    w.matter = matters.raise_matter(
        actor=w.resident,
        region=w.tree.compound,
        category=category,
        title="小区西侧小路积水",
        description="一下雨就积水",
    )
    matters.accept(
        actor=w.committee, matter=w.matter, procedure_key="short_path", procedure_reason="小修小补"
    )
    hour = datetime.timedelta(hours=1)
    w.meetings = {
        "being prepared": _meeting(w, "筹备中"),
        "being prepared, its time passed": _meeting(w, "时间已过", starts_in=-hour),
        "announced, not started": _meeting(w, "已公告", announce=True),
        "announced, sitting": _meeting(w, "进行中", announce=True, started_ago=hour / 2),
        "announced, long after its start": _meeting(w, "早已开始", announce=True, started_ago=10 * hour),
        "held": _meeting(w, "已结束", announce=True, started_ago=hour, close=True),
        "held, minutes confirmed": _meeting(
            w, "纪要已确认", announce=True, started_ago=hour, close=True, confirm=True
        ),
    }
    cancelled = _meeting(w, "已取消", announce=True)
    announcing.cancel_meeting(actor=w.committee, meeting=Meeting.objects.get(pk=cancelled), reason="天气原因")
    w.meetings["cancelled"] = cancelled
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from grid.built_once(django_db_blocker, build)


def _fresh(pk):
    return Meeting.objects.select_related("region", "convener").get(pk=pk)


def _calls(person, pk, w) -> dict:
    def meeting():
        return _fresh(pk)

    def edit():
        m = meeting()
        return preparing.update_meeting(
            actor=person,
            meeting=m,
            form=m.form,
            platform=m.platform,
            title="新题目",
            starts_at=m.starts_at,
            place=m.place,
        )

    def change():
        return announcing.change_meeting(
            actor=person, meeting=meeting(), reason="改到下周", starts_at=timezone.now() + 20 * DAY
        )

    def check_in():
        m = meeting()
        invitation = Invitation.objects.get(meeting=m, person=w.neighbour)
        return attending.check_in(actor=person, meeting=m, invitation=invitation)

    return {
        "edit": edit,
        "invite": lambda: preparing.invite(actor=person, meeting=meeting(), names=["王老师"]),
        "announce": lambda: announcing.announce(actor=person, meeting=meeting(), late_reason="情况紧急"),
        "change": change,
        "cancel": lambda: announcing.cancel_meeting(actor=person, meeting=meeting(), reason="天气原因"),
        "check_in": check_in,
        "sheet": lambda: attending.attach_sheet_photo(actor=person, meeting=meeting(), upload=photo()),
        "close": lambda: closing.close_meeting(actor=person, meeting=meeting()),
        "confirm": lambda: closing.confirm_minutes(actor=person, meeting=meeting()),
        "respond": lambda: attending.respond(actor=person, meeting=meeting(), attending=True),
        "sign_in": lambda: attending.sign_in(actor=person, meeting=meeting()),
    }


def _request(person):
    request = RequestFactory().get("/")
    request.user = person
    return request


# The run page's forms and buttons, by the action they take.
RUN_FORMS = ("edit", "invite", "announce", "change", "cancel", "check_in", "sheet")


def test_every_action_on_a_meeting_is_offered_exactly_when_the_service_accepts_it(world, db):
    mismatches, checked = [], 0
    for state, pk in world.meetings.items():
        for label, person in grid.principals(world).items():
            meeting = _fresh(pk)
            reasons = predicates.reasons(person, meeting)
            if predicates.authority(person, meeting) is None:
                # The staff page shows a form exactly for each open action.
                run = pages.run_context(_request(person), meeting, {})
                assert {a for a in RUN_FORMS if a in run["forms"]} == {
                    a for a in RUN_FORMS if reasons[a] is None
                }, (state, label)
                assert ("close" in run["offers"], "confirm" in run["offers"]) == (
                    reasons["close"] is None,
                    reasons["confirm"] is None,
                )
            detail = pages.detail_context(_request(person), meeting, {})
            assert ("respond" in detail["offers"]) == (reasons["respond"] is None), (state, label)
            mismatches += grid.compare(
                state=state, principal=label, offered=reasons, calls=_calls(person, pk, world)
            )
            checked += len(reasons)
    grid.assert_none(mismatches, checked)


def test_recording_on_an_agenda_matter_is_offered_exactly_when_the_service_accepts_it(world, db):
    mismatches, checked = [], 0
    for state, pk in world.meetings.items():
        for label, person in grid.principals(world).items():
            meeting = _fresh(pk)
            matter = Matter.objects.get(pk=world.matter.pk)
            reasons = {
                "record_ideas": predicates.may_record_ideas(person, meeting, matter),
                "record_decision": predicates.may_record_decision(person, meeting, matter),
            }
            if predicates.authority(person, meeting) is None:
                (row,) = pages.run_context(_request(person), meeting, {})["agenda"]
                assert (row["ideas_form"] is not None, row["decision_form"] is not None) == (
                    reasons["record_ideas"] is None,
                    reasons["record_decision"] is None,
                ), (state, label)
            calls = {
                "record_ideas": lambda person=person, pk=pk: holding.record_ideas(
                    actor=person,
                    meeting=_fresh(pk),
                    matter=Matter.objects.get(pk=world.matter.pk),
                    ideas=[("尽快修路", "刘桂兰")],
                ),
                "record_decision": lambda person=person, pk=pk: holding.record_decision(
                    actor=person,
                    meeting=_fresh(pk),
                    matter=Matter.objects.get(pk=world.matter.pk),
                    text="同意方案",
                ),
            }
            mismatches += grid.compare(state=state, principal=label, offered=reasons, calls=calls)
            checked += len(calls)
    grid.assert_none(mismatches, checked)


def test_the_minutes_are_edited_confirmed_and_corrected_exactly_when_offered(world, db):
    mismatches, checked = [], 0
    for state in ("held", "held, minutes confirmed"):
        pk = world.meetings[state]
        for label, person in grid.principals(world).items():
            (minutes,) = Minutes.objects.select_related("meeting__convener").filter(meeting_id=pk)
            reasons = {
                "edit_minutes": predicates.may_edit_minutes(person, minutes),
                "redraft_minutes": predicates.may_edit_minutes(person, minutes),
                "addendum": predicates.may_add_addendum(person, minutes),
            }
            if predicates.authority(person, minutes.meeting) is None:
                (row,) = pages.run_context(_request(person), _fresh(pk), {})["minutes"]
                assert (row["form"] is not None, row["addendum_form"] is not None) == (
                    reasons["edit_minutes"] is None,
                    reasons["addendum"] is None,
                ), (state, label)

            def fresh(pk=minutes.pk):
                return Minutes.objects.get(pk=pk)

            calls = {
                "edit_minutes": lambda person=person, fresh=fresh: closing.edit_minutes(
                    actor=person, minutes=fresh(), text="会议纪要"
                ),
                "redraft_minutes": lambda person=person, fresh=fresh: closing.redraft_minutes(
                    actor=person, minutes=fresh()
                ),
                "addendum": lambda person=person, fresh=fresh: closing.add_addendum(
                    actor=person, minutes=fresh(), text="更正：时间为九点"
                ),
            }
            mismatches += grid.compare(state=state, principal=label, offered=reasons, calls=calls)
            checked += len(calls)
    grid.assert_none(mismatches, checked)


def test_the_staff_see_why_a_meeting_cannot_be_announced_or_closed_yet(world, db):
    from django.test import Client
    from django.urls import reverse
    from django.utils.translation import gettext

    client = Client()
    client.force_login(world.committee)
    late = client.get(reverse("meetings:run", args=[world.meetings["being prepared, its time passed"]]))
    assert gettext("The meeting's time has passed; set a new time first.") in late.content.decode()
    early = client.get(reverse("meetings:run", args=[world.meetings["announced, not started"]]))
    assert 'id="why-not-close"' in early.content.decode()
    assert gettext("The meeting has not started yet.") in early.content.decode()
