from datetime import UTC, date, datetime

import pytest

from billing.periods import months_later
from billing.services import next_month


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2027, 1, 31), 1, date(2027, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2026, 12, 15), 1, date(2027, 1, 15)),
    (date(2028, 2, 29), 12, date(2029, 2, 28)),
    (date(2027, 3, 31), -1, date(2027, 2, 28)),
    (date(2027, 1, 15), -1, date(2026, 12, 15)),
    (date(2027, 5, 10), -12, date(2026, 5, 10)),
])
def test_months_later_keeps_the_day_and_clamps_it_to_a_short_month(day, months, expected):
    assert months_later(day, months) == expected


def test_months_later_keeps_the_time_of_a_renewal():
    renewal = datetime(2027, 1, 31, 18, 45, 12, tzinfo=UTC)
    assert months_later(renewal, 1) == datetime(2027, 2, 28, 18, 45, 12, tzinfo=UTC)
    assert next_month(date(2027, 8, 31)) == date(2027, 9, 30)
