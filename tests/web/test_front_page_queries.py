"""The front page: the landing region is found with the reads its page needs anyway, the page costs at most
twelve SQL queries whether the visitor is signed in or not, and as many with more sub-regions, matters and
notices; the list tags it uses give what ``{% url %}`` and ``get_<field>_display`` give."""

import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests import builders
from tests.procedures import flows
from yishi.matters.models import Matter, Status
from yishi.notices.services import post_notice
from yishi.regions.models import Level, Region
from yishi.regions.queries import landing_region, region_page_context
from yishi.regions.services import create_region

pytestmark = pytest.mark.django_db

FRONT_PAGE_BUDGET = 12
MAIN = re.compile(r"<main.*?</main>", re.S)


def queries(client, path="/") -> int:
    client.get(path)  # warm: content types, the session's first read
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def more(place, n: int, start: int) -> None:
    """``n`` more districts, matters and notices in the city the front page shows."""
    t = place.tree
    for i in range(start, start + n):
        create_region(actor=None, parent=t.city, level=Level.DISTRICT, name=f"新区{i}", code=f"1309{50 + i}")
        flows.raise_flood(place, location=f"{i}号楼")
        post_notice(
            actor=place.secretary, region=t.city, kind="progress", title=f"公告{i}", body="…", period_days=10
        )


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_front_page_costs_at_most_twelve_queries_whatever_the_lengths_of_its_lists(
    client, place, signed_in
):
    if signed_in:
        builders.role(place.resident, "resident", place.tree.compound)
        client.force_login(place.resident)
    more(place, 1, 0)
    few = queries(client)
    more(place, 6, 1)
    html = client.get("/").content.decode()
    assert "新区6" in html and "公告6" in html

    assert queries(client) == few
    assert few <= FRONT_PAGE_BUDGET, f"{few} queries"


def test_the_landing_region_is_found_walking_down_single_children_and_brings_its_pages_lists(db):
    province = create_region(
        actor=None, parent=None, level=Level.PROVINCE, name="河北省", code="130000000000"
    )
    city = create_region(actor=None, parent=province, level=Level.CITY, name="沧州市", code="130900000000")
    district = create_region(actor=None, parent=city, level=Level.DISTRICT, name="运河区", code="130903")
    other = create_region(actor=None, parent=city, level=Level.DISTRICT, name="新华区", code="130902")
    create_region(actor=None, parent=district, level=Level.STREET, name="水月寺街道", code="130903001")

    with CaptureQueriesContext(connection) as ctx:
        landing = landing_region()
    assert len(ctx.captured_queries) == 3  # the roots, the province's one child, the city's children

    assert (landing.region, landing.ancestors) == (city, [province])
    read = region_page_context(city)
    assert landing.children == read["children"] == [other, district]  # by division code
    assert [c.n_children for c in landing.children] == [c.n_children for c in read["children"]] == [0, 1]
    assert read["ancestors"] == landing.ancestors


def test_the_front_page_is_the_landing_regions_page(client, place):
    flows.raise_flood(place)
    front, own = (
        MAIN.search(client.get(path).content.decode()).group(0) for path in ("/", f"/r/{place.tree.city.pk}/")
    )
    assert "<h1>沧州市</h1>" in front and "小区西侧小路积水" in front
    assert front == own


def test_with_several_roots_there_is_no_landing_region(db):
    builders.tree()
    create_region(actor=None, parent=None, level=Level.CITY, name="衡水市", code="131100000000")
    assert landing_region() is None


# --- the list tags ------------------------------------------------------------------------------------------


def render(source: str, **context) -> str:
    return Template("{% load lists %}" + source).render(Context(context))


def test_a_link_is_the_url_of_each_row(db):
    rows = [7, 123, 7, 1_000_000]
    html = render(
        "{% for pk in rows %}{% link 'matters:detail' pk %}|{% link 'web:region' pk %}|{% endfor %}",
        rows=rows,
    )
    assert html == "".join(
        f"{reverse('matters:detail', args=[pk])}|{reverse('web:region', args=[pk])}|" for pk in rows
    )
    assert render("{% link 'matters:detail' pk %}", pk="42") == reverse("matters:detail", args=["42"])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_label_is_the_display_of_each_rows_choice(db, language):
    rows = [
        Matter(status=s, channel=c) for s in [*Status.values, "no-such-status"] for c in ("online", "visit")
    ]
    region = Region(level=Level.COMMUNITY)
    with translation.override(language):
        html = render(
            '{% for m in rows %}{% label m "status" %}|{% label m "channel" %}|{% endfor %}'
            '{% label region "level" %}',
            rows=rows,
            region=region,
        )
        assert html == "".join(f"{m.get_status_display()}|{m.get_channel_display()}|" for m in rows) + str(
            region.get_level_display()
        )
