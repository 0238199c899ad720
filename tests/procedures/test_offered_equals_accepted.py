"""OFFERED EQUALS ACCEPTED: what the matter page and the API offer a person is exactly what the services accept.

For every procedure, every step of it (and a new matter, a resolved one, and one closed at screening), every
principal (anonymous, a plain resident, the submitter, a supporter, the system administrator, and every role
held where it may be held among the matter's community, its parent street, a child compound beside the
matter's own and a sibling community; the system administrator's role at the matter's city and another) and
every action on a matter: the forms the page shows, the API's
``available_actions`` (and each task's ``can_report`` / ``can_supervise``), and the real service called with
well-formed input must agree. A service *accepts* when it does not refuse at its gate (``GATE``): a refusal
for missing evidence or bad input comes after the gate, so the action was rightly offered.

The test asks the page, the API and the services, never the predicates: it holds whatever the code behind
them. The world is built once for the module; every request and service call runs in a savepoint rolled back
after it, so each one finds the world as it was built.
"""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import Client
from django.utils import timezone

from tests import builders
from tests.procedures import flows
from yishi.access.roles import LEVELS, Role
from yishi.errors import Refused
from yishi.matters import services as matters
from yishi.matters.models import Matter
from yishi.meetings.holding import record_session
from yishi.notices.services import publish_result
from yishi.people.models import Person
from yishi.people.tokens import issue_token
from yishi.plans.services import draft_version, record_consensus
from yishi.procedures import definitions
from yishi.procedures import services as engine
from yishi.regions.models import Level
from yishi.regions.services import create_region
from yishi.reviews.services import submit_review
from yishi.votes.tallies import record_result
from yishi.works.models import Work, WorkStatus
from yishi.works.queries import current_parts
from yishi.works.services import assign_work, rate_result, report_progress, supervise

# The codes a service refuses with at its gate: the person may not take the action, or not now. Any other
# refusal (evidence missing, a reason or a title left out, a wrong number) is about the input: past the gate.
GATE = frozenset(
    {
        Refused.FORBIDDEN,  # not entitled: no role for it here, not the submitter, not a supporter …
        "not_open",  # the matter is new or closed: its procedure does not move
        "wrong_step",  # the current step does not take this action
        "closed",  # closed: no withdrawing, no more supporters
        "withdraw_after_acceptance",  # accepted: withdrawing is the committee's decision now
        "already_screened",  # screening (and merging) is over
        "own_matter",  # the submitter already counts as a supporter
        "already_supported",
        "invalid_return",  # the step has no earlier step to send the matter back to
        "no_plan",  # no plan to agree on, or to review
        "already_reviewed",  # an expert reviews each version once
        "not_done",  # a task is confirmed once the unit reports it finished
        "already_confirmed",  # a confirmed task takes no more reports
    }
)

MATTER_ACTIONS = (
    "matters.screen_matter",
    "matters.merge_matter",
    "matters.support",
    "matters.record_support",
    "procedures.advance",
    "procedures.return",
    "procedures.withdraw",
    "procedures.close_unresolved",
    "procedures.record_session",
    "procedures.draft_plan",
    "procedures.record_consensus",
    "procedures.review_plan",
    "procedures.record_vote",
    "procedures.assign_work",
    "procedures.publish_result",
    "procedures.confirm_work",
    "procedures.rate_result",
)
WORK_ACTIONS = ("procedures.report_progress", "procedures.confirm_work")

# The page's forms by where they post (the matter's own URLs; a task's carry its number).
PAGE_FORMS = {
    "screen": "matters.screen_matter",
    "merge": "matters.merge_matter",
    "advance": "procedures.advance",
    "return": "procedures.return",
    "withdraw": "procedures.withdraw",
    "close": "procedures.close_unresolved",
    "session": "procedures.record_session",
    "plan": "procedures.draft_plan",
    "consensus": "procedures.record_consensus",
    "review": "procedures.review_plan",
    "vote": "procedures.record_vote",
    "works": "procedures.assign_work",
    "publish": "procedures.publish_result",
    "rate": "procedures.rate_result",
    "report": "procedures.report_progress",
    "supervise": "procedures.confirm_work",
}


