"""Comparison of two periods: scores, ranks, transition matrix, promotions, 新增/缺报."""

import pandas as pd

from analytics.compare import compare_periods
from analytics.periods import Period
from analytics.scope import Scope
from tests.analytics.conftest import records, row

DATA = [
    # Q2 (A): snapshots 一村 3 (Jun), 二村 4 (Jun, not May's 2), 三村 1, 四村 0.
    row("2024-06", "甲镇", "一村", 3), row("2024-05", "甲镇", "二村", 2), row("2024-06", "甲镇", "二村", 4),
    row("2024-06", "甲镇", "三村", 1), row("2024-06", "甲镇", "四村", 0),
    # Q3 (B): 一村 5, 二村 4, 三村 0, 五村 2 (new); 四村 missing.
    row("2024-09", "甲镇", "一村", 5), row("2024-08", "甲镇", "二村", 4), row("2024-07", "甲镇", "三村", 0),
    row("2024-08", "甲镇", "五村", 2),
]


def test_compare_quarters(make_con, settings):
    c = compare_periods(make_con(DATA), Period.parse("2024Q2"), Period.parse("2024Q3"), Scope(), settings)
    # Scores A: 一 36, 二 48, 三 12, 四 0 -> ranks 二1 一2 三3 四4; B: 一 60, 二 48, 五 24, 三 0 -> 一1 二2 五3 三4.
    assert records(c.branches, list(c.branches.columns)) == [
        ("甲县", "甲镇", "一村", 3, 5, 36.0, 60.0, 24.0, 2, 1, 1),
        ("甲县", "甲镇", "二村", 4, 4, 48.0, 48.0, 0.0, 1, 2, -1),
        ("甲县", "甲镇", "三村", 1, 0, 12.0, 0.0, -12.0, 3, 4, -1),
    ]
    expected = pd.DataFrame(0, index=["五星", "四星", "三星", "二星", "一星", "无星"],
                            columns=["五星", "四星", "三星", "二星", "一星", "无星"])
    expected.loc["三星", "五星"] = 1
    expected.loc["四星", "四星"] = 1
    expected.loc["一星", "无星"] = 1
    assert (c.transition.values == expected.values).all()
    assert list(c.transition.index) == list(expected.index) and list(c.transition.columns) == list(expected.columns)
    assert records(c.promotions, ["branch", "stars_a", "stars_b"]) == [("一村", 3, 5)]
    assert records(c.demotions, ["branch", "stars_a", "stars_b"]) == [("三村", 1, 0)]
    assert records(c.added, ["county", "township", "branch", "stars_b"]) == [("甲县", "甲镇", "五村", 2)]
    assert records(c.missing, ["county", "township", "branch", "stars_a"]) == [("甲县", "甲镇", "四村", 0)]
    # Township: A mean (36+48+12+0)/4 = 24, B (60+48+0+24)/4 = 33.
    assert records(c.townships, list(c.townships.columns)) == [("甲县", "甲镇", 4, 4, 24.0, 33.0, 9.0, 1, 1, 0)]


def test_compare_non_adjacent_months(make_con, settings):
    c = compare_periods(make_con(DATA), Period.parse("2024-06"), Period.parse("2024-09"), Scope(), settings)
    assert records(c.branches, ["branch", "stars_a", "stars_b"]) == [("一村", 3, 5)]
    assert sorted(c.missing["branch"]) == ["三村", "二村", "四村"]
    assert int(c.transition.to_numpy().sum()) == 1
