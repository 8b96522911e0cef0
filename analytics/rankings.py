"""Branch, township and county rankings (metrics.md "Rankings")."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics import sql
from analytics.periods import Period
from analytics.scope import Scope
from analytics.settings import Settings

BRANCH_COLUMNS = [
    "county", "township", "branch", "branch_type", "stars", "target_stars", "task_rate",
    "score", "rank", "prev_rank", "rank_change",
    "period",  # the snapshot month: the period itself, or in a quarter the branch's latest month in it
    "assessment",  # cadence.md §3: the assessment score in the score (NULL: none, or its weight is 0)
    "unscored",  # 未评分: no assessment score while score_weight_assessment > 0 (counted as 0)
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
    query = "branch_ranking_township.sql" if peer == "township" else "branch_ranking.sql"
    return sql.run(con, query, sql.snapshot_params(period, scope, settings))[BRANCH_COLUMNS]


@dataclass
class RankingEnds:
    """The first and the last rows of ``branch_ranking`` (peer group: the scope), for a briefing."""

    top: pd.DataFrame  # BRANCH_COLUMNS, the first rows in ranking order
    bottom: pd.DataFrame  # BRANCH_COLUMNS, the last rows in ranking order (may overlap ``top``)


def branch_ranking_ends(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    scope: Scope,
    settings: Settings,
    *,
    top: int,
    bottom: int,
) -> RankingEnds:
    """The first ``top`` and the last ``bottom`` rows of ``branch_ranking`` without ordering the rest."""
    if int(top) < 0 or int(bottom) < 0:
        raise ValueError(f"top/bottom 应为非负整数，收到 {top!r}/{bottom!r}")
    params = {**sql.snapshot_params(period, scope, settings), "top": int(top), "bottom": int(bottom)}
    df = sql.run(con, "branch_ranking_ends.sql", params)
    is_top = (df["part"] == "top").to_numpy(dtype=bool)
    return RankingEnds(
        top=df.loc[is_top, BRANCH_COLUMNS].reset_index(drop=True),
        bottom=df.loc[~is_top, BRANCH_COLUMNS].reset_index(drop=True),
    )


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
