"""The web shell: home and region pages, language and elderly-mode switches, headers, admin, the JSON API."""

import re

import pytest
from django.utils import translation

from tests import builders
from yishi.people.models import Person
from yishi.regions.models import Level
from yishi.regions.services import create_region
from yishi.web.middleware import ELDERLY_COOKIE

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def page(response) -> str:
    return response.content.decode()


def tr(msgid: str, language: str = "zh-hans") -> str:
    with translation.override(language):
        return translation.gettext(msgid)


def body_classes(response) -> list[str]:
    return re.search(r'<body class="([^"]*)"', page(response)).group(1).split()


@pytest.fixture
def t(db):
    return builders.tree()


# --- home and region pages ----------------------------------------------------------------------------------


def test_the_home_page_says_so_when_no_regions_are_set_up(client):
    response = client.get("/")
    assert response.status_code == 200
    assert tr("No regions have been set up yet. The system administrator imports them first.") in page(
        response
    )


def test_the_home_page_lists_the_top_level_regions(client, db):
    builders.tree()
    create_region(actor=None, parent=None, level=Level.CITY, name="衡水市", code="1311")

    response = client.get("/")

    assert response.status_code == 200
    names = re.findall(r'<a href="/r/\d+/">([^<]+)</a>', page(response))
    assert names == ["沧州市", "衡水市"]


def test_with_one_top_level_region_the_home_page_is_its_page(client, t):
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["region"] == t.city
    assert "<h1>沧州市</h1>" in page(response)


def test_a_region_page_shows_where_it_is_its_sub_regions_and_household_counts(client, t):
    builders.household(t.building, room="101")
    builders.household(t.building, room="102", occupancy="vacant")
    builders.household(t.compound, room="平房1", unit="")
    builders.household(t.sibling_compound, room="101")  # next door: not counted here

    response = client.get(f"/r/{t.community.pk}/")

    assert response.status_code == 200
    html = page(response)
    crumbs = re.search(r'<nav class="crumbs".*?</nav>', html, re.S).group(0)
    assert re.findall(r'<a href="/r/(\d+)/">([^<]+)</a>', crumbs) == [
        (str(t.city.pk), "沧州市"),
        (str(t.district.pk), "运河区"),
        (str(t.street.pk), "水月寺街道"),
    ]
    assert '<li aria-current="page">丽景社区</li>' in crumbs
    assert "<h1>丽景社区</h1>" in html
    assert f'<a href="/r/{t.compound.pk}/">万泰丽景小区</a>' in html
    assert response.context["household_count"] == 3
    assert response.context["vacant_count"] is None  # shown from the compound down
    assert f"<dt>{tr('Households')}</dt><dd>3</dd>" in html


def test_a_compound_page_shows_how_many_households_are_vacant(client, t):
    builders.household(t.building, room="101")
    builders.household(t.building, room="102", occupancy="vacant")

    response = client.get(f"/r/{t.compound.pk}/")

    assert (response.context["household_count"], response.context["vacant_count"]) == (2, 1)
    assert f"<dt>{tr('of which vacant')}</dt><dd>1</dd>" in page(response)


def test_the_city_page_shows_no_household_count(client, t):
    builders.household(t.building, room="101")
    response = client.get(f"/r/{t.city.pk}/")
    assert response.context["household_count"] is None
    assert f"<dt>{tr('Households')}</dt>" not in page(response)


def test_region_names_are_escaped_everywhere_on_the_page(client, t):
    hostile = create_region(
        actor=None, parent=t.community, level=Level.COMPOUND, name=SCRIPT, description=SCRIPT
    )
    child = create_region(actor=None, parent=hostile, level=Level.BUILDING, name="2号楼")

    for url in (f"/r/{t.community.pk}/", f"/r/{hostile.pk}/", f"/r/{child.pk}/"):
        html = page(client.get(url))
        assert SCRIPT not in html, url
        assert ESCAPED_SCRIPT in html, url


def test_an_unknown_region_is_not_found(client, t):
    assert client.get("/r/999999999/").status_code == 404


def test_a_page_stays_small_for_old_phones(client, t):
    assert len(client.get(f"/r/{t.community.pk}/").content) < 100_000


