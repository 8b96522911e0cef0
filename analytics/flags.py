"""Red and black lists (红黑榜) with every reason (metrics.md "Red and black lists")."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from analytics import sql
from analytics.periods import Period
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
    }


def _finish(table: pa.Table) -> pd.DataFrame:
    # The API promises plain lists of codes and None for a township-level entry's branch;
    # Arrow builds those Python objects far faster than a per-row map over the DataFrame.
    reasons = pd.Series(table.column("reasons").to_pylist(), dtype=object)
    branch = pd.Series(table.column("branch").to_pylist(), dtype=object)
    df = sql.to_pandas(table.drop_columns(["reasons", "branch"]))
    df.insert(2, "branch", branch)
    df.insert(3, "reasons", reasons)
    return df[LIST_COLUMNS].reset_index(drop=True)


def red_list(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings) -> pd.DataFrame:
    """红榜: R1 红旗, R2 前十, R3 晋星, R4 达标 — one row per branch, all its reasons."""
    return _finish(sql.run_arrow(con, "red_list.sql", _params(period, scope, settings)))


def black_list(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings) -> pd.DataFrame:
    """黑榜: B1 黑旗, B2 降星, B3 逾期, B4 未报送 (township-level entries have branch None), B5 停滞."""
    return _finish(sql.run_arrow(con, "black_list.sql", _params(period, scope, settings)))