# ------------------------------------------------------------------------------------------------ the world
def build():
    """丽景社区 (the tree of tests/builders.py) with a holder of every role at each place around the matter, and
    the people who walk matters through their steps."""
    t = builders.tree()
    t.compound2 = create_region(actor=None, parent=t.community, level=Level.COMPOUND, name="金色家园小区")
    t.city2 = create_region(actor=None, parent=None, level=Level.CITY, name="衡水市", code="131100000000")
    w = SimpleNamespace(tree=t, category=builders.category("environment"))
    w.fire = builders.unit("市消防救援支队", kind="fire_rescue", home_region=t.city, serves=[t.community])
    w.property = builders.unit(
        "万泰丽景小区物业服务公司", kind="property", home_region=t.community, serves=[t.compound]
    )
    stranger = builders.unit("新华区环卫所", kind="urban_management", home_region=t.other_district)
    w.resident, w.neighbour = builders.person("刘桂兰"), builders.person("王建国")
    w.plain, w.walk_in = builders.person("普通居民"), builders.person("来访居民")
    w.superuser = Person.objects.create_superuser(builders.next_phone(), "系统管理员", None)
    w.places = {
        "its community": t.community,
        "the parent street": t.street,
        "a child compound": t.compound2,  # below the community, beside the matter's own compound
        "a sibling community": t.sibling,
        "the city": t.city,
        "another city": t.city2,
    }
    w.holders = {}
    for role in Role:
        for where, region in w.places.items():
            if region.level not in LEVELS[role] or (role != Role.ADMIN and region.level == Level.CITY):
                continue
            extra = {}
            if role == Role.UNIT_STAFF:  # the community's own staff work for the unit its tasks go to
                extra["unit"] = w.fire if region == t.community else stranger
            if role == Role.EXPERT:
                extra["expertise"] = "legal"
            holder = builders.person(f"{role.value}@{region.name}")
            builders.role(holder, role, region, **extra)
            w.holders[f"{role.value} at {where}"] = holder
    # Who walks the matters through their steps: the community's own committee member, council member, expert.
    w.secretary = w.holders["committee at its community"]
    w.council = w.holders["council at its community"]
    w.lawyer = w.holders["expert at its community"]
    w.fire_staff = w.holders["unit_staff at its community"]
    w.now, w.soon = timezone.now(), timezone.localdate() + datetime.timedelta(days=30)
    w.principals = [
        ("anonymous", AnonymousUser()),
        ("a plain resident", w.plain),
        ("the submitter", w.resident),
        ("a supporter", w.neighbour),
        ("the system administrator", w.superuser),
        *w.holders.items(),
    ]
    w.target = flows.raise_flood(w)  # a new matter the others may be merged into
    return w


@pytest.fixture(scope="module")
def grid(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction rolled back at its end; each test runs in a savepoint."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            w = build()
            w.pages, w.apis = {}, {}
            for label, person in w.principals:
                page, api = Client(), Client()
                if person.is_authenticated:
                    page.force_login(person)
                    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(person)}")
                w.pages[label], w.apis[label] = page, api
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def raised(w) -> Matter:
    """The flooded lane, raised by 刘桂兰 and supported by 王建国."""
    m = flows.raise_flood(w)
    matters.support(actor=w.neighbour, matter=m)
    return m


def latest(m):
    return m.plan_versions.order_by("-number").first()


def give_the_other_parts(w, m):
    """Every part of the plan still without a task gets one (the unit the plan names, or the committee)."""
    for part in current_parts(m).filter(tasked=False):
        given = {} if part.unit_id else {"to_committee": True}
        assign_work(actor=w.secretary, matter=m, part=part, due_on=w.soon, **given)


def reporter(w, work):
    """Who reports on ``work``: the fire brigade's staff on its tasks, the person named on theirs, else the
    committee (whose secretary reports on the committee's own tasks and on those of units without staff here)."""
    if work.unit_id == w.fire.pk:
        return w.fire_staff
    return work.assignee or w.secretary


def confirm_every_task(w, m):
    for work in m.works.exclude(status=WorkStatus.CONFIRMED):
        if work.status != WorkStatus.DONE:
            report_progress(actor=reporter(w, work), work=work, text="已维修", done=True)
        supervise(actor=w.neighbour, work=work, verdict="confirm", rating=5)


# What completes a step, by the evidence it names.
EVIDENCE = {
    "consultation_held": flows.session,
    "plan_drafted": flows.plan,
    "consensus_recorded": lambda w, m: record_consensus(
        actor=w.secretary, matter=m, version=latest(m), minutes="各单位各负其责"
    ),
    "review_approved": lambda w, m: None,  # approved by the expert on arrival (``arrive``)
    "vote_passed": lambda w, m: flows.vote(w, m, 20),
    "parts_assigned": give_the_other_parts,
    "works_confirmed": confirm_every_task,
    "resolution_published": lambda w, m: publish_result(
        actor=w.secretary, matter=m, kind="resolution", title="决议公开", body="方案已通过。"
    ),
    "result_published": flows.publish,
}


