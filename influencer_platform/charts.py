"""Bar charts drawn on the server as SVG geometry, for every page that shows one.

The template (``templates/charts/_bar_chart.html``) only places rectangles, so a page needs no
script, no CDN, and reads the same with JavaScript off; each bar carries a ``<title>`` sentence
and the partial a table of the same figures for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 180
LEFT, BOTTOM, TOP = 34, 22, 10


def axis_top(value: float, *, minimum: int = 4) -> float:
    """A round value at or above ``value`` for the top of an axis. Counts use ``minimum`` 4, so
    small counts get whole-number gridlines; ratios pass 0 and get 1, 2, 2.5, 5 times a power of ten."""
    if value <= minimum:
        return minimum or 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            top = step * magnitude
            return int(top) if top >= 1 and top == int(top) else top
    return value


def axis_ticks(*, top: float, plot_top: float, plot_height: float, whole: bool = True) -> list[tuple[float, str]]:
    """Gridlines at 0, about half and the top of the axis, as (y, label) with y in SVG coordinates.
    With ``whole`` the middle one sits on a whole count (12 of 25, not 12.5 labelled 12)."""
    ticks = []
    for fraction in (0, 0.5, 1):
        value = math.floor(top * fraction) if whole else top * fraction
        label = f"{value:,}" if whole else f"{value:.3g}"
        ticks.append((round(plot_top + plot_height - plot_height * value / top, 1), label))
    return ticks


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str
    noun: str = ""  # how a bar's title names it, when not its label in lower case ("TikTok")

    @property
    def in_title(self) -> str:
        return self.noun or self.label.lower()


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    y: float
    height: float
    colour: str


@dataclass(frozen=True)
class Slot:
    x: float
    width: float
    segments: list[Segment]
    title: str
    label: str
    show_label: bool
    short_label: str  # the label cut to what fits under the bar; the table and title keep it whole
    centre: float
    values: list[str]  # one figure per series, in legend order, for the table beside the chart
    total: str


@dataclass(frozen=True)
class StackedBarChart:
    title: str
    width: int
    height: int
    left: int
    baseline: float
    slots: list[Slot]
    ticks: list[tuple[float, str]]
    legend: list[Series]
    empty: bool
    label_heading: str  # the table's first column: "Day", "Platform", "Keyword"
    grouped: bool
    centred_labels: bool  # categories name every bar under its middle; time axes label every n-th from its left


def _whole(value: float) -> str:
    return f"{value:,.0f}"


def stacked_bar_chart(
    *,
    title: str,
    series: Sequence[Series],
    slots: Sequence[tuple[str, dict[str, float]]],
    label_every: int = 5,
    unit: str = "searches",
    grouped: bool = False,
    label_heading: str = "Day",
    ratio: bool = False,
    value_format: Callable[[float], str] = _whole,
    notes: Sequence[str] = (),
    width: int = WIDTH,
    height: int = HEIGHT,
) -> StackedBarChart:
    """``slots`` are (label, {series key: value}) in the order drawn; every ``label_every``-th is
    labelled, counting back from the last (1 for categories, where every bar is named).

    ``grouped`` puts the series side by side instead of on top of each other, for counts that do
    not add up to one total (trials started and trials converted on a day). ``ratio`` is for
    figures that are not counts (credits per creator): the axis may end below 4 and between
    whole numbers. ``notes`` add a clause per slot to its bar's title ("120 creators"). A chart
    drawn in half a page's width passes a smaller ``width``, so its text keeps the size of the others.
    """
    totals = [sum(counts.get(item.key, 0) for item in series) for _label, counts in slots]
    tallest = [max((counts.get(item.key, 0) for item in series), default=0) for _label, counts in slots]
    top = axis_top(max(tallest if grouped else totals, default=0), minimum=0 if ratio else 4)
    plot_height = height - BOTTOM - TOP
    baseline = TOP + plot_height
    slot_width = (width - LEFT) / max(len(slots), 1)
    bar_width = slot_width * 0.7
    # A character of the tick font is about 6 user units wide, 7.5 where phones draw it larger.
    fits = max(int(slot_width * label_every / 7.5), 3)
    drawn = []
    for index, ((label, counts), total) in enumerate(zip(slots, totals)):
        x = LEFT + index * slot_width + slot_width * 0.15
        segments, y = [], baseline
        for position, item in enumerate(series):
            count = counts.get(item.key, 0)
            if not count:
                continue
            tall = plot_height * count / top
            if grouped:
                wide = bar_width / len(series)
                segments.append(Segment(x=round(x + position * wide, 1), width=round(wide, 1),
                                        y=round(baseline - tall, 1), height=round(tall, 1), colour=item.colour))
                continue
            y -= tall
            segments.append(Segment(x=round(x, 1), width=round(bar_width, 1), y=round(y, 1),
                                    height=round(tall, 1), colour=item.colour))
        parts = ", ".join(f"{value_format(counts[item.key])} {item.in_title}"
                          for item in series if counts.get(item.key))
        if grouped or ratio:
            heading = f"{label}: {parts or f'no {unit}'}"
        else:
            heading = f"{label}: {value_format(total)} {unit}" + (f" ({parts})" if parts and len(series) > 1 else "")
        if index < len(notes) and notes[index]:
            heading = f"{heading}, {notes[index]}"
        drawn.append(Slot(
            x=round(x, 1),
            width=round(bar_width, 1),
            segments=segments,
            title=heading,
            label=label,
            # Counted back from the last slot, so the newest is always named and the gaps are even.
            show_label=(len(slots) - 1 - index) % label_every == 0,
            short_label=label if len(label) <= fits else f"{label[:fits - 1]}…",
            centre=round(x + bar_width / 2, 1),
            values=[value_format(counts.get(item.key, 0)) for item in series],
            total=value_format(total),
        ))
    ticks = axis_ticks(top=top, plot_top=TOP, plot_height=plot_height, whole=not ratio)
    return StackedBarChart(title=title, width=width, height=height, left=LEFT, baseline=baseline,
                           slots=drawn, ticks=ticks, legend=list(series), empty=not any(totals),
                           label_heading=label_heading, grouped=grouped, centred_labels=label_every == 1)
