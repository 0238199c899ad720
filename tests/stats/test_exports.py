"""Excel exports of the dashboard's tables, and the printable yearly report."""

import datetime
import io
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from tests import builders
from tests.procedures import flows
from yishi.matters import services as matters
from yishi.stats import exports
from yishi.stats.exports import Table

YEAR = timezone.localdate().year


def facts_of(sheet) -> dict:
    return {row[0]: row[1] for row in sheet.iter_rows(min_row=2, max_row=4, values_only=True)}


def table_of(sheet) -> list[tuple]:
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if i > 3 and row[0] is None) + 1
    if rows[start][0] is None:  # pragma: no cover - a note line pushes the table one row down
        start += 1
    return rows[start:]


# --- the module alone --------------------------------------------------------------------------------------


@translation.override("en")
def test_each_table_gets_a_sheet_saying_where_when_and_for_which_period():
    at = datetime.datetime(2026, 3, 5, 1, 7, tzinfo=datetime.UTC)
    content = exports.workbook(
        tables=[
            Table("a", "By category", ["Category", "Raised"], [["小区环境", 3], ["其他", None]]),
            Table("b", "Time: per step?", ["Step", "Days"], [["raise", 2.345]], note="From entering a step"),
        ],
        place="沧州市 › 运河区",
        period="2026",
        exported_at=at,
    )
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["By category", "Time  per step"]
    first, second = book.worksheets
    assert facts_of(first) == {
        "Region": "沧州市 › 运河区",
        "Period": "2026",
        "Exported at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
    }
    assert first["A1"].value == "By category"
    assert table_of(first) == [("Category", "Raised"), ("小区环境", 3), ("其他", None)]
    assert second["A5"].value == "From entering a step"
    assert list(second.iter_rows(values_only=True))[-1] == ("raise", 2.35)


def test_sheet_names_stay_unique_and_within_excels_limit():
    taken: set[str] = set()
    long = "很长的表格名称" * 6
    names = [
        exports.sheet_name(long, taken),
        exports.sheet_name(long, taken),
        exports.sheet_name("[x]", taken),
    ]
    assert all(len(n) <= 31 for n in names) and len(set(names)) == 3 and names[1].endswith("(2)")


def test_a_workbook_needs_a_table():
    with pytest.raises(ValueError, match="at least one table"):
        exports.workbook(tables=[], place="x", period="2026", exported_at=timezone.now())


# --- through the pages -------------------------------------------------------------------------------------


@pytest.fixture
def counted(place):
    m = flows.raise_flood(place)
    matters.accept(actor=place.secretary, matter=m)
    flows.session(place, m)
    other = matters.raise_matter(
        actor=place.neighbour,
        region=place.tree.sibling_compound,
        category=builders.category("safety"),
        title="楼道堆放杂物",
        description="有火灾隐患。",
    )
    matters.decline(actor=place.other_secretary, matter=other, reason="已由物业清理")
    place.bureau = builders.person("王建华", password="pw-12345678x")
    builders.role(place.bureau, "bureau", place.tree.city)
    return place


def download(client, name, region, *args, **query):
    response = client.get(reverse(f"stats:{name}", args=[region.pk, *args]), query)
    return response


