"""The admin keeps back-to-back secrets too (issue 13, point 10).

The system administrator reads the Django admin, and the public audit chain like everyone else. A comment on a
back-to-back matter does not name its author there; no admin page of any record names the matter's submitter;
the list of comments cannot be filtered by a person. Logins are not laid beside the chain's times: django-axes'
logs are kept but not in the admin, and a person's last login and registration show only the day.
"""

import pytest
from django.contrib import admin
from django.test import Client
from django.utils import formats, timezone, translation

from tests import builders
from tests.matters.test_pages import walk
from yishi.comments.models import Comment
from yishi.comments.services import post_comment
from yishi.people.models import Person
from yishi.people.phones import mask_name, mask_phone


@pytest.fixture
def superuser(db):
    return Person.objects.create_superuser("13900000001", "系统管理员", "yishi-demo-2026")


@pytest.fixture
def admin_client(superuser) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def needles(person) -> list[str]:
    return [person.name, mask_name(person.name), person.phone, mask_phone(person.phone)]


def test_a_comment_on_a_back_to_back_matter_names_no_author_in_the_admin(place, admin_client):
    m = walk(place, "ideas", back_to_back=True)
    hers = post_comment(actor=place.resident, matter=m, body="路面又积水了")
    neighbours = post_comment(actor=place.neighbour, matter=m, body="我家门口也是")

    for comment, author in ((hers, place.resident), (neighbours, place.neighbour)):
        body = page(admin_client, f"/admin/comments/comment/{comment.pk}/change/")
        assert comment.body in body, "the comment itself is there"
        for needle in needles(author) + needles(place.resident):
            assert needle not in body, (comment.body, needle)
        assert 'class="form-row field-author' not in body


def test_a_comment_on_a_named_matter_shows_its_author_to_the_administrator(place, admin_client):
    """The control: the same page does name an author where nothing is secret."""
    m = walk(place, "ideas")
    comment = post_comment(actor=place.neighbour, matter=m, body="我家门口也是")

    assert place.neighbour.name in page(admin_client, f"/admin/comments/comment/{comment.pk}/change/")


def test_the_comments_list_cannot_be_filtered_by_a_person(place, admin_client):
    m = walk(place, "ideas", back_to_back=True)
    post_comment(actor=place.resident, matter=m, body="路面又积水了")

    for lookup in ("author", "author__id__exact", "author__name", "author__phone"):
        response = admin_client.get(f"/admin/comments/comment/?{lookup}={place.resident.pk}")
        assert response.status_code == 400, lookup
    assert not any(
        field.lstrip("^=@").startswith("author") for field in admin.site._registry[Comment].search_fields
    )


def test_no_admin_page_names_a_back_to_back_submitter(place, admin_client):
    """Every list and every record the admin shows, but her own account's (which is her, not the matter)."""
    m = walk(place, "resolved", back_to_back=True)
    post_comment(actor=place.resident, matter=m, body="路面又积水了")
    post_comment(actor=place.neighbour, matter=m, body="我家门口也是")

    read = 0
    assert admin_client.get(f"/admin/matters/matter/{m.pk}/change/").status_code == 404, (
        "matters have no admin: were one added, this test reads its pages below"
    )
    for model in admin.site._registry:
        if model is Person:
            continue
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        pks = model._default_manager.values_list("pk", flat=True)[:200]
        urls = [base] + [f"{base}{pk}/change/" for pk in pks]
        for url in urls:
            body = page(admin_client, url)
            read += 1
            for needle in needles(place.resident):
                assert needle not in body, (url, needle)
    assert read > 20


def test_the_login_logs_are_kept_but_not_shown_in_the_admin(place, admin_client, client):
    from axes.models import AccessAttempt, AccessLog

    person = builders.person("登录者", password="pw-12345678x")
    client.post("/login/", {"phone": person.phone, "password": "wrong-password-1"})
    client.post("/login/", {"phone": person.phone, "password": "pw-12345678x"})
    assert AccessLog.objects.filter(username=person.phone).exists(), "the log of logins is kept"

    index = page(admin_client, "/admin/")
    assert "/admin/axes/" not in index
    assert not admin.site.is_registered(AccessLog) and not admin.site.is_registered(AccessAttempt)
    for url in ("/admin/axes/accesslog/", "/admin/axes/accessattempt/", "/admin/axes/accessfailurelog/"):
        assert admin_client.get(url).status_code == 404, url


def test_a_persons_last_login_and_registration_show_only_the_day(place, superuser, client):
    person = builders.person("登录者", password="pw-12345678x")
    client.post("/login/", {"phone": person.phone, "password": "pw-12345678x"})
    person.refresh_from_db()
    assert person.last_login is not None
    admin_client = Client()
    admin_client.force_login(superuser)

    body = page(admin_client, f"/admin/people/person/{person.pk}/change/")
    listed = page(admin_client, "/admin/people/person/")

    with translation.override("zh-hans"):
        for moment in (person.last_login, person.date_joined):
            local = timezone.localtime(moment)
            assert formats.date_format(local.date(), "DATE_FORMAT") in body
            assert formats.date_format(local, "DATETIME_FORMAT") not in body
            assert local.strftime("%H:%M") not in body
        joined = timezone.localtime(person.date_joined)
        assert formats.date_format(joined.date(), "DATE_FORMAT") in listed
        assert formats.date_format(joined, "DATETIME_FORMAT") not in listed
