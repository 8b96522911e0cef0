"""Comparison of two periods (季度对比, metrics.md)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics import sql
from analytics.periods import Period
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
    branch_pairs = sql.run_arrow(con, "compare_branches.sql", sql.snapshot_params(b, scope, settings, previous=a))
    # The townships are aggregated from the branch rows by DuckDB on a cursor of its
    # own (the Arrow table registered there, never on ``con``), in a second thread
    # while this one orders and splits the branch rows (DuckDB releases the GIL).
    with con.cursor() as other, ThreadPoolExecutor(max_workers=1) as pool:
        other.register("branch_pairs", branch_pairs)
        towns_future = pool.submit(sql.run, other, "compare_townships.sql", {})
        parts = _split(branch_pairs)
        towns = towns_future.result()
    return Comparison(a=a, b=b, townships=towns[TOWNSHIP_COLUMNS], **parts)


# The order of the comparison's rows: rank in B (absent from B last), stars in B
# descending, task_rate in B descending (unknown last), rank in A (absent from A
# last), then the name in code-point order (name_order: the branch's place in the
# store's name order of B, or of A for a branch absent from B). Total: name_order
# is unique within a period.
_AFTER_EVERY_RANK = 2**31 - 1  # ranks and name positions are INTEGER-sized (< 2^31)


def _order(table: pa.Table) -> np.ndarray:
    """Positions of compare_branches.sql's rows in the comparison's order (above).

    Three exact keys, least significant first: rank_a × 2^32 + name_order; then
    −task_rate_b (NaN for unknown: numpy sorts NaN last); then rank_b × 8 + (5 −
    stars_b) (stars 0–5 in the low bits). The whole key is unique (name_order is
    unique within a period), so the first sort need not be stable; the next two
    are, as in a radix sort.
    """
    rank_b = pc.fill_null(table.column("rank_b"), _AFTER_EVERY_RANK).to_numpy().astype("int64")
    stars_b = pc.fill_null(table.column("stars_b"), 0).to_numpy().astype("int64")
    rank_a = pc.fill_null(table.column("rank_a"), _AFTER_EVERY_RANK).to_numpy().astype("int64")
    name_order = table.column("name_order").to_numpy().astype("int64")
    task_rate_b = table.column("task_rate_b").to_numpy().astype("float64")
    positions = np.argsort(rank_a * 2**32 + name_order)
    positions = positions[np.argsort(-task_rate_b[positions], kind="stable")]
    return positions[np.argsort((rank_b * 8 + (5 - stars_b))[positions], kind="stable")]


def _split(table: pa.Table) -> dict[str, pd.DataFrame]:
    """The branch parts of a comparison from compare_branches.sql's rows (any order)."""
    table = table.take(_order(table)).drop_columns(["task_rate_b", "name_order"])
    # Split in Arrow, then convert each part once (pandas masks on nullable columns are slower).
    in_a, in_b = table.column("in_a"), table.column("in_b")
    only_b, only_a = pc.invert(in_a), pc.invert(in_b)
    # (Usually every branch is in both periods: no copy then.)
    both_t = table if not (pc.any(only_b).as_py() or pc.any(only_a).as_py()) else table.filter(pc.and_(in_a, in_b))
    added = sql.to_pandas(table.filter(only_b).select(["county", "township", "branch", "stars_b"]))
    # 缺报 listed by their rank in A (a stable sort: ties keep the comparison's order).
    missing = sql.to_pandas(
        table.filter(only_a).sort_by([("rank_a", "ascending")]).select(["county", "township", "branch", "stars_a"]))

    # Transition matrix over branches present in both (rows = A, columns = B),
    # counted on the star numbers: row/column i holds level 5 - i (五星..无星).
    stars_a = both_t.column("stars_a").to_numpy().astype("int64")
    stars_b = both_t.column("stars_b").to_numpy().astype("int64")
    if len(stars_a) and (min(stars_a.min(), stars_b.min()) < 0 or max(stars_a.max(), stars_b.max()) > 5):
        raise ValueError("星级应在 0–5 之间")
    counts = np.bincount((5 - stars_a) * 6 + (5 - stars_b), minlength=36).astype("int64").reshape(6, 6)
    transition = pd.DataFrame(counts, index=pd.Index(LEVEL_ORDER, name="A"),
                              columns=pd.Index(LEVEL_ORDER, name="B"))

    moves = both_t.select(MOVE_COLUMNS)
    promotions = sql.to_pandas(moves.filter(stars_b > stars_a))
    demotions = sql.to_pandas(moves.filter(stars_b < stars_a))
    both = sql.to_pandas(both_t.select(BRANCH_COLUMNS))

    return {"branches": both, "transition": transition, "promotions": promotions, "demotions": demotions,
            "added": added, "missing": missing}
