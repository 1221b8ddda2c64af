"""Axis arithmetic shared by the server-drawn SVG charts (dashboard activity, operations overview)."""

from __future__ import annotations

import math


def axis_top(value: int) -> int:
    """A round value at or above ``value`` for the top of a count axis (at least 4, so small counts
    get whole-number gridlines)."""
    if value <= 4:
        return 4
    magnitude = 10 ** int(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude)
    return value


def axis_ticks(*, top: int, plot_top: float, plot_height: float) -> list[tuple[float, int]]:
    """Gridlines at 0, half and the top of the axis, as (y, value) with y in SVG coordinates."""
    return [(round(plot_top + plot_height - plot_height * fraction, 1), round(top * fraction))
            for fraction in (0, 0.5, 1)]
