"""Each chart function on a tiny literal DataFrame: traces, labels, colours, layout."""

from __future__ import annotations

from datetime import date

import pandas as pd

from ui import charts, theme

LEVELS = ["五星", "四星", "三星", "二星", "一星", "无星"]


def dist(units: dict[str | tuple[str, str], list[int]]) -> pd.DataFrame:
    """A level_distribution frame; a key (township, county) is a township unit."""
    rows = []
    for key, counts in units.items():
        unit, county = key if isinstance(key, tuple) else (key, None)
        total = sum(counts)
        for level, count in zip(range(5, -1, -1), counts, strict=True):
            rows.append({"unit": unit, "county": county, "level": level, "level_label": LEVELS[5 - level],
                         "count": count, "share": count / total})
    return pd.DataFrame(rows)


def test_plotly_config_png_2x_with_chinese_file_name() -> None:
    cfg = charts.plotly_config("星级分布", "2024Q3", "全部")
    assert cfg["toImageButtonOptions"] == {"format": "png", "scale": 2, "filename": "星级分布_2024Q3_全部"}
    assert cfg["displaylogo"] is False
    assert charts.plotly_config("排名", "2024-08", "甲县 / 东镇 / 村")["toImageButtonOptions"]["filename"] == \
        "排名_2024-08_甲县-东镇-村"


def test_shared_layout_font_and_legend_on_top() -> None:
    fig = charts.level_bar(dist({"全部": [1, 1, 2, 0, 0, 1]}))
    assert fig.layout.font.family == theme.FONT_FAMILY
    assert "Noto Sans CJK SC" in fig.layout.font.family and "Microsoft YaHei" in fig.layout.font.family
    fig2 = charts.level_distribution_bars(dist({"东镇": [1, 0, 2, 1, 0, 0]}))
    assert fig2.layout.legend.orientation == "h" and fig2.layout.legend.yanchor == "bottom"
    assert fig2.layout.legend.y == 1.0


def test_level_distribution_bars_stacked_per_level_with_theme_colours() -> None:
    df = dist({"东镇": [1, 0, 2, 1, 0, 0], "西镇": [0, 1, 1, 0, 0, 2]})
    fig = charts.level_distribution_bars(df, title="各乡镇星级分布")
    assert [t.name for t in fig.data] == LEVELS
    assert [t.marker.color for t in fig.data] == [theme.LEVEL_COLORS[lv] for lv in (5, 4, 3, 2, 1, 0)]
    three = fig.data[2]
    assert list(three.y) == ["东镇", "西镇"] and list(three.x) == [2, 1]
    assert list(fig.data[1].text) == ["", "1"]  # zero segments carry no label
    assert fig.layout.barmode == "stack"
    assert fig.layout.title.text == "各乡镇星级分布"
    share = charts.level_distribution_bars(df, mode="share")
    assert list(share.data[2].x) == [50.0, 25.0]
    assert share.layout.xaxis.title.text == "占比（%）"


def test_level_distribution_bars_tell_same_named_townships_apart() -> None:
    # 城关镇 of 乙县 and of 甲县 are two bars (the chart used to fail on the repeated name).
    df = dist({("城关镇", "乙县"): [0, 0, 2, 0, 0, 0], ("东镇", "甲县"): [1, 0, 0, 0, 0, 0],
               ("城关镇", "甲县"): [0, 1, 0, 0, 0, 0]})
    fig = charts.level_distribution_bars(df)
    assert list(fig.data[2].y) == ["城关镇（乙县）", "东镇", "城关镇（甲县）"]
    assert list(fig.data[2].x) == [2, 0, 0] and list(fig.data[1].x) == [0, 0, 1]


def test_level_bar_counts_and_shares() -> None:
    fig = charts.level_bar(dist({"全部": [1, 1, 2, 0, 0, 1]}))
    bar = fig.data[0]
    assert list(bar.x) == LEVELS
    assert list(bar.y) == [1, 1, 2, 0, 0, 1]
    assert list(bar.text)[:3] == ["1<br>20.0%", "1<br>20.0%", "2<br>40.0%"]
    assert list(bar.marker.color) == [theme.LEVEL_COLORS[lv] for lv in (5, 4, 3, 2, 1, 0)]


