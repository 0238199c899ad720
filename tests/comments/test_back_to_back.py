"""Comments on a back-to-back (背靠背) matter never reveal the submitter: not their name, not their phone, not
that a comment is theirs, on the page, in the API, in the audit chain or in a notification."""

import json

import pytest
from django.test import Client
from django.utils.html import escape

from tests.comments.helpers import BACKEND, flood
from tests.matters.test_pages import tr
from yishi.audit.models import AuditEntry
from yishi.comments import services as comments
from yishi.comments.presenters import mask_name
from yishi.people.phones import mask_phone
from yishi.reminders.models import Notification


def needles(person) -> list[str]:
    return [person.name, mask_name(person.name), person.phone, mask_phone(person.phone)]


def readable(response) -> str:
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


@pytest.fixture
def talk(place):
    """A back-to-back matter by 刘桂兰; she comments twice, a neighbour once, the secretary answers her."""
    m = flood(place, back_to_back=True)
    own = comments.post_comment(actor=place.resident, matter=m, body="补充一下：晚上没有路灯。")
    comments.post_comment(actor=place.neighbour, matter=m, body="确实很危险。")
    comments.reply(actor=place.secretary, comment=own, body="已记录，周五协商。")
    comments.reply(actor=place.resident, comment=own, body="谢谢社区。")
    return m


@pytest.mark.parametrize("viewer", ["secretary", "neighbour", "outsider", "other_secretary", None])
def test_no_viewer_can_tell_who_raised_it_from_the_comments(place, talk, viewer):
    client = Client()
    if viewer:
        client.force_login(getattr(place, viewer), backend=BACKEND)
    for url in (f"/m/{talk.pk}/", f"/api/v1/comments/matters/{talk.pk}"):
        text = readable(client.get(url))
        assert (
            "补充一下：晚上没有路灯。" in text and "谢谢社区。" in text
        )  # the words are public, the person is not
        for needle in needles(place.resident):
            assert needle not in text, (viewer, url, needle)
        assert tr("raised this matter") not in text
    api = client.get(f"/api/v1/comments/matters/{talk.pk}").json()["items"]
    rows = [api[0], api[1], *api[0]["replies"]]
    assert not any(r["raised_it"] for r in rows)
    # The submitter's comments read exactly like another resident's.
    residents = {r["author"] for r in rows if not r["community_answer"] and not r["own"]}
    assert residents <= {str(tr("a resident"))}


def test_even_the_neighbours_name_is_withheld_so_withholding_names_no_one(place, talk):
    text = Client().get(f"/m/{talk.pk}/").content.decode()
    for needle in needles(place.neighbour):
        assert needle not in text and escape(needle) not in text


def test_the_submitter_sees_their_own_comments_as_theirs(place, talk):
    client = Client()
    client.force_login(place.resident, backend=BACKEND)
    api = client.get(f"/api/v1/comments/matters/{talk.pk}").json()["items"]
    assert api[0]["own"] and api[0]["author"] == tr("you") and not api[0]["raised_it"]
    assert not api[1]["own"]


def test_the_audit_chain_records_residents_comments_on_it_without_an_actor(place, talk):
    entries = AuditEntry.objects.filter(action__in=["comments.post", "comments.reply"]).order_by("seq")
    by_resident = [e for e in entries if e.actor_ref == ""]
    assert len(by_resident) == 3  # hers (two) and the neighbour's, alike
    assert [e for e in entries if e.actor_ref] and all(
        e.action == "comments.reply" for e in entries if e.actor_ref
    )
    for entry in entries:
        for needle in needles(place.resident):
            assert needle not in json.dumps(entry.data, ensure_ascii=False)


def test_a_named_matter_does_mark_its_submitters_comments(place):
    m = flood(place)
    comments.post_comment(actor=place.resident, matter=m, body="补充一下")
    text = Client().get(f"/m/{m.pk}/").content.decode()
    assert tr("raised this matter") in text and escape(mask_name(place.resident.name)) in text
    entry = AuditEntry.objects.get(action="comments.post")
    assert entry.actor_ref != ""


def test_the_submitter_is_told_without_anyone_being_named(place, talk):
    told = Notification.objects.filter(person=place.resident)
    assert told.count() == 2  # the neighbour's comment and the secretary's reply; not her own posts
    for n in told:
        assert place.neighbour.name not in n.text and place.secretary.name not in n.text
    assert not Notification.objects.filter(person=place.neighbour).exists()
