"""Charts drawn on the server as SVG geometry: no script, no CDN, readable without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass

from influencer_platform.charts import axis_ticks, axis_top
from scraping.selectors import ActivityDay

WIDTH, HEIGHT = 600, 160
LEFT, BOTTOM, TOP = 28, 22, 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    title: str
    show_label: bool


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[tuple[float, int]]  # (y, value) gridlines
    baseline: float
    left: int
    empty: bool



def activity_chart(days: list[ActivityDay]) -> BarChart:
    """Searches started per day; every 5th day labelled."""
    top = axis_top(max((day.searches for day in days), default=0))
    plot_height = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(len(days), 1)
    bars = []
    for index, day in enumerate(days):
        height = plot_height * day.searches / top if top else 0
        bars.append(Bar(
            x=round(LEFT + index * slot + slot * 0.15, 1),
            y=round(TOP + plot_height - height, 1),
            width=round(slot * 0.7, 1),
            height=round(height, 1),
            label=day.day.strftime("%b %-d"),
            title=f"{day.day:%b %-d}: {day.searches} searches, {day.creators:,} creators",
            show_label=index % 5 == 0 or index == len(days) - 1,
        ))
    ticks = axis_ticks(top=top, plot_top=TOP, plot_height=plot_height)
    return BarChart(width=WIDTH, height=HEIGHT, bars=bars, ticks=ticks, baseline=TOP + plot_height, left=LEFT,
                    empty=not any(day.searches for day in days))
