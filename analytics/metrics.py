"""Headline numbers, distributions, target progress and trend (metrics.md).

Declared goals per unit: ``analytics.goals`` (register.md §2).
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from analytics import sql
from analytics.periods import Period
from analytics.scope import Scope
from analytics.settings import Settings
from analytics.spec import COMMUNITY, LEVEL_LABELS, STAR_NAMES, VILLAGE

KPI_KEYS = (
    "branches", "at_least_three", "at_least_three_share", "five", "four", "three",
    "avg_score", "task_rate", "attained", "weak",
)
LEVEL_COLUMNS = ["unit", "county", "level", "level_label", "count", "share"]
STATUS_COLUMNS = ["slot", "star_name", "status", "status_label", "count", "share"]
TARGET_COLUMNS = ["level", "level_label", "target", "reached", "rate"]
TREND_COLUMNS = ["period", "branches", "three", "four", "five", "at_least_three", "avg_score",
                 "townships", "townships_total"]
BY_OPTIONS = (None, "county", "township", "branch_type")


def _plain(value: Any) -> Any:
    """A numpy/pandas scalar as a plain Python value (NaN/NA -> None)."""
    if value is None or (not isinstance(value, (list, tuple, str)) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _snapshot_params(period: Period, scope: Scope, settings: Settings | None) -> dict[str, Any]:
    return sql.snapshot_params(period, scope, settings if settings is not None else Settings())


def kpis(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings) -> dict[str, Any]:
    """Headline numbers with the previous period and the change.

    Each key of ``KPI_KEYS`` maps to {"value", "previous", "delta"}; previous and
    delta are None when the previous period has no branch in scope.
    """
    frame = sql.run(con, "kpis.sql", _snapshot_params(period, scope, settings))
    rows: dict[str, dict[Any, Any]] = {str(r["which"]): r for r in frame.to_dict("records")}
    cur, prev = rows["cur"], rows["prev"]
    has_prev = int(prev["branches"]) > 0
    out: dict[str, Any] = {}
    for key in KPI_KEYS:
        value = _plain(cur[key])
        previous = _plain(prev[key]) if has_prev else None
        delta = value - previous if value is not None and previous is not None else None
        out[key] = {"value": value, "previous": previous, "delta": delta}
    out["targets"] = {5: int(cur["target_5"]), 4: int(cur["target_4"]), 3: int(cur["target_3"])}
    as_of = _plain(cur["data_as_of"])
    out["data_as_of"] = pd.Timestamp(as_of).date() if as_of is not None else None
    return out


def level_distribution(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    scope: Scope,
    by: str | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Count and share of branches per level (5..0, zeros included) per unit."""
    if by not in BY_OPTIONS:
        raise ValueError(f"by 应为 {BY_OPTIONS} 之一，收到 {by!r}")
    params = {**_snapshot_params(period, scope, settings), "by": by}
    return sql.run(con, "level_distribution.sql", params)[LEVEL_COLUMNS]


def total_distribution(by_unit: pd.DataFrame) -> pd.DataFrame:
    """The whole scope's distribution (``by=None``) folded from a per-unit one (``by`` = county,
    township or branch_type): each branch counts in exactly one unit, so the counts add up.
    Saves a second query where a page shows both."""
    levels = sorted({int(x) for x in LEVEL_LABELS}, reverse=True)
    counts = by_unit.groupby("level")["count"].sum() if len(by_unit) else pd.Series(dtype="int64")
    total = int(counts.sum()) if len(counts) else 0
    n = [int(counts.get(level, 0)) for level in levels]
    return pd.DataFrame({
        "unit": pd.Series(["全部"] * len(levels), dtype=by_unit["unit"].dtype),
        "county": pd.Series([None] * len(levels), dtype=by_unit["county"].dtype),
        "level": pd.Series(levels, dtype=by_unit["level"].dtype),
        "level_label": pd.Series([LEVEL_LABELS[level] for level in levels], dtype=by_unit["level_label"].dtype),
        "count": pd.Series(n, dtype=by_unit["count"].dtype),
        # share = count / branches of the scope (NULL when the scope is empty), as level_distribution.
        "share": pd.Series([c / total if total else None for c in n], dtype=by_unit["share"].dtype),
    })[LEVEL_COLUMNS]


