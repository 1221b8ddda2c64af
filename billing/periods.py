"""Calendar arithmetic for billing periods, shared by the plans' usage months and the demo provider."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import TypeVar

Moment = TypeVar("Moment", date, datetime)


def months_later(moment: Moment, months: int) -> Moment:
    """The same day ``months`` later, clamped to the month's last day (31 Jan + 1 -> 28/29 Feb),
    as Stripe moves a billing anchor."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))
