"""Acceptance, problems and weak branches (battle-map.md §4–§5), as pure functions.

Every function reads the store (current data only) for one period and scope
and returns plain rows; the pages of 作战图, 分星推进, 总览 and 简报 and the
report call them. Business rules live in the SQL files named below:

- ``branch_metrics``            per branch: tasks_accepted, accept_rate, open_problems,
                                overdue_problems, weak (problem_metrics.sql);
- ``unit_problem_weak_counts``  per county / township and for the scope: weak branches
                                (now, previous period, cleared), open / overdue problems,
                                tasks done vs accepted (unit_problem_weak.sql);
- ``branch_task_detail``        one branch's tasks with team / acceptance (branch_tasks.sql);
- ``branch_problems``           one branch's problem list (branch_problems.sql);
- ``branch_weak_record``        one branch's rectification record (branch_weak_record.sql);
- ``star_view``                 one star across the scope's branches (star_view_*.sql).

A quarter takes each branch's latest month inside it (metrics.md); its tasks,
problems and acceptance are those of that month.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from analytics import sql
from analytics.periods import Period
from analytics.scope import Scope
from analytics.settings import Settings
from analytics.spec import COMMUNITY, SLOTS, STAR_NAMES, VILLAGE

BRANCH_METRIC_COLUMNS = [
    "county", "township", "branch", "branch_type", "period", "weak", "prev_weak", "weak_cleared",
    "open_problems", "overdue_problems", "tasks_done", "tasks_total", "overdue_tasks",
    "tasks_accepted", "accept_rate",
]
UNIT_COLUMNS = [
    "level", "county", "township", "branches", "weak", "weak_prev", "weak_cleared",
    "open_problems", "overdue_problems", "tasks_done", "tasks_accepted", "tasks_total",
]
PROBLEM_COLUMNS = [
    "star_slot", "star_name", "problem", "measure", "owner", "deadline", "closed", "closed_date", "overdue",
]
STAR_BRANCH_COLUMNS = [
    "county", "township", "branch", "branch_type", "star_name", "status", "secretary", "tasks", "tasks_done",
    "tasks_accepted", "tasks_overdue", "open_problems", "overdue_problems", "people",
]
STAR_TASK_COLUMNS = [
    "county", "township", "branch", "task", "measure", "team", "star_owner", "department", "owner",
    "deadline", "done", "accepted", "accepted_date", "done_date", "overdue",
]
STAR_PROBLEM_COLUMNS = [
    "county", "township", "branch", "problem", "measure", "owner", "deadline", "closed", "closed_date", "overdue",
]
_NAMES = {"village_names": list(STAR_NAMES[VILLAGE]), "community_names": list(STAR_NAMES[COMMUNITY])}


def _params(period: Period, scope: Scope, settings: Settings) -> dict[str, Any]:
    return {**sql.snapshot_params(period, scope, settings), **_NAMES}


def _dates(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The ``columns`` as ``datetime.date`` objects (None when missing). DuckDB DATE columns
    already arrive that way (``sql.to_pandas``): only other dtypes are converted."""
    for column in columns:
        if df[column].dtype != object:
            df[column] = pd.to_datetime(df[column]).dt.date.astype(object).where(df[column].notna(), None)
    return df


def branch_metrics(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings) -> pd.DataFrame:
    """One row per branch of the period in scope (battle-map.md §5), by county, township, branch.

    ``tasks_accepted`` is NULL when the branch's month has no task rows;
    ``accept_rate`` = tasks_accepted / tasks_total, NULL as task_rate is;
    ``overdue_problems`` counts open problems with deadline ≤ the snapshot month's last day;
    ``prev_weak`` is NULL when the branch is absent from the previous period.
    """
    df = sql.run(con, "branch_metrics.sql", _params(period, scope, settings))
    return _dates(df, "period")[BRANCH_METRIC_COLUMNS]


def unit_problem_weak_counts(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings
) -> pd.DataFrame:
    """Weak branches and problems per unit: one 'total' row for the scope, then one row per
    county ('county') and per township ('township'), in code-point order.

    weak / weak_prev: weak branches this / the previous period (weak_prev counts the
    previous period's branches in scope, present now or not); weak_cleared: weak then,
    present and not weak now. Unknown counts add nothing.
    """
    return sql.run(con, "unit_problem_weak.sql", _params(period, scope, settings))[UNIT_COLUMNS]


