"""Weeks, half-years and years in the analytics (cadence.md §1), checked against an oracle.

A hidden district (seeded random: townships, branches, weekly reports with gaps, a few
monthly reports) is stored; a plain-Python oracle applies the contract's rules — a week is
its reports, a month its monthly report else its latest weekly one whose Sunday falls in
it, a quarter / half-year / year each branch's latest month — and computes the KPIs, the
ranking and the rank-based and change-based flags (R1 R2 R3 B1 B2). Every analytics
function must agree for every period kind.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from analytics import compare, flags, metrics, rankings
from analytics.periods import Period, available_weeks, latest_period
from analytics.scope import Scope
from analytics.settings import Settings
from tests.analytics.conftest import row, task

TOWNSHIPS = {"甲镇": 5, "乙镇": 4, "丙街道": 2}
WEEKS = [Period.week(2024, n) for n in range(27, 41)]  # 7.1 (a Monday, the 1st) … 9.30


@dataclass(frozen=True)
class Rep:
    kind: str  # week | month
    start: date
    township: str
    branch: str
    stars: int
    done: int | None
    total: int | None


def hidden_district(seed: int) -> list[Rep]:
    rng = random.Random(seed)
    reps: list[Rep] = []
    for township, n in TOWNSHIPS.items():
        for i in range(n):
            branch = f"{township[0]}{i + 1}村"
            stars = rng.randint(0, 4)
            for week in WEEKS:
                if rng.random() < 0.15:  # a week not reported
                    continue
                stars = min(5, max(0, stars + rng.choice([-1, 0, 0, 1])))
                done = rng.choice([None, rng.randint(0, 29)])
                reps.append(Rep("week", week.start, township, branch, stars, done, 29 if done is not None else None))
    # 甲镇 also sends a monthly report for August (it beats the weeks of August for its branches).
    for i in range(3):
        reps.append(Rep("month", date(2024, 8, 1), "甲镇", f"甲{i + 1}村", 5 - i, 20, 29))
    return reps


def rows_for_store(reps: list[Rep]) -> list[dict]:
    out = []
    for r in reps:
        label = Period.of_week(r.start).label if r.kind == "week" else f"{r.start:%Y-%m}"
        out.append(row(label, r.township, r.branch, r.stars, r.done, r.total))
    return out


# --- the oracle -------------------------------------------------------------------------


def month_rows(reps: list[Rep], month: date) -> dict[tuple[str, str], Rep]:
    """cadence.md §1: the monthly report, else the latest weekly report whose Sunday is in the month."""
    out: dict[tuple[str, str], Rep] = {}
    for r in sorted(reps, key=lambda r: r.start):
        key = (r.township, r.branch)
        if r.kind == "week" and (r.start + timedelta(days=6)).replace(day=1) == month:
            if key not in out or out[key].kind == "week":
                out[key] = r
        elif r.kind == "month" and r.start == month:
            out[key] = r
    return out


def period_rows(reps: list[Rep], period: Period) -> dict[tuple[str, str], Rep]:
    if period.kind == "week":
        return {(r.township, r.branch): r for r in reps if r.kind == "week" and r.start == period.start}
    out: dict[tuple[str, str], Rep] = {}
    for month in period.months:  # each branch's latest month inside
        out.update(month_rows(reps, month))
    return out


def score(r: Rep) -> float:
    rate = r.done / r.total if r.done is not None and r.total else 0.0
    return 60 * r.stars / 5 + 40 * rate


def ranks(rows: dict[tuple[str, str], Rep]) -> dict[tuple[str, str], int]:
    keys = {k: round(score(r), 9) for k, r in rows.items()}
    return {k: 1 + sum(1 for v in keys.values() if v > s) for k, s in keys.items()}


def oracle_flags(reps: list[Rep], period: Period) -> dict[tuple[str, str], set[str]]:
    cur, prev = period_rows(reps, period), period_rows(reps, period.previous())
    rank = ranks(cur)
    out: dict[tuple[str, str], set[str]] = {}
    for township in TOWNSHIPS:
        mine = {k: round(score(r), 9) for k, r in cur.items() if k[0] == township}
        if len(mine) >= 2:
            for k, s in mine.items():
                if s == max(mine.values()):
                    out.setdefault(k, set()).add("R1")
        if len(mine) >= 3:
            for k, s in mine.items():
                if s == min(mine.values()):
                    out.setdefault(k, set()).add("B1")
    for k, r in cur.items():
        if rank[k] <= 10:
            out.setdefault(k, set()).add("R2")
        if k in prev and r.stars > prev[k].stars:
            out.setdefault(k, set()).add("R3")
        if k in prev and r.stars < prev[k].stars:
            out.setdefault(k, set()).add("B2")
    # The flag calendar's defaults (cadence.md §4): which rules are judged for which kind.
    judged = {code for code, kinds in FLAG_CALENDAR.items() if period.kind in kinds}
    return {k: codes & judged for k, codes in out.items() if codes & judged}


FLAG_CALENDAR = {
    "R1": {"week", "month", "quarter"},  # red_flag_periods
    "B1": {"quarter"},  # black_flag_periods
    **{code: {"month", "quarter"} for code in ("R2", "R3", "B2")},  # the other rules: month and quarter
}


PERIODS = ["2024-W27", "2024-W31", "2024-W35", "2024-W36", "2024-07", "2024-08", "2024-09", "2024Q3", "2024H2",
           "2024"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_analytics_function_agrees_with_the_oracle_for_every_kind(make_con, seed: int) -> None:
    settings = Settings({})
    reps = hidden_district(seed)
    con = make_con(rows_for_store(reps))
    for label in PERIODS:
        period = Period.parse(label)
        cur = period_rows(reps, period)
        prev = period_rows(reps, period.previous())
        k = metrics.kpis(con, period, Scope(), settings)
        assert k["branches"]["value"] == len(cur), label
        assert k["branches"]["previous"] == (len(prev) or None), label
        assert k["at_least_three"]["value"] == sum(1 for r in cur.values() if r.stars >= 3), label
        assert k["five"]["value"] == sum(1 for r in cur.values() if r.stars == 5), label
        if cur:
            assert k["avg_score"]["value"] == pytest.approx(sum(map(score, cur.values())) / len(cur)), label
        dist = metrics.level_distribution(con, period, Scope())
        assert {int(r.level): int(r["count"]) for _, r in dist.iterrows()} == {
            lv: sum(1 for r in cur.values() if r.stars == lv) for lv in range(6)}, label

        ranking = rankings.branch_ranking(con, period, Scope(), settings)
        expected_rank = ranks(cur)
        assert {(r.township, r.branch): int(r["rank"]) for _, r in ranking.iterrows()} == expected_rank, label
        assert {(r.township, r.branch): int(r.stars) for _, r in ranking.iterrows()} == {
            k: r.stars for k, r in cur.items()}, label

        got: dict[tuple[str, str], set[str]] = {}
        for df in (flags.red_list(con, period, Scope(), settings), flags.black_list(con, period, Scope(), settings)):
            for _, r in df.iterrows():
                codes = {c for c in r.reasons if c in ("R1", "R2", "R3", "B1", "B2")}
                if codes and r.branch is not None:
                    got.setdefault((r.township, r.branch), set()).update(codes)
        assert got == oracle_flags(reps, period), label

        towns = rankings.township_ranking(con, period, Scope(), settings)
        for _, t in towns.iterrows():
            mine = [score(r) for key, r in cur.items() if key[0] == t.township]
            assert t.score == pytest.approx(sum(mine) / len(mine)), label


def test_comparison_of_two_weeks_and_of_two_years(make_con) -> None:
    settings = Settings({})
    reps = hidden_district(4)
    con = make_con(rows_for_store(reps))
    a, b = Period.parse("2024-W30"), Period.parse("2024-W38")
    c = compare.compare_periods(con, a, b, Scope(), settings)
    rows_a, rows_b = period_rows(reps, a), period_rows(reps, b)
    assert set(zip(c.branches.township, c.branches.branch, strict=True)) == set(rows_a) & set(rows_b)
    assert {(r.township, r.branch) for _, r in c.added.iterrows()} == set(rows_b) - set(rows_a)
    assert int(c.transition.to_numpy().sum()) == len(set(rows_a) & set(rows_b))
    # 2023 has no data: every branch of 2024 is new.
    y = compare.compare_periods(con, Period.parse("2023"), Period.parse("2024"), Scope(), settings)
    assert len(y.added) == len(period_rows(reps, Period.parse("2024"))) and y.branches.empty


def test_weekly_trend_and_the_latest_week(make_con) -> None:
    settings = Settings({})
    reps = hidden_district(5)
    con = make_con(rows_for_store(reps))
    weekly = metrics.trend(con, Scope(), settings, end=Period.parse("2024-W33"))
    assert list(weekly["period"]) == [w.start for w in WEEKS if w.start <= date(2024, 8, 12)]
    for _, r in weekly.iterrows():
        rows_w = period_rows(reps, Period.of_week(r.period))
        assert int(r.branches) == len(rows_w)
        assert int(r.townships) == len({k[0] for k in rows_w})
    monthly = metrics.trend(con, Scope(), settings)
    # W40 (9.30–10.6) has its Sunday in October: October holds it.
    assert list(monthly["period"]) == [date(2024, 7, 1), date(2024, 8, 1), date(2024, 9, 1), date(2024, 10, 1)]
    assert [int(b) for b in monthly["branches"]] == [len(month_rows(reps, m)) for m in monthly["period"]]
    assert available_weeks(con) == [w.start for w in WEEKS]
    assert latest_period(con, "week", today=date(2024, 8, 20)).label == "2024-W34"
    assert latest_period(con, "year", today=date(2024, 8, 20)).label == "2024"


def test_a_weekly_reports_tasks_count_in_its_week_and_in_the_month_it_falls_back_to(make_con) -> None:
    # B3 judged for weeks too (by default the flag calendar judges it for months and quarters).
    settings = Settings({"overdue_threshold": 2, "list_rule_periods": ["week", "month", "quarter"]})
    con = make_con(
        [row("2024-W34", "甲镇", "一村", 3, 5, 10), row("2024-W34", "甲镇", "二村", 2, 5, 10),
         row("2024-W34", "甲镇", "三村", 1, 5, 10)],
        [task("2024-W34", "甲镇", "三村", "2024-08-20", False, name="a"),   # overdue by Sunday 8.25
         task("2024-W34", "甲镇", "三村", "2024-08-25", False, name="b"),   # due on the Sunday: overdue
         task("2024-W34", "甲镇", "三村", "2024-08-26", False, name="c")],  # after the week
    )
    for label in ("2024-W34", "2024-08", "2024Q3"):
        black = flags.black_list(con, Period.parse(label), Scope(), settings)
        entry = black[black.branch == "三村"].iloc[0]
        assert "B3" in entry.reasons and "逾期任务2项" in entry.reason_text, label
    week = flags.red_list(con, Period.parse("2024-W34"), Scope(), settings)
    assert week[week.branch == "一村"].iloc[0].reason_text.startswith("本周")
    # With the default calendar, no B3 for a week.
    black = flags.black_list(con, Period.parse("2024-W34"), Scope(), Settings({"overdue_threshold": 2}))
    assert black.empty
