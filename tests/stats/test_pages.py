"""The figures dashboard, request by request: who sees which region, sorting, drill-down, periods, charts."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import builders
from tests.procedures import flows
from yishi.matters import services as matters
from yishi.regions.models import Level
from yishi.regions.services import create_region

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
YEAR = timezone.localdate().year


def url(region, **query):
    base = reverse("stats:dashboard", args=[region.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def raise_in(p, region, title, category="environment"):
    who = builders.person("提议人")
    return matters.raise_matter(
        actor=who,
        region=region,
        category=builders.category(category),
        title=title,
        description="说明情况，请社区协调解决。",
    )


@pytest.fixture
def world(place):
    """Three matters in 丽景社区 (one accepted, one declined), one in 朝东社区; a bureau at each level."""
    t = place.tree
    accepted = flows.raise_flood(place)
    matters.accept(actor=place.secretary, matter=accepted)
    flows.session(place, accepted)
    declined = raise_in(place, t.compound, "楼道堆物", category="safety")
    matters.decline(actor=place.secretary, matter=declined, reason="已由物业处理")
    raise_in(place, t.compound, "路灯不亮", category="facilities")
    raise_in(place, t.sibling_compound, "垃圾堆放", category="environment")
    place.city_bureau = builders.person("王建华", password="pw-12345678x")
    builders.role(place.city_bureau, "bureau", t.city)
    place.street_bureau = builders.person("街道干部", password="pw-12345678x")
    builders.role(place.street_bureau, "bureau", t.street)
    place.other_bureau = builders.person("新华区干部", password="pw-12345678x")
    builders.role(place.other_bureau, "bureau", t.other_district)
    return place


def figure(html: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">(?:<a [^>]*>)?([^<]*)', html)
    assert found, f"no figure {name}"
    return found.group(1).strip()


def page(client, user, region, **query):
    client.force_login(user)
    response = client.get(url(region, **query))
    return response, response.content.decode()


# --- who may look ------------------------------------------------------------------------------------------


def test_bureau_at_the_city_sees_the_city_with_every_matter_counted(client, world):
    response, html = page(client, world.city_bureau, world.tree.city)
    assert response.status_code == 200
    assert figure(html, "raised") == "4"
    assert figure(html, "resolved") == "0"
    # The districts are the rows of the sub-region table, each a link to its own figures for the same period.
    assert f'href="{url(world.tree.district, year=YEAR)}"' in html
    assert f'href="{url(world.tree.other_district, year=YEAR)}"' in html


def test_open_counts_every_unscreened_and_accepted_matter(client, world):
    _response, html = page(client, world.city_bureau, world.tree.city)
    # 丽景: accepted + not yet screened; 朝东: not yet screened. The declined one is closed.
    assert figure(html, "open") == "3"


def test_bureau_at_a_street_sees_the_street_and_its_communities_but_not_above_or_beside(client, world):
    t = world.tree
    assert page(client, world.street_bureau, t.street)[0].status_code == 200
    assert page(client, world.street_bureau, t.community)[0].status_code == 200
    assert page(client, world.street_bureau, t.district)[0].status_code == 403
    assert page(client, world.street_bureau, t.city)[0].status_code == 403
    assert page(client, world.other_bureau, t.street)[0].status_code == 403


def test_bureau_at_the_city_reaches_a_community(client, world):
    response, html = page(client, world.city_bureau, world.tree.community)
    assert response.status_code == 200
    assert figure(html, "raised") == "3"


def test_committee_sees_its_own_community_and_nothing_above_or_beside(client, world):
    t = world.tree
    response, html = page(client, world.secretary, t.community)
    assert response.status_code == 200 and figure(html, "raised") == "3"
    assert page(client, world.secretary, t.street)[0].status_code == 403
    assert page(client, world.secretary, t.sibling)[0].status_code == 403
    assert page(client, world.other_secretary, t.community)[0].status_code == 403


def test_residents_are_refused_and_anonymous_visitors_are_sent_to_log_in(client, world):
    assert page(client, world.resident, world.tree.community)[0].status_code == 403
    client.logout()
    response = client.get(url(world.tree.community))
    assert response.status_code == 302 and reverse("people:login") in response["Location"]


def test_an_unknown_region_is_404(client, world):
    client.force_login(world.city_bureau)
    assert client.get(reverse("stats:dashboard", args=[999999])).status_code == 404


# --- drill-down and breadcrumbs ----------------------------------------------------------------------------


def test_drill_down_from_the_city_to_a_community_and_on_to_its_matters(client, world):
    t = world.tree
    client.force_login(world.city_bureau)
    html = client.get(url(t.city)).content.decode()
    assert f'href="{url(t.district, year=YEAR)}"' in html
    html = client.get(url(t.district, year=YEAR)).content.decode()
    assert f'href="{url(t.street, year=YEAR)}"' in html
    html = client.get(url(t.street, year=YEAR)).content.decode()
    assert f'href="{url(t.community, year=YEAR)}"' in html and f'href="{url(t.sibling, year=YEAR)}"' in html
    # Beside each community, its matters list.
    assert f'href="{reverse("matters:list", args=[t.community.pk])}"' in html
    html = client.get(url(t.community, year=YEAR)).content.decode()
    # Below a community, a compound links on to its matters, not to more figures.
    assert f'href="{reverse("matters:list", args=[t.compound.pk])}"' in html
    assert url(t.compound) not in html
    assert f'href="{reverse("matters:list", args=[t.community.pk])}"' in html


def test_breadcrumbs_link_up_the_tree_only_where_the_viewer_may_look(client, world):
    t = world.tree
    _response, html = page(client, world.city_bureau, t.community, year=YEAR)
    crumbs = re.search(r'<nav class="crumbs".*?</nav>', html, re.S).group(0)
    for region in (t.city, t.district, t.street):
        assert f'href="{url(region, year=YEAR)}"' in crumbs
    assert f'<li aria-current="page">{t.community.name}</li>' in crumbs
    _response, html = page(client, world.secretary, t.community)
    crumbs = re.search(r'<nav class="crumbs".*?</nav>', html, re.S).group(0)
    assert "href=" not in crumbs and t.street.name in crumbs


# --- sorting the sub-regions -------------------------------------------------------------------------------


def rows_of(html: str) -> list[str]:
    table = re.search(r'<table class="figures-table subregions".*?</table>', html, re.S).group(0)
    return re.findall(r'<tr data-region="\d+">\s*<th scope="row"><a href="[^"]*">([^<]*)</a>', table)


def test_sub_regions_sort_by_each_figure_both_ways(client, world):
    t = world.tree
    client.force_login(world.street_bureau)
    up = rows_of(client.get(url(t.street, sort="raised", dir="asc")).content.decode())
    down = rows_of(client.get(url(t.street, sort="raised", dir="desc")).content.decode())
    assert up == [t.sibling.name, t.community.name] and down == [t.community.name, t.sibling.name]
    by_name = rows_of(client.get(url(t.street, sort="name", dir="desc")).content.decode())
    assert by_name == sorted([t.community.name, t.sibling.name], reverse=True)


def test_the_sorted_column_says_so_and_its_link_turns_the_order_around(client, world):
    _response, html = page(client, world.street_bureau, world.tree.street, sort="raised", dir="desc")
    heading = re.search(r'<th scope="col" aria-sort="descending"><a href="([^"]*)" data-sort="raised">', html)
    assert heading and "dir=asc" in heading.group(1) and "sort=raised" in heading.group(1)
    # Other columns start with the largest first, and keep the period.
    other = re.search(r'<a href="([^"]*)" data-sort="resolved">', html).group(1)
    assert "dir=desc" in other and f"year={YEAR}" in other


def test_an_unknown_sort_falls_back_to_the_names_in_order(client, world):
    response, html = page(client, world.street_bureau, world.tree.street, sort="password", dir="sideways")
    assert response.status_code == 200
    assert rows_of(html) == sorted([world.tree.community.name, world.tree.sibling.name])


# --- periods -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"year": "abc"}, "year", "is not a number"),
        ({"year": "1999"}, "year", "The year must be between"),
        ({"year": YEAR, "quarter": "5"}, "quarter", "The quarter must be 1, 2, 3 or 4."),
        ({"year": YEAR, "month": "13"}, "month", "The month must be between 1 and 12."),
        ({"year": YEAR, "quarter": "1", "month": "2"}, "month", "not both"),
        ({"from": "2026-05"}, "to", "Give both"),
        ({"from": "2026-05", "to": "2026-01"}, "to", "must end after it starts"),
        ({"from": "May", "to": "2026-06"}, "from", "YYYY-MM"),
        ({"quarter": "2"}, "year", "Give the year too."),
    ],
)
def test_a_bad_period_is_refused_with_a_clear_message_and_the_form_kept(
    client, world, settings, query, field, message
):
    settings.LANGUAGE_CODE = "en"
    response, html = page(client, world.city_bureau, world.tree.city, **query)
    assert response.status_code == 400
    assert message in re.search(r'<p class="error" role="alert" id="period-error">([^<]*)</p>', html).group(1)
    assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', html) or re.search(
        rf'<select id="p-{field}" name="{field}" aria-invalid="true"', html
    )
    assert "data-figure" not in html  # no figures for a period nobody asked for


def test_a_quarter_counts_only_its_months(client, world):
    quarter = (timezone.localdate().month - 1) // 3 + 1
    other = quarter % 4 + 1
    _r, html = page(client, world.city_bureau, world.tree.city, year=YEAR, quarter=quarter)
    assert figure(html, "raised") == "4"
    _r, html = page(client, world.city_bureau, world.tree.city, year=YEAR, quarter=other)
    assert figure(html, "raised") == "0"
    _r, html = page(client, world.city_bureau, world.tree.city, year=YEAR - 1)
    assert figure(html, "raised") == "0"


def test_the_period_form_shows_the_choice_again(client, world):
    _r, html = page(client, world.city_bureau, world.tree.city, year=YEAR, month=3)
    assert f'name="year" type="number" min="2000" max="2100" inputmode="numeric" value="{YEAR}"' in html
    assert '<option value="3" selected>' in html


# --- charts on the page ------------------------------------------------------------------------------------


def svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(s) for s in re.findall(r"<svg .*?</svg>", html, re.S)]  # noqa: S314 - our own page


def test_every_chart_is_well_formed_svg_with_a_title_and_a_description(client, world):
    _r, html = page(client, world.city_bureau, world.tree.city)
    charts = svgs(html)
    assert len(charts) >= 9
    for chart in charts:
        title, desc = chart.find(f"{SVG}title"), chart.find(f"{SVG}desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert chart.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert " style=" not in html.split("<main", 1)[1]  # the content policy allows no inline style


def chart(html: str, key: str) -> ET.Element:
    return next(c for c in svgs(html) if c.find(f"{SVG}title").get("id") == f"chart-{key}-title")


def test_charts_draw_the_figures_of_the_region(client, world):
    _r, html = page(client, world.city_bureau, world.tree.city)
    bars = {
        g.get("data-label"): g.get("data-value")
        for g in chart(html, "categories").iter(f"{SVG}g")
        if g.get("class") == "bar"
    }
    assert bars == {"小区环境": "2", "安全隐患": "1", "公共设施": "1"}
    districts = {
        g.get("data-label"): g.get("data-value")
        for g in chart(html, "subregions").iter(f"{SVG}g")
        if g.get("class") == "bar"
    }
    assert districts == {"运河区": "4", "新华区": "0"}
    month = timezone.localdate().strftime("%Y-%m")
    raised = next(g for g in chart(html, "trend").iter(f"{SVG}g") if g.get("class") == "series")
    points = {c.get("data-label"): c.get("data-value") for c in raised.iter(f"{SVG}circle")}
    assert points[month] == "4" and sum(int(v) for v in points.values()) == 4


def test_each_chart_has_its_numbers_in_a_table_beside_it(client, world):
    _r, html = page(client, world.city_bureau, world.tree.city)
    table = re.search(r'<table class="figures-table" data-table="categories">.*?</table>', html, re.S).group(
        0
    )
    assert re.search(r"<th scope=\"row\">小区环境</th><td>2</td>", table)


def test_step_times_name_the_steps(client, world):
    _r, html = page(client, world.city_bureau, world.tree.city)
    table = re.search(r'<table class="figures-table" data-table="steps">.*?</table>', html, re.S).group(0)
    # The flood was screened (step "raise" completed): one duration, under the step's label.
    assert re.search(r'<th scope="row">[^<]*多种渠道提议题[^<]*</th><td>1</td>', table)


# --- the public figures on a region's home page ------------------------------------------------------------


def test_the_region_page_shows_this_years_public_figures_to_anyone(client, world):
    response = client.get(reverse("web:region", args=[world.tree.community.pk]))
    html = response.content.decode()
    section = re.search(r'<section aria-labelledby="public-figures-h".*?</section>', html, re.S).group(0)
    numbers = re.findall(r"<dd>([^<]*)", section)
    assert numbers[:3] == ["3", "0", "1"]  # raised, resolved, meetings held (its one consultation session)
    assert reverse("stats:dashboard", args=[world.tree.community.pk]) not in html


def test_staff_who_may_see_the_figures_get_a_link_to_them_from_the_region_page(client, world):
    client.force_login(world.secretary)
    html = client.get(reverse("web:region", args=[world.tree.community.pk])).content.decode()
    assert reverse("stats:dashboard", args=[world.tree.community.pk]) in html
    html = client.get(reverse("web:region", args=[world.tree.sibling.pk])).content.decode()
    assert reverse("stats:dashboard", args=[world.tree.sibling.pk]) not in html


# --- the cost of the page ----------------------------------------------------------------------------------


def test_the_dashboards_queries_do_not_grow_with_sub_regions_or_matters(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    t = world.tree
    client.force_login(world.city_bureau)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(t.street)).status_code == 200
    for n in range(4):
        community = create_region(actor=None, parent=t.street, level=Level.COMMUNITY, name=f"新社区{n}")
        compound = create_region(actor=None, parent=community, level=Level.COMPOUND, name=f"新小区{n}")
        for i in range(3):
            raise_in(world, compound, f"新问题{n}-{i}")
    with CaptureQueriesContext(connection) as large:
        html = client.get(url(t.street)).content.decode()
    assert len(rows_of(html)) == 6
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]


@pytest.mark.parametrize(
    "key",
    [
        "name",
        "meetings_held",
        "raised",
        "resolved",
        "open",
        "tasks_overdue",
        "resolution_median",
        "satisfaction",
        "compliance",
        "participants",
        "silent",
    ],
)
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_every_column_sorts(client, world, key, direction):
    response, html = page(client, world.city_bureau, world.tree.street, sort=key, dir=direction)
    assert response.status_code == 200
    assert f'aria-sort="{"ascending" if direction == "asc" else "descending"}"><a href="' in html
    assert sorted(rows_of(html)) == sorted([world.tree.community.name, world.tree.sibling.name])


def test_rows_without_a_figure_sort_last_both_ways():
    from types import SimpleNamespace

    from yishi.stats.pages import sort_rows

    def row(name, pk, satisfaction):
        return SimpleNamespace(region=SimpleNamespace(name=name, pk=pk), satisfaction=satisfaction)

    rows = [row("甲", 1, None), row("乙", 2, 4.5), row("丙", 3, 3.0)]
    up, key, direction = sort_rows(rows, "satisfaction", "asc")
    assert [r.region.name for r in up] == ["丙", "乙", "甲"] and (key, direction) == ("satisfaction", "asc")
    down, _key, _dir = sort_rows(rows, "satisfaction", "desc")
    assert [r.region.name for r in down] == ["乙", "丙", "甲"]


def test_silent_communities_are_listed_with_links_to_their_figures(client, world):
    t = world.tree
    _response, html = page(client, world.street_bureau, t.street)
    silent = re.search(r'<ul class="cards silent">.*?</ul>', html, re.S).group(0)
    # 丽景 held a consultation session; 朝东 did not.
    assert f'href="{url(t.sibling, year=YEAR)}"' in silent and t.sibling.name in silent
    assert t.community.name not in silent
    assert f'href="{reverse("web:region", args=[t.sibling.pk])}"' in silent
    assert figure(html, "silent") == "1"