def _branch_params(period: Period, county: str, township: str, branch: str) -> dict[str, Any]:
    return {"grain": period.kind, "start": period.start, "end": period.end, "county": county, "township": township,
            "branch": branch, **_NAMES}


TASK_DETAIL_COLUMNS = [
    "star_slot", "star_name", "task", "measure", "team", "star_owner", "department", "owner", "deadline", "done",
    "done_date", "accepted", "accepted_date", "overdue",
]


def branch_task_detail(
    con: duckdb.DuckDBPyConnection, period: Period, county: str, township: str, branch: str
) -> pd.DataFrame:
    """``battle_map.branch_tasks`` with the battle-map.md §1 columns (team, star owner,
    department, accepted, accepted_date); tasks without a star (未分星) last."""
    df = sql.run(con, "branch_tasks.sql", _branch_params(period, county, township, branch))
    return _dates(df, "deadline", "done_date", "accepted_date")[TASK_DETAIL_COLUMNS]


def branch_problems(
    con: duckdb.DuckDBPyConnection, period: Period, county: str, township: str, branch: str
) -> pd.DataFrame:
    """The problem list of the branch's snapshot month in ``period``: open first, then closed."""
    df = sql.run(con, "branch_problems.sql", _branch_params(period, county, township, branch))
    return _dates(df, "deadline", "closed_date")[PROBLEM_COLUMNS]


def branch_weak_record(
    con: duckdb.DuckDBPyConnection, period: Period, county: str, township: str, branch: str
) -> dict[str, Any] | None:
    """The branch's weak flag, secretary and ledger 存在问题 of its snapshot month, with its
    latest rectification record up to the period's end (record_period … cleared, all None
    when it has none); None when the branch has no row in the period."""
    df = sql.run(con, "branch_weak_record.sql", _branch_params(period, county, township, branch))
    if df.empty:
        return None
    df = _dates(df, "period", "record_period", "identified", "cleared")
    row = df.iloc[0]
    return {str(k): (None if v is pd.NA or (isinstance(v, float) and pd.isna(v)) else v) for k, v in row.items()}


def star_view(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, slot: int, settings: Settings,
    limit: int | None = None,
) -> dict[str, pd.DataFrame]:
    """分星推进 for one star (slot 1–5): ``branches`` (every branch in scope with its status
    for the star, the star's tasks done / accepted / overdue, open problems, people named),
    ``tasks`` (the star's tasks) and ``problems`` (its open problems). With ``limit``, the
    first ``limit`` tasks and problems only (a page's lists; the totals are the branches'
    sums)."""
    if slot not in SLOTS:
        raise ValueError(f"星位应为 1–5，收到 {slot}")
    params = {**_params(period, scope, settings), "slot": slot, "limit": limit}
    branches = sql.run(con, "star_view_branches.sql", params)[STAR_BRANCH_COLUMNS]
    tasks = _dates(sql.run(con, "star_view_tasks.sql", params), "deadline", "accepted_date", "done_date")
    problems = _dates(sql.run(con, "star_view_problems.sql", params), "deadline", "closed_date")
    return {"branches": branches, "tasks": tasks[STAR_TASK_COLUMNS], "problems": problems[STAR_PROBLEM_COLUMNS]}


SCOPE_TASK_COLUMNS = ["county", "township", "branch", *TASK_DETAIL_COLUMNS]
SCOPE_PROBLEM_COLUMNS = ["county", "township", "branch", *PROBLEM_COLUMNS]


def scope_tasks(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings) -> pd.DataFrame:
    """Every task of the scope's branches (each branch's snapshot month), with the
    ``branch_task_detail`` columns: the battle-map Excel's 任务 sheet."""
    df = sql.run(con, "scope_tasks.sql", _params(period, scope, settings))
    return _dates(df, "deadline", "done_date", "accepted_date")[SCOPE_TASK_COLUMNS]


def scope_problems(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings) -> pd.DataFrame:
    """Every problem (open and closed) of the scope's branches' snapshot months, with the
    ``branch_problems`` columns: the battle-map Excel's 问题清单 sheet."""
    df = sql.run(con, "scope_problems.sql", _params(period, scope, settings))
    return _dates(df, "deadline", "closed_date")[SCOPE_PROBLEM_COLUMNS]
