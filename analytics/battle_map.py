"""作战图: per-branch star slots, tasks and overdue work (metrics.md, layout.md)."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd
import pyarrow.compute as pc

from analytics import sql
from analytics.periods import Period
from analytics.scope import Scope
from analytics.settings import Settings
from analytics.spec import COMMUNITY, STAR_NAMES, VILLAGE

BATTLE_COLUMNS = [
    "county", "township", "branch", "branch_type", "target_stars",
    "star_1", "star_2", "star_3", "star_4", "star_5", "stars", "gap",
    "tasks_done", "tasks_total", "task_rate", "overdue", "weak", "secretary", "score", "rank",
    "period",  # the snapshot month: the period itself, or in a quarter the branch's latest month in it
    "liaison", "team",  # 包村领导 and 创建专班 from the branch register (register.md §1); NULL without one
    "assessment", "unscored",  # cadence.md §3: the assessment score in the score; 未评分
]
TASK_COLUMNS = ["star_slot", "star_name", "task", "measure", "owner", "deadline", "done", "done_date", "overdue"]
HISTORY_COLUMNS = [
    "period", "stars", "target_stars", "star_1", "star_2", "star_3", "star_4", "star_5",
    "tasks_done", "tasks_total", "task_rate", "score",
]


def _current_only_params(period: Period, scope: Scope, settings: Settings) -> dict[str, Any]:
    """``snapshot.sql`` parameters without a previous period (grain NULL): queries
    that never look at the previous period skip reading it."""
    params = sql.snapshot_params(period, scope, settings)
    params.update(prev_grain=None)
    return params


# The grid's order: county, township, branch in code-point order (Arrow compares strings as UTF-8
# bytes, as DuckDB's COLLATE "binary" does). The three names are unique per row of a period.
_GRID_ORDER = [("county", "ascending"), ("township", "ascending"), ("branch", "ascending")]


def battle_map(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings) -> pd.DataFrame:
    """One row per branch of the period (snapshot rule), ordered by county, township, branch.

    battle_map.sql returns the rows unordered; they are ordered here, in Arrow: DuckDB's ORDER BY
    carries the result's ~25 columns through its sort (~10 ms more for a province's 51,500 rows).
    """
    table = sql.run_arrow(con, "battle_map.sql", _current_only_params(period, scope, settings))
    table = table.take(pc.sort_indices(table, sort_keys=_GRID_ORDER))
    return sql.as_dates(sql.to_pandas(table), "period")[BATTLE_COLUMNS]


def branch_tasks(
    con: duckdb.DuckDBPyConnection, period: Period, county: str, township: str, branch: str
) -> pd.DataFrame:
    """Tasks of the branch's snapshot month in ``period``, with an overdue flag."""
    params = {
        "grain": period.kind, "start": period.start, "end": period.end,
        "county": county, "township": township, "branch": branch,
        "village_names": list(STAR_NAMES[VILLAGE]), "community_names": list(STAR_NAMES[COMMUNITY]),
    }
    return sql.as_dates(sql.run(con, "branch_tasks.sql", params), "deadline", "done_date")[TASK_COLUMNS]


def branch_task_counts(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings
) -> pd.DataFrame:
    """[county, township, branch, tasks]: task-sheet rows of each branch's snapshot month in ``period``
    (branches without any are absent; the 作战图 page opens on a branch that has tasks)."""
    return sql.run(con, "branch_task_counts.sql", _current_only_params(period, scope, settings))


def branch_history(
    con: duckdb.DuckDBPyConnection, county: str, township: str, branch: str, settings: Settings
) -> pd.DataFrame:
    """Every month of one branch, ascending, with task_rate and score."""
    params = {
        "county": county, "township": township, "branch": branch, **sql.score_params(settings),
    }
    return sql.as_dates(sql.run(con, "branch_history.sql", params), "period")[HISTORY_COLUMNS]
