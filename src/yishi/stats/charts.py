"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, nothing for the content policy to block.

The content policy allows no inline ``style`` (attributes or elements), so colours and strokes are SVG
presentation attributes, and the stylesheet only sizes the ``<svg>`` through its class. Every chart names
itself with ``<title>`` and ``<desc>`` (``aria-labelledby``), each mark carries its own ``<title>`` (the
label and the value, shown on hover or long press) and ``data-value`` (the number, for tests and for anyone
reading the markup); the page puts the same numbers in a table beside the chart, since a picture is not
enough for a screen reader or for copying figures into a report.

Every piece of text passes through ``escape``; numbers are formatted here, so the markup is safe to inline.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Colour-blind-safe (Okabe–Ito), dark enough on white for text and thin lines; series also differ by dash.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8B6D00", "#56B4E9", "#000000")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
INK = "#222"
GRID = "#ccc"
MUTED = "#555"
# Drawn at about the size it is shown on a desktop (the stylesheet caps it there), so a phone shrinks it by a
# quarter at most and the text stays readable.
FONT = 15
WIDTH = 480
LEGEND_ROW = 22


def plain_number(value) -> str:
    """Whole numbers without decimals, others with one (two below one): 12, 3.5, 0.04 — as a figure is read aloud."""
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        # Below one, two decimals: an hour is 0.04 days, not "0.0".
        return f"{value:.2f}".rstrip("0") if abs(value) < 1 else f"{value:.1f}"
    return f"{int(value):d}"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | int | None]


@dataclass
class Chart:
    """A chart and the table of its numbers: ``labels`` down the side, one column per series."""

    key: str
    title: str
    description: str
    label_heading: str
    labels: Sequence[str]
    series: Sequence[Series]
    kind: str = "bar"  # "bar" (horizontal bars, one series) or "line" (one or more series over ``labels``)
    fmt: Callable[[object], str] = plain_number
    links: Sequence[str | None] = field(default_factory=tuple)

    @property
    def svg(self) -> SafeString:
        if self.kind == "line":
            return line_chart(self.key, self.title, self.description, self.labels, self.series, fmt=self.fmt)
        return bar_chart(
            self.key, self.title, self.description, self.labels, self.series[0].values, fmt=self.fmt
        )

    @property
    def rows(self) -> list[dict]:
        """The table beside the chart: a label (and its link, if any) with each series' value formatted."""
        links = list(self.links) + [None] * (len(self.labels) - len(self.links))
        return [
            {"label": label, "link": links[i], "cells": [self.fmt(s.values[i]) for s in self.series]}
            for i, label in enumerate(self.labels)
        ]

    @property
    def empty(self) -> bool:
        return not self.labels or all(not v for s in self.series for v in s.values)


def _check(values) -> list[float]:
    numbers = []
    for value in values:
        if value is None:
            numbers.append(0.0)
            continue
        number = float(value)
        if math.isnan(number) or math.isinf(number) or number < 0:
            raise ValueError(f"a chart shows counts and durations, never {value!r}")
        numbers.append(number)
    return numbers


def nice_ceiling(value: float) -> float:
    """The axis' top: the smallest of 1, 2, 2.5, 5 × 10ⁿ at or above ``value`` (1 for an empty chart)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power + 1e-9:
            return step * power
    return 10 * power  # pragma: no cover - the loop ends at 10 × power, which is always ≥ value


def _legend(series: Sequence[Series]) -> list[tuple[float, int]]:
    """Where each series' key goes: left to right, on a new row when the next one would not fit."""
    places, x, row = [], 8.0, 0
    for s in series:
        needed = 30 + _text_width(s.name) + 18
        if x > 8 and x + needed > WIDTH:
            x, row = 8.0, row + 1
        places.append((x, row))
        x += needed
    return places


def _whole(values) -> bool:
    return all(v is None or float(v).is_integer() for v in values)


def axis(top: float, whole: bool = False) -> tuple[float, int]:
    """The axis' top and how many intervals to mark: every mark a round number (whole ones for counts)."""
    if whole and top <= 4:
        return 4.0, 4
    ceiling = nice_ceiling(top)
    mantissa = ceiling / 10 ** math.floor(math.log10(ceiling))
    return ceiling, 5 if mantissa in (2.5, 5) else 4


def _text_width(text: str) -> float:
    """An estimate of the text's width at FONT: a Chinese character is about as wide as the font is high."""
    return sum(FONT if ord(c) > 0x2E80 else FONT * 0.6 for c in text)


def _clip(text: str, width: float) -> str:
    if _text_width(text) <= width:
        return text
    while text and _text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _open(key: str, title: str, description: str, height: float, css: str) -> list[str]:
    ident = escape(key)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css}" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" font-size="{FONT}" '
        'font-family="system-ui, sans-serif">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
    ]


def _nothing(parts: list[str], height: float) -> SafeString:
    words = _("No figures for this period.")
    parts.append(
        f'<text x="{WIDTH / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" fill="{MUTED}">'
        f"{escape(words)}</text></svg>"
    )
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped, every number formatted here


