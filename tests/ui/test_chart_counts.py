"""Issue 13 item 8 (d, e): count axes tick at whole numbers; incomplete trend months are marked."""

from __future__ import annotations

from datetime import date

import pandas as pd

from ui import charts, format


def _dist_one_branch() -> pd.DataFrame:
    return pd.DataFrame({"unit": ["东镇"] * 6, "county": ["甲县"] * 6, "level": [5, 4, 3, 2, 1, 0],
                         "level_label": ["五星", "四星", "三星", "二星", "一星", "无星"],
                         "count": [0, 0, 1, 0, 0, 0], "share": [0, 0, 1.0, 0, 0, 0]})


def test_one_branch_count_axes_tick_at_integers() -> None:
    dist = _dist_one_branch()
    status = pd.DataFrame({"slot": [1, 1], "star_name": ["支部过硬星"] * 2, "status": ["achieved", "not_started"],
                           "status_label": ["已达标", "未启动"], "count": [1, 0], "share": [1.0, 0.0]})
    progress = pd.DataFrame({"level": [3], "level_label": ["三星"], "target": [1], "reached": [0], "rate": [0.0]})
    axes = {
        "level_bar": charts.level_bar(dist).layout.yaxis,
        "distribution": charts.level_distribution_bars(dist).layout.xaxis,
        "star_status": charts.star_status_bars(status).layout.xaxis,
        "targets": charts.target_progress_chart(progress).layout.xaxis,
    }
    for name, axis in axes.items():
        assert (axis.tick0, axis.dtick, axis.tickformat) == (0, 1, "d"), name
    # shares stay percentages
    assert charts.level_distribution_bars(dist, mode="share").layout.xaxis.dtick is None
    # larger counts: plotly's own (whole-number) steps, still formatted as integers
    many = dist.assign(count=[0, 0, 40, 0, 0, 0])
    assert (charts.level_bar(many).layout.yaxis.dtick, charts.level_bar(many).layout.yaxis.tickformat) == (None, "d")


TREND = pd.DataFrame({"period": [date(2024, 7, 1), date(2024, 8, 1), date(2024, 9, 1)], "branches": [3, 5, 5],
                      "three": [1, 2, 2], "four": [0, 1, 1], "five": [0, 0, 1], "at_least_three": [1, 3, 4],
                      "avg_score": [40.0, 50.0, 55.0], "townships": [1, 2, 2], "townships_total": [2, 2, 2]})


def test_trend_marks_months_some_townships_did_not_report() -> None:
    fig = charts.trend_chart(TREND)
    at_least_three = next(t for t in fig.data if t.name == "≥三星")
    assert list(at_least_three.marker.symbol) == ["circle-open", "circle", "circle"]
    assert "1 个乡镇（街道）未报送" in at_least_three.customdata[0] and at_least_three.customdata[1] == ""
    assert (fig.layout.yaxis.dtick, fig.layout.yaxis.tickformat) == (1, "d")
    note = format.trend_gaps_note(TREND)
    assert "2024年7月有 1 个" in note and "8月" not in note
    assert format.trend_gaps_note(TREND.iloc[1:]) == ""
