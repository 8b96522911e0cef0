"""KPIs, distributions, target progress and trend, hand-computed (declared goals: test_goals.py)."""

from datetime import date

import pytest

from analytics.metrics import (
    kpis,
    level_distribution,
    star_status_distribution,
    target_progress,
    total_distribution,
    trend,
)
from analytics.periods import Period
from analytics.scope import Scope
from tests.analytics.conftest import records, row

AUG, JUL = "2024-08", "2024-07"
DATA = [
    row(AUG, "甲镇", "一村", 5, 29, 29, target=5),          # 100
    row(AUG, "甲镇", "二村", 4, 10, 29, target=5),          # 48 + 400/29
    row(AUG, "甲镇", "三村", 3, target=3),                  # 36
    row(AUG, "甲镇", "四社区", 0, weak=True,                 # 0; blank cells are "unknown"
        star_1=None, star_2="not_started", star_3="in_progress", star_4=None, star_5="not_started"),
    row(AUG, "乙镇", "五村", 3, 0, 29, target=4),           # 36
    row(JUL, "甲镇", "一村", 4, target=5),                  # 48
]
AVG_AUG = (100 + 48 + 400 / 29 + 36 + 0 + 36) / 5


def test_kpis(make_con, settings):
    k = kpis(make_con(DATA), Period.parse(AUG), Scope(), settings)
    assert k["branches"] == {"value": 5, "previous": 1, "delta": 4}
    assert k["at_least_three"] == {"value": 4, "previous": 1, "delta": 3}
    assert k["at_least_three_share"]["value"] == pytest.approx(0.8)
    assert k["at_least_three_share"]["delta"] == pytest.approx(-0.2)
    assert (k["five"]["value"], k["four"]["value"], k["three"]["value"]) == (1, 1, 2)
    assert k["four"]["previous"] == 1
    assert k["avg_score"]["value"] == pytest.approx(AVG_AUG)
    assert k["avg_score"]["previous"] == pytest.approx(48.0)
    assert k["task_rate"] == {"value": pytest.approx(39 / 87), "previous": None, "delta": None}
    assert k["attained"] == {"value": 2, "previous": 0, "delta": 2}
    assert k["weak"] == {"value": 1, "previous": 0, "delta": 1}
    assert k["targets"] == {5: 2, 4: 1, 3: 1}
    assert k["data_as_of"] == date(2024, 8, 1)


def test_kpis_without_previous(make_con, settings):
    k = kpis(make_con(DATA), Period.parse(JUL), Scope(), settings)
    assert k["branches"] == {"value": 1, "previous": None, "delta": None}
    empty = kpis(make_con(DATA), Period.parse("2023-01"), Scope(), settings)
    assert empty["branches"]["value"] == 0 and empty["avg_score"]["value"] is None
    assert empty["data_as_of"] is None


def test_level_distribution_all_levels(make_con):
    df = level_distribution(make_con(DATA), Period.parse(AUG), Scope())
    assert records(df, ["unit", "level", "level_label", "count", "share"]) == [
        ("全部", 5, "五星", 1, 0.2), ("全部", 4, "四星", 1, 0.2), ("全部", 3, "三星", 2, 0.4),
        ("全部", 2, "二星", 0, 0.0), ("全部", 1, "一星", 0, 0.0), ("全部", 0, "无星", 1, 0.2),
    ]


def test_level_distribution_by_unit(make_con):
    con = make_con(DATA)
    by_town = level_distribution(con, Period.parse(AUG), Scope(), by="township")
    assert len(by_town) == 12
    assert records(by_town[by_town.unit == "乙镇"], ["level", "count"]) == [(5, 0), (4, 0), (3, 1), (2, 0), (1, 0), (0, 0)]
    by_type = level_distribution(con, Period.parse(AUG), Scope(), by="branch_type")
    assert records(by_type[by_type["count"] > 0], ["unit", "level_label", "count", "share"]) == [
        ("村", "五星", 1, 0.25), ("村", "四星", 1, 0.25), ("村", "三星", 2, 0.5), ("社区", "无星", 1, 1.0),
    ]
    empty = level_distribution(con, Period.parse("2023-01"), Scope())
    assert records(empty, ["unit", "count", "share"]) == [("全部", 0, None)] * 6