def bar_chart(
    key: str,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence,
    fmt: Callable[[object], str] = plain_number,
) -> SafeString:
    """Horizontal bars, one per label, longest label on the left: readable on a phone without rotating text."""
    if len(labels) != len(values):
        raise ValueError("a bar chart needs one value per label")
    numbers = _check(values)
    row, gap, top = 24, 6, 8
    height = max(top * 2 + len(labels) * (row + gap), 60)
    parts = _open(key, title, description, height, "bar-chart")
    if not labels or not any(numbers):
        return _nothing(parts, height)
    value_room = max(_text_width(fmt(v)) for v in values) + 10
    label_room = min(max(_text_width(label) for label in labels) + 12, WIDTH * 0.4)
    span = WIDTH - label_room - value_room
    top_value = max(numbers)
    for i, (label, value, number) in enumerate(zip(labels, values, numbers, strict=True)):
        y = top + i * (row + gap)
        length = span * number / top_value
        shown = fmt(value)
        parts.append(
            f'<g class="bar" data-label="{escape(label)}" data-value="{escape(shown)}">'
            f"<title>{escape(label)}: {escape(shown)}</title>"
            f'<text x="{label_room - 8:.1f}" y="{y + row * 0.68:.1f}" text-anchor="end" fill="{INK}">'
            f"{escape(_clip(label, label_room - 10))}</text>"
            f'<rect x="{label_room:.1f}" y="{y}" width="{max(length, 1 if number else 0):.1f}" height="{row}" '
            f'fill="{PALETTE[0]}"/>'
            f'<text x="{label_room + length + 6:.1f}" y="{y + row * 0.68:.1f}" fill="{INK}">{escape(shown)}</text>'
            "</g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped, every number formatted here


def line_chart(
    key: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    fmt: Callable[[object], str] = plain_number,
) -> SafeString:
    """Lines over ``labels`` (months), one per series, with a dot and its value's title at each point."""
    for s in series:
        if len(s.values) != len(labels):
            raise ValueError("a line chart needs one value per label in every series")
    numbers = [_check(s.values) for s in series]
    places = _legend(series) if len(series) > 1 else []
    legend = (max(row for _x, row in places) + 1) * LEGEND_ROW if places else 0
    # Month labels sit centred under their point: leave room for half the first and the last one.
    label_width = max((_text_width(label) for label in labels), default=0)
    left = max(44.0, _text_width(labels[0]) / 2 + 4 if labels else 0)
    right = max(12.0, _text_width(labels[-1]) / 2 + 4 if labels else 0)
    top, bottom, plot = 12 + legend, 40, 180
    height = top + plot + bottom
    parts = _open(key, title, description, height, "line-chart")
    if not labels or not any(any(n) for n in numbers):
        return _nothing(parts, height)
    top_value, intervals = axis(max(max(n) for n in numbers), whole=all(_whole(s.values) for s in series))
    width = WIDTH - left - right
    step = width / max(len(labels) - 1, 1)

    def x(i: int) -> float:
        return left + (i * step if len(labels) > 1 else width / 2)

    def y(number: float) -> float:
        return top + plot - plot * number / top_value

    for tick in range(intervals + 1):
        value = top_value * tick / intervals
        parts.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="{GRID}" '
            'stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" fill="{MUTED}">'
            f"{escape(plain_number(value))}</text>"
        )
    # As many labels as fit side by side with a gap; the table beside the chart has them all.
    every = max(1, math.ceil((label_width + 6) / step)) if len(labels) > 1 else 1
    last = len(labels) - 1
    shown = list(range(0, len(labels), every))
    if shown[-1] != last:
        # The last month is always labelled; the one before it gives way when the two would touch.
        crowded = (last - shown[-1]) * step < label_width + 6
        shown[-1 if crowded and len(shown) > 1 else len(shown) :] = [last]
    for i in shown:
        parts.append(
            f'<text x="{x(i):.1f}" y="{top + plot + 18}" text-anchor="middle" fill="{MUTED}">'
            f"{escape(_clip(labels[i], max(step * every - 2, 60) if last else width))}</text>"
        )
    for n, (s, values) in enumerate(zip(series, numbers, strict=True)):
        colour, dash = PALETTE[n % len(PALETTE)], DASHES[n % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<g class="series" data-series="{escape(s.name)}">')
        if len(values) > 1:
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"{dash_attr}/>'
            )
        for i, (label, raw, v) in enumerate(zip(labels, s.values, values, strict=True)):
            shown = fmt(raw)
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="4" fill="{colour}" data-label="{escape(label)}" '
                f'data-value="{escape(shown)}"><title>{escape(s.name)}, {escape(label)}: {escape(shown)}</title>'
                "</circle>"
            )
        parts.append("</g>")
        if places:
            lx, row = places[n]
            ly = 12 + row * LEGEND_ROW
            parts.append(
                f'<line x1="{lx:.1f}" x2="{lx + 24:.1f}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="3"'
                f"{dash_attr}/>"
                f'<text x="{lx + 30:.1f}" y="{ly + 5}" fill="{INK}">{escape(_clip(s.name, WIDTH - lx - 34))}</text>'
            )
    parts.append(
        f'<line x1="{left}" x2="{WIDTH - right}" y1="{top + plot}" y2="{top + plot}" stroke="{INK}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped, every number formatted here
