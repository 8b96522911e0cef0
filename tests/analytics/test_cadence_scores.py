"""The configurable score with assessment (cadence.md §3), the flag calendar (§4) and awarded vs
reported levels (§5), on small literal stores with hand-computed values."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analytics import awards, flags, rankings, store
from analytics.periods import Period
from analytics.scope import Scope
from analytics.settings import Settings
from tests.factories import build_store

Q3 = Period.parse("2024Q3")
AUG = Period.parse("2024-08")
BRANCHES = ("一村", "二村", "三村", "四村")


def _ledgers(tmp_path: Path) -> Path:
    # Every branch: 3 stars, tasks 10/20 in each month of Q3 -> 60 × 3/5 + 40 × 0.5 = 56 without assessment.
    return build_store(tmp_path / "s.duckdb", [
        {"period": m, "township": "东镇", "branch": b, "stars": 3, "tasks_done": 10, "tasks_total": 20}
        for m in ("2024-07", "2024-08", "2024-09") for b in BRANCHES])


def _scores(db: Path, rows: list[tuple[str, str, str, float]]) -> None:
    """Current assessment totals (period, period_kind, branch, points) of 甲县东镇, written directly
    (the rule under test is how a period picks them, not how they are uploaded)."""
    with store.open_store(db) as con:
        for period, kind, branch, points in rows:
            con.execute(
                "INSERT INTO assessment (upload_id, period, period_kind, county, township, branch, item, points)"
                " VALUES ('T00001', ?, ?, '甲县', '东镇', ?, '总分', ?)", [date.fromisoformat(period), kind, branch, points])


SCORES = [
    ("2024-07-01", "quarter", "一村", 90.0),  # 一村: its quarterly score wins over its months
    ("2024-07-01", "month", "一村", 10.0), ("2024-08-01", "month", "一村", 20.0), ("2024-09-01", "month", "一村", 30.0),
    ("2024-07-01", "month", "二村", 60.0), ("2024-08-01", "month", "二村", 80.0),  # 二村: mean of its months = 70
    ("2024-07-08", "week", "二村", 10.0),  # ignored: 二村 has months
    ("2024-07-01", "week", "三村", 40.0), ("2024-09-23", "week", "三村", 60.0),  # 三村: mean of its weeks = 50
    ("2024-09-30", "week", "三村", 100.0),  # its Sunday is 2024-10-06: a week of Q4, not Q3
    # 四村: no score at all -> 未评分
]


def _ranking(db: Path, period: Period, settings: Settings) -> dict[str, tuple[float, float | None, bool, int]]:
    with store.open_store(db, read_only=True) as con:
        df = rankings.branch_ranking(con, period, Scope(), settings)
    return {r.branch: (round(r.score, 6), None if r.assessment != r.assessment else r.assessment, bool(r.unscored),
                       int(r.rank)) for r in df.itertuples()}


def test_a_quarter_takes_its_own_score_then_the_mean_of_its_months_then_of_its_weeks(tmp_path: Path) -> None:
    db = _ledgers(tmp_path)
    _scores(db, SCORES)
    # Weights summing to 150, not 100: the score's scale is 150 (60 + 40 + 50), the order is what counts.
    s = Settings().replace(score_weight_assessment=50.0)
    assert _ranking(db, Q3, s) == {
        "一村": (56 + 45.0, 90.0, False, 1),  # 50 × 90 / 100
        "二村": (56 + 35.0, 70.0, False, 2),
        "三村": (56 + 25.0, 50.0, False, 3),
        "四村": (56.0, None, True, 4),  # 未评分: counted 0
    }


def test_a_month_never_takes_its_quarters_score_and_falls_back_to_its_weeks(tmp_path: Path) -> None:
    db = _ledgers(tmp_path)
    _scores(db, [*SCORES, ("2024-08-05", "week", "四村", 70.0)])  # Sunday 2024-08-11: a week of August
    s = Settings().replace(score_weight_assessment=50.0)
    got = _ranking(db, AUG, s)
    assert got["一村"] == (56 + 10.0, 20.0, False, 3)  # its August score, not Q3's 90
    assert got["二村"] == (56 + 40.0, 80.0, False, 1)
    assert got["四村"] == (56 + 35.0, 70.0, False, 2)  # no monthly score: its week in August
    assert got["三村"] == (56.0, None, True, 4)  # its weeks are in July and September


def test_assessment_only_and_full_marks_other_than_100(tmp_path: Path) -> None:
    db = _ledgers(tmp_path)
    _scores(db, SCORES)
    only = Settings().replace(score_weight_stars=0.0, score_weight_tasks=0.0, score_weight_assessment=100.0)
    assert {b: v[0] for b, v in _ranking(db, Q3, only).items()} == {"一村": 90.0, "二村": 70.0, "三村": 50.0, "四村": 0.0}
    out_of_200 = only.replace(assessment_max=200.0)
    assert _ranking(db, Q3, out_of_200)["一村"][0] == 45.0


def test_weight_zero_keeps_todays_score_and_marks_nobody(tmp_path: Path) -> None:
    db = _ledgers(tmp_path)
    _scores(db, SCORES)
    got = _ranking(db, Q3, Settings())
    assert {v[0] for v in got.values()} == {56.0} and not any(v[2] for v in got.values())
    assert all(v[3] == 1 for v in got.values())


def test_unscored_is_named_in_the_black_flag_reason_and_township_ranking(tmp_path: Path) -> None:
    db = _ledgers(tmp_path)
    _scores(db, SCORES)
    s = Settings().replace(score_weight_assessment=50.0)
    with store.open_store(db, read_only=True) as con:
        black = flags.black_list(con, Q3, Scope(), s)
        town = rankings.unit_ranking(con, Q3, Scope(), s, by="township")
    b1 = black[black["reasons"].map(lambda r: "B1" in r)]
    assert list(b1["branch"]) == ["四村"]
    assert b1.iloc[0]["reason_text"].startswith("本季度乡镇排名末位（未评分，考核评分按 0 分计）；")
    assert int(town.iloc[0]["unscored"]) == 1


# --- flag calendar (cadence.md §4) ----------------------------------------------------------------


@pytest.fixture
def two_months(tmp_path: Path) -> Path:
    # 东镇: three branches, 一村 top and 三村 bottom in August; 一村 gained a star.
    return build_store(tmp_path / "f.duckdb", [
        {"period": "2024-07", "township": "东镇", "branch": "一村", "stars": 3},
        {"period": "2024-07", "township": "东镇", "branch": "二村", "stars": 2},
        {"period": "2024-07", "township": "东镇", "branch": "三村", "stars": 1},
        {"period": "2024-08", "township": "东镇", "branch": "一村", "stars": 4},
        {"period": "2024-08", "township": "东镇", "branch": "二村", "stars": 2},
        {"period": "2024-08", "township": "东镇", "branch": "三村", "stars": 1},
    ])


def test_no_black_flag_on_a_month_by_default(two_months: Path) -> None:
    with store.open_store(two_months, read_only=True) as con:
        month = flags.black_list(con, AUG, Scope(), Settings())
        monthly = flags.black_list(con, AUG, Scope(), Settings().replace(black_flag_periods=["month", "quarter"]))
        quarter = flags.black_list(con, Q3, Scope(), Settings())
    assert not any("B1" in r for r in month["reasons"])
    assert [(r.branch, r.reasons) for r in monthly.itertuples()] == [("三村", ["B1"])]
    assert [(r.branch, r.reasons) for r in quarter.itertuples()] == [("三村", ["B1"])]


def test_a_rule_not_configured_for_a_kind_returns_no_entries(two_months: Path) -> None:
    none_on_months = Settings().replace(red_flag_periods=["quarter"], list_rule_periods=["quarter"])
    with store.open_store(two_months, read_only=True) as con:
        assert flags.red_list(con, AUG, Scope(), Settings()).iloc[0]["reasons"] == ["R1", "R2", "R3"]
        assert flags.red_list(con, AUG, Scope(), none_on_months).empty
        assert flags.black_list(con, AUG, Scope(), none_on_months).empty
        heads = flags.list_heads(con, AUG, Scope(), none_on_months, 5)
        assert (heads.red.total, heads.black.total) == (0, 0)
        assert not flags.red_list(con, Q3, Scope(), none_on_months).empty  # still judged for the quarter


def test_rules_per_period_kind_and_the_weekly_red_star() -> None:
    s = Settings()
    assert flags.rules_for("week", s) == ("R1",)
    assert flags.rules_for("month", s) == ("R1", "R2", "R3", "R4", "B2", "B3", "B4", "B5")
    assert flags.rules_for("quarter", s) == ("R1", "R2", "R3", "R4", "B1", "B2", "B3", "B4", "B5")
    assert flags.reason_label("R1", "week") == "周红星" and flags.reason_label("R1", "month") == "红旗"
    assert "B1 黑旗（只在季度评定）" in flags.rules_note("month", s)
    assert flags.rules_note("week", s).startswith("本周评定：红榜 R1 周红星；黑榜 无。")
    env = Settings({"red_flag_periods": "month,quarter"})  # as an environment variable would give it
    assert flags.rules_for("week", env) == ()


def test_list_settings_read_from_the_environment() -> None:
    from analytics.settings import load_settings

    s = load_settings(env={"FIVESTAR_BLACK_FLAG_PERIODS": "month,quarter", "FIVESTAR_SETTINGS": "/nonexistent"})
    assert s.black_flag_periods == ["month", "quarter"]
    s = load_settings(env={"FIVESTAR_RED_FLAG_PERIODS": '["quarter"]', "FIVESTAR_SETTINGS": "/nonexistent"})
    assert s.red_flag_periods == ["quarter"]


# --- awarded vs reported (cadence.md §5) ------------------------------------------------------------


def test_awarded_level_next_to_the_reported_one_and_the_branches_below(tmp_path: Path) -> None:
    db = build_store(tmp_path / "a.duckdb", [
        {"period": "2024-11", "township": "东镇", "branch": "一村", "stars": 4},
        {"period": "2024-12", "township": "东镇", "branch": "一村", "stars": 5},  # reported = its latest month: 5
        {"period": "2024-12", "township": "东镇", "branch": "二村", "stars": 3},
        {"period": "2024-10", "township": "西镇", "branch": "三社区", "stars": 2},  # latest month October
        {"period": "2025-01", "township": "东镇", "branch": "一村", "stars": 1},  # another year: not reported
    ])
    with store.open_store(db) as con:
        for branch, township, awarded in (("一村", "东镇", 4), ("二村", "东镇", 3), ("三社区", "西镇", 3),
                                          ("四村", "东镇", 2)):
            con.execute("INSERT INTO award (upload_id, period, county, township, branch, awarded_stars, accepted_at)"
                        " VALUES ('T00001', DATE '2024-01-01', '甲县', ?, ?, ?, DATE '2024-12-20')",
                        [township, branch, awarded])
    with store.open_store(db, read_only=True) as con:
        df = awards.award_vs_reported(con, 2024, Scope())
        below = awards.below_reported(con, 2024, Scope())
        east = awards.award_vs_reported(con, 2024, Scope(township="西镇"))
        years = awards.award_years(con)
        none = awards.award_vs_reported(con, 2023, Scope())
    got = {r.branch: (None if pd.isna(r.reported_stars) else int(r.reported_stars), int(r.awarded_stars),
                      bool(r.below)) for r in df.itertuples()}
    assert got == {"一村": (5, 4, True), "二村": (3, 3, False), "三社区": (2, 3, False), "四村": (None, 2, False)}
    assert df.iloc[0]["branch"] == "一村"  # shortfalls first
    assert list(below["branch"]) == ["一村"]
    assert df.set_index("branch").loc["三社区", "reported_period"] == date(2024, 10, 1)
    assert list(east["branch"]) == ["三社区"]
    assert years == [2024] and none.empty



def test_the_report_names_the_assessment_and_unscored_branches(tmp_path: Path) -> None:
    import io

    from analytics.report import build_report, write_report_text

    db = _ledgers(tmp_path)
    _scores(db, SCORES)
    s = Settings().replace(score_weight_assessment=50.0)
    with store.open_store(db, read_only=True) as con:
        data = build_report(con, Q3, Scope(), s)
        plain = build_report(con, Q3, Scope(), Settings())
        out = io.StringIO()
        write_report_text(con, Q3, Scope(), s, out)
    rows = {r["branch"]: (r["assessment"], r["unscored"]) for r in data["branch_ranking"]}
    assert rows == {"一村": (90.0, False), "二村": (70.0, False), "三村": (50.0, False), "四村": (None, True)}
    assert "assessment" not in plain["branch_ranking"][0]  # the contract's keys while the weight is 0
    text = out.getvalue()
    assert "考核评分" in text and "未评分" in text and "50 × 考核评分 / 100" in text


def test_the_monthly_trend_and_a_branchs_history_follow_the_assessment(tmp_path: Path) -> None:
    from analytics import battle_map, metrics

    db = _ledgers(tmp_path)
    _scores(db, [*SCORES, ("2024-08-05", "week", "四村", 70.0)])
    s = Settings().replace(score_weight_assessment=50.0)
    with store.open_store(db, read_only=True) as con:
        trend = metrics.trend(con, Scope(), s).set_index("period")
        history = battle_map.branch_history(con, "甲县", "东镇", "二村", s).set_index("period")
        plain = metrics.trend(con, Scope(), Settings())
    # August: 一村 20, 二村 80, 三村 none, 四村 70 (its week) -> 56 + 50 × mean(20, 80, 0, 70) / 100
    assert trend.loc[date(2024, 8, 1), "avg_score"] == pytest.approx(56 + 0.5 * (20 + 80 + 0 + 70) / 4)
    assert list(history["score"].round(6)) == [56 + 30.0, 56 + 40.0, 56.0]  # July 60, August 80, September none
    assert set(plain["avg_score"].round(6)) == {56.0}
