"""A matter raised back to back (背靠背): the submitter's name and phone are never on any page or feed,
for staff, another resident or an anonymous visitor. Only the submitter sees that it is theirs."""

import json

import pytest
from django.utils.html import escape

from tests.matters.test_pages import _raise_data, complete, html, png, tr, walk
from tests.procedures import flows
from yishi.matters import services as matters
from yishi.matters.models import Matter
from yishi.people.phones import mask_name, mask_phone
from yishi.procedures import services as engine
from yishi.works.services import assign_work, report_progress, supervise

YOU = "you (back to back: hidden from everyone else)"
A_RESIDENT = "a resident (back to back)"


def needles(person) -> list[str]:
    return [person.name, mask_name(person.name), person.phone, mask_phone(person.phone)]


def readable(response) -> str:
    """What a reader of the response gets: JSON decoded (it escapes Chinese as \\uXXXX), HTML as sent."""
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return html(response)


def urls(place, m) -> list[str]:
    t = place.tree
    return [
        f"/m/{m.pk}/",
        f"/m/{m.pk}/dossier/",
        f"/r/{t.compound.pk}/matters/",
        f"/r/{t.community.pk}/matters/",
        f"/r/{t.compound.pk}/",
        f"/r/{t.community.pk}/",
        "/work/",
        "/audit/",
        "/api/v1/audit/entries?limit=500",
        "/api/v1/matters/",
        f"/api/v1/matters/{m.pk}",
    ]


def viewers(place):
    return {"staff": place.secretary, "other resident": place.outsider, "anonymous": None}


def assert_never_named(client, place, m):
    searched = 0
    for who_label, who in viewers(place).items():
        client.logout()
        if who is not None:
            client.force_login(who)
        for url in urls(place, m):
            response = client.get(url)
            if who is None and url == "/work/":
                assert response.status_code == 302
                continue
            assert response.status_code == 200, (who_label, url, response.status_code)
            text = readable(response)
            for needle in needles(place.resident):
                assert needle not in text, (who_label, url, needle)
            searched += 1
    return searched


def raise_back_to_back(place, client) -> Matter:
    """刘桂兰 raises it on the page, ticking "back to back", with a photo."""
    client.force_login(place.resident)
    response = client.post("/m/new/", _raise_data(place, back_to_back="on", photos=[png()]))
    assert response.status_code == 302
    client.logout()
    m = Matter.objects.get()
    assert m.back_to_back and m.submitter == place.resident
    return m


def test_a_back_to_back_matter_waiting_to_be_screened_names_nobody_anywhere(place, client):
    m = raise_back_to_back(place, client)
    matters.support(actor=place.neighbour, matter=m)

    assert assert_never_named(client, place, m) == 32
    client.force_login(place.secretary)
    assert f'href="/m/{m.pk}/"' in html(client.get("/work/")), "the staff's list of matters to screen has it"


def test_a_back_to_back_matter_carried_out_and_confirmed_by_its_submitter_names_nobody(place, client):
    m = raise_back_to_back(place, client)
    matters.support(actor=place.neighbour, matter=m)
    matters.accept(actor=place.secretary, matter=m)
    m = Matter.objects.get(pk=m.pk)
    for step in ("ideas", "draft", "consensus", "review", "vote"):
        complete(place, m, step)
    work = assign_work(
        actor=place.secretary, matter=m, title="维修电梯", unit=place.property, due_on=place.soon
    )
    report_progress(actor=place.secretary, work=work, text="电梯已修好", done=True)
    supervise(actor=place.resident, work=work, verdict="confirm", rating=4)
    flows.implement_and_confirm(place, m, supervisor=place.resident)  # and every part of the plan its task
    engine.advance(actor=place.secretary, matter=m)
    flows.publish(place, m)

    assert_never_named(client, place, m)


