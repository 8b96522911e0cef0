"""Comparison of two periods (季度对比, metrics.md)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from analytics import sql
from analytics.periods import Period
from analytics.rankings import unit_ranking
from analytics.scope import Scope
from analytics.settings import Settings
from analytics.spec import LEVEL_LABELS

BRANCH_COLUMNS = [
    "county", "township", "branch", "stars_a", "stars_b", "score_a", "score_b", "score_delta",
    "rank_a", "rank_b", "rank_change",
]
TOWNSHIP_COLUMNS = [
    "county", "township", "branches_a", "branches_b", "score_a", "score_b", "score_delta",
    "rank_a", "rank_b", "rank_change",
]
MOVE_COLUMNS = ["county", "township", "branch", "stars_a", "stars_b"]
LEVEL_ORDER = [LEVEL_LABELS[level] for level in (5, 4, 3, 2, 1, 0)]


@dataclass
class Comparison:
    a: Period
    b: Period
    branches: pd.DataFrame  # present in both periods
    townships: pd.DataFrame  # present in both periods
    transition: pd.DataFrame  # 6×6 counts, rows = level in A, columns = level in B (五星..无星)
    promotions: pd.DataFrame  # level went up (above the diagonal)
    demotions: pd.DataFrame  # level went down (below the diagonal)
    added: pd.DataFrame  # 新增: only in B
    missing: pd.DataFrame  # 缺报: only in A


def compare_periods(
    con: duckdb.DuckDBPyConnection, a: Period, b: Period, scope: Scope, settings: Settings
) -> Comparison:
    """Compare period A (earlier) with period B: branches, townships, level transitions."""
    params = sql.snapshot_params(b, scope, settings, previous=a)
    df = sql.run(con, "compare_branches.sql", params)
    both = df[df["in_a"] & df["in_b"]].reset_index(drop=True)

    # Transition matrix over branches present in both (rows = A, columns = B),
    # counted on the star numbers: row/column i holds level 5 - i (五星..无星).
    stars_a = both["stars_a"].to_numpy(dtype="int64")
    stars_b = both["stars_b"].to_numpy(dtype="int64")
    if len(both) and (min(stars_a.min(), stars_b.min()) < 0 or max(stars_a.max(), stars_b.max()) > 5):
        raise ValueError("星级应在 0–5 之间")
    counts = np.bincount((5 - stars_a) * 6 + (5 - stars_b), minlength=36).astype("int64").reshape(6, 6)
    transition = pd.DataFrame(counts, index=pd.Index(LEVEL_ORDER, name="A"),
                              columns=pd.Index(LEVEL_ORDER, name="B"))

    promotions = both[both["stars_b"] > both["stars_a"]][MOVE_COLUMNS].reset_index(drop=True)
    demotions = both[both["stars_b"] < both["stars_a"]][MOVE_COLUMNS].reset_index(drop=True)
    added = df[~df["in_a"]][["county", "township", "branch", "stars_b"]].reset_index(drop=True)
    # 缺报 listed by their rank in A.
    missing = df[~df["in_b"]].sort_values("rank_a", kind="stable")[["county", "township", "branch", "stars_a"]]

    towns = unit_ranking(con, b, scope, settings, by="township", previous=a)
    towns = towns[towns["prev_rank"].notna()].reset_index(drop=True)
    towns = towns.rename(columns={
        "branches": "branches_b", "prev_branches": "branches_a", "score": "score_b", "prev_score": "score_a",
        "rank": "rank_b", "prev_rank": "rank_a",
    })
    towns["score_delta"] = towns["score_b"] - towns["score_a"]

    return Comparison(
        a=a, b=b,
        branches=both[BRANCH_COLUMNS],
        townships=towns[TOWNSHIP_COLUMNS],
        transition=transition,
        promotions=promotions,
        demotions=demotions,
        added=added,
        missing=missing.reset_index(drop=True),
    )
