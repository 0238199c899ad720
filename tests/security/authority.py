"""THE AUTHORITY TABLE: every page and API operation that changes something, who may take it, and how to build
a request that would succeed for them.

Each entry is keyed by the URL pattern's name ("matters:screen") or the API operation ("POST /api/v1/…"). Its
builder makes the object the request needs (a matter at the right step, a meeting that is sitting …) and
returns the region where authority over it is held and a function making the request. Who may take it is:

- ``action``: the roles of ``yishi/access/roles.py`` for that action, held at the region or above it;
- ``residents``: anyone logged in (raise, support, comment, object to a notice);
- ``anyone``: anonymous too (logging in, choosing a language);
- ``named``: the particular people of the world allowed besides (the convener, the submitter, the electors,
  the responsible unit's staff …); ``barred``: the ones refused although the rule above would let them.

test_authority.py fails for a changing endpoint missing here, and for every principal whose answer differs.
"""

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests import builders
from tests.procedures import flows

API = "/api/v1"


@dataclass
class Req:
    path: str
    data: Any = None
    json: bool = False
    method: str = "post"


@dataclass(frozen=True)
class Entry:
    build: Callable
    action: str | None = None
    residents: bool = False
    anyone: bool = False
    named: frozenset = frozenset()
    barred: frozenset = frozenset()
    # False where success leaves no row behind (a language cookie, a session).
    changes: bool = True
    # One's own data (notifications): for the others, success that changes nothing is the right answer.
    quiet: bool = False
    # The clock for time-bound objects (meetings sit at a time): "sitting" puts it 5 minutes into the meeting.
    clock: str = ""
    notes: str = ""


ENDPOINTS: dict[str, Entry] = {}


def entry(*keys, **kwargs):
    def register(build):
        for key in keys:
            assert key not in ENDPOINTS, key
            ENDPOINTS[key] = Entry(build=build, **kwargs)
        return build

    return register


def page(path, data=None):
    return Req(path, data or {})


def api(path, data=None, method="post"):
    return Req(API + path, data, json=True, method=method)