def _star_names(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope) -> list[str]:
    """Slot names: the scope's own type's names, "A/B" where a mixed scope's names differ."""
    types = {r[0] for r in con.execute(
        """
        SELECT DISTINCT branch_type FROM branch_snapshot
        WHERE grain = $grain AND period_start = $start
          AND ($county::VARCHAR IS NULL OR county = $county::VARCHAR)
          AND ($township::VARCHAR IS NULL OR township = $township::VARCHAR)
          AND ($branch_type::VARCHAR IS NULL OR branch_type = $branch_type::VARCHAR)
        """,
        {"grain": period.kind, "start": period.start, **scope.params()},
    ).fetchall()}
    if types == {COMMUNITY}:
        return list(STAR_NAMES[COMMUNITY])
    if COMMUNITY in types and VILLAGE in types:
        return [v if v == c else f"{v}/{c}" for v, c in zip(STAR_NAMES[VILLAGE], STAR_NAMES[COMMUNITY], strict=True)]
    return list(STAR_NAMES[VILLAGE])


def star_status_distribution(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings | None = None
) -> pd.DataFrame:
    """Per slot (1..5) × status (achieved, in_progress, not_started, unknown): count and share."""
    df = sql.run(con, "star_status.sql", _snapshot_params(period, scope, settings))
    names = _star_names(con, period, scope)
    df["star_name"] = df["slot"].map(lambda slot: names[int(slot) - 1])
    return df[STATUS_COLUMNS]


def target_progress(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings | None = None
) -> pd.DataFrame:
    """For levels 5, 4, 3: branches targeting that level and how many reached it.

    (Declared goals per unit — the goals sheet, which replaces the retired setting
    ``district_goals`` — are ``analytics.goals.goal_progress``.)"""
    df = sql.run(con, "target_progress.sql", _snapshot_params(period, scope, settings))
    return df[TARGET_COLUMNS].reset_index(drop=True)


def trend(
    con: duckdb.DuckDBPyConnection, scope: Scope, settings: Settings, end: Period | None = None,
    grain: str | None = None,
) -> pd.DataFrame:
    """Per month (``grain`` 'month') or per week ('week': weekly reports only, ``period`` = the
    Monday) up to ``end`` (all when None): counts at 三/四/五星, ≥三星, mean score; ``townships``
    that reported the period and ``townships_total``, the scope's townships (those reporting any
    period shown): a period with fewer is incomplete, its counts drop for that reason.
    ``grain`` defaults to 'week' when ``end`` is a week, else 'month' (a month's row per branch:
    its monthly report, else its latest weekly one in the month, cadence.md §1)."""
    if grain is None:
        grain = "week" if end is not None and end.kind == "week" else "month"
    if grain not in ("month", "week"):
        raise ValueError(f"grain 应为 month 或 week，收到 {grain!r}")
    params = {
        "grain": grain,
        "end": end.end if end is not None else None,
        **scope.params(),
        **sql.score_params(settings),
    }
    df = sql.run(con, "trend.sql", params)
    df["period"] = pd.to_datetime(df["period"]).dt.date
    return df[TREND_COLUMNS]


def score_formula(settings: Settings, *, divide: str = "/") -> str:
    """The score as the settings define it (cadence.md §3), e.g. "综合得分 = 60 × 星级 / 5 + 40 × 任务完成率";
    a weight of 0 leaves its part out (the star and task parts are always named while the
    assessment weight is 0, as before scores existed)."""
    w_stars, w_tasks = float(settings.score_weight_stars), float(settings.score_weight_tasks)
    w_assessment, full = float(settings.score_weight_assessment), float(settings.assessment_max)
    parts = []
    if w_stars or not w_assessment:
        parts.append(f"{w_stars:g} × 星级 {divide} 5")
    if w_tasks or not w_assessment:
        parts.append(f"{w_tasks:g} × 任务完成率")
    if w_assessment:
        parts.append(f"{w_assessment:g} × 考核评分 {divide} {full:g}")
    return "综合得分 = " + " + ".join(parts)


def level_label(stars: int) -> str:
    return LEVEL_LABELS[int(stars)]
