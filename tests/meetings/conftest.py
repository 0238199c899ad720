"""S1's community with its meeting's participants, and a clock the tests move (services read timezone.now)."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests import builders
from tests.procedures import flows
from yishi.matters import services as matters
from yishi.meetings import announcing, preparing

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


class Clock:
    """Stands in for ``django.utils.timezone.now``: the services, the audit chain and sessions read it."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += datetime.timedelta(**delta)
        return self.now

    def set(self, value):
        self.now = value
        return value


@pytest.fixture
def clock(monkeypatch):
    # 9:00 tomorrow, Shanghai time: the dates the rule counts are the site's calendar days.
    start = (timezone.localtime() + datetime.timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    c = Clock(start)
    monkeypatch.setattr(timezone, "now", c)
    return c


@pytest.fixture
def s1(place, clock):
    """The flooded-road matter accepted on the short path, with the people and units S1's meeting invites."""
    p = place
    t = p.tree
    matter = flows.raise_flood(p)
    matters.accept(
        actor=p.secretary,
        matter=matter,
        procedure_key="short_path",
        procedure_reason="小修小补：一次协商即可分工",
        category=p.category,
        stakeholders="万泰丽景小区居民",
    )
    brigade = builders.unit(
        "运河区消防救援大队", kind="fire_rescue", home_region=t.district, serves=[t.district]
    )
    urban = builders.unit("运河区城管", kind="urban_management", home_region=t.district, serves=[t.district])
    faraway = builders.unit(
        "新华区城管", kind="urban_management", home_region=t.other_district, serves=[t.other_district]
    )
    reps = [builders.person(f"代表{i}") for i in range(1, 4)]
    for i, rep in enumerate(reps):
        builders.role(rep, "representative", t.compound if i else t.community)
    deputy = builders.person("李副书记")
    builders.role(deputy, "committee", t.community, title="社区居委会副主任")
    return SimpleNamespace(
        p=p,
        t=t,
        matter=matter,
        brigade=brigade,
        urban=urban,
        faraway=faraway,
        reps=reps,
        deputy=deputy,
        clock=clock,
    )


def schedule(s, *, days_ahead=10, form="consultation", agenda=None, **kwargs):
    """S1's meeting (让居民出行安全，对低洼路段进行维修, 社区协商议事厅) ``days_ahead`` days from the clock, 9:00."""
    p = s.p
    starts = s.clock.now + datetime.timedelta(days=days_ahead)
    return preparing.create_meeting(
        actor=p.secretary,
        region=s.t.community,
        form=form,
        platform="party_hall",
        title="让居民出行安全，对低洼路段进行维修",
        starts_at=starts,
        place="社区协商议事厅",
        agenda=[s.matter] if agenda is None else agenda,
        **kwargs,
    )


def invite_s1(s, meeting):
    """The two committees, the property company, the resident representatives and the three liaison units."""
    p = s.p
    preparing.invite(actor=p.secretary, meeting=meeting, people=[p.secretary, s.deputy], capacity="两委成员")
    preparing.invite(actor=p.secretary, meeting=meeting, representatives=True)
    preparing.invite(actor=p.secretary, meeting=meeting, units=[p.property, p.fire, s.brigade, s.urban])
    return meeting


def announced(s, **kwargs):
    meeting = invite_s1(s, schedule(s, **kwargs))
    announcing.announce(actor=s.p.secretary, meeting=meeting)
    meeting.refresh_from_db()
    return meeting


def at_the_meeting(s, meeting, minutes=5):
    """Move the clock to ``minutes`` after the meeting starts."""
    return s.clock.set(meeting.starts_at + datetime.timedelta(minutes=minutes))
