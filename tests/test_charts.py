"""The server-drawn bar chart every page uses: geometry a reader would notice if it were wrong."""

import pytest

from influencer_platform.charts import Series, axis_top, stacked_bar_chart

CREATORS = [Series("creators", "Creators", "#5b47e0")]


def test_stacked_bar_chart_stands_every_bar_on_the_baseline_of_its_own_size():
    chart = stacked_bar_chart(title="Followers", series=CREATORS, unit="creators", label_every=1, width=480,
                              height=200, slots=[("Under 1K", {"creators": 10}), ("1K–10K", {"creators": 20})])

    (small,), (large,) = (slot.segments for slot in chart.slots)
    assert (chart.width, chart.height) == (480, 200)
    assert small.y + small.height == pytest.approx(chart.baseline, abs=0.1)
    assert large.y + large.height == pytest.approx(chart.baseline, abs=0.1)
    assert large.height == pytest.approx(2 * small.height, abs=0.2)
    assert chart.baseline < chart.height


def test_stacked_bar_chart_labels_the_middle_gridline_with_the_count_it_marks():
    chart = stacked_bar_chart(title="Keywords", series=CREATORS, slots=[("spf", {"creators": 21})])

    (zero_y, zero), (middle_y, middle), (top_y, top) = chart.ticks
    assert (zero, middle, top) == ("0", "12", "25")
    assert (zero_y - middle_y) == pytest.approx((zero_y - top_y) * 12 / 25, abs=0.1)


def test_stacked_bar_chart_of_a_ratio_ends_its_axis_between_whole_numbers():
    chart = stacked_bar_chart(title="Credits per creator", series=CREATORS, ratio=True, unit="creators found",
                              value_format="{:.2f}".format, slots=[("TikTok", {"creators": 0.4}), ("Empty", {})])

    assert [label for _y, label in chart.ticks] == ["0", "0.25", "0.5"]
    assert chart.slots[0].title == "TikTok: 0.40 creators"
    assert chart.slots[1].title == "Empty: no creators found"


def test_stacked_bar_chart_shortens_a_long_label_under_its_bar_but_not_in_its_title():
    name = "vegan skincare routine for sensitive skin"
    chart = stacked_bar_chart(title="Keywords", series=CREATORS, unit="creators", label_every=1, width=480,
                              slots=[(name, {"creators": 3})] + [(f"k{n}", {"creators": 1}) for n in range(7)])

    assert chart.slots[0].short_label.endswith("…") and len(chart.slots[0].short_label) < len(name)
    assert chart.slots[0].title == f"{name}: 3 creators"
    assert chart.slots[1].short_label == "k0"


def test_axis_top_of_counts_keeps_whole_gridlines():
    assert [axis_top(value) for value in (0, 3, 5, 21, 26, 120)] == [4, 4, 5, 25, 50, 200]
