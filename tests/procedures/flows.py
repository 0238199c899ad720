"""Walk a matter through steps with the services, as the pages do. Shared by the procedure tests."""

from yishi.matters import services as matters
from yishi.meetings.holding import record_session
from yishi.notices.services import publish_result
from yishi.plans.services import draft_version, record_consensus
from yishi.procedures import services as engine
from yishi.reviews.services import submit_review
from yishi.votes.counting import seated
from yishi.votes.tallies import record_result
from yishi.works.queries import current_parts
from yishi.works.services import assign_work, report_progress, supervise


def raise_flood(p, **kwargs):
    return matters.raise_matter(
        actor=p.resident,
        region=p.tree.compound,
        category=p.category,
        title="小区西侧小路积水",
        description="那里一下雨就积水，昨天有个老邻居在那儿摔伤了。",
        **kwargs,
    )


def implementing(p):
    """A flood matter on the short path (小事简易程序), now at implementation, where tasks are assigned."""
    m = matters.accept(
        actor=p.secretary, matter=raise_flood(p), procedure_key="short_path", procedure_reason="小型维修"
    )
    version = plan(p, m)
    session(p, m)
    record_consensus(actor=p.secretary, matter=m, version=version, minutes="分工")
    return engine.advance(actor=p.secretary, matter=m)


def session(p, m):
    return record_session(
        actor=p.secretary,
        matter=m,
        title="让居民出行安全，对低洼路段进行维修",
        held_at=p.now,
        place="社区协商议事厅",
        attendance=12,
        ideas=[("先修补坑洼", "居民代表")],
    )


def plan(p, m):
    return draft_version(
        actor=p.council,
        matter=m,
        summary="修复小区西侧坑洼路段",
        parts=[
            {"what": "维修坑洼路面", "unit": p.fire, "due_on": p.soon},
            {"what": "提示辖区居民", "responsible": "丽景社区居委会"},
            {"what": "维持现场秩序", "unit": p.property},
        ],
    )


def to_review(p, m):
    session(p, m)
    engine.advance(actor=p.secretary, matter=m)
    version = plan(p, m)
    engine.advance(actor=p.secretary, matter=m)
    record_consensus(actor=p.secretary, matter=m, version=version, minutes="各单位各负其责")
    engine.advance(actor=p.secretary, matter=m)
    return version


def approve(p, m):
    submit_review(actor=p.lawyer, matter=m, decision="approve", opinion="方案合法可行。")
    return engine.advance(actor=p.secretary, matter=m)


def vote(p, m, in_favour, electorate=30):
    """The body's vote as counted, all present. Where the community has seated fewer or more than
    ``electorate``, the list of who was entitled goes with it (a deviation the matter then shows)."""
    body = (m.step.bodies or ("eight_step",))[0] if m.step else "eight_step"
    members = seated(body, m.region)
    names = [f"代表{i}" for i in range(electorate)] if members not in (None, electorate) else []
    return record_result(
        actor=p.secretary,
        matter=m,
        electorate=electorate,
        present=electorate,
        in_favour=in_favour,
        against=electorate - in_favour,
        abstain=0,
        entitled_names=names,
    )


def four_and_two_voted(p, in_favour: int):
    """A flood matter under 四议两公开 taken through the party's proposal, the two committees and the party
    members to the village's resolution, voted with ``in_favour`` of 30. -> the matter as the vote left it."""
    m = matters.accept(actor=p.secretary, matter=raise_flood(p), procedure_key="four_and_two")
    assert m.step_key == "party_proposal"
    version = plan(p, m)
    engine.advance(actor=p.secretary, matter=m)
    session(p, m)
    engine.advance(actor=p.secretary, matter=m)
    record_consensus(actor=p.secretary, matter=m, version=version, minutes="党员大会审议通过")
    engine.advance(actor=p.secretary, matter=m)
    vote(p, m, in_favour=in_favour)
    m.refresh_from_db()
    return m


def give_every_part(p, m) -> list:
    """Each part of the plan as it stands gets its task: the unit the plan names, or the committee itself for a
    part the plan gives the residents' committee. -> the tasks, in the plan's order."""
    return [
        assign_work(
            actor=p.secretary,
            matter=m,
            part=part,
            due_on=p.soon,
            **({} if part.unit_id else {"to_committee": True}),
        )
        for part in current_parts(m)
    ]


def implement_and_confirm(p, m, supervisor):
    """Every part given its task, each reported finished by those responsible (the fire brigade's staff for the
    repair, the committee for the rest) and confirmed by ``supervisor``. -> the first task (the repair)."""
    works = give_every_part(p, m)
    for work in works:
        by_fire = work.unit_id == p.fire.pk
        text = "4处破损路面已维修" if by_fire else f"已完成：{work.title}"
        report_progress(actor=p.fire_staff if by_fire else p.secretary, work=work, text=text, done=True)
        supervise(actor=supervisor, work=work, verdict="confirm", rating=5)
    return works[0]


def publish(p, m):
    return publish_result(actor=p.secretary, matter=m, title="小路维修完成", body="4处破损路面已维修。")
