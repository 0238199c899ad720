"""API tokens: issued for phone and password (with the login page's lock-out), accepted as a Bearer header."""

import time

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client

from tests import builders
from yishi.matters.models import Category, Matter, Status
from yishi.matters.services import raise_matter
from yishi.people.models import Person
from yishi.people.tokens import MAX_AGE, SALT, issue_token

from .conftest import STAFF_PASSWORD, STAFF_PHONE

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/people/token"
ME = "/api/v1/people/me"


def ask(client, phone=STAFF_PHONE, password=STAFF_PASSWORD):
    return client.post(TOKEN, {"phone": phone, "password": password}, content_type="application/json")


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def issued_days_ago(person, days: float, monkeypatch) -> str:
    real = time.time()
    with monkeypatch.context() as m:
        m.setattr(time, "time", lambda: real - days * 24 * 3600)
        return issue_token(person)


@pytest.fixture
def secretary_and_matter(staff):
    """The staff member as a community's secretary, and a new matter there."""
    t = builders.tree()
    builders.role(staff, "committee", t.community)
    resident = builders.person("刘桂兰")
    matter = raise_matter(
        actor=resident,
        region=t.compound,
        category=Category.objects.get(key="environment"),
        title="小路积水",
        description="一下雨就积水",
    )
    return staff, matter


def decline(client, matter, **extra):
    return client.post(
        f"/api/v1/matters/{matter.pk}/screen",
        {"decision": "decline", "reason": "属于个人纠纷"},
        content_type="application/json",
        **extra,
    )


def test_a_token_is_issued_for_phone_and_password_in_any_spelling(client, staff):
    response = ask(client, phone="+86 139 0000 0201")
    assert response.status_code == 200
    body = response.json()
    assert (body["token_type"], body["person_id"]) == ("Bearer", staff.pk)
    assert body["token"]
    staff.refresh_from_db()
    assert staff.last_login is not None
    assert "_auth_user_id" not in client.session  # a token, not a session


def test_a_token_reads_as_its_person_and_writes_without_a_csrf_token(secretary_and_matter):
    staff, matter = secretary_and_matter
    token = ask(Client()).json()["token"]
    client = Client(enforce_csrf_checks=True)  # as strict as a browser: still no CSRF needed with a token

    me = client.get(ME, **bearer(token)).json()
    assert (me["authenticated"], me["name"]) == (True, staff.name)
    actions = client.get(f"/api/v1/matters/{matter.pk}", **bearer(token)).json()["available_actions"]
    assert "matters.screen_matter" in actions

    response = decline(client, matter, **bearer(token))
    assert response.status_code == 200, response.content
    matter.refresh_from_db()
    assert matter.status == Status.DECLINED


def test_a_wrong_password_gets_no_token(client, staff):
    response = ask(client, password="wrong-password")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_login"
    assert ask(client, phone="12345").status_code == 401


def test_wrong_passwords_lock_the_number_for_tokens_as_on_the_login_page(client, staff):
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [ask(client, password="wrong-password").status_code for _ in range(limit)]
    assert statuses == [401] * (limit - 1) + [429]

    right = ask(client)
    assert right.status_code == 429
    assert right["Content-Type"] == "application/json; charset=utf-8"
    assert right.json()["code"] == "locked_out"
    assert "token" not in right.json()


def test_the_login_page_and_the_token_endpoint_count_failures_together(client, staff):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/login/", {"phone": STAFF_PHONE, "password": "wrong-password"})
    assert ask(client, password="wrong-password").status_code == 429


def test_a_token_issued_clears_the_failures_as_a_login_does(client, staff):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        ask(client, password="wrong-password")
    assert ask(client).status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        ask(client, password="wrong-password")
    assert ask(client).status_code == 200


def test_a_token_holds_for_thirty_days_and_not_longer(client, staff, monkeypatch):
    young = issued_days_ago(staff, MAX_AGE.days - 1, monkeypatch)
    assert client.get(ME, **bearer(young)).json()["authenticated"]

    old = issued_days_ago(staff, MAX_AGE.days + 1, monkeypatch)
    response = client.get(ME, **bearer(old))
    assert response.status_code == 401


def test_an_expired_token_cannot_write(secretary_and_matter, monkeypatch):
    staff, matter = secretary_and_matter
    response = decline(Client(), matter, **bearer(issued_days_ago(staff, MAX_AGE.days + 1, monkeypatch)))
    assert response.status_code == 401
    matter.refresh_from_db()
    assert matter.status == Status.NEW


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(
            lambda p: issue_token(p)[:-1] + ("A" if issue_token(p)[-1] != "A" else "B"),
            id="altered-signature",
        ),
        pytest.param(lambda p: issue_token(p).replace(str(p.pk), str(p.pk + 1), 1), id="altered-person"),
        pytest.param(
            lambda p: signing.TimestampSigner(salt="another.purpose").sign(str(p.pk)), id="other-salt"
        ),
        pytest.param(
            lambda p: signing.TimestampSigner(key="not-our-key", salt=SALT).sign(str(p.pk)), id="other-key"
        ),
        pytest.param(lambda p: signing.Signer(salt=SALT).sign(str(p.pk)), id="no-timestamp"),
        pytest.param(lambda p: signing.TimestampSigner(salt=SALT).sign("admin"), id="not-a-person-id"),
        pytest.param(lambda p: str(p.pk), id="bare-id"),
        pytest.param(lambda p: "", id="empty"),
    ],
)
def test_a_forged_token_is_refused_for_reads_and_writes(secretary_and_matter, forge):
    staff, matter = secretary_and_matter
    builders.person("另一个人")  # so that "the next id" is a real person
    token = forge(staff)
    client = Client()
    assert client.get(ME, **bearer(token)).status_code == 401
    assert client.get(f"/api/v1/matters/{matter.pk}", **bearer(token)).status_code == 401
    assert decline(client, matter, **bearer(token)).status_code == 401
    matter.refresh_from_db()
    assert matter.status == Status.NEW
    assert client.get(ME, **bearer(issue_token(staff))).json()["authenticated"]  # the real one works


def test_a_deactivated_persons_token_stops_working(secretary_and_matter):
    staff, matter = secretary_and_matter
    token = issue_token(staff)
    Person.objects.filter(pk=staff.pk).update(is_active=False)
    assert decline(Client(), matter, **bearer(token)).status_code == 401
    assert Matter.objects.get(pk=matter.pk).status == Status.NEW


def test_changing_the_password_ends_every_token_issued_before(db):
    from tests import builders
    from yishi.people.tokens import issue_token, person_for_token

    person = builders.person("张金利", password="first-password-1")
    token = issue_token(person)
    assert person_for_token(token) == person
    person.set_password("second-password-2")
    person.save()
    assert person_for_token(token) is None
    assert person_for_token(issue_token(person)) == person
