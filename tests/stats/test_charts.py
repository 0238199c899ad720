"""Charts drawn as SVG on the server: well-formed, named for screen readers, and drawing the numbers given."""

import itertools
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from yishi.stats import charts
from yishi.stats.charts import Chart, Series

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 - our own markup


def test_bar_chart_draws_one_bar_per_label_with_lengths_in_proportion_to_the_values():
    root = parse(
        charts.bar_chart(
            "c", "By category", "Matters raised by category", ["小区环境", "物业", "其他"], [8, 4, 0]
        )
    )
    assert root.find("svg:title", NS).text == "By category"
    assert root.find("svg:desc", NS).text == "Matters raised by category"
    assert root.get("aria-labelledby") == "c-title c-desc"
    bars = root.findall("svg:g[@class='bar']", NS)
    assert [(g.get("data-label"), g.get("data-value")) for g in bars] == [
        ("小区环境", "8"),
        ("物业", "4"),
        ("其他", "0"),
    ]
    widths = [float(g.find("svg:rect", NS).get("width")) for g in bars]
    assert widths[0] == pytest.approx(2 * widths[1]) and widths[2] == 0
    assert bars[0].find("svg:title", NS).text == "小区环境: 8"


def test_line_chart_places_points_by_value_on_a_nice_axis():
    root = parse(
        charts.line_chart(
            "t",
            "Trend",
            "By month",
            ["2026-01", "2026-02", "2026-03"],
            [Series("raised", [3, 7, 0]), Series("resolved", [1, 2, 5])],
        )
    )
    groups = root.findall("svg:g[@class='series']", NS)
    assert [g.get("data-series") for g in groups] == ["raised", "resolved"]
    raised = groups[0].findall("svg:circle", NS)
    assert [c.get("data-value") for c in raised] == ["3", "7", "0"]
    # The axis runs from 0 to 10 (the nice ceiling of 7): 7 sits at 70 % of the plot's height above 0.
    y = [float(c.get("cy")) for c in raised]
    zero, seven = y[2], y[1]
    three = y[0]
    assert (zero - three) / (zero - seven) == pytest.approx(3 / 7, rel=1e-2)
    assert groups[0].find("svg:polyline", NS) is not None
    assert raised[1].find("svg:title", NS).text == "raised, 2026-02: 7"


def test_text_is_escaped_so_a_region_name_cannot_inject_markup():
    svg = charts.bar_chart("x", "<script>", "a & b", ["<b>&"], [1])
    root = parse(svg)
    assert root.find("svg:title", NS).text == "<script>"
    assert "<script>" not in str(svg) and root.find("svg:g", NS).get("data-label") == "<b>&"


def test_no_style_attributes_or_elements_for_the_content_policy():
    svg = str(charts.line_chart("t", "T", "D", ["a", "b"], [Series("s", [1, 2]), Series("u", [2, 1])]))
    svg += str(charts.bar_chart("b", "T", "D", ["a"], [1]))
    assert "style" not in svg and "<script" not in svg


def test_an_empty_chart_says_so_instead_of_drawing_nothing():
    # In Chinese: the words were written inside an f-string, out of the catalogue's reach, and came out English.
    with translation.override("zh-hans"):
        root = parse(charts.bar_chart("e", "T", "D", ["a", "b"], [0, 0]))
        assert root.find("svg:text", NS).text == "本期没有数据。"
        assert root.findall("svg:g", NS) == []
        root = parse(charts.line_chart("e", "T", "D", [], []))
        assert root.find("svg:text", NS).text == "本期没有数据。"


def test_a_single_month_is_a_dot_without_a_line():
    root = parse(charts.line_chart("one", "T", "D", ["2026-05"], [Series("s", [4])]))
    assert root.find(".//svg:polyline", NS) is None
    assert root.find(".//svg:circle", NS).get("data-value") == "4"


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf")])
def test_negative_or_not_a_number_values_are_refused(bad):
    with pytest.raises(ValueError, match="never"):
        charts.bar_chart("b", "T", "D", ["a"], [bad])


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="one value per label"):
        charts.bar_chart("b", "T", "D", ["a", "b"], [1])
    with pytest.raises(ValueError, match="one value per label"):
        charts.line_chart("l", "T", "D", ["a", "b"], [Series("s", [1])])


def test_durations_keep_one_decimal_and_missing_values_show_a_dash():
    root = parse(charts.bar_chart("d", "T", "D", ["raise", "ideas"], [2.25, None]))
    assert [g.get("data-value") for g in root.findall("svg:g", NS)] == ["2.2", "–"]