def test_star_status_bars() -> None:
    rows = []
    for slot, name in ((1, "支部过硬星"), (2, "产业兴旺星")):
        for status, label, count in (("achieved", "已达标", 3 - slot), ("in_progress", "创建中", slot),
                                     ("not_started", "未启动", 0), ("unknown", "未填报", 1)):
            rows.append({"slot": slot, "star_name": name, "status": status, "status_label": label,
                         "count": count, "share": count / 4})
    fig = charts.star_status_bars(pd.DataFrame(rows))
    assert [t.name for t in fig.data] == ["已达标", "创建中", "未启动", "未填报"]
    assert [t.marker.color for t in fig.data] == [theme.STATUS_COLORS[s] for s in theme.STATUS_ORDER]
    assert list(fig.data[0].y) == ["支部过硬星", "产业兴旺星"]
    assert list(fig.data[0].x) == [2, 1]
    assert "已达标：%{x} 个" in fig.data[0].hovertemplate


def test_trend_chart_counts_and_score_on_right_axis() -> None:
    df = pd.DataFrame({"period": [date(2024, 7, 1), date(2024, 8, 1)], "branches": [4, 5], "three": [1, 0],
                       "four": [1, 1], "five": [0, 1], "at_least_three": [2, 2], "avg_score": [42.1, 45.0]})
    fig = charts.trend_chart(df)
    assert [t.name for t in fig.data] == ["五星", "四星", "三星", "≥三星", "平均分（右轴）"]
    assert list(fig.data[0].y) == [0, 1]
    assert fig.data[4].yaxis == "y2" and list(fig.data[4].y) == [42.1, 45.0]
    assert fig.data[0].line.color == theme.LEVEL_COLORS[5]


def test_target_progress() -> None:
    df = pd.DataFrame({"level": [5, 4, 3], "level_label": ["五星", "四星", "三星"], "target": [0, 2, 1],
                       "reached": [0, 2, 0], "rate": [None, 1.0, 0.0]})
    fig = charts.target_progress_chart(df)
    assert [t.name for t in fig.data] == ["申报该目标", "已达成"]
    assert list(fig.data[1].y) == ["目标五星", "目标四星", "目标三星"]
    assert list(fig.data[1].text) == ["0/0（—）", "2/2（100.0%）", "0/1（0.0%）"]
    assert fig.layout.barmode == "overlay"


def test_ranking_bar_labels_and_colours() -> None:
    df = pd.DataFrame({"branch": ["四村", "一村", "二村"], "stars": [5, 4, 2], "score": [100.0, 68.689, 32.275],
                       "rank": [1, 2, 3]})
    fig = charts.ranking_bar(df)
    bar = fig.data[0]
    assert list(bar.y) == ["1. 四村", "2. 一村", "3. 二村"]
    assert list(bar.text) == ["100.0", "68.7", "32.3"]
    assert list(bar.marker.color) == [theme.LEVEL_COLORS[5], theme.LEVEL_COLORS[4], theme.LEVEL_COLORS[2]]
    towns = charts.ranking_bar(pd.DataFrame({"township": ["东镇"], "score": [50.0], "rank": [1], "branches": [2]}),
                               label="township", color_by_stars=False)
    assert list(towns.data[0].y) == ["1. 东镇"] and list(towns.data[0].customdata) == ["2 个支部"]


def test_ranking_bar_tells_same_named_branches_apart() -> None:
    # Tied 张庄村 of two townships: one bar each, named with as much place as it takes.
    df = pd.DataFrame({"county": ["甲县", "乙县", "乙县", "乙县"], "township": ["城关镇", "城关镇", "李集镇", "李集镇"],
                       "branch": ["张庄村", "张庄村", "张庄村", "王庄村"], "stars": [5, 5, 5, 4],
                       "score": [100.0, 100.0, 100.0, 80.0], "rank": [1, 1, 1, 4]})
    fig = charts.ranking_bar(df)
    assert list(fig.data[0].y) == ["1. 张庄村（甲县城关镇）", "1. 张庄村（乙县城关镇）", "1. 张庄村（李集镇）", "4. 王庄村"]


