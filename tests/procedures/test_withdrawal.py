"""Withdrawal: the submitter alone until the matter is accepted; after that the committee's decision, with a
public reason, told to everyone who follows the matter (supporters and the people of merged matters)."""

import pytest
from django.test import Client
from django.utils import translation

from tests import builders
from tests.procedures import flows
from yishi.errors import Refused
from yishi.matters import services as matters
from yishi.matters.models import Matter, Status
from yishi.procedures import services as engine
from yishi.reminders.models import Notification


def accepted(place):
    return matters.accept(actor=place.secretary, matter=flows.raise_flood(place), procedure_key="eight_steps")


def test_the_submitter_withdraws_alone_before_acceptance(place):
    m = engine.withdraw(actor=place.resident, matter=flows.raise_flood(place), reason="邻居已经修好了")
    assert m.status == Status.WITHDRAWN and m.public_reason == ""


def test_after_acceptance_the_submitter_alone_is_refused_in_plain_words(place):
    m = accepted(place)
    with translation.override("zh-hans"), pytest.raises(Refused) as exc:
        engine.withdraw(actor=place.resident, matter=m, reason="不想等了")
    assert exc.value.code == "withdraw_after_acceptance"
    assert "只有社区两委" in str(exc.value.reason)
    assert Matter.objects.get(pk=m.pk).status == Status.OPEN


def test_after_acceptance_the_committee_withdraws_with_a_public_reason(place):
    m = engine.withdraw(actor=place.secretary, matter=accepted(place), reason="提出人搬离，居民代表同意撤回")
    assert m.status == Status.WITHDRAWN
    assert Matter.objects.get(pk=m.pk).public_reason == "提出人搬离，居民代表同意撤回"
    page = Client().get(f"/m/{m.pk}/").content.decode()
    assert "提出人搬离，居民代表同意撤回" in page


def test_the_sibling_committee_cannot_withdraw(place):
    m = accepted(place)
    with pytest.raises(Refused) as exc:
        engine.withdraw(actor=place.other_secretary, matter=m, reason="试试")
    assert exc.value.code == Refused.FORBIDDEN


def test_supporters_and_the_people_of_merged_matters_are_told(place):
    m = accepted(place)
    supporter = builders.person("支持者")
    matters.support(actor=supporter, matter=m)
    duplicate = matters.raise_matter(
        actor=place.neighbour,
        region=place.tree.compound,
        category=place.category,
        title="西侧小路又积水了",
        description="同一个地方。",
    )
    matters.merge(actor=place.secretary, matter=duplicate, into=m, reason="同一件事")
    engine.withdraw(actor=place.secretary, matter=m, reason="由区住建局统一改造")

    for person, words in (
        (place.resident, "您的议题"),
        (supporter, "您支持的议题"),
        (place.neighbour, "您支持的议题"),
    ):
        told = Notification.objects.filter(person=person, key__startswith=f"matter-moved:{m.pk}:withdrawn")
        assert told.count() == 1, person
        assert words in told.get().text and "小区西侧小路积水" in told.get().text


def test_the_page_offers_withdrawal_to_the_submitter_only_before_acceptance(place):
    client = Client()
    client.force_login(place.resident)
    new = flows.raise_flood(place)
    assert f'action="/m/{new.pk}/withdraw/"' in client.get(f"/m/{new.pk}/").content.decode()
    m = accepted(place)
    page = client.get(f"/m/{m.pk}/").content.decode()
    assert f'action="/m/{m.pk}/withdraw/"' not in page and "现在只有社区两委可以决定撤回" in page
    response = client.post(f"/m/{m.pk}/withdraw/", {"reason": "不想等了"})
    assert response.status_code == 409 and "现在只有社区两委可以决定撤回" in response.content.decode()
    assert Matter.objects.get(pk=m.pk).status == Status.OPEN
