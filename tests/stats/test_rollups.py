"""The roll-ups stay equal to a full recount after a random sequence of real events through the services.

Events (fixed seed): raise online or record offline, support, screen (accept on the eight steps or the short
path, decline, refer, merge), advance through each step with its evidence (sessions, plans, consensus, reviews
approved or rejected, votes passed or failed), tasks done on time or late or escalated, ratings, meetings
announced on time or late, held with sign-ins or cancelled, votes with participation, withdrawals, closes
unresolved, and time passing (weeks at a time, across years). After each batch the roll-ups are compared with
``stats.plain`` (GROUP BY over the raw tables) for regions at every level and for years, quarters, months and
ranges; at the end ``rebuild()`` must reproduce the incrementally kept tables row for row.
"""

import collections
import datetime
import random
from dataclasses import asdict

import pytest
from django.utils import timezone

from tests import builders
from yishi import figures_hooks
from yishi.errors import Refused
from yishi.matters import services as matters
from yishi.matters.models import Channel, Matter, Status, Support
from yishi.meetings import announcing, attending, closing, holding, preparing
from yishi.meetings.models import Attendance, Meeting, MeetingStatus
from yishi.plans.services import draft_version, record_consensus
from yishi.procedures import services as engine
from yishi.reminders.services import escalate
from yishi.reviews.services import submit_review
from yishi.stats import plain, readers, rebuilding
from yishi.stats.figures import Period, add_months
from yishi.stats.models import Counter, Participant
from yishi.stats.receivers import refresh_for
from yishi.votes import counting, drafting, tallies
from yishi.votes.models import Participation
from yishi.works.models import Satisfaction, Work
from yishi.works.services import assign_work, rate_result, report_progress, supervise

pytestmark = pytest.mark.django_db(transaction=False)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += datetime.timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    start = datetime.datetime(2025, 10, 3, 9, 0, tzinfo=timezone.get_default_timezone())
    c = Clock(start)
    monkeypatch.setattr(timezone, "now", c)
    # Field defaults hold the original function; the rows these tests create get the test's time too.
    for model, name in (
        (Matter, "raised_at"),
        (Support, "at"),
        (Attendance, "at"),
        (Participation, "at"),
        (Work, "assigned_at"),
        (Satisfaction, "at"),
    ):
        monkeypatch.setattr(model._meta.get_field(name), "_get_default", c)
    return c


