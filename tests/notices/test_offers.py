"""Offered equals accepted, for the public board: objecting to a notice and replying to an objection are
offered (on the notice's page and in its API answer) exactly when the services accept them, for every state
and principal (see ``tests/grid.py``)."""

import datetime

import pytest
from django.utils import timezone

from tests import grid
from yishi.notices import api, services
from yishi.notices.models import Notice, NoticeKind, Objection
from yishi.notices.queries import notice_context


def _notice(w, title, *, replaces=None):
    return services.post_notice(
        actor=w.committee,
        region=w.tree.community,
        kind=NoticeKind.RESULT,
        title=title,
        body="内容",
        period_days=10,
        replaces=replaces,
    )


def build():
    w = grid.place()
    posted = _notice(w, "公示")
    old = _notice(w, "旧公示")
    Notice.objects.filter(pk=old.pk).update(posted_at=timezone.now() - datetime.timedelta(days=30))
    replaced = _notice(w, "被替换的公示")
    _notice(w, "更正后的公示", replaces=replaced)
    w.notices = {"posted now": posted.pk, "past its objection window": old.pk, "replaced": replaced.pk}
    waiting = services.object_to(actor=w.resident, notice=posted, text="有异议")
    answered = services.object_to(actor=w.neighbour, notice=posted, text="也有异议")
    services.reply_to(actor=w.committee, objection=answered, text="已答复")
    w.objections = {"an objection waiting for its answer": waiting.pk, "an objection answered": answered.pk}
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from grid.built_once(django_db_blocker, build)


def test_objecting_is_offered_exactly_when_the_service_accepts_it(world, db):
    mismatches, checked = [], 0
    for state, pk in world.notices.items():
        for label, person in grid.principals(world).items():
            notice = Notice.objects.select_related("region").get(pk=pk)
            context = notice_context(notice, person)
            # The API says whether objections are open; the page offers the form when, besides, the viewer
            # may object (a visitor is asked to log in).
            assert api._detail(notice, person)["objections_open"] == context["objections_open"]
            assert context["objections_open"] == (context["objections_closed"] is None)
            mismatches += grid.compare(
                state=state,
                principal=label,
                offered={"object": context["object_refused"]},
                calls={
                    "object": lambda person=person, pk=pk: services.object_to(
                        actor=person, notice=Notice.objects.get(pk=pk), text="我反对"
                    )
                },
            )
            checked += 1
    grid.assert_none(mismatches, checked)


def test_replying_is_offered_exactly_when_the_service_accepts_it(world, db):
    from yishi.notices.predicates import may_reply

    mismatches, checked = [], 0
    notice = Notice.objects.get(pk=world.notices["posted now"])
    for label, person in grid.principals(world).items():
        rows = {row.objection.pk: row for row in notice_context(notice, person)["objections"]}
        for state, pk in world.objections.items():
            objection = Objection.objects.select_related("notice__region").get(pk=pk)
            reason = may_reply(person, objection)
            assert rows[pk].can_reply == (reason is None), (state, label)
            mismatches += grid.compare(
                state=state,
                principal=label,
                offered={"reply": reason},
                calls={
                    "reply": lambda person=person, pk=pk: services.reply_to(
                        actor=person, objection=Objection.objects.get(pk=pk), text="答复"
                    )
                },
            )
            checked += 1
    grid.assert_none(mismatches, checked)
