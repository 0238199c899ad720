"""Posting, replying, hiding and showing again: each rule, each bad input, the audit entry, nothing half-saved."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from tests import builders
from tests.comments.helpers import declined, flood, merged, withdrawn
from yishi.audit.models import AuditEntry
from yishi.audit.services import actor_ref_for, verify
from yishi.comments import services as comments
from yishi.comments.models import Comment
from yishi.errors import Refused
from yishi.matters import services as matters
from yishi.procedures import services as engine
from yishi.reminders.models import Notification


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def refused(call) -> Refused:
    with pytest.raises(Refused) as exc:
        call()
    return exc.value


def unchanged(before: int) -> bool:
    return Comment.objects.count() == before


# --- posting -----------------------------------------------------------------------------------------------


def test_a_resident_comments_and_the_body_is_trimmed_and_audited(place):
    m = flood(place)
    c = comments.post_comment(actor=place.neighbour, matter=m, body="  我家楼下也积水。\n ")
    assert (c.body, c.author, c.matter, c.parent, c.staff_role) == (
        "我家楼下也积水。",
        place.neighbour,
        m,
        None,
        "",
    )
    entry = AuditEntry.objects.get(action="comments.post", target_id=str(c.pk))
    assert entry.actor_ref == actor_ref_for(place.neighbour)
    assert entry.data == {"matter": m.pk, "parent": None}
    assert verify() is None


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("", "body_required"),
        ("   \n\t ", "body_required"),
        (None, "body_required"),
        ("长" * 1001, "body_too_long"),
    ],
)
def test_a_bad_body_is_refused_with_its_field_and_nothing_is_saved(place, body, code):
    m = flood(place)
    audits = AuditEntry.objects.count()
    exc = refused(lambda: comments.post_comment(actor=place.neighbour, matter=m, body=body))
    assert (exc.code, exc.field) == (code, "body")
    assert not Comment.objects.exists() and AuditEntry.objects.count() == audits
    assert not Notification.objects.filter(person=place.resident).exists()


def test_exactly_1000_characters_after_trimming_is_accepted(place):
    c = comments.post_comment(actor=place.neighbour, matter=flood(place), body="  " + "长" * 1000 + "  ")
    assert len(c.body) == 1000


def test_the_too_long_message_says_the_limit(place):
    exc = refused(lambda: comments.post_comment(actor=place.neighbour, matter=flood(place), body="x" * 1200))
    assert "1000" in str(exc.reason) and "1200" in str(exc.reason)


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_someone_not_logged_in_may_not_comment(place, actor):
    exc = refused(lambda: comments.post_comment(actor=actor, matter=flood(place), body="路不好走"))
    assert exc.code == Refused.FORBIDDEN
    assert not Comment.objects.exists()


def test_comments_are_taken_while_new_open_and_resolved(place):
    m = flood(place)
    comments.post_comment(actor=place.neighbour, matter=m, body="新的")
    m = matters.accept(actor=place.secretary, matter=m)
    comments.post_comment(actor=place.neighbour, matter=m, body="受理了")
    assert Comment.objects.count() == 2


@pytest.mark.parametrize(("make", "code"), [(declined, "closed"), (withdrawn, "closed"), (merged, "merged")])
def test_a_matter_closed_otherwise_takes_no_comment_and_no_reply(place, make, code):
    m = flood(place)
    first = comments.post_comment(actor=place.neighbour, matter=m, body="先说一句")
    closed = make(place)
    exc = refused(lambda: comments.post_comment(actor=place.neighbour, matter=closed, body="还有话说"))
    assert exc.code == code
    if code == "merged":
        assert str(closed.merged_into_id) in str(exc.reason)
    # A reply on the closed matter is refused too.
    if closed.pk == m.pk:
        assert (
            refused(lambda: comments.reply(actor=place.outsider, comment=first, body="回一句")).code == code
        )
    assert Comment.objects.count() == 1


def test_a_matter_closed_unresolved_takes_no_comment(place):
    m = matters.accept(actor=place.secretary, matter=flood(place))
    m = engine.close_unresolved(actor=place.secretary, matter=m, reason="条件不具备")
    assert (
        refused(lambda: comments.post_comment(actor=place.neighbour, matter=m, body="可惜")).code == "closed"
    )


# --- replies -----------------------------------------------------------------------------------------------


def test_a_reply_belongs_to_a_top_level_comment_and_is_audited(place):
    m = flood(place)
    c = comments.post_comment(actor=place.neighbour, matter=m, body="什么时候修？")
    r = comments.reply(actor=place.outsider, comment=c, body="  同问  ")
    assert (r.parent, r.matter, r.body) == (c, m, "同问")
    assert AuditEntry.objects.get(action="comments.reply", target_id=str(r.pk)).data == {
        "matter": m.pk,
        "parent": c.pk,
    }


def test_a_reply_to_a_reply_is_refused(place):
    c = comments.post_comment(actor=place.neighbour, matter=flood(place), body="什么时候修？")
    r = comments.reply(actor=place.outsider, comment=c, body="同问")
    assert (
        refused(lambda: comments.reply(actor=place.neighbour, comment=r, body="再问")).code == "nested_reply"
    )
    assert Comment.objects.count() == 2


def test_a_hidden_comment_takes_no_reply(place):
    c = comments.post_comment(actor=place.neighbour, matter=flood(place), body="骂人的话")
    comments.hide(actor=place.secretary, comment=c, reason="含有侮辱性语言")
    assert refused(lambda: comments.reply(actor=place.outsider, comment=c, body="回")).code == "hidden"


@pytest.mark.parametrize(("body", "code"), [("", "body_required"), ("长" * 1001, "body_too_long")])
def test_a_bad_reply_is_refused_and_nothing_saved(place, body, code):
    c = comments.post_comment(actor=place.neighbour, matter=flood(place), body="什么时候修？")
    exc = refused(lambda: comments.reply(actor=place.outsider, comment=c, body=body))
    assert (exc.code, exc.field) == (code, "body")
    assert Comment.objects.count() == 1


def test_staff_who_moderate_there_answer_for_the_community_by_their_role(place):
    m = flood(place)
    c = comments.post_comment(actor=place.neighbour, matter=m, body="什么时候修？")
    r = comments.reply(actor=place.secretary, comment=c, body="本周五召开协商会。")
    assert r.staff_role == "committee"
    # Elsewhere the same person is a resident like any other.
    assert comments.reply(actor=place.other_secretary, comment=c, body="我们社区也有").staff_role == ""
    assert comments.post_comment(actor=place.lawyer, matter=m, body="建议依法").staff_role == ""


def test_the_system_administrator_answers_as_admin(place):
    root = builders.person("系统管理员")
    root.is_superuser = True
    root.save()
    c = comments.post_comment(actor=root, matter=flood(place), body="已转相关部门")
    assert c.staff_role == "admin"


# --- notifications -----------------------------------------------------------------------------------------


def test_the_submitter_is_told_of_a_comment_but_not_of_their_own(place):
    m = flood(place)
    c = comments.post_comment(actor=place.neighbour, matter=m, body="同感")
    told = Notification.objects.get(person=place.resident)
    assert m.title in told.text and told.link.endswith(f"#comment-{c.pk}")
    assert place.neighbour.name not in told.text
    comments.post_comment(actor=place.resident, matter=m, body="谢谢大家")
    assert Notification.objects.filter(person=place.resident).count() == 1


def test_a_commenter_is_told_of_a_reply_once_and_the_submitter_not_twice(place):
    m = flood(place)
    c = comments.post_comment(actor=place.neighbour, matter=m, body="什么时候修？")
    comments.reply(actor=place.secretary, comment=c, body="周五开会")
    assert Notification.objects.filter(person=place.neighbour).count() == 1
    assert Notification.objects.filter(person=place.resident).count() == 1  # the matter has comments today
    own = comments.post_comment(actor=place.resident, matter=m, body="我补充一下")
    comments.reply(actor=place.neighbour, comment=own, body="好的")
    assert Notification.objects.filter(person=place.resident).count() == 2  # and their comment a reply


def test_a_busy_day_sends_one_message_a_day_per_matter_and_per_comment_replied_to(
    place, monkeypatch, django_capture_on_commit_callbacks
):
    """Thirty neighbours comment and reply in one day: the submitter gets one text message about the matter
    and the commenter one about the replies, linking to the day's first; the next day's first comment is news."""
    import datetime

    from django.utils import timezone

    from tests import builders
    from yishi.people.sms import MemoryBackend

    m = flood(place)
    with django_capture_on_commit_callbacks(execute=True):
        first = comments.post_comment(actor=place.neighbour, matter=m, body="第一条")
        for i in range(30):
            someone = builders.person(f"邻居{i}")
            comments.post_comment(actor=someone, matter=m, body=f"同感{i}")
            comments.reply(actor=someone, comment=first, body=f"附议{i}")
    to_submitter = Notification.objects.filter(person=place.resident)
    to_commenter = Notification.objects.filter(person=place.neighbour)
    assert to_submitter.count() == 1 and to_submitter.get().link.endswith(f"#comment-{first.pk}")
    assert to_commenter.count() == 1
    assert sorted(sms.phone for sms in MemoryBackend.outbox) == sorted(
        [place.resident.phone, place.neighbour.phone]
    )
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    comments.post_comment(actor=place.outsider, matter=m, body="第二天的意见")
    assert to_submitter.count() == 2


def test_a_refused_comment_tells_no_one(place):
    m = flood(place)
    refused(lambda: comments.post_comment(actor=place.neighbour, matter=m, body=" "))
    assert not Notification.objects.exists()


# --- moderation --------------------------------------------------------------------------------------------


def test_a_moderator_hides_with_a_reason_and_shows_again_both_audited(place):
    c = comments.post_comment(actor=place.neighbour, matter=flood(place), body="骂人的话")
    hidden = comments.hide(actor=place.secretary, comment=c, reason="  含有侮辱性语言 ")
    assert (
        hidden.is_hidden and hidden.hidden_by == place.secretary and hidden.hidden_reason == "含有侮辱性语言"
    )
    entry = AuditEntry.objects.get(action="comments.hide", target_id=str(c.pk))
    assert entry.actor_ref == actor_ref_for(place.secretary) and entry.data["reason"] == "含有侮辱性语言"
    shown = comments.unhide(actor=place.secretary, comment=c)
    assert not shown.is_hidden and shown.hidden_reason == "" and shown.hidden_by is None
    assert AuditEntry.objects.filter(action="comments.unhide", target_id=str(c.pk)).exists()
    assert Comment.objects.get(pk=c.pk).body == "骂人的话"  # the text itself was never touched
    assert verify() is None


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("", "reason_required"),
        ("   ", "reason_required"),
        (None, "reason_required"),
        ("长" * 501, "reason_too_long"),
    ],
)
def test_hiding_needs_a_reason_and_nothing_changes_without_one(place, reason, code):
    c = comments.post_comment(actor=place.neighbour, matter=flood(place), body="骂人的话")
    audits = AuditEntry.objects.count()
    exc = refused(lambda: comments.hide(actor=place.secretary, comment=c, reason=reason))
    assert (exc.code, exc.field) == (code, "reason")
    assert not Comment.objects.get(pk=c.pk).is_hidden and AuditEntry.objects.count() == audits


def test_hiding_twice_and_showing_a_shown_comment_are_refused(place):
    c = comments.post_comment(actor=place.neighbour, matter=flood(place), body="骂人的话")
    assert refused(lambda: comments.unhide(actor=place.secretary, comment=c)).code == "not_hidden"
    comments.hide(actor=place.secretary, comment=c, reason="侮辱")
    assert (
        refused(lambda: comments.hide(actor=place.secretary, comment=c, reason="又一次")).code
        == "already_hidden"
    )
    assert Comment.objects.get(pk=c.pk).hidden_reason == "侮辱"


def test_moderation_works_on_a_closed_matter(place):
    m = flood(place)
    c = comments.post_comment(actor=place.neighbour, matter=m, body="骂人的话")
    matters.decline(actor=place.secretary, matter=m, reason="不属于议事范围")
    assert comments.hide(actor=place.secretary, comment=c, reason="侮辱").is_hidden


def test_a_database_constraint_keeps_a_hidden_comment_with_its_reason(place):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    c = comments.post_comment(actor=place.neighbour, matter=flood(place), body="骂人的话")
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.filter(pk=c.pk).update(hidden_at=timezone.now(), hidden_reason="")
