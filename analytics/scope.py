"""Scope: the whole store or a filter on county, township and branch_type."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd


@dataclass(frozen=True)
class Scope:
    county: str | None = None
    township: str | None = None
    branch_type: str | None = None  # "村" | "社区"

    @property
    def label(self) -> str:
        parts = [p for p in (self.county, self.township, self.branch_type) if p]
        return " / ".join(parts) if parts else "全部"

    def params(self) -> dict[str, str | None]:
        """SQL parameters ($county, $township, $branch_type; NULL = no filter)."""
        return {"county": self.county or None, "township": self.township or None,
                "branch_type": self.branch_type or None}

    def to_dict(self) -> dict[str, str | None]:
        return self.params()


def scope_options(
    con: duckdb.DuckDBPyConnection, county: str | None = None, township: str | None = None,
) -> pd.DataFrame:
    """Distinct current (county, township, branch_type) units, in code-point order
    (optionally only those of one county / township: an account's reach)."""
    return con.execute(
        """
        SELECT DISTINCT county, township, branch_type
        FROM v_branch_month
        WHERE ($county IS NULL OR county = $county) AND ($township IS NULL OR township = $township)
        ORDER BY county COLLATE "binary", township COLLATE "binary", branch_type COLLATE "binary"
        """,
        {"county": county, "township": township},
    ).df()