def test_the_workbook_holds_every_table_of_the_dashboard_with_the_numbers(client, counted, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(counted.bureau)
    before = timezone.localtime().replace(second=0, microsecond=0)
    response = download(client, "workbook", counted.tree.city, year=YEAR)
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert unquote(response["Content-Disposition"].split("''")[1]) == f"沧州市-figures-{YEAR}.xlsx"
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Headline figures",
        "By month",
        "Matters by category",
        "Matters by channel",
        "By sub-region",
        "Meetings by form",
        "Meetings by platform",
        "Time per step",
        "Tasks due in the period",
        "Satisfaction",
        "Deviations from the procedure",
        "Silent communities",
    ]
    for sheet in book.worksheets:
        facts = facts_of(sheet)
        assert facts["Region"] == "沧州市" and facts["Period"] == str(YEAR)
        exported = datetime.datetime.strptime(facts["Exported at"], "%Y-%m-%d %H:%M").replace(
            tzinfo=before.tzinfo
        )
        assert abs(exported - before) < datetime.timedelta(minutes=2)
    headline = dict(table_of(book["Headline figures"])[1:])
    assert (headline["Matters raised"], headline["Matters accepted"], headline["Declined"]) == (2, 1, 1)
    assert headline["Open at the end of the period"] == 1
    categories = {row[0]: row[1:] for row in table_of(book["Matters by category"])[1:]}
    assert categories == {"小区环境": (1, 0, 1), "安全隐患": (1, 0, 0)}
    districts = {row[0]: row[3] for row in table_of(book["By sub-region"])[1:]}
    assert districts == {"运河区": 2, "新华区": 0}
    months = table_of(book["By month"])[1:]
    assert len(months) == 12 and sum(row[1] for row in months) == 2
    assert all(isinstance(row[1], int) for row in months)  # numbers, not text: a sheet sums them


def test_one_table_alone_downloads_as_its_own_workbook(client, counted, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(counted.bureau)
    response = download(client, "table_xlsx", counted.tree.street, "categories", year=YEAR)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Matters by category"]
    assert facts_of(book.active)["Region"] == "沧州市 › 运河区 › 水月寺街道"
    assert {r[0]: r[1] for r in table_of(book.active)[1:]} == {"小区环境": 1, "安全隐患": 1}
    assert "Matters%20by%20category" in response["Content-Disposition"]


def test_an_unknown_table_is_404(client, counted):
    client.force_login(counted.bureau)
    assert download(client, "table_xlsx", counted.tree.city, "passwords").status_code == 404


def test_exports_keep_the_dashboards_permission(client, counted):
    client.force_login(counted.secretary)
    assert download(client, "workbook", counted.tree.community).status_code == 200
    assert download(client, "workbook", counted.tree.sibling).status_code == 403
    assert download(client, "table_xlsx", counted.tree.street, "headline").status_code == 403
    assert download(client, "report", counted.tree.street).status_code == 403
    client.logout()
    assert download(client, "workbook", counted.tree.community).status_code == 302


def test_a_bad_period_on_an_export_is_the_pages_clear_refusal(client, counted, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(counted.bureau)
    response = download(client, "workbook", counted.tree.city, year=YEAR, month=13)
    assert response.status_code == 400 and "The month must be between 1 and 12." in response.content.decode()


def test_a_quarters_export_says_so(client, counted, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(counted.bureau)
    response = download(client, "workbook", counted.tree.city, year=YEAR, quarter=2)
    assert facts_of(load_workbook(io.BytesIO(response.content)).active)["Period"] == f"Q2 {YEAR}"
    assert f"-{YEAR}-2.xlsx" in unquote(response["Content-Disposition"])


# --- the yearly report -------------------------------------------------------------------------------------


def test_the_yearly_report_prints_the_years_figures_charts_and_tables(client, counted, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(counted.bureau)
    response = download(client, "report", counted.tree.city, year=YEAR)
    assert response.status_code == 200
    html = response.content.decode()
    assert "report.css" in html and '<body class="report">' in html
    assert html.count("<svg ") >= 7
    assert re.search(r"<dt>Matters raised</dt><dd>2</dd>", html)
    for key in (
        "headline",
        "trend",
        "subregions",
        "categories",
        "channels",
        "forms",
        "platforms",
        "steps",
        "tasks",
        "satisfaction",
        "deviations",
        "silent",
    ):
        assert f'data-table="{key}"' in html
    assert "/xlsx/" not in html  # no download links on paper


def test_the_yearly_report_refuses_a_bad_year_clearly(client, counted, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(counted.bureau)
    response = download(client, "report", counted.tree.city, year="20x6")
    assert response.status_code == 400 and "is not a number" in response.content.decode()


def test_the_report_css_sets_a4_pages():
    from django.contrib.staticfiles import finders

    css = open(finders.find("stats/report.css"), encoding="utf-8").read()  # noqa: SIM115
    assert "size: A4" in css and "@media print" in css
