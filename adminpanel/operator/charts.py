"""Stacked bar charts for the operations overview, drawn on the server as SVG geometry.

Same approach as the dashboard's chart (campaigns.charts): the template only places rectangles,
so the page needs no script and reads the same with JavaScript off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from influencer_platform.charts import axis_ticks, axis_top

WIDTH, HEIGHT = 640, 180
LEFT, BOTTOM, TOP = 34, 22, 10


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str


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


@dataclass(frozen=True)
class StackedBarChart:
    title: str
    width: int
    height: int
    left: int
    baseline: float
    slots: list[Slot]
    ticks: list[tuple[float, int]]
    legend: list[Series]
    empty: bool



def stacked_bar_chart(
    *,
    title: str,
    series: Sequence[Series],
    slots: Sequence[tuple[str, dict[str, int]]],
    label_every: int = 5,
    unit: str = "searches",
    grouped: bool = False,
) -> StackedBarChart:
    """``slots`` are (label, {series key: count}) in time order; every ``label_every``-th is labelled.

    ``grouped`` puts the series side by side instead of on top of each other, for counts that do
    not add up to one total (trials started and trials converted on a day).
    """
    totals = [sum(counts.get(item.key, 0) for item in series) for _label, counts in slots]
    tallest = [max((counts.get(item.key, 0) for item in series), default=0) for _label, counts in slots]
    top = axis_top(max(tallest if grouped else totals, default=0))
    plot_height = HEIGHT - BOTTOM - TOP
    baseline = TOP + plot_height
    slot_width = (WIDTH - LEFT) / max(len(slots), 1)
    bar_width = slot_width * 0.7
    drawn = []
    for index, ((label, counts), total) in enumerate(zip(slots, totals)):
        x = LEFT + index * slot_width + slot_width * 0.15
        segments, y = [], baseline
        for position, item in enumerate(series):
            count = counts.get(item.key, 0)
            if not count:
                continue
            height = plot_height * count / top
            if grouped:
                width = bar_width / len(series)
                segments.append(Segment(x=round(x + position * width, 1), width=round(width, 1),
                                        y=round(baseline - height, 1), height=round(height, 1), colour=item.colour))
                continue
            y -= height
            segments.append(Segment(x=round(x, 1), width=round(bar_width, 1), y=round(y, 1),
                                    height=round(height, 1), colour=item.colour))
        parts = ", ".join(f"{counts[item.key]} {item.label.lower()}" for item in series if counts.get(item.key))
        heading = f"{label}: {parts or f'no {unit}'}" if grouped else (
            f"{label}: {total} {unit}" + (f" ({parts})" if parts else ""))
        drawn.append(Slot(
            x=round(x, 1),
            width=round(bar_width, 1),
            segments=segments,
            title=heading,
            label=label,
            show_label=index % label_every == 0 or index == len(slots) - 1,
        ))
    ticks = axis_ticks(top=top, plot_top=TOP, plot_height=plot_height)
    return StackedBarChart(title=title, width=WIDTH, height=HEIGHT, left=LEFT, baseline=baseline,
                           slots=drawn, ticks=ticks, legend=list(series), empty=not any(totals))