def test_hierarchy_treemap() -> None:
    df = pd.DataFrame({"county": ["甲县", "甲县", "乙县"], "township": ["东镇", "东镇", "南镇"],
                       "branch": ["一村", "二村", "四村"], "stars": [4, 2, 5], "target_stars": [4, None, 4],
                       "score": [68.7, 32.3, 100.0]})
    fig = charts.hierarchy_treemap(df)
    tm = fig.data[0]
    assert tm.type == "treemap"
    assert list(tm.ids) == ["c/乙县", "c/乙县/南镇", "c/乙县/南镇/四村", "c/甲县", "c/甲县/东镇",
                            "c/甲县/东镇/一村", "c/甲县/东镇/二村"]
    assert list(tm.values) == [1, 1, 1, 2, 2, 1, 1]
    assert tm.marker.colors[5] == theme.LEVEL_COLORS[4]
    assert "目标未申报" in tm.customdata[6]
    assert [t.name for t in fig.data[1:]] == LEVELS  # legend of level colours


def test_branch_history_chart() -> None:
    df = pd.DataFrame({"period": [date(2024, 7, 1), date(2024, 8, 1)], "stars": [3, 4], "target_stars": [4, 4],
                       "task_rate": [10 / 29, 15 / 29], "score": [49.8, 68.7]})
    fig = charts.branch_history_chart(df)
    assert [t.name for t in fig.data] == ["星级", "创建目标", "完成率（右轴）"]
    assert list(fig.data[0].text) == ["三星", "四星"]
    assert fig.layout.xaxis.tickformat == "%-m月\n%Y年"  # "7月" with the year under the first tick
    assert round(fig.data[2].y[1], 1) == 51.7


def test_transition_heatmap_regions() -> None:
    labels = LEVELS
    m = pd.DataFrame(0, index=labels, columns=labels)
    m.loc["三星", "四星"] = 2  # promotion
    m.loc["四星", "三星"] = 1  # demotion
    m.loc["二星", "二星"] = 3  # unchanged
    fig = charts.transition_heatmap(m, label_a="2024-07", label_b="2024-08")
    assert [t.name for t in fig.data] == ["降星", "不变", "晋星"]
    order = list(fig.data[0].y)
    assert order == ["无星", "一星", "二星", "三星", "四星", "五星"]
    i3, i4, i2 = order.index("三星"), order.index("四星"), order.index("二星")
    assert fig.data[2].z[i3][i4] == 2 and i4 > i3  # promotions above the diagonal
    assert fig.data[0].z[i4][i3] == 1
    assert fig.data[1].z[i2][i2] == 3
    assert fig.data[2].z[i4][i3] is None
    assert fig.data[0].z[i2][i3] is None  # above the diagonal is not a demotion
    # every cell of a region is drawn, counts written only where there are some
    assert fig.data[0].z[i3][i2] == 0 and fig.data[0].text[i3][i2] == ""
    assert fig.data[2].text[i3][i4] == "2"
    # axis titles name the periods; plain tick labels (no boundary ticks), columns at the bottom
    assert fig.layout.xaxis.title.text == "本期星级（2024-08）"
    assert fig.layout.yaxis.title.text == "上期星级（2024-07）"
    assert fig.layout.xaxis.side == "bottom" and fig.layout.xaxis.tickson is None
    # square cells on any screen width
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis.scaleratio == 1


def test_compare_bars() -> None:
    df = pd.DataFrame({"township": ["东镇", "南镇"], "score_a": [39.8, 75.6], "score_b": [50.5, 100.0]})
    fig = charts.compare_bars(df, label_a="7月", label_b="8月")
    assert [t.name for t in fig.data] == ["7月", "8月"]
    assert list(fig.data[1].text) == ["50.5", "100.0"]
    assert fig.layout.barmode == "group"
    twins = pd.DataFrame({"county": ["甲县", "乙县"], "township": ["城关镇", "城关镇"], "score_a": [1.0, 2.0],
                          "score_b": [3.0, 4.0]})
    assert list(charts.compare_bars(twins).data[0].y) == ["城关镇（甲县）", "城关镇（乙县）"]


def test_empty_frames_give_a_message() -> None:
    empty = pd.DataFrame(columns=["unit", "county", "level", "level_label", "count", "share"])
    fig = charts.level_distribution_bars(empty)
    assert fig.layout.annotations[0].text == "暂无数据"
