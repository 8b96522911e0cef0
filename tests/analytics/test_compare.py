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


TIES = [
    # A = July, B = August (weights 60/40: score = 12 × stars + 40 × task_rate).
    # B scores: 五村/六村 48 (rank 1); 一村 36 (3★, rate 0), 四村 36 (3★, rate 0), 二村 36 (3★, rate
    # unknown), 三村 36 (2★ + 40 × 0.3): all rank 3. A ranks: 八村 60 → 1, 三村 48 → 2, 一村 36 → 3,
    # 二村/五村/六村 24 → 4, 四村 12 → 7.
    row("2024-07", "甲镇", "一村", 3), row("2024-08", "甲镇", "一村", 3, 0, 10),
    row("2024-07", "甲镇", "二村", 2), row("2024-08", "甲镇", "二村", 3),
    row("2024-07", "甲镇", "三村", 4), row("2024-08", "甲镇", "三村", 2, 3, 10),
    row("2024-07", "甲镇", "四村", 1), row("2024-08", "甲镇", "四村", 3, 0, 10),
    row("2024-07", "甲镇", "五村", 2), row("2024-08", "甲镇", "五村", 4),
    row("2024-07", "甲镇", "六村", 2), row("2024-08", "甲镇", "六村", 4),
    row("2024-08", "乙镇", "七村", 1),  # 乙镇 only in B
    row("2024-07", "丙镇", "八村", 5),  # 丙镇 only in A
]


def test_compare_tie_order_and_townships(make_con, settings):
    c = compare_periods(make_con(TIES), Period.parse("2024-07"), Period.parse("2024-08"), Scope(), settings)
    # Rank in B; then stars in B desc (三村 last of rank 3); task_rate in B desc with unknown last
    # (二村 after 一村/四村); rank in A (一村 3 before 四村 7); name in code-point order (五 U+4E94 < 六 U+516D).
    assert records(c.branches, ["branch", "rank_b", "stars_b", "rank_a", "rank_change"]) == [
        ("五村", 1, 4, 4, 3), ("六村", 1, 4, 4, 3),
        ("一村", 3, 3, 3, 0), ("四村", 3, 3, 7, 4), ("二村", 3, 3, 4, 1), ("三村", 3, 2, 2, -1),
    ]
    assert records(c.added, ["township", "branch", "stars_b"]) == [("乙镇", "七村", 1)]
    assert records(c.missing, ["township", "branch", "stars_a"]) == [("丙镇", "八村", 5)]
    # Promotions/demotions keep the comparison's order.
    assert list(c.promotions["branch"]) == ["五村", "六村", "四村", "二村"]
    assert list(c.demotions["branch"]) == ["三村"]
    # Townships present in both periods only; ranked among all townships of each period:
    # A: 丙镇 60, 甲镇 (36+24+48+12+24+24)/6 = 28 -> 2; B: 甲镇 (4×36+2×48)/6 = 40 -> 1, 乙镇 12.
    assert records(c.townships, list(c.townships.columns)) == [
        ("甲县", "甲镇", 6, 6, 28.0, 40.0, 12.0, 2, 1, 1)]
    assert list(c.townships.columns) == ["county", "township", "branches_a", "branches_b", "score_a", "score_b",
                                         "score_delta", "rank_a", "rank_b", "rank_change"]