def arrive(w, m, step) -> list:
    """What is there when the check is made at ``step``: at the review, one expert has approved the latest
    version and the others have not reviewed it; while the matter is carried out, a unit's task under way, one
    the unit reports finished and one the residents confirmed, and a task under way given to the committee
    itself and one given to a plain resident by name. -> the matter's tasks."""
    if "procedures.review_plan" in step.actions:
        submit_review(actor=w.lawyer, matter=m, decision="approve", opinion="方案合法可行。")
    if "procedures.assign_work" in step.actions:
        for done, confirmed in ((False, False), (True, False), (True, True)):
            work = assign_work(actor=w.secretary, matter=m, title="维修坑洼路面", unit=w.fire, due_on=w.soon)
            if done:
                report_progress(actor=w.fire_staff, work=work, text="已维修", done=True)
            if confirmed:
                supervise(actor=w.neighbour, work=work, verdict="confirm", rating=5)
        assign_work(actor=w.secretary, matter=m, title="提示辖区居民", to_committee=True, due_on=w.soon)
        assign_work(actor=w.secretary, matter=m, title="看护施工现场", assignee=w.plain, due_on=w.soon)
    return list(m.works.order_by("pk"))


def complete(w, m, step) -> Matter:
    for key in step.evidence:
        EVIDENCE[key](w, m)
    return engine.advance(actor=w.secretary, matter=m)


# ------------------------------------------------------------------------------------------- three answers
def rolled_back(call):
    """Run ``call`` in a savepoint that is always rolled back: the world stays as it was built."""
    with transaction.atomic():
        try:
            return call()
        finally:
            transaction.set_rollback(True)


def offered_on_page(client, matter) -> tuple[set[str], dict[int, set[str]]]:
    """The actions whose forms the page shows: the matter's, and each task's."""
    response = rolled_back(lambda: client.get(f"/m/{matter.pk}/"))
    assert response.status_code == 200
    on_matter, on_works = set(), {}
    for action_url, body in re.findall(
        r'<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>', response.content.decode(), re.S
    ):
        found = re.fullmatch(rf"/m/{matter.pk}/(?:works/(\d+)/)?(\w+)/", action_url)
        if found is None or found.group(2) == "comments":
            continue  # not an action on this matter (the language), or one with its own rule (a comment)
        work, name = found.groups()
        if name == "support":  # one URL: one's own name (a button), or a resident's (with their phone)
            action = "matters.record_support" if 'name="phone"' in body else "matters.support"
        else:
            action = PAGE_FORMS[name]
        if work:
            on_works.setdefault(int(work), set()).add(action)
        else:
            on_matter.add(action)
    return on_matter, on_works


def offered_by_api(client, matter) -> tuple[set[str], dict[int, set[str]]]:
    response = rolled_back(lambda: client.get(f"/api/v1/matters/{matter.pk}"))
    assert response.status_code == 200, response.content
    body = response.json()
    on_works = {
        row["id"]: {
            a for a, key in zip(WORK_ACTIONS, ("can_report", "can_supervise"), strict=True) if row[key]
        }
        for row in body["works"]
    }
    return set(body["available_actions"]), on_works


def well_formed_calls(w, person, matter) -> dict:
    """Each matter action as its service, called with input the page's form would send."""
    now, soon = timezone.now(), timezone.localdate() + datetime.timedelta(days=30)

    def latest():
        return matter.plan_versions.order_by("-number").first()

    def step_back():
        step = matter.step
        return step.returns_to[0] if step and step.returns_to else definitions.DEFAULT.first.key

    def confirm():
        # Confirming is offered on the whole matter before any task is finished: ask it of a finished one.
        work = matter.works.filter(status=WorkStatus.DONE).first() or Work.objects.create(
            matter=matter, title="已完成的任务", unit=w.fire, due_on=soon, status=WorkStatus.DONE
        )
        return supervise(actor=person, work=work, verdict="confirm", rating=5)

    return {
        "matters.screen_matter": lambda: matters.decline(actor=person, matter=matter, reason="属于个人纠纷"),
        "matters.merge_matter": lambda: matters.merge(actor=person, matter=matter, into=w.target),
        "matters.support": lambda: matters.support(actor=person, matter=matter),
        "matters.record_support": lambda: matters.support(actor=person, matter=matter, person=w.walk_in),
        "procedures.advance": lambda: engine.advance(actor=person, matter=matter),
        "procedures.return": lambda: engine.return_to(
            actor=person, matter=matter, step_key=step_back(), reason="方案需要修改"
        ),
        "procedures.withdraw": lambda: engine.withdraw(actor=person, matter=matter, reason="已自行解决"),
        "procedures.close_unresolved": lambda: engine.close_unresolved(
            actor=person, matter=matter, reason="经费不足"
        ),
        "procedures.record_session": lambda: record_session(
            actor=person,
            matter=matter,
            title="协商会",
            held_at=now,
            place="社区议事厅",
            attendance=9,
            ideas=[("先修补坑洼", "居民代表")],
        ),
        "procedures.draft_plan": lambda: draft_version(
            actor=person, matter=matter, summary="修复路面", parts=[{"what": "维修", "responsible": "居委会"}]
        ),
        "procedures.record_consensus": lambda: record_consensus(
            actor=person, matter=matter, version=latest(), minutes="同意"
        ),
        "procedures.review_plan": lambda: submit_review(
            actor=person, matter=matter, decision="approve", opinion="可行"
        ),
        "procedures.record_vote": lambda: record_result(
            actor=person, matter=matter, electorate=30, present=30, in_favour=20, against=10, abstain=0
        ),
        "procedures.assign_work": lambda: assign_work(
            actor=person, matter=matter, title="修路", unit=w.fire, due_on=soon
        ),
        "procedures.publish_result": lambda: publish_result(
            actor=person, matter=matter, title="结果公示", body="已完成"
        ),
        "procedures.confirm_work": confirm,
        "procedures.rate_result": lambda: rate_result(actor=person, matter=matter, rating=5),
    }


