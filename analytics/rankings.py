"""Branch, township and county rankings (metrics.md "Rankings")."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics import sql
from analytics.periods import Period
from analytics.scope import Scope
from analytics.settings import Settings

BRANCH_COLUMNS = [
    "county", "township", "branch", "branch_type", "stars", "target_stars", "task_rate",
    "score", "rank", "prev_rank", "rank_change",
]
TOWNSHIP_COLUMNS = [
    "county", "township", "branches", "score", "rank", "prev_rank", "rank_change",
    "five", "four", "three", "attained", "with_target", "attainment_rate", "task_rate",
]
COUNTY_COLUMNS = [c for c in TOWNSHIP_COLUMNS if c != "township"]
PEERS = ("scope", "township")


def branch_ranking(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    scope: Scope,
    settings: Settings,
    peer: str = "scope",
) -> pd.DataFrame:
    """Branches by score (competition ranking), peer group = scope or township."""
    if peer not in PEERS:
        raise ValueError(f"peer 应为 {PEERS} 之一，收到 {peer!r}")
    params = {**sql.snapshot_params(period, scope, settings), "peer": peer}
    return sql.run(con, "branch_ranking.sql", params)[BRANCH_COLUMNS]


def unit_ranking(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    scope: Scope,
    settings: Settings,
    *,
    by: str,
    previous: Period | None = None,
) -> pd.DataFrame:
    """Township (by="township") or county (by="county") ranking with the
    previous period's score and branch count (prev_score, prev_branches) too."""
    if by not in ("township", "county"):
        raise ValueError(f"by 应为 township 或 county，收到 {by!r}")
    params = {**sql.snapshot_params(period, scope, settings, previous), "by_township": by == "township"}
    return sql.run(con, "unit_ranking.sql", params)


def township_ranking(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings
) -> pd.DataFrame:
    """Townships by the mean score of their branches (ties listed by name)."""
    return unit_ranking(con, period, scope, settings, by="township")[TOWNSHIP_COLUMNS]


def county_ranking(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings
) -> pd.DataFrame:
    """Counties by the mean score of their branches (ties listed by name)."""
    return unit_ranking(con, period, scope, settings, by="county")[COUNTY_COLUMNS]
