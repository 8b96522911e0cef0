"""Year-end acceptance (年度验收 / 授星): the level a county awarded next to the level a branch
reported (shared/spec/cadence.md §5).

    award_vs_reported(con, year, scope) -> one row per branch with an award in the year
    below_reported(con, year, scope)    -> the branches whose awarded level is below their report
    award_years(con)                    -> the years holding acceptance results
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics import sql
from analytics.scope import Scope

AWARD_COLUMNS = [
    "county", "township", "branch", "branch_type", "reported_stars", "reported_period", "awarded_stars",
    "accepted_at", "below", "difference",
]


def award_vs_reported(con: duckdb.DuckDBPyConnection, year: int, scope: Scope) -> pd.DataFrame:
    """Per branch of the scope with an accepted level for ``year``: reported_stars (its latest
    month in the year; NULL when it reported none), awarded_stars, accepted_at, below (awarded <
    reported) and difference (awarded − reported). Shortfalls first, the largest first."""
    df = sql.run(con, "award_vs_reported.sql", {"year": int(year), **scope.params()})
    return df[AWARD_COLUMNS]


def below_reported(con: duckdb.DuckDBPyConnection, year: int, scope: Scope) -> pd.DataFrame:
    """The branches whose awarded level is below what they reported (cadence.md §5)."""
    df = award_vs_reported(con, year, scope)
    return df[df["below"].fillna(False).astype(bool)].reset_index(drop=True)


def award_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Years with acceptance results in force, ascending."""
    return [int(r[0]) for r in con.execute("SELECT DISTINCT year FROM v_award ORDER BY year").fetchall()]


__all__ = ["AWARD_COLUMNS", "award_vs_reported", "award_years", "below_reported"]