class World:
    def __init__(self, p, clock, rng):
        self.p, self.clock, self.rng, t = p, clock, rng, p.tree
        self.residents = [p.resident, p.neighbour] + [builders.person(f"居民{i}") for i in range(6)]
        for r in self.residents[:5]:
            builders.role(r, "representative", t.community)
        sibling_staff = builders.person("朝东书记")
        builders.role(sibling_staff, "committee", t.sibling)
        sibling_council = builders.person("朝东议事会")
        builders.role(sibling_council, "council", t.sibling)
        self.places = [
            (t.compound, p.secretary, p.council),
            (t.building, p.secretary, p.council),
            (t.community, p.secretary, p.council),
            (t.sibling, sibling_staff, sibling_council),
        ]
        self.refusals = collections.Counter()

    def today(self):
        return timezone.localdate(self.clock.now)

    def pick(self, qs):
        items = list(qs)
        return self.rng.choice(items) if items else None

    def staff(self, matter):
        for region, secretary, council in self.places:
            if region.pk == matter.region_id:
                return secretary, council
        raise AssertionError(matter.region_id)

    # --- events -------------------------------------------------------------------------------------------

    def raise_(self):
        region, secretary, _council = self.rng.choice(self.places)
        category = builders.category(self.rng.choice(["environment", "property"]))
        if self.rng.random() < 0.6:
            matters.raise_matter(
                actor=self.rng.choice(self.residents),
                region=region,
                category=category,
                title="路灯不亮",
                description="晚上看不见路。",
                back_to_back=self.rng.random() < 0.1,
            )
        else:
            named = self.rng.random() < 0.7
            matters.record_matter(
                actor=secretary,
                region=region,
                category=category,
                title="垃圾堆放",
                description="楼下垃圾无人清理。",
                channel=self.rng.choice([c for c in Channel.values if c != Channel.ONLINE]),
                submitter=self.rng.choice(self.residents) if named else None,
            )

    def support(self):
        m = self.pick(
            Matter.objects.exclude(status__in=[s for s in Status.values if s not in ("new", "open")])
        )
        if m:
            matters.support(actor=self.rng.choice(self.residents), matter=m)

    def screen(self):
        m = self.pick(Matter.objects.filter(status=Status.NEW))
        if not m:
            return
        secretary, _ = self.staff(m)
        roll = self.rng.random()
        if roll < 0.5:
            matters.accept(actor=secretary, matter=m)
        elif roll < 0.7:
            matters.accept(actor=secretary, matter=m, procedure_key="short_path", procedure_reason="小事")
        elif roll < 0.8:
            matters.decline(actor=secretary, matter=m, reason="不属于本社区")
        elif roll < 0.9:
            matters.refer(actor=secretary, matter=m, to="区城管局")
        else:
            into = self.pick(Matter.objects.filter(status=Status.OPEN, region=m.region))
            if into:
                matters.merge(actor=secretary, matter=m, into=into)

    def step(self):
        m = self.pick(Matter.objects.filter(status=Status.OPEN))
        if not m:
            return
        secretary, council = self.staff(m)
        p, step = self.p, m.step_key
        if step in ("ideas", "consult"):
            holding.record_session(
                actor=secretary,
                matter=m,
                title="恳谈",
                held_at=self.clock.now,
                place="议事厅",
                attendance=5,
                ideas=[("修", "居民")],
            )
            if step == "consult":
                version = draft_version(
                    actor=council, matter=m, summary="分工", parts=[{"what": "修", "responsible": "物业"}]
                )
                record_consensus(actor=secretary, matter=m, version=version, minutes="同意")
        elif step == "draft":
            draft_version(
                actor=council, matter=m, summary="方案", parts=[{"what": "修路", "responsible": "物业"}]
            )
        elif step == "consensus":
            if self.rng.random() < 0.15:
                engine.return_to(actor=secretary, matter=m, step_key="draft", reason="再改")
                return
            record_consensus(
                actor=secretary, matter=m, version=m.plan_versions.order_by("-number").first(), minutes="同意"
            )
        elif step == "review":
            ok = self.rng.random() < 0.8
            submit_review(actor=p.lawyer, matter=m, decision="approve" if ok else "reject", opinion="意见")
            if not ok:
                return
        elif step == "vote":
            seated = counting.seated("eight_step", m.region)
            if seated is None or self.rng.random() < 0.3:  # typed, with the names where a roster counts
                electorate, names = 30, [f"代表{i}" for i in range(30)]
            else:
                electorate, names = seated, []
            yes = self.rng.choice([electorate, electorate, electorate, electorate // 3])
            result = tallies.record_result(
                actor=secretary,
                matter=m,
                electorate=electorate,
                present=electorate,
                in_favour=yes,
                against=electorate - yes,
                abstain=0,
                entitled_names=names,
            )
            if not result.passed:
                return
        elif step == "implement":
            if not m.works.exists():
                (part,) = m.plan_versions.order_by("-number").first().parts.all()  # the first task carries it
                for k in range(self.rng.randint(1, 2)):
                    due = self.today() + datetime.timedelta(days=self.rng.randint(-3, 20))
                    assign_work(
                        actor=secretary,
                        matter=m,
                        title="施工",
                        due_on=due,
                        assignee=self.residents[0],
                        part=None if k else part,
                    )
                return
            if m.works.exclude(status="confirmed").exists():
                return
        elif step == "publish":
            from yishi.notices.services import publish_result

            publish_result(actor=secretary, matter=m, title="完成", body="已完成。")
        engine.advance(actor=secretary, matter=m)

    def work(self):
        w = self.pick(Work.objects.exclude(status="confirmed"))
        if not w:
            return
        roll = self.rng.random()
        if w.status == "open" and roll < 0.2 and w.due_on < self.today():
            escalate(work=w, today=self.today())
        elif w.status == "open":
            report_progress(actor=self.residents[0], work=w, text="完成", done=True)
        else:
            supporter = self.pick(Support.objects.filter(matter=w.matter_id).values_list("person", flat=True))
            supervisor = w.matter.submitter_id or supporter
            if supervisor is None:
                secretary, _ = self.staff(w.matter)
                matters.support(actor=secretary, matter=w.matter, person=self.residents[1])
                supervisor = self.residents[1].pk
            person = next((r for r in self.residents if r.pk == supervisor), None)
            if person is None:
                return
            verdict = "confirm" if self.rng.random() < 0.85 else "reopen"
            supervise(
                actor=person,
                work=w,
                verdict=verdict,
                rating=self.rng.randint(1, 5) if verdict == "confirm" else None,
                reason="" if verdict == "confirm" else "没修好",
            )

    def rate(self):
        m = self.pick(Matter.objects.filter(status=Status.RESOLVED))
        if m and m.submitter_id:
            person = next((r for r in self.residents if r.pk == m.submitter_id), None)
            if person:
                rate_result(actor=person, matter=m, rating=self.rng.randint(1, 5))

    def meeting(self):
        t, secretary = self.p.tree, self.p.secretary
        roll = self.rng.random()
        pending = list(Meeting.objects.filter(status=MeetingStatus.ANNOUNCED))
        if pending and roll < 0.6:
            meeting = self.rng.choice(pending)
            if self.rng.random() < 0.2:
                announcing.cancel_meeting(actor=secretary, meeting=meeting, reason="改期")
                return
            if self.clock.now < meeting.starts_at:
                self.clock.now = meeting.starts_at + datetime.timedelta(minutes=5)
            for r in self.rng.sample(self.residents, 3):
                attending.check_in(actor=secretary, meeting=meeting, person=r)
            closing.close_meeting(actor=secretary, meeting=meeting)
            return
        agenda = list(
            Matter.objects.filter(status=Status.OPEN, region__in=[t.community, t.compound, t.building])[:2]
        )
        days = self.rng.choice([1, 2, 5, 9])
        meeting = preparing.create_meeting(
            actor=secretary,
            region=self.rng.choice([t.community, t.compound]),
            form=self.rng.choice(["consultation", "talk", "representatives"]),
            platform=self.rng.choice(["party_hall", "bench", "online"]),
            title="议事会",
            starts_at=self.clock.now + datetime.timedelta(days=days),
            place="议事厅",
            agenda=agenda,
        )
        try:
            announcing.announce(actor=secretary, meeting=meeting)
        except Refused:
            announcing.announce(actor=secretary, meeting=meeting, late_reason="紧急")

    def vote(self):
        t, secretary = self.p.tree, self.p.secretary
        vote = drafting.create_vote(actor=secretary, region=t.community, question="是否同意？")
        vote = drafting.open_vote(actor=secretary, vote=vote)
        tallies.record_participation(
            actor=secretary, vote=vote, channel="paper", electors=self.rng.sample(self.residents[:5], 2)
        )

    def end(self):
        m = self.pick(Matter.objects.filter(status__in=[Status.NEW, Status.OPEN]))
        if not m:
            return
        secretary, _ = self.staff(m)
        if self.rng.random() < 0.5:
            engine.withdraw(actor=secretary, matter=m, reason="居民撤回")
        elif m.status == Status.OPEN:
            engine.close_unresolved(actor=secretary, matter=m, reason="无法解决")

    def run(self, n):
        events = [
            (self.raise_, 7),
            (self.support, 5),
            (self.screen, 7),
            (self.step, 45),
            (self.work, 14),
            (self.rate, 5),
            (self.meeting, 6),
            (self.vote, 2),
            (self.end, 2),
        ]
        actions, weights = zip(*events, strict=True)
        done = 0
        for _ in range(n):
            action = self.rng.choices(actions, weights)[0]
            try:
                action()
                done += 1
            except Refused as refused:
                # A random move the rules refuse changes nothing: that is checked too.
                self.refusals[f"{action.__name__}:{refused.code}"] += 1
            self.clock.advance(hours=self.rng.choice([1, 5, 26, 24 * 3]))
        return done


def periods(world):
    today = world.today()
    years = sorted({2025, today.year})
    out = [Period.year(y) for y in years]
    out += [Period.quarter(2025, 4), Period.quarter(today.year, (today.month - 1) // 3 + 1)]
    out += [Period.month(2025, 10), Period.month(today.year, today.month)]
    out.append(Period.months_between(add_months(today, -4), today))
    return out


def regions(p):
    t = p.tree
    return [t.city, t.district, t.street, t.community, t.compound, t.building, t.sibling, t.other_district]


def differences(world) -> list:
    today = world.today()
    found = []
    heavy = (world.p.tree.city, world.p.tree.street, world.p.tree.community)
    for region in regions(world.p):
        for period in periods(world):
            got = asdict(readers.figures(region, period, today=today))
            want = asdict(plain.figures(region, period, today=today))
            for key in want:
                if key not in ("region", "period") and got[key] != want[key]:
                    found.append((region.name, period.label, key, got[key], want[key]))
            if region in heavy and period in periods(world)[-3:]:
                for dim in ("category", "channel"):
                    if readers.by_dimension(region, period, dim) != plain.by_dimension(region, period, dim):
                        found.append((region.name, period.label, dim))
                if readers.trend(region, period) != plain.trend(region, period):
                    found.append((region.name, period.label, "trend"))
                got_sub = [asdict(r) for r in readers.subregions(region, period, today=today)]
                want_sub = [asdict(r) for r in plain.subregions(region, period, today=today)]
                if got_sub != want_sub:
                    found.append((region.name, period.label, "subregions", got_sub, want_sub))
        for as_of in (today, today - datetime.timedelta(days=40)):
            if readers.silent_communities(region, as_of) != plain.silent_communities(region, as_of):
                found.append((region.name, as_of, "silent"))
    return found


def tables() -> tuple[set, set]:
    counters = set(Counter.objects.exclude(n=0).values_list("region_id", "month", "dim", "n"))
    people = {
        (r, y, p, tuple(c))
        for r, y, p, c in Participant.objects.values_list("region_id", "year", "person_id", "counts")
    }
    return counters, people


def test_roll_ups_equal_a_full_recount_after_random_events(place, clock):
    world = World(place, clock, random.Random(20261128))
    total = 0
    for _batch in range(4):
        total += world.run(70)
        assert differences(world) == []
    assert total > 150, world.refusals
    f = readers.figures(place.tree.city, Period.year(2026), today=world.today())
    # The sequence reached every kind of figure, or the comparison proves little.
    assert f.raised and f.resolved and f.meetings_held and f.participants and f.tasks_on_time + f.tasks_late
    assert f.steps and f.ratings and f.finished and f.deviations
    assert f.deviations.get("electorate_differs")  # a vote recorded with a typed electorate and its names
    kept = tables()
    result = rebuilding.rebuild()
    assert result.counters > 0
    assert tables() == kept


def test_without_the_services_calls_the_comparison_fails(place, clock):
    """Proof that the test above depends on the services' calls: unheard, the figures fall behind at once."""
    world = World(place, clock, random.Random(7))
    installed = figures_hooks.install(None)
    assert installed is refresh_for
    try:
        world.run(30)
        assert differences(world) != []
    finally:
        figures_hooks.install(installed)
    rebuilding.rebuild()
    assert differences(world) == []