# --- login link and account area ----------------------------------------------------------------------------


def test_an_anonymous_visitor_gets_a_login_link_back_to_the_page(client, t):
    html = page(client.get(f"/r/{t.community.pk}/?a=1"))
    assert f'href="/login/?next=/r/{t.community.pk}/%3Fa%3D1"' in html


def test_a_logged_in_person_sees_their_name_and_a_logout_form_not_a_link(client, t):
    person = builders.person("张金利")
    client.force_login(person, backend="yishi.people.backends.PhonePasswordBackend")

    html = page(client.get(f"/r/{t.community.pk}/"))

    assert "张金利 · " in html and 'href="/work/"' in html
    assert re.search(r'<form method="post" action="/logout/"', html)
    assert 'href="/logout/' not in html
    assert 'href="/admin/' not in html


# --- language -----------------------------------------------------------------------------------------------


def test_pages_are_in_chinese_by_default(client, t):
    response = client.get(f"/r/{t.community.pk}/")
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in page(response)
    assert '<button type="submit" name="language" value="en"' in page(response)


def test_switching_the_language_to_english_makes_the_page_english(client, t):
    url = f"/r/{t.community.pk}/"

    switched = client.post("/i18n/setlang/", {"language": "en", "next": url})

    assert switched.status_code == 302
    assert switched["Location"] == url
    response = client.get(url)
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in page(response)
    assert "Sub-regions" in page(response)
    assert '<button type="submit" name="language" value="zh-hans"' in page(response)


def test_a_browser_asking_for_english_gets_english(client, t):
    response = client.get(f"/r/{t.community.pk}/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="en">' in page(response)


def test_the_language_switch_ignores_an_off_site_next(client, t):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


# --- elderly mode -------------------------------------------------------------------------------------------


def test_elderly_mode_sets_a_cookie_and_enlarges_every_page(client, t):
    url = f"/r/{t.community.pk}/"
    assert "elderly" not in body_classes(client.get(url))

    response = client.post("/elderly/", {"on": "1", "next": url})

    assert response.status_code == 302
    assert response["Location"] == url
    cookie = response.cookies[ELDERLY_COOKIE]
    assert cookie.value == "1"
    assert cookie["httponly"]
    assert cookie["max-age"] > 60 * 60 * 24 * 365
    assert "elderly" in body_classes(client.get(url))
    assert "elderly" in body_classes(client.get("/login/"))


def test_elderly_mode_can_be_switched_off(client, t):
    url = f"/r/{t.community.pk}/"
    client.post("/elderly/", {"on": "1", "next": url})

    response = client.post("/elderly/", {"on": "0", "next": url})

    assert response.cookies[ELDERLY_COOKIE]["max-age"] == 0
    assert "elderly" not in body_classes(client.get(url))


def test_the_elderly_switch_offers_the_way_back(client, t):
    client.post("/elderly/", {"on": "1", "next": "/"})
    html = page(client.get("/"))
    assert '<input type="hidden" name="on" value="0">' in html
    assert 'aria-pressed="true"' in html


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "http://evil.example"])
def test_the_elderly_switch_ignores_an_off_site_next(client, next_url):
    response = client.post("/elderly/", {"on": "1", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_elderly_switch_falls_back_to_the_referring_page(client, t):
    url = f"/r/{t.community.pk}/"
    response = client.post("/elderly/", {"on": "1"}, HTTP_REFERER=f"http://testserver{url}")
    assert response["Location"] == f"http://testserver{url}"


def test_the_elderly_switch_is_post_only(client):
    assert client.get("/elderly/?on=1").status_code == 405


# --- headers and health -------------------------------------------------------------------------------------


def test_pages_carry_the_security_headers(client, t):
    response = client.get(f"/r/{t.community.pk}/")
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_load_no_script_from_another_site(client, t):
    html = page(client.get(f"/r/{t.community.pk}/"))
    sources = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert sources and all(src.startswith("/static/") for src in sources)
    assert not re.search(r"<script(?![^>]*src=)[^>]*>", html)  # no inline scripts: the CSP forbids them


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    assert response.content == b"ok"


# --- admin --------------------------------------------------------------------------------------------------


def test_the_system_administrator_sees_the_admin(client):
    admin = Person.objects.create_superuser("13900000001", "系统管理员", "yishi-demo-2026")
    client.force_login(admin, backend="yishi.people.backends.PhonePasswordBackend")

    assert client.get("/admin/").status_code == 200
    assert 'href="/admin/"' in page(client.get("/"))


def test_the_system_administrator_can_log_in_on_the_admins_own_page_with_the_phone(client):
    admin = Person.objects.create_superuser("13900000001", "系统管理员", "yishi-demo-2026")

    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "139 0000 0001", "password": "yishi-demo-2026", "next": "/admin/"},
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin.pk)
    assert client.get("/admin/").status_code == 200


