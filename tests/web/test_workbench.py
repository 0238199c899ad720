"""/work/: what waits on each person, by what they may do."""

from django.urls import reverse

from tests.procedures import flows
from yishi.matters import services as matters
from yishi.works.services import assign_work, report_progress


def page(client, who) -> str:
    client.force_login(who)
    response = client.get(reverse("web:workbench"))
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, place):
    response = client.get(reverse("web:workbench"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_committee_sees_new_matters_to_screen_and_the_sibling_committee_does_not(client, place):
    m = flows.raise_flood(place)
    assert m.title in page(client, place.secretary)
    assert m.title not in page(client, place.other_secretary)


def test_the_expert_sees_the_matter_waiting_for_review(client, place):
    m = matters.accept(actor=place.secretary, matter=flows.raise_flood(place), procedure_key="eight_steps")
    assert m.title not in page(client, place.lawyer)
    flows.to_review(place, m)
    assert m.title in page(client, place.lawyer)


def test_unit_staff_see_their_tasks_and_residents_see_what_to_confirm(client, place):
    m = matters.accept(
        actor=place.secretary,
        matter=flows.raise_flood(place),
        procedure_key="short_path",
        procedure_reason="小修",
    )
    from yishi.plans.services import record_consensus
    from yishi.procedures import services as engine

    version = flows.plan(place, m)
    flows.session(place, m)
    record_consensus(actor=place.secretary, matter=m, version=version, minutes="分工")
    engine.advance(actor=place.secretary, matter=m)
    work = assign_work(
        actor=place.secretary, matter=m, title="维修坑洼路面", unit=place.fire, due_on=place.soon
    )
    assert "维修坑洼路面" in page(client, place.fire_staff)
    assert "维修坑洼路面" not in page(client, place.resident)
    report_progress(actor=place.fire_staff, work=work, text="已维修", done=True)
    assert "维修坑洼路面" in page(client, place.resident)
    assert "维修坑洼路面" not in page(client, place.outsider)
