"""The demo city tells the seed report's stories, made through the services, with a whole audit chain."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone, translation

from yishi.access.models import RoleAssignment
from yishi.access.roles import Role
from yishi.audit.actions import Action
from yishi.audit.models import AuditEntry
from yishi.audit.services import verify
from yishi.demo import city, stories
from yishi.funds.models import Payment
from yishi.funds.queries import fund_totals, rule_totals
from yishi.matters.models import Channel, Matter, Status
from yishi.notices.models import Notice, NoticeKind
from yishi.procedures.definitions import EIGHT_STEPS
from yishi.procedures.models import Transition
from yishi.regions.models import Household
from yishi.surveys.models import SurveyStatus
from yishi.votes.models import Status as VoteStatus
from yishi.votes.models import Vote
from yishi.votes.queries import tally_status
from yishi.works.models import WorkStatus


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded once for this module and rolled back after it (each test runs in a savepoint)."""
    media = tmp_path_factory.mktemp("media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        yield city.load()
        transaction.set_rollback(True)


def days_ago(n: int):
    return timezone.localdate() - timedelta(days=n)


def test_s1_the_flooded_lane_is_resolved_on_the_short_path_and_posted(demo, db):
    m = Matter.objects.get(title=stories.S1_TITLE)
    assert (m.status, m.procedure_key) == (Status.RESOLVED, "short_path")
    assert m.procedure_reason == "小型维修，无需公约和表决"
    assert m.region.name == "万泰丽景小区" and m.category.key == "environment"
    assert m.photos.count() == 1
    # The neighbour who came to the office was recorded by the secretary, then merged in as a supporter.
    visit = m.merged_from.get()
    assert visit.channel == Channel.VISIT and visit.recorded_by.name == "张金利"
    assert timezone.localdate(visit.raised_at) == timezone.localdate(m.raised_at)
    assert m.supports.filter(person=visit.submitter, from_matter=visit).exists()
    session = m.sessions.get()
    assert session.title == "让居民出行安全，对低洼路段进行维修" and session.place == "社区协商议事厅"
    assert timezone.localtime(session.held_at).date() == days_ago(44)  # 10月15日 when loaded on 2026-11-28
    assert session.ideas.count() >= 4 and session.attendees.count() > 5
    works = list(m.works.select_related("unit"))
    assert len(works) == 4 and {w.status for w in works} == {WorkStatus.CONFIRMED}
    assert {w.responsible_label for w in works} >= {
        "市消防救援支队",
        "万泰丽景小区物业服务公司",
        "运河区城管",
    }
    repair = next(w for w in works if w.unit and w.unit.name == "市消防救援支队")
    assert repair.due_on == days_ago(13)  # 11月15日
    assert repair.reports.filter(done=True, text__contains="4处破损路面已维修").exclude(photo="").exists()
    assert all(w.supervisions.get().rating for w in works)
    notice = m.notices.get(kind=NoticeKind.RESULT)
    assert notice.region.name == "丽景社区" and notice.is_posted()


def test_s2_the_survey_was_published_with_most_households_answering(demo, db):
    m = Matter.objects.get(title=stories.S2_TITLE)
    survey = m.surveys.get()
    assert survey.title == stories.S2_SURVEY_TITLE and survey.region.name == "建材城小区"
    assert survey.status == SurveyStatus.CLOSED and survey.is_published
    assert 2 <= survey.questions.count() <= 3
    live = survey.responses.filter(voided_at__isnull=True)
    online, paper = live.filter(channel="online").count(), live.filter(channel="paper").count()
    assert online + paper > 100 and 0 < online < paper  # most keyed in by staff from the paper forms
    assert not live.filter(channel="online", respondent__isnull=True).exists()
    hire = survey.questions.get(position=1)
    agreed = hire.answers.filter(choice__position=1, response__voided_at__isnull=True).count()
    assert agreed * 3 > (online + paper) * 2  # a clear majority agree
    assert survey.notice.region.name == "三角线社区" and f"{online + paper}" in survey.notice.body
    # December 2025, when loaded on 2026-11-28.
    assert timezone.localtime(survey.opened_at).date() == days_ago(stories.before(2025, 12, 1))
    assert timezone.localtime(survey.closed_at).date() == days_ago(stories.before(2025, 12, 15))


def test_s2_three_teams_bid_and_the_show_of_hands_chose_one(demo, db):
    m = Matter.objects.get(title=stories.S2_TITLE)
    assert m.notices.filter(
        kind=NoticeKind.PROGRESS, title__contains="招募"
    ).exists()  # the recruitment notice
    vote = Vote.objects.get(question=stories.S2_TEAM_VOTE)
    teams = vote.options.exclude(key="abstain")
    assert sorted(teams.values_list("label", flat=True)) == sorted(t["label"] for t in stories.S2_TEAMS)
    assert all(t.price and t.description for t in teams)
    # The electorate: the committee members, the owners' committee and the building heads.
    roles = set(
        RoleAssignment.objects.active()
        .filter(person__in=vote.electors.values("person"))
        .values_list("role", flat=True)
    )
    assert {Role.COMMITTEE, Role.OWNERS_COMMITTEE, Role.BUILDING_HEAD} <= roles
    assert vote.status == VoteStatus.CLOSED and vote.winner.label == "沧州绿源园林绿化队"
    entries = list(vote.tally_entries.filter(channel="hands"))
    assert len(entries) == 2 and entries[0].counts == entries[1].counts
    assert entries[0].entered_by_id != entries[1].entered_by_id
    assert tally_status(vote, "hands")[0].value == "accepted"
    assert vote.participations.filter(channel="hands").count() == sum(entries[0].counts.values())
    assert timezone.localtime(vote.closed_at).date() == days_ago(stories.before(2026, 1, 10))  # January 2026
    latest = m.plan_versions.order_by("-number").first()
    assert (
        "沧州绿源园林绿化队" in latest.summary
        and latest.parts.filter(unit__name="沧州绿源园林绿化队").exists()
    )
    assert "150元" in latest.cost_sharing and "100元" in latest.cost_sharing
    assert m.reviews.filter(version=latest, decision="approve").count() == 2


def test_s2_the_representatives_passed_the_plan_and_the_team_is_at_work(demo, db):
    m = Matter.objects.get(title=stories.S2_TITLE)
    assert (m.status, m.step_key) == (Status.OPEN, "implement")
    vote = m.votes.get()
    assert vote.status == VoteStatus.CLOSED and vote.passed
    assert vote.electors.count() == city.REPRESENTATIVES["三角线社区"] == 30
    result = m.vote_results.get()
    assert result.passed and result.electorate == 30 and 3 * result.in_favour >= 2 * 30
    # Online and on paper, never both for one representative.
    channels = dict(vote.participations.values_list("elector_id", "channel"))
    assert {"online", "paper"} <= set(channels.values()) and len(channels) == vote.participations.count()
    assert tally_status(vote, "paper")[0].value == "accepted"
    voted = timezone.localtime(vote.closed_at).date()
    assert voted == days_ago(stories.before(2026, 1, 20))
    team = list(m.works.filter(unit__name="沧州绿源园林绿化队").order_by("pk"))
    assert len(team) >= 2
    started = timezone.localtime(team[0].reports.order_by("at").first().at).date()
    assert 14 <= (started - voted).days <= 17  # half a month later
    ratings = [s.rating for w in team for s in w.supervisions.all()]
    assert len(ratings) >= 2 and all(ratings)
    assert any(w.status == WorkStatus.OPEN for w in team) and not any(w.is_overdue() for w in team)


def test_s2_the_cost_is_shared_half_paid_and_the_surplus_is_in_the_fund(demo, db):
    m = Matter.objects.get(title=stories.S2_TITLE)
    rule = m.charge_rules.get()
    households = Household.objects.filter(region__parent__name="建材城小区")
    occupied, vacant = (
        households.exclude(occupancy="vacant").count(),
        households.filter(occupancy="vacant").count(),
    )
    assert occupied + vacant == 200 and vacant > 0
    totals = rule_totals(rule)
    assert totals.households == 200 and rule.issued_total == totals.charged
    assert totals.charged == Decimal(150 * occupied + 100 * vacant)  # 29,000 for 180 occupied and 20 vacant
    assert 80 <= totals.paid_in_full <= 120 and totals.in_arrears > 0  # about half paid
    payments = Payment.objects.filter(charge__rule=rule)
    assert all(p.receipt_no for p in payments) and payments.count() >= totals.paid_in_full
    chosen = Vote.objects.get(question=stories.S2_TEAM_VOTE).winner
    assert totals.contract_price == chosen.price and totals.paid > totals.contract_price
    assert totals.surplus_posted == totals.paid - totals.contract_price
    fund = fund_totals(rule.region)
    assert fund.income == totals.surplus_posted and fund.spending > 0 and fund.balance > 0
    assert not payments.filter(paid_on__gt=timezone.localdate()).exists()
    disclosed = Notice.objects.filter(region__name="三角线社区", body__contains="购买绿化带养护工具")
    assert disclosed.exists() and disclosed.get().is_posted()


def test_s3_the_rubbish_heap_has_many_voices_and_three_tasks_in_three_states(demo, db):
    m = Matter.objects.get(title=stories.S3_TITLE)
    assert (m.status, m.step_key) == (Status.OPEN, "implement")
    assert m.merged_from.count() >= 4 and m.supporter_count >= 15
    result = m.vote_results.get()
    assert result.passed and result.electorate == city.REPRESENTATIVES["朝东社区"]
    works = list(m.works.select_related("unit"))
    assert len({w.unit_id for w in works}) == 3
    assert sorted(w.status for w in works) == sorted([WorkStatus.CONFIRMED, WorkStatus.DONE, WorkStatus.OPEN])
    assert [w.title for w in works if w.is_overdue()] == ["安装一套健身器材"]


def test_s4_both_smaller_matters_are_gathering_ideas(demo, db):
    for title in (stories.S4_METERS_TITLE, stories.S4_STRUCTURES_TITLE):
        m = Matter.objects.get(title=title)
        assert (m.status, m.procedure_key, m.step_key) == (Status.OPEN, "eight_steps", "ideas")
    assert Matter.objects.get(title=stories.S4_METERS_TITLE).region.name == "生产资料小区"
    assert Matter.objects.get(title=stories.S4_STRUCTURES_TITLE).region.name == "馨泰花园小区"


def test_matters_exist_in_every_status_and_at_every_step(demo, db):
    assert set(Matter.objects.values_list("status", flat=True)) == set(Status.values)
    open_steps = set(
        Matter.objects.filter(status=Status.OPEN, procedure_key="eight_steps").values_list(
            "step_key", flat=True
        )
    )
    assert open_steps == {s.key for s in EIGHT_STEPS.steps[1:]}  # and "raise" is the matters still to screen
    assert all(
        m.public_reason for m in Matter.objects.filter(status__in=[Status.DECLINED, Status.UNRESOLVED])
    )
    assert all(m.referred_to for m in Matter.objects.filter(status=Status.REFERRED))
    assert Matter.objects.filter(back_to_back=True).exists()
    assert len(set(Matter.objects.values_list("channel", flat=True))) >= 6
    assert Matter.objects.filter(transitions__kind="return").exists()


def test_times_read_as_the_stories_tell_them(demo, db):
    now = timezone.now()
    assert not Matter.objects.filter(raised_at__gt=now).exists()
    for m in Matter.objects.all():
        assert all(s.at >= m.raised_at for s in m.supports.all()), m.title
    for m in Matter.objects.exclude(procedure_key=""):
        times = list(Transition.objects.filter(matter=m).order_by("pk").values_list("at", flat=True))
        assert times == sorted(times), m.title
        assert times[0] >= m.raised_at and m.step_since == times[-1]


def test_the_audit_chain_is_whole(demo, db):
    assert verify() is None


def test_every_entry_the_demo_writes_has_a_known_action_and_its_object_in_chinese(demo, db):
    written = AuditEntry.objects.values_list("action", "target_type").distinct()
    assert {action for action, _ in written} <= set(Action.values)
    with translation.override("zh-hans"):
        for action, target_type in written:
            entry = AuditEntry(action=action, target_type=target_type)
            assert entry.action_label == str(Action(action).label)
            assert entry.target_label != target_type and not entry.target_label.isascii(), target_type


def test_a_second_load_through_the_command_does_nothing(demo, db):
    counts = (Matter.objects.count(), AuditEntry.objects.count())
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert (Matter.objects.count(), AuditEntry.objects.count()) == counts
