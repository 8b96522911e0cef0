"""Red and black lists (红黑榜) with every reason (metrics.md "Red and black lists")."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from analytics import sql
from analytics.periods import Period, add_months
from analytics.scope import Scope
from analytics.settings import Settings

REASON_LABELS: dict[str, str] = {
    "R1": "红旗",
    "R2": "前十",
    "R3": "晋星",
    "R4": "达标",
    "B1": "黑旗",
    "B2": "降星",
    "B3": "逾期",
    "B4": "未报送",
    "B5": "停滞",
}
LIST_COLUMNS = ["county", "township", "branch", "reasons", "reason_text", "rank", "stars", "score"]


def _params(period: Period, scope: Scope, settings: Settings) -> dict[str, Any]:
    stag_k = max(int(settings.stagnation_months), 1)
    return {
        **sql.snapshot_params(period, scope, settings),
        "cur_word": period.word,
        "prev_word": period.previous_word,
        "top_n": int(settings.red_top_n),
        "red_min": int(settings.red_flag_min_branches),
        "black_min": int(settings.black_flag_min_branches),
        "overdue_min": int(settings.overdue_threshold),
        "stag_k": stag_k,
        "hist_start": add_months(period.start, -(stag_k - 1)),
    }


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    # DuckDB hands LIST columns over as arrays; the API promises plain lists of codes.
    df["reasons"] = df["reasons"].map(lambda codes: [str(c) for c in codes])
    df["branch"] = df["branch"].astype(object).where(df["branch"].notna(), None)
    return df[LIST_COLUMNS].reset_index(drop=True)


def red_list(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings) -> pd.DataFrame:
    """红榜: R1 红旗, R2 前十, R3 晋星, R4 达标 — one row per branch, all its reasons."""
    return _finish(sql.run(con, "red_list.sql", _params(period, scope, settings)))


def black_list(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings) -> pd.DataFrame:
    """黑榜: B1 黑旗, B2 降星, B3 逾期, B4 未报送 (township-level entries have branch None), B5 停滞."""
    return _finish(sql.run(con, "black_list.sql", _params(period, scope, settings)))