def test_a_back_to_back_matter_withdrawn_by_its_submitter_names_nobody(place, client):
    m = walk(place, "raise", back_to_back=True)  # the submitter withdraws alone only before acceptance
    engine.withdraw(actor=place.resident, matter=m, reason="已经和邻居协商解决")

    assert_never_named(client, place, m)


@pytest.mark.parametrize("who", ["secretary", "outsider", "neighbour", None])
def test_everyone_but_the_submitter_reads_a_resident_back_to_back(place, client, who):
    m = walk(place, "ideas", back_to_back=True)
    if who:
        client.force_login(getattr(place, who))

    for url in (f"/m/{m.pk}/", f"/m/{m.pk}/dossier/"):
        page = html(client.get(url))
        assert escape(tr(A_RESIDENT)) in page, url
        assert escape(tr(YOU)) not in page, url


def test_the_submitter_sees_the_matter_is_theirs_and_hidden_from_everyone_else(place, client):
    m = walk(place, "ideas", back_to_back=True)
    client.force_login(place.resident)

    for url in (f"/m/{m.pk}/", f"/m/{m.pk}/dossier/"):
        assert escape(tr(YOU)) in html(client.get(url)), url
    assert f'href="/m/{m.pk}/"' in html(client.get("/work/")), "their own list still has it"


def test_a_back_to_back_note_from_the_suggestion_box_names_nobody(place, client):
    client.force_login(place.secretary)
    response = client.post("/m/record/", _raise_data(place, channel="box", back_to_back="on"))
    assert response.status_code == 302
    m = Matter.objects.get()

    page = html(client.get(f"/m/{m.pk}/"))

    assert escape(tr(A_RESIDENT)) in page
    assert assert_never_named(client, place, m) == 32


def test_the_search_finds_the_name_of_a_face_to_face_submitter(place, client):
    """The control: the same search on a named matter finds the name, so the searches above can fail."""
    m = walk(place, "ideas")
    client.force_login(place.secretary)

    assert place.resident.name in html(client.get(f"/m/{m.pk}/")), "the staff who handle it read the name"
    assert place.resident.phone not in html(client.get(f"/m/{m.pk}/")), (
        "a named submitter's phone stays hidden"
    )
    client.force_login(place.outsider)
    assert mask_name(place.resident.name) in html(client.get(f"/m/{m.pk}/")), "the public reads it masked"
    with pytest.raises(AssertionError):
        assert_never_named(client, place, m)


def test_the_public_audit_chain_does_not_tie_a_back_to_back_matter_to_its_submitters_pseudonym(place, client):
    """A pseudonym is the same on every entry: once it sits on an entry about the back-to-back matter, the
    resident's named matters (whose pages show their name) give it away."""
    named = walk(place, "ideas")  # 刘桂兰 raised this one face to face
    hidden = walk(place, "implement", back_to_back=True)
    work = assign_work(
        actor=place.secretary, matter=hidden, title="维修", unit=place.property, due_on=place.soon
    )
    report_progress(actor=place.secretary, work=work, text="已修好", done=True)
    supervise(actor=place.resident, work=work, verdict="confirm", rating=5)
    withdrawn = walk(place, "raise", back_to_back=True)  # withdrawn by the resident before acceptance
    engine.withdraw(actor=place.resident, matter=withdrawn, reason="不需要了")

    feed = client.get("/api/v1/audit/entries?limit=500").json()["items"]

    about_named = {
        e["actor_ref"]
        for e in feed
        if (e["action"], e["target_id"]) == ("matters.raise_matter", str(named.pk)) and e["actor_ref"]
    }
    about_hidden = [
        e
        for e in feed
        if (e["target_type"], e["target_id"])
        in {
            ("matters.matter", str(hidden.pk)),
            ("matters.matter", str(withdrawn.pk)),
            ("works.work", str(work.pk)),
        }
    ]
    assert about_named, "the named matter's raise entry carries the resident's pseudonym"
    assert not [e["action"] for e in about_hidden if e["actor_ref"] in about_named]