def png(name="photo.png"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


# ---------------------------------------------------------------- matters and the eight steps
def walk(w, to, **kwargs):
    from tests.matters.test_pages import walk as walk_to

    return walk_to(w, to, **kwargs)


def raise_data(w, **changes):
    return {
        "region": w.tree.compound.pk,
        "category": w.category.pk,
        "title": "小区东门路灯不亮",
        "description": "东门口的路灯坏了两周，晚上出入不安全。",
        "location": "东门",
        "confirmed_new": "on",
    } | changes


@entry("matters:raise", residents=True)
def _(w):
    return w.tree.compound, lambda: page("/m/new/", raise_data(w))


@entry(f"POST {API}/matters/", residents=True)
def _(w):
    return w.tree.compound, lambda: api("/matters/", raise_data(w, category="environment"))


@entry("matters:record", action="matters.record_matter")
def _(w):
    return w.tree.compound, lambda: page("/m/record/", raise_data(w, channel="visit", submitter_name="老李"))


@entry(f"POST {API}/matters/record", action="matters.record_matter")
def _(w):
    return w.tree.compound, lambda: api(
        "/matters/record", raise_data(w, category="environment", channel="visit", submitter_name="老李")
    )


# Supporting is open to every resident but the one who raised it and those already supporting.
@entry("matters:support", residents=True, barred={"resident", "neighbour"})
def _(w):
    m = walk(w, "raise")
    return m.region, lambda: page(f"/m/{m.pk}/support/")


@entry(f"POST {API}/matters/{{matter_id}}/support", residents=True, barred={"resident", "neighbour"})
def _(w):
    m = walk(w, "raise")
    return m.region, lambda: api(f"/matters/{m.pk}/support", {})


@entry("matters:screen", action="matters.screen_matter")
def _(w):
    m = walk(w, "raise")
    return m.region, lambda: page(f"/m/{m.pk}/screen/", {"decision": "accept", "procedure": "eight_steps"})


@entry(f"POST {API}/matters/{{matter_id}}/screen", action="matters.screen_matter")
def _(w):
    m = walk(w, "raise")
    return m.region, lambda: api(
        f"/matters/{m.pk}/screen", {"decision": "accept", "procedure": "eight_steps"}
    )


def _two(w):
    from tests.matters.test_pages import other_matter

    m = walk(w, "raise", supported=False)
    other = other_matter(w, title="小区西侧小路一下雨就积水")
    return m, other


@entry("matters:merge", action="matters.screen_matter")
def _(w):
    m, other = _two(w)
    return m.region, lambda: page(f"/m/{other.pk}/merge/", {"into": m.pk, "reason": "同一处积水"})


@entry(f"POST {API}/matters/{{matter_id}}/merge", action="matters.screen_matter")
def _(w):
    m, other = _two(w)
    return m.region, lambda: api(f"/matters/{other.pk}/merge", {"into": m.pk, "reason": "同一处积水"})


def _ideas_done(w):
    m = walk(w, "ideas")
    flows.session(w, m)
    return m


@entry("matters:advance", action="procedures.advance")
def _(w):
    m = _ideas_done(w)
    return m.region, lambda: page(f"/m/{m.pk}/advance/", {"expected_step": "ideas"})


@entry(f"POST {API}/matters/{{matter_id}}/advance", action="procedures.advance")
def _(w):
    m = _ideas_done(w)
    return m.region, lambda: api(f"/matters/{m.pk}/advance", {"expected_step": "ideas"})


RETURN = {"step": "draft", "reason": "方案还需修改", "expected_step": "consensus"}


@entry("matters:return", action="procedures.advance")
def _(w):
    m = walk(w, "consensus")
    return m.region, lambda: page(f"/m/{m.pk}/return/", RETURN)


@entry(f"POST {API}/matters/{{matter_id}}/return", action="procedures.advance")
def _(w):
    m = walk(w, "consensus")
    return m.region, lambda: api(f"/matters/{m.pk}/return", RETURN)


# Before acceptance the resident who raised it may withdraw it, and so may the committee; once accepted, the
# committee alone (tests/procedures/test_withdrawal.py).
@entry("matters:withdraw", action="procedures.advance", named={"resident"})
def _(w):
    m = walk(w, "raise")
    return m.region, lambda: page(f"/m/{m.pk}/withdraw/", {"reason": "已经自行解决"})


@entry("matters:withdraw#accepted", action="procedures.advance")
def _(w):
    m = walk(w, "ideas")
    return m.region, lambda: page(f"/m/{m.pk}/withdraw/", {"reason": "提出人已自行解决，申请撤回"})


@entry(f"POST {API}/matters/{{matter_id}}/withdraw", action="procedures.advance", named={"resident"})
def _(w):
    m = walk(w, "raise")
    return m.region, lambda: api(f"/matters/{m.pk}/withdraw", {"reason": "已经自行解决"})


@entry(f"POST {API}/matters/{{matter_id}}/withdraw#accepted", action="procedures.advance")
def _(w):
    m = walk(w, "ideas")
    return m.region, lambda: api(f"/matters/{m.pk}/withdraw", {"reason": "提出人已自行解决，申请撤回"})


@entry("matters:close", action="procedures.advance")
def _(w):
    m = walk(w, "ideas")
    return m.region, lambda: page(f"/m/{m.pk}/close/", {"reason": "多次协商未果"})


@entry(f"POST {API}/matters/{{matter_id}}/close_unresolved", action="procedures.advance")
def _(w):
    m = walk(w, "ideas")
    return m.region, lambda: api(f"/matters/{m.pk}/close_unresolved", {"reason": "多次协商未果"})


SESSION = {
    "title": "低洼路段维修恳谈",
    "form": "consultation",
    "held_at": "2026-10-15T19:00",
    "place": "社区协商议事厅",
    "attendance": "15",
    "ideas": "居民代表：先修补坑洼",
}


@entry("matters:session", action="procedures.record_session")
def _(w):
    m = walk(w, "ideas")
    return m.region, lambda: page(f"/m/{m.pk}/session/", SESSION)


@entry(f"POST {API}/matters/{{matter_id}}/sessions", action="procedures.record_session")
def _(w):
    m = walk(w, "ideas")
    body = {
        "title": "低洼路段维修恳谈",
        "held_at": "2026-10-15T19:00:00+08:00",
        "place": "社区协商议事厅",
        "attendance": 15,
        "ideas": [{"text": "先修补坑洼", "voiced_by": "居民代表"}],
    }
    return m.region, lambda: api(f"/matters/{m.pk}/sessions", body)


@entry("matters:plan", action="procedures.draft_plan")
def _(w):
    m = walk(w, "draft")
    data = {
        "summary": "修复小区西侧坑洼路段",
        "budget": "12000",
        "part_1_what": "维修坑洼路面",
        "part_1_unit": w.fire.pk,
        "part_1_due_on": "2026-11-15",
    }
    return m.region, lambda: page(f"/m/{m.pk}/plan/", data)


@entry(f"POST {API}/matters/{{matter_id}}/plan_versions", action="procedures.draft_plan")
def _(w):
    m = walk(w, "draft")
    body = {"summary": "修复小区西侧坑洼路段", "parts": [{"what": "维修坑洼路面", "unit": w.fire.pk}]}
    return m.region, lambda: api(f"/matters/{m.pk}/plan_versions", body)


@entry("matters:consensus", action="procedures.record_consensus")
def _(w):
    m = walk(w, "consensus")
    return m.region, lambda: page(f"/m/{m.pk}/consensus/", {"minutes": "各单位各负其责"})


@entry(f"POST {API}/matters/{{matter_id}}/consensus", action="procedures.record_consensus")
def _(w):
    m = walk(w, "consensus")
    return m.region, lambda: api(f"/matters/{m.pk}/consensus", {"minutes": "各单位各负其责", "version": 1})


@entry("matters:review", action="procedures.review_plan")
def _(w):
    m = walk(w, "review")
    return m.region, lambda: page(f"/m/{m.pk}/review/", {"decision": "approve", "opinion": "方案合法可行。"})


@entry(f"POST {API}/matters/{{matter_id}}/reviews", action="procedures.review_plan")
def _(w):
    m = walk(w, "review")
    return m.region, lambda: api(
        f"/matters/{m.pk}/reviews", {"decision": "approve", "opinion": "方案合法可行。"}
    )


# Thirty entitled, by name: the world seats another number of representatives.
ENTITLED = [f"代表{i}" for i in range(30)]
VOTE = {
    "electorate": 30,
    "present": 30,
    "in_favour": 20,
    "against": 10,
    "abstain": 0,
    "entitled_names": ENTITLED,
}


@entry("matters:vote", action="procedures.record_vote")
def _(w):
    m = walk(w, "vote")
    return m.region, lambda: page(f"/m/{m.pk}/vote/", {**VOTE, "entitled_names": "\n".join(ENTITLED)})


def _voted_down(w):
    from yishi.votes.tallies import record_result

    m = walk(w, "vote")
    record_result(actor=w.secretary, matter=m, **{**VOTE, "in_favour": 10, "against": 20})
    return m  # back at drafting, the plan voted down


@entry("matters:resubmit", action="procedures.draft_plan")
def _(w):
    m = _voted_down(w)
    return m.region, lambda: page(f"/m/{m.pk}/plan/again/", {"reason": "到会人数不足，重新表决"})


@entry(f"POST {API}/matters/{{matter_id}}/resubmissions", action="procedures.draft_plan")
def _(w):
    m = _voted_down(w)
    return m.region, lambda: api(f"/matters/{m.pk}/resubmissions", {"reason": "到会人数不足，重新表决"})


def _claim(w):
    """A roster names the resident head of a household: only she answers it."""
    from yishi.people.models import HouseholdClaim

    household = builders.household(w.tree.building, room="909")
    return HouseholdClaim.objects.create(person=w.resident, household=household, claimed_by=w.secretary)


@entry("people:answer_household", named={"resident"})
def _(w):
    claim = _claim(w)
    return w.tree.building, lambda: page(f"/me/households/{claim.pk}/", {"answer": "confirm"})


@entry(f"POST {API}/people/me/household-claims/{{claim_id}}", named={"resident"})
def _(w):
    claim = _claim(w)
    return w.tree.building, lambda: api(f"/people/me/household-claims/{claim.pk}", {"confirm": True})


@entry("matters:work_new", action="procedures.assign_work")
def _(w):
    m = walk(w, "implement")
    data = {"title": "维修坑洼路面", "unit": w.fire.pk, "due_on": w.soon.isoformat()}
    return m.region, lambda: page(f"/m/{m.pk}/works/", data)


@entry(f"POST {API}/matters/{{matter_id}}/works", action="procedures.assign_work")
def _(w):
    m = walk(w, "implement")
    body = {"title": "维修坑洼路面", "unit": w.fire.pk, "due_on": w.soon.isoformat()}
    return m.region, lambda: api(f"/matters/{m.pk}/works", body)


def _work(w, done=False):
    from yishi.works.services import assign_work, report_progress

    m = walk(w, "implement")
    work = assign_work(actor=w.secretary, matter=m, title="维修坑洼路面", unit=w.fire, due_on=w.soon)
    if done:
        report_progress(actor=w.fire_staff, work=work, text="已维修", done=True)
    return m, work


# The responsible unit's own staff report, and the committee where the matter is.
@entry("matters:work_report", action="procedures.assign_work", named={"fire_staff"})
def _(w):
    m, work = _work(w)
    return m.region, lambda: page(f"/m/{m.pk}/works/{work.pk}/report/", {"text": "已维修2处", "done": "on"})


@entry(
    f"POST {API}/matters/{{matter_id}}/works/{{work_id}}/reports",
    action="procedures.assign_work",
    named={"fire_staff"},
)
def _(w):
    m, work = _work(w)
    return m.region, lambda: api(
        f"/matters/{m.pk}/works/{work.pk}/reports", {"text": "已维修2处", "done": True}
    )


# 谁受益谁监督: the resident who raised the matter and those who supported it confirm its tasks.
@entry("matters:work_supervise", named={"resident", "neighbour"})
def _(w):
    m, work = _work(w, done=True)
    return m.region, lambda: page(
        f"/m/{m.pk}/works/{work.pk}/supervise/", {"verdict": "confirm", "rating": "5"}
    )


@entry(f"POST {API}/matters/{{matter_id}}/works/{{work_id}}/supervise", named={"resident", "neighbour"})
def _(w):
    m, work = _work(w, done=True)
    return m.region, lambda: api(
        f"/matters/{m.pk}/works/{work.pk}/supervise", {"verdict": "confirm", "rating": 5}
    )


PUBLISH = {"kind": "result", "title": "小路维修完成", "body": "4处破损路面已维修。", "period_days": "10"}


@entry("matters:publish", action="procedures.publish_result")
def _(w):
    m = walk(w, "publish")
    return m.region, lambda: page(f"/m/{m.pk}/publish/", PUBLISH)


@entry(f"POST {API}/matters/{{matter_id}}/notices", action="procedures.publish_result")
def _(w):
    m = walk(w, "publish")
    return m.region, lambda: api(f"/matters/{m.pk}/notices", PUBLISH | {"period_days": 10})


@entry("matters:rate", named={"resident", "neighbour"})
def _(w):
    m = walk(w, "publish")
    return m.region, lambda: page(f"/m/{m.pk}/rate/", {"rating": "5", "comment": "修得好"})


@entry(f"POST {API}/matters/{{matter_id}}/satisfaction", named={"resident", "neighbour"})
def _(w):
    m = walk(w, "publish")
    return m.region, lambda: api(f"/matters/{m.pk}/satisfaction", {"rating": 5, "comment": "修得好"})


# ---------------------------------------------------------------- meetings
# Meetings are bound to the clock: the test installs ``w.clock`` (tests/meetings/conftest.py's Clock).
def _meeting(w, state, matter_step="ideas"):
    from yishi.meetings import announcing, attending, closing, holding, preparing

    m = walk(w, matter_step)
    starts = w.clock.now + datetime.timedelta(days=10)
    meeting = preparing.create_meeting(
        actor=w.secretary,
        region=w.tree.community,
        form="consultation",
        platform="party_hall",
        title="低洼路段维修协商会",
        starts_at=starts,
        place="社区协商议事厅",
        agenda=[m],
    )
    if state == "draft":
        return meeting, m
    preparing.invite(actor=w.secretary, meeting=meeting, people=[w.resident, w.neighbour], units=[w.fire])
    announcing.announce(actor=w.secretary, meeting=meeting)
    if state == "announced":
        return meeting, m
    w.clock.set(meeting.starts_at + datetime.timedelta(minutes=5))
    attending.check_in(actor=w.secretary, meeting=meeting, person=w.resident)
    if state == "sitting":
        return meeting, m
    holding.record_ideas(actor=w.secretary, meeting=meeting, matter=m, ideas=[("先修补坑洼", "居民代表")])
    closing.close_meeting(actor=w.secretary, meeting=meeting)
    meeting.refresh_from_db()
    if state == "closed":
        return meeting, m
    closing.confirm_minutes(actor=w.secretary, meeting=meeting)
    return meeting, m


def _minutes(meeting):
    return meeting.minutes.order_by("pk").first()


MEETING = {
    "title": "低洼路段维修协商会",
    "form": "consultation",
    "platform": "party_hall",
    "place": "社区协商议事厅",
}


def _starts(w, days=12):
    return (w.clock.now + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


@entry("meetings:new", action="meetings.manage_meeting")
def _(w):
    return w.tree.community, lambda: page(
        "/meetings/new/", MEETING | {"region": w.tree.community.pk, "starts_at": _starts(w)}
    )


@entry(f"POST {API}/meetings/", action="meetings.manage_meeting")
def _(w):
    return w.tree.community, lambda: api(
        "/meetings/", MEETING | {"region": w.tree.community.pk, "starts_at": _starts(w) + ":00+08:00"}
    )


@entry("meetings:edit", action="meetings.manage_meeting")
def _(w):
    meeting, m = _meeting(w, "draft")
    data = MEETING | {
        "region": w.tree.community.pk,
        "starts_at": _starts(w, 14),
        "place": "社区活动室",
        "agenda": [m.pk],
        "convener": w.secretary.pk,
    }
    return meeting.region, lambda: page(f"/meetings/{meeting.pk}/edit/", data)


@entry("meetings:invite", action="meetings.manage_meeting")
def _(w):
    meeting, _m = _meeting(w, "draft")
    return meeting.region, lambda: page(f"/meetings/{meeting.pk}/invite/", {"names": "老党员王大爷"})


@entry(f"POST {API}/meetings/{{meeting_id}}/invitations", action="meetings.manage_meeting")
def _(w):
    meeting, _m = _meeting(w, "draft")
    return meeting.region, lambda: api(f"/meetings/{meeting.pk}/invitations", {"names": ["老党员王大爷"]})


@entry("meetings:announce", action="meetings.manage_meeting")
def _(w):
    meeting, _m = _meeting(w, "draft")
    return meeting.region, lambda: page(f"/meetings/{meeting.pk}/announce/")


@entry(f"POST {API}/meetings/{{meeting_id}}/announce", action="meetings.manage_meeting")
def _(w):
    meeting, _m = _meeting(w, "draft")
    return meeting.region, lambda: api(f"/meetings/{meeting.pk}/announce", {})


@entry("meetings:change", action="meetings.manage_meeting")
def _(w):
    meeting, _m = _meeting(w, "announced")
    data = MEETING | {
        "starts_at": meeting.starts_at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "place": "社区活动室",
        "reason": "换到活动室",
    }
    return meeting.region, lambda: page(f"/meetings/{meeting.pk}/change/", data)


@entry(f"POST {API}/meetings/{{meeting_id}}/change", action="meetings.manage_meeting")
def _(w):
    meeting, _m = _meeting(w, "announced")
    return meeting.region, lambda: api(
        f"/meetings/{meeting.pk}/change", {"reason": "换到活动室", "place": "社区活动室"}
    )


@entry("meetings:cancel", action="meetings.manage_meeting")
def _(w):
    meeting, _m = _meeting(w, "announced")
    return meeting.region, lambda: page(f"/meetings/{meeting.pk}/cancel/", {"reason": "暴雨"})


@entry(f"POST {API}/meetings/{{meeting_id}}/cancel", action="meetings.manage_meeting")
def _(w):
    meeting, _m = _meeting(w, "announced")
    return meeting.region, lambda: api(f"/meetings/{meeting.pk}/cancel", {"reason": "暴雨"})


# Only the invited answer whether they will come.
@entry("meetings:respond", named={"resident", "neighbour"})
def _(w):
    meeting, _m = _meeting(w, "announced")
    return meeting.region, lambda: page(f"/meetings/{meeting.pk}/respond/", {"attending": "yes"})


@entry(f"POST {API}/meetings/{{meeting_id}}/reply", named={"resident", "neighbour"})
def _(w):
    meeting, _m = _meeting(w, "announced")
    return meeting.region, lambda: api(f"/meetings/{meeting.pk}/reply", {"attending": True})


# The meeting is public: whoever scans its code while it sits is counted as present (the resident already is).
@entry("meetings:sign_in", residents=True, barred={"resident"})
def _(w):
    from yishi.meetings.attending import sign_in_token

    meeting, _m = _meeting(w, "sitting")
    return meeting.region, lambda: page(f"/meetings/sign-in/{sign_in_token(meeting)}/")


@entry(f"POST {API}/meetings/sign-in", residents=True, barred={"resident"})
def _(w):
    from yishi.meetings.attending import sign_in_token

    meeting, _m = _meeting(w, "sitting")
    return meeting.region, lambda: api("/meetings/sign-in", {"token": sign_in_token(meeting)})


@entry("meetings:check_in", action="meetings.manage_meeting")
def _(w):
    meeting, _m = _meeting(w, "sitting")
    return meeting.region, lambda: page(f"/meetings/{meeting.pk}/check-in/", {"phone": w.neighbour.phone})


@entry(f"POST {API}/meetings/{{meeting_id}}/check-in", action="meetings.manage_meeting")
def _(w):
    meeting, _m = _meeting(w, "sitting")
    return meeting.region, lambda: api(f"/meetings/{meeting.pk}/check-in", {"phone": w.neighbour.phone})


@entry("meetings:sheet", action="meetings.manage_meeting")
def _(w):
    meeting, _m = _meeting(w, "sitting")
    return meeting.region, lambda: page(f"/meetings/{meeting.pk}/sheet/", {"photo": png("sheet.png")})


@entry("meetings:ideas", action="procedures.record_session")
def _(w):
    meeting, m = _meeting(w, "sitting")
    return meeting.region, lambda: page(
        f"/meetings/{meeting.pk}/matters/{m.pk}/ideas/", {"ideas": "物业：维持秩序"}
    )


@entry(f"POST {API}/meetings/{{meeting_id}}/matters/{{matter_id}}/ideas", action="procedures.record_session")
def _(w):
    meeting, m = _meeting(w, "sitting")
    body = {"ideas": [{"text": "维持秩序", "voiced_by": "物业"}]}
    return meeting.region, lambda: api(f"/meetings/{meeting.pk}/matters/{m.pk}/ideas", body)


def _deciding(w):
    from yishi.meetings import holding

    meeting, m = _meeting(w, "sitting", matter_step="consensus")
    holding.record_ideas(actor=w.secretary, meeting=meeting, matter=m, ideas=[("同意方案", "居民代表")])
    return meeting, m


@entry("meetings:decision", action="procedures.record_consensus")
def _(w):
    meeting, m = _deciding(w)
    return meeting.region, lambda: page(
        f"/meetings/{meeting.pk}/matters/{m.pk}/decision/", {"text": "四家单位分工"}
    )


@entry(
    f"POST {API}/meetings/{{meeting_id}}/matters/{{matter_id}}/decision", action="procedures.record_consensus"
)
def _(w):
    meeting, m = _deciding(w)
    return meeting.region, lambda: api(
        f"/meetings/{meeting.pk}/matters/{m.pk}/decision", {"text": "四家单位分工"}
    )


@entry("meetings:close", action="meetings.manage_meeting")
def _(w):
    meeting, _m = _meeting(w, "sitting")
    return meeting.region, lambda: page(f"/meetings/{meeting.pk}/close/")


@entry(f"POST {API}/meetings/{{meeting_id}}/close", action="meetings.manage_meeting")
def _(w):
    meeting, _m = _meeting(w, "sitting")
    return meeting.region, lambda: api(f"/meetings/{meeting.pk}/close")


@entry("meetings:edit_minutes", action="meetings.manage_meeting")
def _(w):
    meeting, _m = _meeting(w, "closed")
    return meeting.region, lambda: page(
        f"/meetings/{meeting.pk}/minutes/{_minutes(meeting).pk}/", {"text": "纪要"}
    )


@entry(f"POST {API}/meetings/{{meeting_id}}/minutes/{{minutes_id}}", action="meetings.manage_meeting")
def _(w):
    meeting, _m = _meeting(w, "closed")
    return meeting.region, lambda: api(
        f"/meetings/{meeting.pk}/minutes/{_minutes(meeting).pk}", {"text": "纪要"}
    )


def _redraftable(w):
    from yishi.meetings import closing

    meeting, _m = _meeting(w, "closed")
    closing.edit_minutes(actor=w.secretary, minutes=_minutes(meeting), text="手写的纪要")
    return meeting


@entry("meetings:redraft_minutes", action="meetings.manage_meeting")
def _(w):
    meeting = _redraftable(w)
    return meeting.region, lambda: page(f"/meetings/{meeting.pk}/minutes/{_minutes(meeting).pk}/redraft/")


@entry(f"POST {API}/meetings/{{meeting_id}}/minutes/{{minutes_id}}/redraft", action="meetings.manage_meeting")
def _(w):
    meeting = _redraftable(w)
    return meeting.region, lambda: api(f"/meetings/{meeting.pk}/minutes/{_minutes(meeting).pk}/redraft")


# Only the convener confirms the minutes.
@entry("meetings:confirm", named={"secretary"})
def _(w):
    meeting, _m = _meeting(w, "closed")
    return meeting.region, lambda: page(f"/meetings/{meeting.pk}/minutes/confirm/")


@entry(f"POST {API}/meetings/{{meeting_id}}/minutes/confirm", named={"secretary"})
def _(w):
    meeting, _m = _meeting(w, "closed")
    return meeting.region, lambda: api(f"/meetings/{meeting.pk}/minutes/confirm")


@entry("meetings:addendum", action="meetings.manage_meeting")
def _(w):
    meeting, _m = _meeting(w, "confirmed")
    return meeting.region, lambda: page(
        f"/meetings/{meeting.pk}/minutes/{_minutes(meeting).pk}/addendum/", {"text": "更正：日期为11月15日"}
    )


@entry(
    f"POST {API}/meetings/{{meeting_id}}/minutes/{{minutes_id}}/addendum", action="meetings.manage_meeting"
)
def _(w):
    meeting, _m = _meeting(w, "confirmed")
    return meeting.region, lambda: api(
        f"/meetings/{meeting.pk}/minutes/{_minutes(meeting).pk}/addendum", {"text": "更正：日期为11月15日"}
    )


# ---------------------------------------------------------------- votes
def _vote(w, state="open", **kwargs):
    """A yes/no vote of two listed residents (刘桂兰 and 王建国) in the community."""
    from yishi.votes import drafting, tallies

    fields = {
        "region": w.tree.community,
        "question": "是否同意维修小区西侧道路？",
        "electorate": "list",
        "people": [w.resident, w.neighbour],
        "preset": "eight_step",
    } | kwargs
    vote = drafting.create_vote(actor=w.secretary, **fields)
    if state == "draft":
        return vote
    drafting.open_vote(actor=w.secretary, vote=vote)
    if state == "counted":
        tallies.record_participation(
            actor=w.secretary, vote=vote, channel="hands", electors=[_elector(vote, w.neighbour)]
        )
        tallies.enter_tally(actor=w.secretary, vote=vote, channel="hands", counts=_counts(vote, 1))
        tallies.enter_tally(actor=w.council_clerk, vote=vote, channel="hands", counts=_counts(vote, 1))
        tallies.close_vote(actor=w.secretary, vote=vote)
    vote.refresh_from_db()
    return vote


def _elector(vote, person):
    return vote.electors.get(person=person)


def _counts(vote, yes):
    keys = list(vote.options.order_by("position").values_list("key", flat=True))
    return {key: (yes if i == 0 else 0) for i, key in enumerate(keys)}


def _proxied(w):
    from yishi.votes import casting

    vote = _vote(w, proxies_allowed=True)
    proxy = casting.record_proxy(
        actor=w.secretary,
        vote=vote,
        holder=w.outsider,
        principal=_elector(vote, w.neighbour),
        form_photo=png("proxy.png"),
    )
    return vote, proxy


VOTE_NEW = {
    "question": "是否同意维修小区西侧道路？",
    "kind": "yes_no",
    "electorate": "list",
    "preset": "eight_step",
    "proxy_cap": "3",
}


@entry("votes:new", action="votes.manage_vote")
def _(w):
    data = VOTE_NEW | {"region": w.tree.community.pk, "people": f"{w.resident.phone}\n{w.neighbour.phone}"}
    return w.tree.community, lambda: page("/votes/new/", data)


@entry(f"POST {API}/votes/", action="votes.manage_vote")
def _(w):
    body = VOTE_NEW | {
        "region": w.tree.community.pk,
        "people": [w.resident.phone, w.neighbour.phone],
        "proxy_cap": 3,
    }
    return w.tree.community, lambda: api("/votes/", body)


# The representatives' vote on a matter's plan, as counted (pages: matters:vote).
@entry(f"POST {API}/matters/{{matter_id}}/votes", action="procedures.record_vote")
def _(w):
    m = walk(w, "vote")
    return m.region, lambda: api(f"/matters/{m.pk}/votes", VOTE)


@entry("votes:edit", action="votes.manage_vote")
def _(w):
    vote = _vote(w, "draft")
    data = VOTE_NEW | {"question": "是否同意维修西侧道路？", "people": f"{w.resident.phone}"}
    return vote.region, lambda: page(f"/votes/{vote.pk}/edit/", data)


@entry("votes:open", action="votes.manage_vote")
def _(w):
    vote = _vote(w, "draft")
    return vote.region, lambda: page(f"/votes/{vote.pk}/open/")


@entry(f"POST {API}/votes/{{vote_id}}/open", action="votes.manage_vote")
def _(w):
    vote = _vote(w, "draft")
    return vote.region, lambda: api(f"/votes/{vote.pk}/open")


@entry("votes:close", action="votes.manage_vote")
def _(w):
    vote = _vote(w)
    return vote.region, lambda: page(f"/votes/{vote.pk}/close/")


@entry(f"POST {API}/votes/{{vote_id}}/close", action="votes.manage_vote")
def _(w):
    vote = _vote(w)
    return vote.region, lambda: api(f"/votes/{vote.pk}/close")


@entry("votes:participation", action="votes.enter_tally")
def _(w):
    vote = _vote(w)
    return vote.region, lambda: page(
        f"/votes/{vote.pk}/participation/",
        {"channel": "paper", f"took_{_elector(vote, w.neighbour).pk}": "on"},
    )


@entry(f"POST {API}/votes/{{vote_id}}/participation", action="votes.enter_tally")
def _(w):
    vote = _vote(w)
    return vote.region, lambda: api(
        f"/votes/{vote.pk}/participation", {"channel": "paper", "electors": [_elector(vote, w.neighbour).pk]}
    )


def _participated(w):
    from yishi.votes import tallies

    vote = _vote(w)
    tallies.record_participation(
        actor=w.secretary, vote=vote, channel="hands", electors=[_elector(vote, w.neighbour)]
    )
    return vote


@entry("votes:tally", action="votes.enter_tally")
def _(w):
    vote = _participated(w)
    data = {"channel": "hands"} | {f"count_{k}": v for k, v in _counts(vote, 1).items()}
    return vote.region, lambda: page(f"/votes/{vote.pk}/tally/", data)


@entry(f"POST {API}/votes/{{vote_id}}/tallies", action="votes.enter_tally")
def _(w):
    vote = _participated(w)
    return vote.region, lambda: api(
        f"/votes/{vote.pk}/tallies", {"channel": "hands", "counts": _counts(vote, 1)}
    )


@entry("votes:proxy", action="votes.record_proxy")
def _(w):
    vote = _vote(w, proxies_allowed=True)
    return vote.region, lambda: page(
        f"/votes/{vote.pk}/proxies/",
        {
            "holder_phone": w.outsider.phone,
            "principal": _elector(vote, w.neighbour).pk,
            "form_photo": png("p.png"),
        },
    )


@entry(f"POST {API}/votes/{{vote_id}}/proxies", action="votes.record_proxy")
def _(w):
    vote = _vote(w, proxies_allowed=True)
    return vote.region, lambda: Req(
        f"{API}/votes/{vote.pk}/proxies",
        {
            "holder_phone": w.outsider.phone,
            "principal": _elector(vote, w.neighbour).pk,
            "form_photo": png("p.png"),
        },
    )


@entry("votes:withdraw_proxy", action="votes.correct")
def _(w):
    vote, proxy = _proxied(w)
    return vote.region, lambda: page(
        f"/votes/{vote.pk}/proxies/withdraw/", {"proxy": proxy.pk, "reason": "本人到场"}
    )


@entry("votes:recount", action="votes.correct")
def _(w):
    vote = _vote(w, "counted")
    data = {"channel": "hands", "reason": "复核计票"} | {f"count_{k}": v for k, v in _counts(vote, 0).items()}
    return vote.region, lambda: page(f"/votes/{vote.pk}/recount/", data)


@entry(f"POST {API}/votes/{{vote_id}}/corrections", action="votes.correct")
def _(w):
    vote = _vote(w, "counted")
    return vote.region, lambda: api(
        f"/votes/{vote.pk}/corrections", {"reason": "复核计票", "tallies": {"hands": _counts(vote, 0)}}
    )


# Voting is by the electors frozen when the vote opened, not by a role.
@entry("votes:ballot", named={"resident", "neighbour"})
def _(w):
    vote = _vote(w)
    key = _counts(vote, 1)
    return vote.region, lambda: page(
        f"/votes/{vote.pk}/ballot/", {"seat": "self", "option": next(iter(key)), "confirm": "True"}
    )


@entry(f"POST {API}/votes/{{vote_id}}/ballots", named={"resident", "neighbour"})
def _(w):
    vote = _vote(w)
    return vote.region, lambda: api(f"/votes/{vote.pk}/ballots", {"option": next(iter(_counts(vote, 1)))})


# ---------------------------------------------------------------- household surveys
def _survey(w, state="open"):
    """One question (agree? yes/no) to the households of 万泰丽景小区."""
    from yishi.surveys import services as ss

    survey = ss.create_survey(actor=w.secretary, region=w.tree.compound, title="聘请专业绿化队入户调查表")
    question = ss.add_question(
        actor=w.secretary,
        survey=survey,
        kind="single",
        text="是否同意聘请专业绿化队？",
        choices=["同意", "不同意"],
    )
    if state != "draft":
        ss.open_survey(actor=w.secretary, survey=survey)
    if state in ("closed", "answered"):
        ss.submit_response(
            actor=w.neighbour, survey=survey, answers={question.pk: question.choices.first().pk}
        )
    if state == "closed":
        ss.close_survey(actor=w.secretary, survey=survey)
    survey.refresh_from_db()
    return survey, question


def _yes(question):
    return question.choices.order_by("pk").first().pk


@entry("surveys:new", action="surveys.manage_survey")
def _(w):
    return w.tree.compound, lambda: page(f"/r/{w.tree.compound.pk}/surveys/new/", {"title": "绿化调查"})


@entry(f"POST {API}/surveys/", action="surveys.manage_survey")
def _(w):
    return w.tree.compound, lambda: api("/surveys/", {"region": w.tree.compound.pk, "title": "绿化调查"})


@entry("surveys:add_question", action="surveys.manage_survey")
def _(w):
    survey, _q = _survey(w, "draft")
    return survey.region, lambda: page(
        f"/surveys/{survey.pk}/questions/", {"kind": "text", "text": "其他意见", "required": ""}
    )


@entry(f"POST {API}/surveys/{{survey_id}}/questions", action="surveys.manage_survey")
def _(w):
    survey, _q = _survey(w, "draft")
    return survey.region, lambda: api(f"/surveys/{survey.pk}/questions", {"kind": "text", "text": "其他意见"})


@entry("surveys:remove_question", action="surveys.manage_survey")
def _(w):
    survey, q = _survey(w, "draft")
    return survey.region, lambda: page(f"/surveys/{survey.pk}/questions/{q.pk}/remove/")


@entry(f"DELETE {API}/surveys/{{survey_id}}/questions/{{question_id}}", action="surveys.manage_survey")
def _(w):
    survey, q = _survey(w, "draft")
    return survey.region, lambda: api(f"/surveys/{survey.pk}/questions/{q.pk}", method="delete")


@entry("surveys:open", action="surveys.manage_survey")
def _(w):
    survey, _q = _survey(w, "draft")
    return survey.region, lambda: page(f"/surveys/{survey.pk}/open/")


@entry(f"POST {API}/surveys/{{survey_id}}/open", action="surveys.manage_survey")
def _(w):
    survey, _q = _survey(w, "draft")
    return survey.region, lambda: api(f"/surveys/{survey.pk}/open")


@entry("surveys:close", action="surveys.manage_survey")
def _(w):
    survey, _q = _survey(w)
    return survey.region, lambda: page(f"/surveys/{survey.pk}/close/")


@entry(f"POST {API}/surveys/{{survey_id}}/close", action="surveys.manage_survey")
def _(w):
    survey, _q = _survey(w)
    return survey.region, lambda: api(f"/surveys/{survey.pk}/close")


@entry("surveys:publish", action="surveys.manage_survey")
def _(w):
    survey, _q = _survey(w, "closed")
    return survey.region, lambda: page(f"/surveys/{survey.pk}/publish/", {"period_days": "10"})


@entry(f"POST {API}/surveys/{{survey_id}}/publish", action="surveys.manage_survey")
def _(w):
    survey, _q = _survey(w, "closed")
    return survey.region, lambda: api(f"/surveys/{survey.pk}/publish", {"period_days": 10})


# One answer per household: the resident of 1号楼 101 answers for it (the neighbour's household has answered).
@entry("surveys:answer", named={"resident"})
def _(w):
    survey, q = _survey(w, "answered")
    return survey.region, lambda: page(f"/surveys/{survey.pk}/answer/", {f"question_{q.pk}": _yes(q)})


@entry(f"POST {API}/surveys/{{survey_id}}/responses", named={"resident"})
def _(w):
    survey, q = _survey(w, "answered")
    return survey.region, lambda: api(f"/surveys/{survey.pk}/responses", {"answers": {q.pk: _yes(q)}})


@entry("surveys:paper", action="surveys.record_response")
def _(w):
    from yishi.surveys.queries import code_for

    survey, q = _survey(w)
    return survey.region, lambda: page(
        f"/surveys/{survey.pk}/paper/", {"code": code_for(survey, w.home), f"question_{q.pk}": _yes(q)}
    )


@entry(f"POST {API}/surveys/{{survey_id}}/paper", action="surveys.record_response")
def _(w):
    from yishi.surveys.queries import code_for

    survey, q = _survey(w)
    return survey.region, lambda: api(
        f"/surveys/{survey.pk}/paper", {"code": code_for(survey, w.home), "answers": {q.pk: _yes(q)}}
    )


def _answered(w):
    survey, _q = _survey(w, "answered")
    return survey, survey.responses.get()


@entry("surveys:void", action="surveys.manage_survey")
def _(w):
    survey, response = _answered(w)
    return survey.region, lambda: page(
        f"/surveys/{survey.pk}/responses/{response.pk}/void/", {"reason": "填错户"}
    )


@entry(f"POST {API}/surveys/{{survey_id}}/responses/{{response_id}}/void", action="surveys.manage_survey")
def _(w):
    survey, response = _answered(w)
    return survey.region, lambda: api(
        f"/surveys/{survey.pk}/responses/{response.pk}/void", {"reason": "填错户"}
    )


# ---------------------------------------------------------------- cost sharing and the public fund
def _rule(w, state="issued", **kwargs):
    """150 yuan a year per occupied household of 万泰丽景小区 (both are occupied)."""
    from yishi.funds import services as fs

    fields = {
        "title": "2025年绿化养护费",
        "period_start": datetime.date(2025, 1, 1),
        "period_end": datetime.date(2025, 12, 31),
        "method": "occupancy",
        "occupied_amount": "150.00",
        "vacant_amount": "100.00",
    } | kwargs
    rule = fs.create_charge_rule(actor=w.secretary, compound=w.tree.compound, **fields)
    if state != "draft":
        fs.issue_charges(actor=w.secretary, rule=rule)
    rule.refresh_from_db()
    return rule


def _charge(rule, household):
    return rule.charges.get(household=household)


def _paid(w, **kwargs):
    from yishi.funds import services as fs

    rule = _rule(w, **kwargs)
    payment = None
    for n, home in enumerate((w.home, w.home2)):
        payment = fs.record_payment(
            actor=w.secretary,
            charge=_charge(rule, home),
            amount="150.00",
            receipt_no=f"NO-{rule.pk}-{n}",
            paid_on=w.today,
            method="cash",
        )
    return rule, payment


def _entry(w):
    from yishi.funds import services as fs

    return fs.record_fund_entry(
        actor=w.secretary,
        compound=w.tree.compound,
        kind="income",
        amount="300.00",
        occurred_on=w.today,
        description="废品回收收入",
    )


RULE = {
    "title": "2026年绿化养护费",
    "period_start": "2026-01-01",
    "period_end": "2026-12-31",
    "method": "occupancy",
    "occupied_amount": "150.00",
    "vacant_amount": "100.00",
}
PAYMENT = {"amount": "150.00", "method": "cash", "receipt_no": "NO-77"}
ENTRY = {"kind": "income", "amount": "300.00", "description": "废品回收收入"}


@entry("funds:new_rule", action="funds.manage_charges")
def _(w):
    return w.tree.compound, lambda: page(f"/r/{w.tree.compound.pk}/funds/rules/new/", RULE)


@entry(f"POST {API}/funds/rules", action="funds.manage_charges")
def _(w):
    return w.tree.compound, lambda: api("/funds/rules", RULE | {"region": w.tree.compound.pk})


@entry("funds:exempt", action="funds.manage_charges")
def _(w):
    rule = _rule(w, "draft")
    return rule.region, lambda: page(
        f"/funds/rules/{rule.pk}/exemptions/", {"household": w.home2.pk, "reason": "低保户"}
    )


@entry(f"POST {API}/funds/rules/{{rule_id}}/exemptions", action="funds.manage_charges")
def _(w):
    rule = _rule(w, "draft")
    return rule.region, lambda: api(
        f"/funds/rules/{rule.pk}/exemptions", {"household": w.home2.pk, "reason": "低保户"}
    )


def _exempted(w):
    from yishi.funds import services as fs

    rule = _rule(w, "draft")
    return rule, fs.exempt_household(actor=w.secretary, rule=rule, household=w.home2, reason="低保户")


@entry("funds:remove_exemption", action="funds.manage_charges")
def _(w):
    rule, exemption = _exempted(w)
    return rule.region, lambda: page(f"/funds/rules/{rule.pk}/exemptions/{exemption.pk}/remove/")


@entry(f"DELETE {API}/funds/rules/{{rule_id}}/exemptions/{{exemption_id}}", action="funds.manage_charges")
def _(w):
    rule, exemption = _exempted(w)
    return rule.region, lambda: api(f"/funds/rules/{rule.pk}/exemptions/{exemption.pk}", method="delete")


@entry("funds:issue", action="funds.manage_charges")
def _(w):
    rule = _rule(w, "draft")
    return rule.region, lambda: page(f"/funds/rules/{rule.pk}/issue/")


@entry(f"POST {API}/funds/rules/{{rule_id}}/issue", action="funds.manage_charges")
def _(w):
    rule = _rule(w, "draft")
    return rule.region, lambda: api(f"/funds/rules/{rule.pk}/issue")


@entry("funds:pay", action="funds.record_payment")
def _(w):
    rule = _rule(w)
    return rule.region, lambda: page(
        f"/funds/rules/{rule.pk}/payments/",
        PAYMENT | {"charge": _charge(rule, w.home).pk, "paid_on": w.today.isoformat()},
    )


@entry("funds:charge_pay", action="funds.record_payment")
def _(w):
    rule = _rule(w)
    charge = _charge(rule, w.home)
    return rule.region, lambda: page(
        f"/funds/charges/{charge.pk}/payments/", PAYMENT | {"paid_on": w.today.isoformat()}
    )


@entry(f"POST {API}/funds/charges/{{charge_id}}/payments", action="funds.record_payment")
def _(w):
    rule = _rule(w)
    charge = _charge(rule, w.home)
    return rule.region, lambda: api(
        f"/funds/charges/{charge.pk}/payments", PAYMENT | {"paid_on": w.today.isoformat()}
    )


@entry("funds:reverse_payment", action="funds.record_payment")
def _(w):
    rule, payment = _paid(w)
    return rule.region, lambda: page(f"/funds/payments/{payment.pk}/reverse/", {"reason": "收据号填错"})


@entry(f"POST {API}/funds/payments/{{payment_id}}/reverse", action="funds.record_payment")
def _(w):
    rule, payment = _paid(w)
    return rule.region, lambda: api(f"/funds/payments/{payment.pk}/reverse", {"reason": "收据号填错"})


@entry("funds:surplus", action="funds.record_ledger")
def _(w):
    rule, _p = _paid(w, contract_price="200.00")
    return rule.region, lambda: page(f"/funds/rules/{rule.pk}/surplus/", {"occurred_on": w.today.isoformat()})


@entry(f"POST {API}/funds/rules/{{rule_id}}/surplus", action="funds.record_ledger")
def _(w):
    rule, _p = _paid(w, contract_price="200.00")
    return rule.region, lambda: api(f"/funds/rules/{rule.pk}/surplus", {"occurred_on": w.today.isoformat()})


@entry("funds:add_entry", action="funds.record_ledger")
def _(w):
    return w.tree.compound, lambda: page(
        f"/r/{w.tree.compound.pk}/funds/entries/", ENTRY | {"occurred_on": w.today.isoformat()}
    )


@entry(f"POST {API}/funds/compounds/{{region_id}}/entries", action="funds.record_ledger")
def _(w):
    return w.tree.compound, lambda: api(
        f"/funds/compounds/{w.tree.compound.pk}/entries", ENTRY | {"occurred_on": w.today.isoformat()}
    )


@entry("funds:correct_entry", action="funds.record_ledger")
def _(w):
    entry_ = _entry(w)
    return w.tree.compound, lambda: page(f"/funds/entries/{entry_.pk}/correct/", {"reason": "金额记错"})


@entry(f"POST {API}/funds/entries/{{entry_id}}/correct", action="funds.record_ledger")
def _(w):
    entry_ = _entry(w)
    return w.tree.compound, lambda: api(f"/funds/entries/{entry_.pk}/correct", {"reason": "金额记错"})


@entry("funds:publish", action="funds.manage_charges")
def _(w):
    _entry(w)
    return w.tree.compound, lambda: page(f"/r/{w.tree.compound.pk}/funds/disclosure/", {"period_days": "10"})


@entry(f"POST {API}/funds/compounds/{{region_id}}/disclosures", action="funds.manage_charges")
def _(w):
    _entry(w)
    return w.tree.compound, lambda: api(
        f"/funds/compounds/{w.tree.compound.pk}/disclosures", {"period_days": 10}
    )


# ---------------------------------------------------------------- the public board
def _notice(w):
    m = walk(w, "publish")
    return flows.publish(w, m)


def _objection(w):
    from yishi.notices.services import object_to

    notice = _notice(w)
    return notice, object_to(actor=w.neighbour, notice=notice, text="维修质量有问题")


# Any resident may object to a notice, publicly, within its objection period.
@entry("notices:object", residents=True)
def _(w):
    notice = _notice(w)
    return notice.region, lambda: page(f"/n/{notice.pk}/object/", {"text": "公示内容与实际不符"})


@entry(f"POST {API}/board/notices/{{notice_id}}/objections", residents=True)
def _(w):
    notice = _notice(w)
    return notice.region, lambda: api(
        f"/board/notices/{notice.pk}/objections", {"text": "公示内容与实际不符"}
    )


@entry("notices:reply", action="notices.reply_objection")
def _(w):
    notice, objection = _objection(w)
    return notice.region, lambda: page(f"/n/{notice.pk}/objections/{objection.pk}/reply/", {"text": "已复查"})


@entry(
    f"POST {API}/board/notices/{{notice_id}}/objections/{{objection_id}}/reply",
    action="notices.reply_objection",
)
def _(w):
    notice, objection = _objection(w)
    return notice.region, lambda: api(
        f"/board/notices/{notice.pk}/objections/{objection.pk}/reply", {"text": "已复查"}
    )


# ---------------------------------------------------------------- comments on a matter
def _comment(w):
    from yishi.comments.services import post_comment

    m = walk(w, "ideas")
    return m, post_comment(actor=w.neighbour, matter=m, body="建议先把排水沟疏通")


def _hidden(w):
    from yishi.comments.services import hide

    m, comment = _comment(w)
    hide(actor=w.secretary, comment=comment, reason="含有他人电话")
    return m, comment


@entry("comments:post", residents=True)
def _(w):
    m = walk(w, "ideas")
    return m.region, lambda: page(f"/m/{m.pk}/comments/", {"body": "同意尽快维修"})


@entry(f"POST {API}/comments/matters/{{matter_id}}", residents=True)
def _(w):
    m = walk(w, "ideas")
    return m.region, lambda: api(f"/comments/matters/{m.pk}", {"body": "同意尽快维修"})


@entry("comments:reply", residents=True)
def _(w):
    m, comment = _comment(w)
    return m.region, lambda: page(f"/comments/{comment.pk}/reply/", {"body": "排水沟上周刚疏通过"})


@entry(f"POST {API}/comments/{{comment_id}}/replies", residents=True)
def _(w):
    m, comment = _comment(w)
    return m.region, lambda: api(f"/comments/{comment.pk}/replies", {"body": "排水沟上周刚疏通过"})


@entry("comments:hide", action="comments.moderate")
def _(w):
    m, comment = _comment(w)
    return m.region, lambda: page(f"/comments/{comment.pk}/hide/", {"reason": "含有他人电话"})


@entry(f"POST {API}/comments/{{comment_id}}/hide", action="comments.moderate")
def _(w):
    m, comment = _comment(w)
    return m.region, lambda: api(f"/comments/{comment.pk}/hide", {"reason": "含有他人电话"})


@entry("comments:unhide", action="comments.moderate")
def _(w):
    m, comment = _hidden(w)
    return m.region, lambda: page(f"/comments/{comment.pk}/unhide/")


@entry(f"POST {API}/comments/{{comment_id}}/unhide", action="comments.moderate")
def _(w):
    m, comment = _hidden(w)
    return m.region, lambda: api(f"/comments/{comment.pk}/unhide")


# ---------------------------------------------------------------- regions: rules and imports
@entry("regions:rules", action="regions.manage_rules")
def _(w):
    data = {"key": "vote_threshold:eight_steps", "value": "3/4", "source": "区民政局2026年1号文"}
    return w.tree.community, lambda: page(f"/r/{w.tree.community.pk}/rules/", data)


def xlsx(rows):
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(
        "data.xlsx",
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@entry("regions:import_regions", action="regions.import_regions")
def _(w):
    rows = [("代码", "名称", "级别", "上级代码"), ("130903009", "南陈屯乡", "乡", "130903")]
    return w.tree.district, lambda: page(f"/r/{w.tree.district.pk}/import/regions/", {"file": xlsx(rows)})


@entry("regions:import_households", action="regions.import_households")
def _(w):
    rows = [
        ("楼栋", "单元", "房号", "户号", "居住状态", "建筑面积", "户主姓名", "户主手机"),
        ("5号楼", "1", "101", None, "常住", 90, "张三", "13912340001"),
    ]
    return w.tree.compound, lambda: page(f"/r/{w.tree.compound.pk}/import/households/", {"file": xlsx(rows)})


# ---------------------------------------------------------------- people: logging in and out
# Open to anyone; success writes no record of its own (a session, the time of the last login).
def _password(w):
    """The world was built before the tests' fast hasher was set: hash the password again with it."""
    from yishi.people.models import Person

    secretary = Person.objects.get(pk=w.secretary.pk)  # not the world's object: its hash must stay as stored
    secretary.set_password("pw-12345678x")
    secretary.save(update_fields=["password"])


@entry(f"POST {API}/audit/cosignatures", anyone=True)
def _(w):
    """No account: a witness's signature says who it is (refused shapes in tests/audit/test_witness.py)."""
    from yishi.audit import notes, tree

    checkpoint = tree.extend(checkpoint_now=True).checkpoint or tree.latest_checkpoint()
    text = notes.parse(checkpoint.note).text
    line = w.witness.signature_line(text, timestamp=int(checkpoint.at.timestamp())).rstrip("\n")
    return w.tree.city, lambda: api("/audit/cosignatures", {"size": checkpoint.size, "signature": line})


@entry("people:login", anyone=True, changes=False)
def _(w):
    _password(w)
    return w.tree.community, lambda: page("/login/", {"phone": w.secretary.phone, "password": "pw-12345678x"})


@entry(f"POST {API}/people/token", anyone=True, changes=False)
def _(w):
    _password(w)
    return w.tree.community, lambda: api(
        "/people/token", {"phone": w.secretary.phone, "password": "pw-12345678x"}
    )


@entry("people:request_code", anyone=True, changes=False)
def _(w):
    return w.tree.community, lambda: page("/login/code/request/", {"phone": w.resident.phone})


@entry("people:code_login", anyone=True, changes=False)
def _(w):
    from yishi.people.services import send_login_code
    from yishi.people.sms import MemoryBackend

    send_login_code(phone=w.resident.phone)
    code = "".join(ch for ch in MemoryBackend.outbox[-1].text if ch.isdigit())[:6]
    return w.tree.community, lambda: page("/login/code/", {"phone": w.resident.phone, "code": code})


@entry("people:logout", anyone=True, changes=False)
def _(w):
    return w.tree.community, lambda: page("/logout/")


@entry("set_language", anyone=True, changes=False)
def _(w):
    return w.tree.community, lambda: page("/i18n/setlang/", {"language": "en", "next": "/"})


@entry("web:elderly", anyone=True, changes=False)
def _(w):
    return w.tree.community, lambda: page("/elderly/", {"on": "1", "next": "/"})


# ---------------------------------------------------------------- notifications: one's own only
@entry("reminders:preferences", residents=True)
def _(w):
    return w.tree.community, lambda: page("/notifications/preferences/", {"sms": "on", "digest": "on"})


# Each person marks their own notifications read: the resident's one is untouched by anyone else.
@entry("reminders:mark_read", named={"resident"}, quiet=True)
def _(w):
    from yishi.notifications import record_notification

    note = record_notification(person=w.resident, text="您的议题已受理", link="/")
    return w.tree.community, lambda: page("/notifications/read/", {"notification": note.pk})


# Anyone signed in may stop hearing of a matter's steps: it changes only their own notifications.
@entry("reminders:mute", residents=True)
def _(w):
    m = walk(w, "raise")
    return m.region, lambda: page(f"/notifications/muted/{m.pk}/", {"muted": "on"})


# ---------------------------------------------------------------- API operations that mirror pages above
@entry(f"PUT {API}/regions/{{region_id}}/rules/{{key}}", action="regions.manage_rules")
def _(w):
    return w.tree.community, lambda: api(
        f"/regions/{w.tree.community.pk}/rules/vote_threshold:eight_steps",
        {"value": [3, 4], "source": "区民政局2026年1号文"},
        method="put",
    )


@entry(f"POST {API}/people/code", anyone=True, changes=False)
def _(w):
    return w.tree.community, lambda: api("/people/code", {"phone": w.resident.phone})


@entry(f"POST {API}/people/token/code", anyone=True, changes=False)
def _(w):
    from yishi.people.services import send_login_code
    from yishi.people.sms import MemoryBackend

    send_login_code(phone=w.resident.phone)
    code = "".join(ch for ch in MemoryBackend.outbox[-1].text if ch.isdigit())[:6]
    return w.tree.community, lambda: api("/people/token/code", {"phone": w.resident.phone, "code": code})


@entry(f"PATCH {API}/votes/{{vote_id}}", action="votes.manage_vote")
def _(w):
    vote = _vote(w, "draft")
    return vote.region, lambda: api(
        f"/votes/{vote.pk}", {"question": "是否同意维修西侧道路？"}, method="patch"
    )


@entry(f"PUT {API}/meetings/{{meeting_id}}", action="meetings.manage_meeting")
def _(w):
    meeting, m = _meeting(w, "draft")
    body = MEETING | {"starts_at": _starts(w, 14) + ":00+08:00", "place": "社区活动室", "agenda": [m.pk]}
    return meeting.region, lambda: api(f"/meetings/{meeting.pk}", body, method="put")


@entry(f"PUT {API}/notifications/preferences", residents=True)
def _(w):
    return w.tree.community, lambda: api(
        "/notifications/preferences", {"sms": True, "email": False, "digest": True}, method="put"
    )


@entry(f"PUT {API}/notifications/muted/{{matter_id}}", residents=True)
def _(w):
    m = walk(w, "raise")
    return m.region, lambda: api(f"/notifications/muted/{m.pk}", {"muted": True}, method="put")


@entry(f"POST {API}/notifications/read", named={"resident"}, quiet=True)
def _(w):
    from yishi.notifications import record_notification

    note = record_notification(person=w.resident, text="您的议题已受理", link="/")
    return w.tree.community, lambda: api("/notifications/read", {"notification": note.pk})


# ---------------------------------------------------------------- payloads naming something elsewhere
# The URL names an object in scope, the body names one outside it. Authority over both is needed (region: the
# street above both communities), or the request makes no sense anywhere (no one may).
@entry(f"POST {API}/matters/{{matter_id}}/screen#moved-next-door", action="matters.screen_matter")
def _(w):
    m = walk(w, "raise")
    body = {"decision": "accept", "procedure": "eight_steps", "region": w.tree.sibling.pk}
    return w.tree.street, lambda: api(f"/matters/{m.pk}/screen", body)


@entry("matters:merge#into-next-door", action="matters.screen_matter")
def _(w):
    from tests.matters.test_pages import other_matter

    m = walk(w, "raise", supported=False)
    there = other_matter(w, title="小区西侧小路一下雨就积水", region=w.tree.sibling_compound)
    return w.tree.street, lambda: page(f"/m/{m.pk}/merge/", {"into": there.pk, "reason": "同一处积水"})


@entry("funds:exempt#household-next-door")
def _(w):
    rule = _rule(w, "draft")
    elsewhere = builders_household(w.tree.sibling_compound)
    return rule.region, lambda: page(
        f"/funds/rules/{rule.pk}/exemptions/", {"household": elsewhere.pk, "reason": "低保户"}
    )


@entry(f"POST {API}/surveys/{{survey_id}}/paper#code-next-door")
def _(w):
    from yishi.surveys.queries import code_for

    survey, q = _survey(w)
    elsewhere = builders_household(w.tree.sibling_compound)
    return survey.region, lambda: api(
        f"/surveys/{survey.pk}/paper", {"code": code_for(survey, elsewhere), "answers": {q.pk: _yes(q)}}
    )


@entry(f"POST {API}/meetings/#agenda-next-door")
def _(w):
    from tests.matters.test_pages import other_matter

    there = other_matter(w, title="朝东社区的路灯", region=w.tree.sibling_compound)
    body = MEETING | {
        "region": w.tree.community.pk,
        "starts_at": _starts(w) + ":00+08:00",
        "agenda": [there.pk],
    }
    return w.tree.community, lambda: api("/meetings/", body)


@entry(f"POST {API}/votes/{{vote_id}}/proxies#elector-of-another-vote")
def _(w):
    vote = _vote(w, proxies_allowed=True)
    other = _vote(w, proxies_allowed=True, question="另一项表决")
    return vote.region, lambda: Req(
        f"{API}/votes/{vote.pk}/proxies",
        {
            "holder_phone": w.outsider.phone,
            "principal": _elector(other, w.neighbour).pk,
            "form_photo": png("p.png"),
        },
    )


def builders_household(region):
    from tests import builders

    return builders.household(region, room="909")


# ---------------------------------------------------------------- API uploads (multipart, as the pages post them)
@entry(f"POST {API}/matters/with_photos", residents=True)
def _(w):
    data = raise_data(w, category="environment")
    data.pop("confirmed_new")
    return w.tree.compound, lambda: Req(f"{API}/matters/with_photos", data | {"photos": [png("lamp.png")]})


@entry(
    f"POST {API}/matters/{{matter_id}}/works/{{work_id}}/reports/with_photo",
    action="procedures.assign_work",
    named={"fire_staff"},
)
def _(w):
    m, work = _work(w)
    return m.region, lambda: Req(
        f"{API}/matters/{m.pk}/works/{work.pk}/reports/with_photo",
        {"text": "已维修2处", "done": "true", "photo": png("fixed.png")},
    )


@entry(f"POST {API}/meetings/{{meeting_id}}/sheet", action="meetings.manage_meeting")
def _(w):
    meeting, _m = _meeting(w, "sitting")
    return meeting.region, lambda: Req(f"{API}/meetings/{meeting.pk}/sheet", {"photo": png("sheet.png")})


@entry(f"POST {API}/regions/{{region_id}}/import/regions", action="regions.import_regions")
def _(w):
    rows = [("代码", "名称", "级别", "上级代码"), ("130903009", "南陈屯乡", "乡", "130903")]
    return w.tree.district, lambda: Req(
        f"{API}/regions/{w.tree.district.pk}/import/regions", {"file": xlsx(rows)}
    )


@entry(f"POST {API}/regions/{{region_id}}/import/households", action="regions.import_households")
def _(w):
    rows = [
        ("楼栋", "单元", "房号", "户号", "居住状态", "建筑面积", "户主姓名", "户主手机"),
        ("5号楼", "1", "101", None, "常住", 90, "张三", "13912340001"),
    ]
    return w.tree.compound, lambda: Req(
        f"{API}/regions/{w.tree.compound.pk}/import/households", {"file": xlsx(rows)}
    )