def test_the_staff_flag_alone_does_not_open_the_admin(client):
    staff = builders.person("张金利", password="yishi-demo-2026")
    Person.objects.filter(pk=staff.pk).update(is_staff=True)
    staff.refresh_from_db()
    client.force_login(staff, backend="yishi.people.backends.PhonePasswordBackend")

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/people/person/").status_code == 302


def test_community_staff_do_not_see_the_admin(client, t):
    secretary = builders.person("张金利")
    builders.role(secretary, "committee", t.community)
    client.force_login(secretary, backend="yishi.people.backends.PhonePasswordBackend")
    assert client.get("/admin/").status_code == 302


def test_anonymous_visitors_do_not_see_the_admin(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- JSON API -----------------------------------------------------------------------------------------------


def test_api_lists_the_top_level_regions(client, t):
    response = client.get("/api/v1/regions/")
    assert response.status_code == 200
    assert response.json()["items"] == [
        {
            "id": t.city.pk,
            "name": "沧州市",
            "level": 2,
            "level_label": tr("city"),
            "code": "130900000000",
            "rural": False,
            "parent_id": None,
        }
    ]


def test_api_gives_a_region_with_its_ancestors_children_and_household_count(client, t):
    builders.household(t.building, room="101")
    builders.household(t.building, room="102")

    data = client.get(f"/api/v1/regions/{t.community.pk}").json()

    assert data["name"] == "丽景社区"
    assert data["code"] == "130903001001"
    assert data["parent_id"] == t.street.pk
    assert [a["name"] for a in data["ancestors"]] == ["沧州市", "运河区", "水月寺街道"]
    assert [c["name"] for c in data["children"]] == ["万泰丽景小区"]
    assert data["household_count"] == 2


def test_api_returns_names_as_stored_for_clients_to_escape(client, t):
    create_region(actor=None, parent=t.community, level=Level.COMPOUND, name=SCRIPT)
    data = client.get(f"/api/v1/regions/{t.community.pk}").json()
    assert SCRIPT in [c["name"] for c in data["children"]]
    assert (
        client.get(f"/api/v1/regions/{t.community.pk}")["Content-Type"] == "application/json; charset=utf-8"
    )


def test_api_answers_404_for_an_unknown_region(client, t):
    assert client.get("/api/v1/regions/999999999").status_code == 404


def test_api_me_for_an_anonymous_visitor(client):
    response = client.get("/api/v1/people/me")
    assert response.status_code == 200
    assert response.json() == {"authenticated": False, "name": "", "phone": "", "roles": []}


def test_api_me_gives_a_person_their_own_whole_phone_and_roles(client, t):
    secretary = builders.person("张金利", phone="13900000101")
    builders.role(secretary, "committee", t.community)
    client.force_login(secretary, backend="yishi.people.backends.PhonePasswordBackend")

    data = client.get("/api/v1/people/me").json()

    assert data["authenticated"] is True
    assert data["name"] == "张金利"
    assert data["phone"] == "13900000101"
    assert data["roles"] == [
        {
            "role": "committee",
            "role_label": tr("committee member (两委)"),
            "region_id": t.community.pk,
            "region_name": "丽景社区",
        }
    ]


def test_api_openapi_schema_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/regions/", "/api/v1/regions/{region_id}", "/api/v1/people/me"} <= set(schema["paths"])
