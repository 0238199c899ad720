"""A plan the representatives voted down goes to the vote again only changed (a new version), or as it was with
the committee's public reason (issue 13, point 4)."""

import pytest
from django.test import Client
from django.utils import translation

from tests.procedures import flows
from yishi.audit.models import AuditEntry
from yishi.errors import Refused
from yishi.matters import services as matters
from yishi.plans.models import Resubmission
from yishi.plans.services import record_consensus, resubmit
from yishi.procedures import services as engine

API = "/api/v1/matters"
BACKEND = "yishi.people.backends.PhonePasswordBackend"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def voted_down(p):
    """An eight-step matter whose plan, version 1, 19 of 30 voted for: back at drafting."""
    m = matters.accept(actor=p.secretary, matter=flows.raise_flood(p), procedure_key="eight_steps")
    flows.to_review(p, m)
    flows.approve(p, m)
    flows.vote(p, m, in_favour=19)
    m.refresh_from_db()
    assert m.step_key == "draft"
    return m


def advance_refused(p, m) -> Refused:
    with pytest.raises(Refused) as exc:
        engine.advance(actor=p.secretary, matter=m)
    return exc.value


def test_the_same_plan_cannot_go_round_again_unchanged(place):
    m = voted_down(place)
    refusal = advance_refused(place, m)
    assert "Version 1 of the plan was voted down" in str(refusal.reason)
    m.refresh_from_db()
    assert m.step_key == "draft"


def test_a_new_version_opens_the_way_back_to_the_vote(place):
    m = voted_down(place)
    version = flows.plan(place, m)
    assert version.number == 2
    engine.advance(actor=place.secretary, matter=m)
    record_consensus(actor=place.secretary, matter=m, version=version, minutes="修改后的方案")
    engine.advance(actor=place.secretary, matter=m)
    flows.approve(place, m)
    assert flows.vote(place, m, in_favour=21).passed


def test_the_same_plan_again_needs_a_reason_which_is_public(place, client):
    m = voted_down(place)
    with pytest.raises(Refused) as exc:
        resubmit(actor=place.secretary, matter=m, reason="  ")
    assert (exc.value.code, exc.value.field) == ("reason_required", "reason")
    assert not Resubmission.objects.exists()

    resubmit(actor=place.secretary, matter=m, reason="表决当天到会代表不足，居民要求再议")
    assert AuditEntry.objects.filter(action="plans.resubmit").count() == 1
    m = engine.advance(actor=place.secretary, matter=m)  # drafting is complete: the reason answers the vote
    assert m.step_key == "consensus"
    page = client.get(f"/m/{m.pk}/").content.decode()
    assert "表决当天到会代表不足，居民要求再议" in page  # anyone may read why
    detail = client.get(f"{API}/{m.pk}").json()
    assert [(r["version"], r["reason"]) for r in detail["resubmissions"]] == [
        (1, "表决当天到会代表不足，居民要求再议")
    ]


def test_a_reason_answers_one_failed_vote_only(place):
    m = voted_down(place)
    resubmit(actor=place.secretary, matter=m, reason="到会人数不足")
    for _ in range(3):
        engine.advance(
            actor=place.secretary, matter=m
        )  # drafting, consensus (still agreed), review (approved)
    flows.vote(place, m, in_favour=15)  # voted down a second time
    m.refresh_from_db()
    assert m.step_key == "draft"
    assert "Version 1 of the plan was voted down" in str(advance_refused(place, m).reason)


def test_nothing_to_put_again_when_no_vote_failed(place):
    m = matters.accept(actor=place.secretary, matter=flows.raise_flood(place), procedure_key="eight_steps")
    flows.to_review(place, m)
    flows.approve(place, m)
    flows.vote(place, m, in_favour=25)  # passed
    with pytest.raises(Refused) as exc:
        resubmit(actor=place.secretary, matter=m, reason="再表决一次")
    assert exc.value.code in {"wrong_step", "nothing_to_resubmit"}
    assert not Resubmission.objects.exists()


def test_a_new_version_already_answers_the_failure(place):
    m = voted_down(place)
    flows.plan(place, m)
    with pytest.raises(Refused) as exc:
        resubmit(actor=place.secretary, matter=m, reason="同一方案再表决")
    assert exc.value.code == "nothing_to_resubmit"


def test_only_the_committee_puts_a_plan_again(place):
    m = voted_down(place)
    for person in (place.resident, place.other_secretary):
        with pytest.raises(Refused) as exc:
            resubmit(actor=person, matter=m, reason="再表决")
        assert exc.value.code == "forbidden"
    assert not Resubmission.objects.exists()


def test_the_page_offers_the_reason_form_to_the_committee_only_after_a_failed_vote(place):
    m = voted_down(place)
    staff = Client()
    staff.force_login(place.secretary, backend=BACKEND)
    with translation.override("zh-hans"):
        page = staff.get(f"/m/{m.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'action="/m/{m.pk}/plan/again/"' in page
    resident = Client()
    resident.force_login(place.resident, backend=BACKEND)
    assert "/plan/again/" not in resident.get(f"/m/{m.pk}/").content.decode()

    empty = staff.post(f"/m/{m.pk}/plan/again/", {"reason": ""})
    assert empty.status_code == 400 and not Resubmission.objects.exists()
    done = staff.post(f"/m/{m.pk}/plan/again/", {"reason": "到会人数不足，重新表决"})
    assert done.status_code == 302
    assert Resubmission.objects.get().reason == "到会人数不足，重新表决"
    assert "/plan/again/" not in staff.get(f"/m/{m.pk}/").content.decode()  # answered: not offered again


def test_the_api_puts_it_again_and_refuses_in_words(place):
    m = voted_down(place)
    staff = Client()
    staff.force_login(place.secretary, backend=BACKEND)
    blank = staff.post(f"{API}/{m.pk}/resubmissions", {"reason": ""}, content_type="application/json")
    assert blank.status_code == 409 and blank.json()["code"] == "reason_required"
    made = staff.post(
        f"{API}/{m.pk}/resubmissions", {"reason": "到会人数不足"}, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["version"] == 1
    again = staff.post(f"{API}/{m.pk}/resubmissions", {"reason": "再来一次"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "nothing_to_resubmit"
    assert Resubmission.objects.count() == 1
