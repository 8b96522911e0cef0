"""Rankings: competition ranks, tie order, peer groups, rank_change, unit rankings.

Scores are worked out by hand in the comments: score = 60 × stars / 5 + 40 × task_rate.
"""

import pytest

from analytics.periods import Period
from analytics.rankings import (
    BRANCH_COLUMNS,
    COUNTY_COLUMNS,
    TOWNSHIP_COLUMNS,
    branch_ranking,
    county_ranking,
    township_ranking,
)
from analytics.scope import Scope
from tests.analytics.conftest import records, row

AUG, JUL = "2024-08", "2024-07"

TIES = [
    row(AUG, "甲镇", "五村", 5, 10, 10),   # 60 + 40 = 100
    row(AUG, "甲镇", "四村", 4, 5, 10),    # 48 + 20 = 68
    row(AUG, "甲镇", "三村", 3, 8, 10),    # 36 + 32 = 68 (tie, fewer stars -> listed after 四村)
    row(AUG, "甲镇", "二村", 2, 1, 15),    # 24 + 2.666… = 80/3 (float 26.666666666666668)
    row(AUG, "甲镇", "零村", 0, 2, 3),     # 0 + 26.666… = 80/3 (float 26.666666666666664): same true score
    row(AUG, "甲镇", "乙村", 2, 0, 10),    # 24, task_rate 0
    row(AUG, "甲镇", "丙村", 2, 0, 10),    # 24, task_rate 0 (same as 乙村: listed by code point, 丙 U+4E19 < 乙 U+4E59)
    row(AUG, "甲镇", "甲村", 2),           # 24, task_rate NULL -> counted 0, listed last
    row(JUL, "甲镇", "五村", 5, 10, 10),   # 100 -> 1
    row(JUL, "甲镇", "甲村", 3),           # 36  -> 2
    row(JUL, "甲镇", "三村", 2),           # 24  -> 3
    row(JUL, "甲镇", "四村", 1),           # 12  -> 4
]


def test_competition_ranking_with_ties_at_top_and_bottom(make_con, settings):
    df = branch_ranking(make_con(TIES), Period.parse(AUG), Scope(), settings)
    assert list(df.columns) == BRANCH_COLUMNS
    assert records(df, ["branch", "rank", "prev_rank", "rank_change"]) == [
        ("五村", 1, 1, 0),
        ("四村", 2, 4, 2),
        ("三村", 2, 3, 1),
        ("二村", 4, None, None),
        ("零村", 4, None, None),
        ("丙村", 6, None, None),
        ("乙村", 6, None, None),
        ("甲村", 6, 2, -4),
    ]
    # Scores stay unrounded; the floating-point twins of 80/3 keep their own value but share the rank.
    assert df.loc[df.branch == "二村", "score"].item() == pytest.approx(80 / 3)
    assert df.loc[df.branch == "四村", "score"].item() == 68.0
    assert df.loc[df.branch == "甲村", "task_rate"].isna().item()


PEERS = [
    row(AUG, "甲镇", "一村", 5),  # 60
    row(AUG, "甲镇", "二村", 1),  # 12
    row(AUG, "乙镇", "三村", 3),  # 36
    row(AUG, "乙镇", "四村", 2),  # 24 (new this month)
    row(JUL, "甲镇", "一村", 1),  # 12
    row(JUL, "甲镇", "二村", 2),  # 24
    row(JUL, "乙镇", "三村", 3),  # 36
]


def test_peer_group_scope(make_con, settings):
    df = branch_ranking(make_con(PEERS), Period.parse(AUG), Scope(), settings)
    # July in scope: 三村 1, 二村 2, 一村 3.
    assert records(df, ["branch", "rank", "prev_rank", "rank_change"]) == [
        ("一村", 1, 3, 2), ("三村", 2, 1, -1), ("四村", 3, None, None), ("二村", 4, 2, -2),
    ]


def test_peer_group_within_township(make_con, settings):
    # A second 甲镇 in another county is a township of its own.
    data = [*PEERS, row(AUG, "甲镇", "七村", 4, county="乙县"), row(JUL, "甲镇", "七村", 4, county="乙县")]
    df = branch_ranking(make_con(data), Period.parse(AUG), Scope(), settings, peer="township")
    # Ranks restart in each township; July within township: 甲镇 二村 1, 一村 2; 乙镇 三村 1.
    # Listed township by township (county, township in code-point order: 乙 U+4E59 < 甲 U+7532).
    assert records(df, ["county", "township", "branch", "rank", "prev_rank", "rank_change"]) == [
        ("乙县", "甲镇", "七村", 1, 1, 0),
        ("甲县", "乙镇", "三村", 1, 1, 0), ("甲县", "乙镇", "四村", 2, None, None),
        ("甲县", "甲镇", "一村", 1, 2, 1), ("甲县", "甲镇", "二村", 2, 1, -1),
    ]


