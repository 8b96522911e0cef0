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
- ``star_view``                 one star across the scope's branches (star_view_*.sql), its counts
                                from the store's per-star summary (branch_star).

A quarter takes each branch's latest month inside it (metrics.md); its tasks,
problems and acceptance are those of that month.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
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
STAR_TOWNSHIP_COLUMNS = [
    "county", "township", "branches", "achieved", "in_progress", "not_started", "unknown", "tasks", "tasks_done",
    "tasks_accepted", "tasks_overdue", "open_problems", "overdue_problems", "page",
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


def branch_metrics(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings) -> pd.DataFrame:
    """One row per branch of the period in scope (battle-map.md §5), by county, township, branch.

    ``tasks_accepted`` is NULL when the branch's month has no task rows;
    ``accept_rate`` = tasks_accepted / tasks_total, NULL as task_rate is;
    ``overdue_problems`` counts open problems with deadline ≤ the snapshot month's last day;
    ``prev_weak`` is NULL when the branch is absent from the previous period.
    """
    df = sql.run(con, "branch_metrics.sql", _params(period, scope, settings))
    return sql.as_dates(df, "period")[BRANCH_METRIC_COLUMNS]


def unit_problem_weak_counts(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings, by_unit: bool = True
) -> pd.DataFrame:
    """Weak branches and problems per unit: one 'total' row for the scope, then one row per
    county ('county') and per township ('township'), in code-point order; with ``by_unit``
    False the 'total' row only (总览 and 简报 show no more).

    weak / weak_prev: weak branches this / the previous period (weak_prev counts the
    previous period's branches in scope, present now or not); weak_cleared: weak then,
    present and not weak now. Unknown counts add nothing.
    """
    params = {**_params(period, scope, settings), "by_unit": True if by_unit else None}
    return sql.run(con, "unit_problem_weak.sql", params)[UNIT_COLUMNS]


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
    return sql.as_dates(df, "deadline", "done_date", "accepted_date")[TASK_DETAIL_COLUMNS]


def branch_problems(
    con: duckdb.DuckDBPyConnection, period: Period, county: str, township: str, branch: str
) -> pd.DataFrame:
    """The problem list of the branch's snapshot month in ``period``: open first, then closed."""
    df = sql.run(con, "branch_problems.sql", _branch_params(period, county, township, branch))
    return sql.as_dates(df, "deadline", "closed_date")[PROBLEM_COLUMNS]


def branch_weak_record(
    con: duckdb.DuckDBPyConnection, period: Period, county: str, township: str, branch: str
) -> dict[str, Any] | None:
    """The branch's weak flag, secretary and ledger 存在问题 of its snapshot month, with its
    latest rectification record up to the period's end (record_period … cleared, all None
    when it has none); None when the branch has no row in the period."""
    df = sql.run(con, "branch_weak_record.sql", _branch_params(period, county, township, branch))
    if df.empty:
        return None
    df = sql.as_dates(df, "period", "record_period", "identified", "cleared")
    row = df.iloc[0]
    return {str(k): (None if v is pd.NA or (isinstance(v, float) and pd.isna(v)) else v) for k, v in row.items()}


def star_view(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, slot: int, settings: Settings,
    limit: int | None = None, page_rows: int | None = None, page: int = 1, lists: bool = True,
) -> dict[str, pd.DataFrame]:
    """分星推进 for one star (slot 1–5).

    ``townships``: per township of the scope (county, township order), its branches by status
    for the star (achieved / in_progress / not_started / unknown = 未填报), the sums of the
    star's task and problem counts (their totals are the scope's) and ``page``, the page the
    township's branches are on;
    ``branches``: every branch in scope with its status for the star, the star's tasks done /
    accepted / overdue, open problems and the people named — or, with ``page_rows``, those of
    page ``page`` only: whole townships in order, a new page before the township that would
    take a page past ``page_rows`` branches (a township larger than that is a page of its own;
    a province has ~52,000 branches, the page shows one page; past the last page: none);
    ``tasks`` (the star's tasks) and ``problems`` (its open problems) of those branches, in
    branch order; with ``limit``, the first ``limit`` rows only (a page's lists); with ``lists``
    False both are empty (not read: the page reads them only while their list is open).

    The counts come from the store's per-star summary (``branch_star``); only the listed rows
    are read from the task and problem tables.
    """
    if slot not in SLOTS:
        raise ValueError(f"星位应为 1–5，收到 {slot}")
    if page_rows is not None and (page_rows < 1 or page < 1):
        raise ValueError(f"分页参数应为正数，收到 page_rows={page_rows}, page={page}")
    params = {**_params(period, scope, settings), "slot": slot, "limit": limit}
    # The per-township summary (it joins the per-star counts of every branch in scope: the
    # slowest query) runs on a cursor of its own in a second thread (DuckDB releases the
    # GIL) while this one finds the page's townships from the townships' sizes alone and
    # reads the page's branches and their lists.
    with con.cursor() as other, ThreadPoolExecutor(max_workers=1) as pool:
        towns_future = pool.submit(sql.run, other, "star_view_townships.sql", dict(params))
        if page_rows is not None:
            sizes = sql.fetch(con, "star_view_sizes.sql", params)
            pages = _page_numbers([n for _, _, n in sizes], page_rows)
            if pages and pages[-1] > 1:
                on_page = [(county, township) for (county, township, _), number in zip(sizes, pages, strict=True)
                           if number == page]
                params |= {"page_county": [c for c, _ in on_page], "page_township": [t for _, t in on_page]}
        listed = sql.run(con, "star_view_branches.sql", params)
        if not lists:
            tasks, problems = pd.DataFrame(columns=STAR_TASK_COLUMNS), pd.DataFrame(columns=STAR_PROBLEM_COLUMNS)
        else:
            # The two lists at once: the open problems on the second cursor once it is free.
            problems_future = pool.submit(_star_rows, other, "star_view_problems.sql", listed, "open_problems", params)
            tasks = sql.as_dates(_star_rows(con, "star_view_tasks.sql", listed, "tasks", params), "deadline",
                           "accepted_date", "done_date")
            problems = sql.as_dates(problems_future.result(), "deadline", "closed_date")
        townships = towns_future.result()
    townships["page"] = pd.array(_page_numbers(townships["branches"].astype("int64").tolist(), page_rows),
                                 dtype="Int64")
    return {"townships": townships[STAR_TOWNSHIP_COLUMNS], "branches": listed[STAR_BRANCH_COLUMNS],
            "tasks": tasks[STAR_TASK_COLUMNS], "problems": problems[STAR_PROBLEM_COLUMNS]}


def _page_numbers(sizes: list[int], page_rows: int | None) -> list[int]:
    """The page (from 1) of each township of ``sizes`` branches, in order: whole townships, a new
    page before one that would take the page past ``page_rows`` (all on page 1 without a limit)."""
    pages, page, filled = [], 1, 0
    for n in sizes:
        if page_rows is not None and filled and filled + n > page_rows:
            page, filled = page + 1, 0
        pages.append(page)
        filled += n
    return pages


def _star_rows(con: duckdb.DuckDBPyConnection, name: str, branches: pd.DataFrame, count: str,
               params: dict[str, Any]) -> pd.DataFrame:
    """The rows of query ``name`` for the listed ``branches`` that have any (``count`` > 0): with
    ``params["limit"]``, only the first branches whose counts reach the limit (in branch order,
    the order of the list), so only those branches' rows are read."""
    counts = branches[count].astype("int64")
    keep = counts > 0
    limit = params.get("limit")
    if limit is not None:
        before = counts.cumsum() - counts  # rows listed before each branch
        keep &= before < limit
    picked = branches[keep.to_numpy()]
    return sql.run(con, name, {
        **params,
        "pick_county": picked["county"].tolist(), "pick_township": picked["township"].tolist(),
        "pick_branch": picked["branch"].tolist(), "pick_kind": picked["source_kind"].tolist(),
        "pick_period": picked["source_period"].tolist(),
    })


SCOPE_TASK_COLUMNS = ["county", "township", "branch", *TASK_DETAIL_COLUMNS]
SCOPE_PROBLEM_COLUMNS = ["county", "township", "branch", *PROBLEM_COLUMNS]


def scope_tasks(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings) -> pd.DataFrame:
    """Every task of the scope's branches (each branch's snapshot month), with the
    ``branch_task_detail`` columns: the battle-map Excel's 任务 sheet."""
    df = sql.run(con, "scope_tasks.sql", _params(period, scope, settings))
    return sql.as_dates(df, "deadline", "done_date", "accepted_date")[SCOPE_TASK_COLUMNS]


def scope_problems(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings) -> pd.DataFrame:
    """Every problem (open and closed) of the scope's branches' snapshot months, with the
    ``branch_problems`` columns: the battle-map Excel's 问题清单 sheet."""
    df = sql.run(con, "scope_problems.sql", _params(period, scope, settings))
    return sql.as_dates(df, "deadline", "closed_date")[SCOPE_PROBLEM_COLUMNS]