def test_long_labels_are_clipped_in_the_picture_but_whole_in_the_title():
    label = "很长的社区名称" * 10
    root = parse(charts.bar_chart("l", "T", "D", [label], [1]))
    g = root.find("svg:g", NS)
    assert g.find("svg:text", NS).text.endswith("…") and g.find("svg:title", NS).text == f"{label}: 1"


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (0.3, 0.5), (7, 10), (10, 10), (11, 20), (230, 250), (4100, 5000)]
)
def test_nice_ceiling(value, top):
    assert charts.nice_ceiling(value) == pytest.approx(top)


def test_chart_rows_carry_the_same_numbers_as_the_picture_and_the_links():
    chart = Chart(
        key="k",
        title="T",
        description="D",
        label_heading="Region",
        labels=["甲", "乙"],
        series=[Series("n", [5, 2])],
        links=["/figures/r/1/"],
    )
    assert chart.rows == [
        {"label": "甲", "link": "/figures/r/1/", "cells": ["5"]},
        {"label": "乙", "link": None, "cells": ["2"]},
    ]
    root = parse(chart.svg)
    assert [g.get("data-value") for g in root.findall("svg:g", NS)] == ["5", "2"]
    assert not chart.empty
    assert Chart(
        key="z", title="T", description="D", label_heading="", labels=["a"], series=[Series("n", [0])]
    ).empty


@pytest.mark.parametrize(
    ("top", "whole", "expected"),
    [
        (3, True, (4, 4)),
        (1, True, (4, 4)),
        (0.3, False, (0.5, 5)),
        (7, True, (10, 4)),
        (18, True, (20, 4)),
        (49, True, (50, 5)),
        (230, True, (250, 5)),
    ],
)
def test_the_axis_marks_round_numbers(top, whole, expected):
    assert charts.axis(top, whole) == expected


def test_axis_marks_of_a_count_chart_are_whole_numbers():
    root = parse(charts.line_chart("t", "T", "D", ["a", "b"], [Series("s", [3, 49])]))
    marks = [
        t.text for t in root.findall("svg:text", NS) if t.get("text-anchor") == "end" and t.text[0].isdigit()
    ]
    assert marks[:6] == ["0", "10", "20", "30", "40", "50"]


def test_month_labels_stay_inside_the_picture_and_never_touch():
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    root = parse(charts.line_chart("t", "T", "D", months, [Series("s", list(range(12)))]))
    below = [t for t in root.findall("svg:text", NS) if t.text and t.text.startswith("2026-")]
    half = charts._text_width("2026-01") / 2
    spans = [(float(t.get("x")) - half, float(t.get("x")) + half) for t in below]
    assert spans[0][0] >= 0 and spans[-1][1] <= charts.WIDTH
    assert all(a[1] + 5 <= b[0] for a, b in itertools.pairwise(spans))
    assert below[-1].text == "2026-12"


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (12, ["2026-01", "2026-03", "2026-05", "2026-07", "2026-09", "2026-12"]),
        (3, ["2026-01", "2026-02", "2026-03"]),
        (1, ["2026-01"]),
        (9, ["2026-01", "2026-03", "2026-05", "2026-07", "2026-09"]),
    ],
)
def test_month_labels_leave_room_between_them_and_always_show_the_last(n, expected):
    months = [f"2026-{m:02d}" for m in range(1, n + 1)]
    root = parse(charts.line_chart("t", "T", "D", months, [Series("s", [1] * n)]))
    assert [t.text for t in root.findall("svg:text", NS) if t.text and t.text.startswith("2026-")] == expected


def test_the_legend_wraps_onto_a_new_row_rather_than_cutting_a_name():
    names = ["Matters raised in the period", "Matters resolved in the period", "Meetings held"]
    root = parse(charts.line_chart("t", "T", "D", ["a", "b"], [Series(n, [1, 2]) for n in names]))
    keys = [t for t in root.findall("svg:text", NS) if t.text in names]
    assert [k.text for k in keys] == names  # whole, not clipped
    assert len({k.get("y") for k in keys}) > 1


@pytest.mark.parametrize(
    ("value", "text"), [(12, "12"), (3.0, "3"), (3.46, "3.5"), (0.5, "0.5"), (0.0417, "0.04"), (None, "–")]
)
def test_numbers_read_as_they_are_said(value, text):
    assert charts.plain_number(value) == text
