"""Calendar months as billing counts them: the same day, clamped to a short month's last day.

31 Jan + 1 month is 28 (or 29) Feb, the way Stripe renews a subscription and the way the monthly
allowance resets. Dates and datetimes alike; no dependency beyond the standard library.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import TypeVar

D = TypeVar("D", bound=date)


def add_months(value: D, months: int) -> D:
    """``value`` moved by ``months`` calendar months (negative goes back), day clamped."""
    index = value.month - 1 + months
    year, month = value.year + index // 12, index % 12 + 1
    return value.replace(year=year, month=month, day=min(value.day, calendar.monthrange(year, month)[1]))


def next_month(day: D) -> D:
    """The same day next month, clamped to the month's last day (31 Jan -> 28/29 Feb)."""
    return add_months(day, 1)