def test_scope_filter(make_con, settings):
    df = branch_ranking(make_con(PEERS), Period.parse(AUG), Scope(township="乙镇"), settings)
    assert records(df, ["branch", "rank", "prev_rank"]) == [("三村", 1, 1), ("四村", 2, None)]


def test_bad_peer(make_con, settings):
    with pytest.raises(ValueError):
        branch_ranking(make_con(PEERS), Period.parse(AUG), Scope(), settings, peer="county")


UNITS = [
    row(AUG, "甲镇", "一村", 5, 10, 20, target=5),   # 80
    row(AUG, "甲镇", "二村", 1, target=3),           # 12  -> 甲镇 mean 46
    row(AUG, "乙镇", "三村", 4, 5, 10, target=4),    # 68
    row(AUG, "乙镇", "四村", 1, 0, 0),               # 12 (total 0: task_rate NULL) -> 乙镇 mean 40
    row(AUG, "丙镇", "五社区", 5, 10, 20, county="乙县"),  # 80
    row(AUG, "丙镇", "六社区", 1, county="乙县"),          # 12 -> 丙镇 mean 46, ties 甲镇; 丙 < 甲 by code point
    row(JUL, "甲镇", "一村", 3),                      # 36
    row(JUL, "甲镇", "二村", 1),                      # 12 -> 24
    row(JUL, "乙镇", "三村", 4, 10, 10),              # 88
    row(JUL, "乙镇", "四村", 1),                      # 12 -> 50
]


def test_township_ranking(make_con, settings):
    df = township_ranking(make_con(UNITS), Period.parse(AUG), Scope(), settings)
    assert list(df.columns) == TOWNSHIP_COLUMNS
    assert records(df, TOWNSHIP_COLUMNS) == [
        # county township branches score rank prev rank_change five four three attained with_target rate task_rate
        ("乙县", "丙镇", 2, 46.0, 1, None, None, 1, 0, 0, 0, 0, None, 0.5),
        ("甲县", "甲镇", 2, 46.0, 1, 2, 1, 1, 0, 0, 1, 2, 0.5, 0.5),
        ("甲县", "乙镇", 2, 40.0, 3, 1, -2, 0, 1, 0, 1, 1, 1.0, 0.5),
    ]


def test_county_ranking(make_con, settings):
    df = county_ranking(make_con(UNITS), Period.parse(AUG), Scope(), settings)
    assert list(df.columns) == COUNTY_COLUMNS
    # 乙县 (80 + 12) / 2 = 46; 甲县 (80 + 12 + 68 + 12) / 4 = 43; July 甲县 alone (36+12+88+12)/4 = 37 -> 1.
    assert records(df, ["county", "branches", "score", "rank", "prev_rank", "rank_change", "five", "four"]) == [
        ("乙县", 2, 46.0, 1, None, None, 1, 0),
        ("甲县", 4, 43.0, 2, 1, -1, 1, 1),
    ]


QUARTER = [
    row("2024-05", "甲镇", "一村", 2),   # Q2 snapshot of 一村 (its only Q2 month): 24
    row("2024-06", "甲镇", "三村", 4),   # Q2 only: 48
    row("2024-07", "甲镇", "一村", 1),
    row("2024-08", "甲镇", "一村", 3),   # Q3 snapshot of 一村 = August: 36
    row("2024-07", "甲镇", "二村", 2),   # Q3 snapshot of 二村 = July: 24
    row("2024-07", "甲镇", "四村", 0),
    row("2024-09", "甲镇", "四村", 5),   # Q3 snapshot of 四村 = September: 60
]


def test_quarter_snapshot_takes_each_branchs_latest_month(make_con, settings):
    df = branch_ranking(make_con(QUARTER), Period.parse("2024Q3"), Scope(), settings)
    # 三村 has no Q3 month: absent. Q2 ranks: 三村 1, 一村 2.
    assert records(df, ["branch", "stars", "score", "rank", "prev_rank", "rank_change"]) == [
        ("四村", 5, 60.0, 1, None, None), ("一村", 3, 36.0, 2, 2, 0), ("二村", 2, 24.0, 3, None, None),
    ]


def test_weights_come_from_settings(make_con, settings):
    con = make_con([row(AUG, "甲镇", "一村", 5, 0, 10), row(AUG, "甲镇", "二村", 0, 10, 10)])
    default = branch_ranking(con, Period.parse(AUG), Scope(), settings)
    assert records(default, ["branch", "score"]) == [("一村", 60.0), ("二村", 40.0)]
    tasks_heavy = branch_ranking(con, Period.parse(AUG), Scope(),
                                 settings.replace(score_weight_stars=20.0, score_weight_tasks=80.0))
    assert records(tasks_heavy, ["branch", "score", "rank"]) == [("二村", 80.0, 1), ("一村", 20.0, 2)]
