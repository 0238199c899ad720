"""Offered equals accepted, for comments: the comment section under a matter offers commenting, replying,
hiding and showing again exactly when the services accept them, for every state of the matter and of the
comment, and every principal (see ``tests/grid.py``)."""

import pytest
from django.template import Context
from django.test import RequestFactory

from tests import builders, grid
from yishi.comments import predicates, services
from yishi.comments.models import Comment
from yishi.matters import services as matters
from yishi.matters.models import Matter


def _matter(w, title):
    return matters.raise_matter(
        actor=w.resident,
        region=w.tree.compound,
        category=w.category,
        title=title,
        description="一下雨就积水",
    )


def _talk(w, m) -> dict:
    comment = services.post_comment(actor=w.neighbour, matter=m, body="同意")
    reply = services.reply(actor=w.resident, comment=comment, body="谢谢")
    hidden = services.post_comment(actor=w.neighbour, matter=m, body="骂人的话")
    services.hide(actor=w.committee, comment=hidden, reason="人身攻击")
    return {"a comment": comment.pk, "a reply": reply.pk, "a hidden comment": hidden.pk}


def build():
    w = grid.place()
    w.category = builders.category("environment")
    new, accepted, declined = _matter(w, "新事项"), _matter(w, "已受理"), _matter(w, "不予受理")
    into, merged = _matter(w, "主事项"), _matter(w, "重复事项")
    w.comments = {}
    for state, m in {"new": new, "open": accepted, "declined": declined, "merged": merged}.items():
        for kind, pk in _talk(w, m).items():
            w.comments[f"{kind} on a matter {state}"] = pk
    matters.accept(actor=w.committee, matter=accepted)
    matters.decline(actor=w.committee, matter=declined, reason="不属于社区议事范围")
    matters.merge(actor=w.committee, matter=merged, into=into)
    w.matters = {"new": new.pk, "open": accepted.pk, "declined": declined.pk, "merged": merged.pk}
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from grid.built_once(django_db_blocker, build)


def _section(matter, person) -> dict:
    """What the comment section offers ``person``: its context, as the template tag builds it."""
    from yishi.comments.templatetags.comments import comment_section

    request = RequestFactory().get("/")
    request.user = person
    return comment_section(Context({"request": request}), matter)


def test_commenting_is_offered_exactly_when_the_service_accepts_it(world, db):
    mismatches, checked = [], 0
    for state, pk in world.matters.items():
        for label, person in grid.principals(world).items():
            matter = Matter.objects.select_related("region").get(pk=pk)
            section = _section(matter, person)
            reason = predicates.may_comment(person, matter)
            assert (section["comment_form"] is not None) == (reason is None), (state, label)
            mismatches += grid.compare(
                state=state,
                principal=label,
                offered={"comment": reason},
                calls={
                    "comment": lambda person=person, pk=pk: services.post_comment(
                        actor=person, matter=Matter.objects.get(pk=pk), body="我也遇到过"
                    )
                },
            )
            checked += 1
    grid.assert_none(mismatches, checked)


def test_replying_hiding_and_showing_are_offered_exactly_when_the_services_accept_them(world, db):
    mismatches, checked = [], 0
    for label, person in grid.principals(world).items():
        sections = {}
        for state, pk in world.comments.items():
            comment = Comment.objects.select_related("matter__region").get(pk=pk)
            if comment.matter_id not in sections:
                section = _section(comment.matter, person)
                rows = {}
                for row in section["rows"]:
                    rows[row["id"]] = row
                    rows.update({r["id"]: r for r in row["replies"]})
                sections[comment.matter_id] = rows
            row = sections[comment.matter_id][pk]
            reasons = {
                "reply": predicates.may_reply(person, comment),
                "hide": predicates.may_hide(person, comment),
                "unhide": predicates.may_unhide(person, comment),
            }
            # The section: a reply form under a top-level comment, a hide form or a "show it again" button.
            shown = {
                "reply": row.get("reply_form") is not None,
                "hide": row["hide_form"] is not None,
                "unhide": row["may_unhide"],
            }
            assert shown == {a: r is None for a, r in reasons.items()}, (state, label, shown)

            def fresh(pk=pk):
                return Comment.objects.get(pk=pk)

            mismatches += grid.compare(
                state=state,
                principal=label,
                offered=reasons,
                calls={
                    "reply": lambda person=person, fresh=fresh: services.reply(
                        actor=person, comment=fresh(), body="回复"
                    ),
                    "hide": lambda person=person, fresh=fresh: services.hide(
                        actor=person, comment=fresh(), reason="广告"
                    ),
                    "unhide": lambda person=person, fresh=fresh: services.unhide(
                        actor=person, comment=fresh()
                    ),
                },
            )
            checked += 3
    grid.assert_none(mismatches, checked)