def work_calls(person, work) -> dict:
    return {
        "procedures.report_progress": lambda: report_progress(actor=person, work=work, text="进展"),
        "procedures.confirm_work": lambda: supervise(actor=person, work=work, verdict="confirm", rating=5),
    }


def accepts(call) -> tuple[bool | None, str]:
    """Whether the service lets the call past its gate, and what it said (None: it broke instead)."""
    try:
        rolled_back(call)
    except Refused as refused:
        return refused.code not in GATE, f"{refused.code}: {refused}"
    except Exception as exc:  # a service must refuse in words, never break
        return None, repr(exc)
    return True, "done"


# ------------------------------------------------------------------------------------------------ the test
def check(w, where: str, matter: Matter, works=()) -> int:
    """Every principal, every action on ``matter`` and on each of ``works``: offered on the page, offered by
    the API, accepted by the service, all the same. Fails with the first difference. -> the checks made."""
    checks = 0
    for who, person in w.principals:
        page, page_works = offered_on_page(w.pages[who], matter)
        api, api_works = offered_by_api(w.apis[who], matter)
        unknown = (page | api) - set(MATTER_ACTIONS)
        assert not unknown, f"{where} · {who}: offered actions this test does not know: {unknown}"
        calls = well_formed_calls(w, person, Matter.objects.get(pk=matter.pk))
        for action in MATTER_ACTIONS:
            accepted, said = accepts(calls[action])
            # Confirming is a form on each finished task: the page makes no offer on the whole matter.
            offered = {"page": action in page, "api": action in api}
            if action == "procedures.confirm_work":
                del offered["page"]
            assert accepted is not None and set(offered.values()) == {accepted}, (
                f"{where} · {who} · {action}: offered {offered}, accepted {accepted} ({said})"
            )
            checks += 1
        for work in works:
            for action, call in work_calls(person, Work.objects.get(pk=work.pk)).items():
                accepted, said = accepts(call)
                offered = {
                    "page": action in page_works.get(work.pk, set()),
                    "api": action in api_works.get(work.pk, set()),
                }
                assert accepted is not None and set(offered.values()) == {accepted}, (
                    f"{where} · {who} · {action} on a task {work.status}: offered {offered},"
                    f" accepted {accepted} ({said})"
                )
                checks += 1
    return checks


# Where the matter is when the check is made: new, each step of each procedure after screening, resolved, and
# closed at screening (it never had a procedure).
CASES = [
    "new",
    *(f"{p.key}:{s.key}" for p in definitions.PROCEDURES.values() for s in p.steps[1:]),
    "resolved",
    "declined",
]


def reach(w, case: str) -> tuple[Matter, list]:
    """A matter in ``case``, with its tasks."""
    m = raised(w)
    if case == "new":
        return m, []
    if case == "declined":
        return matters.decline(actor=w.secretary, matter=m, reason="属于个人纠纷"), []
    key, _, at = case.partition(":")
    procedure = definitions.get(key if at else definitions.DEFAULT.key)
    reason = "小修小补，一次协商即可分工" if procedure.needs_reason else ""
    m = matters.accept(actor=w.secretary, matter=m, procedure_key=procedure.key, procedure_reason=reason)
    for step in procedure.steps[1:]:
        works = arrive(w, m, step)
        if step.key == at:
            return Matter.objects.get(pk=m.pk), works
        m = complete(w, m, step)
    assert m.status == "resolved"
    return Matter.objects.get(pk=m.pk), list(m.works.all())


@pytest.mark.parametrize("case", CASES)
def test_what_the_page_and_the_api_offer_is_what_the_services_accept(grid, case, db):
    matter, works = reach(grid, case)
    check(grid, case, matter, works)