def test_level_distribution_same_township_name_in_two_counties(make_con):
    con = make_con([row(AUG, "城关镇", "一村", 5), row(AUG, "城关镇", "二村", 3, county="乙县"),
                    row(AUG, "城关镇", "三村", 3, county="乙县")])
    by_town = level_distribution(con, Period.parse(AUG), Scope(), by="township")
    # Two units, each with its county, ordered by county (乙 U+4E59 < 甲 U+7532).
    assert records(by_town[by_town["count"] > 0], ["unit", "county", "level", "count", "share"]) == [
        ("城关镇", "乙县", 3, 2, 1.0), ("城关镇", "甲县", 5, 1, 1.0),
    ]
    by_county = level_distribution(con, Period.parse(AUG), Scope(), by="county")
    assert by_county["county"].isna().all() and sorted(set(by_county["unit"])) == ["乙县", "甲县"]
    assert list(total_distribution(by_town).columns) == list(by_town.columns)


def test_star_status_distribution_with_unknown(make_con):
    df = star_status_distribution(make_con(DATA), Period.parse(AUG), Scope())
    table = {(s, st): n for s, st, n in records(df, ["slot", "status", "count"])}
    assert len(df) == 20
    assert [table[(1, x)] for x in ("achieved", "in_progress", "not_started", "unknown")] == [4, 0, 0, 1]
    assert [table[(2, x)] for x in ("achieved", "in_progress", "not_started", "unknown")] == [4, 0, 1, 0]
    assert [table[(3, x)] for x in ("achieved", "in_progress", "not_started", "unknown")] == [4, 1, 0, 0]
    assert [table[(4, x)] for x in ("achieved", "in_progress", "not_started", "unknown")] == [2, 2, 0, 1]
    assert [table[(5, x)] for x in ("achieved", "in_progress", "not_started", "unknown")] == [1, 3, 1, 0]
    # The scope mixes 村 and 社区: names differing between types are shown both ways.
    names = dict(records(df[df.status == "achieved"], ["slot", "star_name"]))
    assert names == {1: "支部过硬星", 2: "产业兴旺星/共建共享星", 3: "生态宜居星/宜业兴业星",
                     4: "平安法治星", 5: "文明幸福星/幸福和谐星"}
    assert df.loc[(df.slot == 4) & (df.status == "unknown"), "status_label"].item() == "未填报"
    assert df.loc[(df.slot == 4) & (df.status == "unknown"), "share"].item() == pytest.approx(0.2)
    community = star_status_distribution(make_con(DATA), Period.parse(AUG), Scope(branch_type="社区"))
    assert community.loc[community.slot == 2, "star_name"].iloc[0] == "共建共享星"


def test_target_progress(make_con):
    df = target_progress(make_con(DATA), Period.parse(AUG), Scope())
    assert records(df, ["level", "level_label", "target", "reached", "rate"]) == [
        (5, "五星", 2, 1, 0.5), (4, "四星", 1, 0, 0.0), (3, "三星", 1, 1, 1.0),
    ]


def test_trend(make_con, settings):
    con = make_con(DATA)
    df = trend(con, Scope(), settings)
    assert records(df, ["period", "branches", "three", "four", "five", "at_least_three"]) == [
        (date(2024, 7, 1), 1, 0, 1, 0, 1), (date(2024, 8, 1), 5, 2, 1, 1, 4),
    ]
    assert list(df["avg_score"]) == pytest.approx([48.0, AVG_AUG])
    assert records(trend(con, Scope(), settings, end=Period.parse(JUL)), ["period", "branches"]) == [
        (date(2024, 7, 1), 1)]
    assert records(trend(con, Scope(township="乙镇"), settings), ["period", "branches", "three", "avg_score"]) == [
        (date(2024, 8, 1), 1, 1, 36.0)]


def test_trend_says_how_many_townships_reported_each_month(make_con, settings):
    # issue 13: 乙镇 did not report in July, so July's ≥三星 is low for that reason, not a fall
    con = make_con(DATA)
    assert records(trend(con, Scope(), settings), ["period", "townships", "townships_total"]) == [
        (date(2024, 7, 1), 1, 2), (date(2024, 8, 1), 2, 2)]
    assert records(trend(con, Scope(), settings, end=Period.parse(JUL)), ["townships", "townships_total"]) == [(1, 1)]
    # a 村/社区 filter does not change who reported
    assert records(trend(con, Scope(branch_type="社区"), settings), ["period", "townships", "townships_total"]) == [
        (date(2024, 8, 1), 2, 2)]
