"""Chinese first: dates as 2026年10月15日 in zh-hans (English keeps its own), money as ¥150.00, one way each."""

import datetime
import re
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.conf import settings
from django.template import Context, Template
from django.utils import formats, translation

from yishi.formats import yuan

TEMPLATES = Path(settings.BASE_DIR) / "templates"
DAY = datetime.date(2026, 10, 15)
WHEN = datetime.datetime(2026, 10, 5, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def render(text: str, language: str, **context) -> str:
    with translation.override(language):
        return Template(text).render(Context(context))


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ d|date }}", "2026年10月15日"),
        ('{{ d|date:"DATE_FORMAT" }}', "2026年10月15日"),
        ('{{ d|date:"SHORT_DATE_FORMAT" }}', "2026年10月15日"),
        ('{{ w|date:"DATETIME_FORMAT" }}', "2026年10月5日 09:30"),
        ('{{ w|date:"MONTH_DAY_FORMAT" }}', "10月5日"),
        ('{{ w|date:"YEAR_MONTH_FORMAT" }}', "2026年10月"),
        ('{{ w|time:"TIME_FORMAT" }}', "09:30"),
    ],
)
def test_dates_read_the_chinese_way_in_zh_hans(template, expected):
    assert render(template, "zh-hans", d=DAY, w=WHEN) == expected


def test_english_keeps_english_dates():
    assert render('{{ d|date:"DATE_FORMAT" }}', "en", d=DAY) == "Oct. 15, 2026"
    assert render('{{ w|date:"MONTH_DAY_FORMAT" }}', "en", w=WHEN) == "October 5"


def test_python_code_formats_dates_the_same_way():
    with translation.override("zh-hans"):
        assert formats.date_format(DAY, "DATE_FORMAT") == "2026年10月15日"


@pytest.mark.parametrize("typed", ["2026-10-15", "2026/10/15", "2026年10月15日"])
def test_a_date_typed_the_chinese_way_is_understood(typed):
    class F(forms.Form):
        day = forms.DateField()

    with translation.override("zh-hans"):
        form = F({"day": typed})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == DAY


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (150, "¥150.00"),
        (Decimal("150"), "¥150.00"),
        (Decimal("120.5"), "¥120.50"),
        ("1450.00", "¥1450.00"),
        (Decimal("0.005"), "¥0.01"),  # half up, as the fee ledger rounds
        (Decimal("-50"), "-¥50.00"),
        (0, "¥0.00"),
        (None, ""),
        ("", ""),
    ],
)
def test_money_is_written_with_the_yuan_sign_and_two_places(amount, expected):
    assert yuan(amount) == expected


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_yuan_filter_is_on_every_template_without_loading_it(language):
    assert render("{{ a|yuan }}", language, a=Decimal("150")) == "¥150.00"


def _templates():
    return sorted(p for p in TEMPLATES.rglob("*.html"))


def test_no_template_writes_a_date_format_of_its_own():
    """Every date goes through the named formats, so one formats module decides how dates read."""
    named = {
        "DATE_FORMAT",
        "DATETIME_FORMAT",
        "SHORT_DATE_FORMAT",
        "SHORT_DATETIME_FORMAT",
        "MONTH_DAY_FORMAT",
        "YEAR_MONTH_FORMAT",
        "TIME_FORMAT",
        "c",
    }  # c: the ISO form of a <time datetime> attribute
    found = []
    for path in _templates():
        for fmt in re.findall(
            r"""\|(?:date|time):["']([^"']*)["']|\{% now ["']([^"']*)["']""", path.read_text()
        ):
            value = next(f for f in fmt if f)
            if value not in named:
                found.append(f"{path.relative_to(TEMPLATES)}: {value}")
    assert not found


def test_no_template_writes_money_by_hand():
    """Money goes through |yuan; a rate per m² (four places) is the one amount written as typed."""
    found = [
        f"{p.relative_to(TEMPLATES)}: {m}"
        for p in _templates()
        for m in re.findall(r"[¥￥]\{\{[^}]*\}\}", p.read_text())
        if "{{ r }}" not in m
    ]
    assert not found


def test_a_plan_budget_shows_as_money_on_the_matter_page(client, place):
    from tests.procedures import flows
    from yishi.matters import services as matters
    from yishi.plans.services import draft_version

    m = matters.accept(
        actor=place.secretary,
        matter=flows.raise_flood(place),
        procedure_key="short_path",
        procedure_reason="小修",
    )
    draft_version(
        actor=place.council,
        matter=m,
        summary="修复坑洼",
        budget="1500",
        parts=[{"what": "维修坑洼路面", "unit": place.fire, "due_on": datetime.date(2026, 10, 15)}],
    )

    html = client.get(f"/m/{m.pk}/").content.decode()

    assert "¥1500.00" in html
    assert "2026年10月15日" in html
