"""The matter page's SQL queries: within the load benchmark's budget for a much-discussed new matter, and a fixed
number for a matter with a whole file (sessions and ideas, plan versions with parts and reviews, consensus, vote
results, tasks with reports and supervisions, notices, photos, merged duplicates) whatever the length of its lists.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import builders
from tests.procedures import flows
from tests.votes.conftest import form_photo
from yishi.comments.services import post_comment, reply
from yishi.matters import services as matters
from yishi.matters.models import Status
from yishi.meetings.holding import record_session
from yishi.notices.services import publish_result
from yishi.plans.services import draft_version, record_consensus
from yishi.procedures import services as engine
from yishi.reviews.services import submit_review
from yishi.works.services import assign_work, rate_result, report_progress, supervise

pytestmark = pytest.mark.django_db

READ_PAGE_BUDGET = 15  # the load benchmark's ceiling for a read page


def queries_of(client, path: str, viewer=None) -> int:
    if viewer is not None:
        client.force_login(viewer)
    client.get(path)  # the first request of a process loads what every later one reuses
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


# --- the load benchmark's matter: new, 60 comments, 20 of them with two replies ----------------------------


@pytest.fixture
def talked(place):
    m = flows.raise_flood(place)
    residents = [builders.person(f"居民{i}") for i in range(8)]
    for i in range(60):
        comment = post_comment(
            actor=residents[i % len(residents)], matter=m, body=f"第{i + 1}条意见：同意尽快修。"
        )
        if i % 3 == 0:
            for j in range(2):
                reply(actor=residents[(i + j + 1) % len(residents)], comment=comment, body="同意，附议。")
    matters.support(actor=place.neighbour, matter=m)
    return m


@pytest.mark.parametrize("who", ["anonymous", "submitter", "supporter", "outsider"])
def test_a_much_discussed_new_matter_stays_within_the_read_page_budget(client, place, talked, who):
    viewer = {
        "anonymous": None,
        "submitter": place.resident,
        "supporter": place.neighbour,
        "outsider": place.outsider,
    }[who]
    assert (
        talked.comments.filter(parent=None).count() == 60
        and talked.comments.exclude(parent=None).count() == 40
    )

    assert queries_of(client, f"/m/{talked.pk}/", viewer) <= READ_PAGE_BUDGET


def test_the_committee_reading_a_new_matter_stays_within_the_budget(client, place, talked):
    # The screening forms are on the page for the secretary: their choices must not cost a query each.
    assert queries_of(client, f"/m/{talked.pk}/", place.secretary) <= READ_PAGE_BUDGET


# --- a whole file, with n of everything ---------------------------------------------------------------------


def whole_file(p, n: int):
    """The flooded lane on the eight steps to its end, with ``n`` of each thing its file lists."""
    m = flows.raise_flood(p, photos=[form_photo(f"flood{i}.png") for i in range(n)])
    m = matters.accept(actor=p.secretary, matter=m, procedure_key="eight_steps")
    for i in range(n):
        duplicate = matters.raise_matter(
            actor=builders.person(f"邻居{i}"),
            region=p.tree.compound,
            category=p.category,
            title=f"西侧小路又积水了{i}",
            description="一下雨就积水。",
        )
        matters.merge(actor=p.secretary, matter=duplicate, into=m)
    matters.support(actor=p.neighbour, matter=m)
    for i in range(n):
        record_session(
            actor=p.secretary,
            matter=m,
            title=f"协商会{i}",
            held_at=p.now,
            place="社区协商议事厅",
            attendance=12,
            ideas=[(f"意见{i}-{j}", "居民代表") for j in range(n)],
        )
    engine.advance(actor=p.secretary, matter=m)
    versions = [
        draft_version(
            actor=p.council,
            matter=m,
            summary=f"修复坑洼路段，第{i + 1}稿",
            parts=[
                {
                    "what": f"维修第{j + 1}处路面",
                    "unit": p.fire if j % 2 else None,
                    "responsible": "" if j % 2 else "丽景社区居委会",
                    "due_on": p.soon,
                }
                for j in range(n)
            ],
        )
        for i in range(n)
    ]
    engine.advance(actor=p.secretary, matter=m)
    for i in range(n):
        record_consensus(actor=p.secretary, matter=m, version=versions[-1], minutes=f"各单位各负其责（{i}）")
    engine.advance(actor=p.secretary, matter=m)
    for i in range(n):
        expert = builders.person(f"律师{i}")
        builders.role(expert, "expert", p.tree.city, expertise="legal")
        submit_review(actor=expert, matter=m, decision="approve", opinion="方案合法可行。")
    engine.advance(actor=p.secretary, matter=m)
    for _ in range(n):
        flows.vote(p, m, 20)
    engine.advance(actor=p.secretary, matter=m)
    for part in versions[-1].parts.order_by(
        "position"
    ):  # each part its task: the fire brigade or the committee
        given = {"unit": p.fire} if part.unit_id else {"to_committee": True}
        work = assign_work(actor=p.secretary, matter=m, part=part, title=part.what, due_on=p.soon, **given)
        by = p.fire_staff if part.unit_id else p.secretary
        for j in range(n):
            report_progress(actor=by, work=work, text=f"第{j + 1}次：已维修", done=True)
            if j < n - 1:
                supervise(actor=p.resident, work=work, verdict="reopen", reason="还有一处没修好")
        supervise(actor=p.resident, work=work, verdict="confirm", rating=5)
    engine.advance(actor=p.secretary, matter=m)
    for i in range(n):
        publish_result(actor=p.secretary, matter=m, title=f"小路维修完成（{i}）", body="破损路面已维修。")
    rate_result(actor=p.resident, matter=m, rating=5)
    m = engine.advance(actor=p.secretary, matter=m)

    assert m.status == Status.RESOLVED
    assert m.photos.count() >= n and m.merged_from.count() == n and m.sessions.count() == n
    assert all(s.ideas.count() == n for s in m.sessions.all())
    assert all(
        v.parts.count() == n and v.reviews.count() == (n if v == versions[-1] else 0)
        for v in m.plan_versions.all()
    )
    assert m.consensus_records.count() == m.vote_results.count() == m.works.count() == n
    assert m.notices.count() >= n  # the services post some notices of their own
    assert all(w.reports.count() == w.supervisions.count() == n for w in m.works.all())
    return m


@pytest.mark.parametrize("page", ["", "dossier/"])
@pytest.mark.parametrize("who", ["anonymous", "submitter", "secretary"])
def test_a_whole_file_costs_the_same_queries_with_one_or_five_of_everything(client, place, page, who):
    viewer = {"anonymous": None, "submitter": place.resident, "secretary": place.secretary}[who]
    one, five = whole_file(place, 1), whole_file(place, 5)

    queries = queries_of(client, f"/m/{one.pk}/{page}", viewer)

    assert queries_of(client, f"/m/{five.pk}/{page}", viewer) == queries
    assert queries <= 25
