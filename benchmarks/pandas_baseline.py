"""The analytics computations written plainly in pandas — the baseline of the analytics benchmark.

What an analyst would write against the two views exported to Parquet: load
both tables into DataFrames once, then filter / groupby / merge per question.
The definitions follow shared/spec/metrics.md (score, competition ranking,
snapshot rule for quarters, R1–R4 and B1–B5); outputs use the column names of
docs/analytics-api.md so ``benchmarks.bench_analytics.fingerprint`` can check
that both sides computed the same numbers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analytics.spec import LEVEL_LABELS, STAR_NAMES

KEYS = ["county", "township", "branch"]
LEVELS = [5, 4, 3, 2, 1, 0]
SLOTS = [f"star_{i}" for i in range(1, 6)]


@dataclass(frozen=True)
class PPeriod:
    """A month or quarter as pandas Timestamps (start of first month, start of last month, last day)."""

    kind: str
    first: pd.Timestamp
    last_month: pd.Timestamp
    end: pd.Timestamp

    @classmethod
    def of(cls, period: Any) -> PPeriod:  # analytics.periods.Period
        return cls(period.kind, pd.Timestamp(period.start), pd.Timestamp(period.months[-1]), pd.Timestamp(period.end))

    def previous(self) -> PPeriod:
        n = 1 if self.kind == "month" else 3
        first = self.first - pd.DateOffset(months=n)
        last_month = self.first - pd.DateOffset(months=1)
        return PPeriod(self.kind, first, last_month, self.first - pd.Timedelta(days=1))


class PandasAnalytics:
    def __init__(self, bm: pd.DataFrame, task: pd.DataFrame, w_stars: float = 60.0, w_tasks: float = 40.0,
                 red_top_n: int = 10, red_min: int = 2, black_min: int = 3, overdue_n: int = 3,
                 stagnation: int = 3, black_flag_periods: tuple[str, ...] = ("quarter",)) -> None:
        self.bm = bm
        # cadence.md §4: B1 黑旗 only for the period kinds configured (default: quarters).
        self.black_flag_periods = black_flag_periods
        self.task = task
        self.w_stars, self.w_tasks = w_stars, w_tasks
        self.red_top_n, self.red_min, self.black_min = red_top_n, red_min, black_min
        self.overdue_n, self.stagnation = overdue_n, stagnation

    @classmethod
    def load(cls, branch_parquet: Path, task_parquet: Path) -> tuple[PandasAnalytics, dict[str, float]]:
        t0 = time.perf_counter()
        bm = pd.read_parquet(branch_parquet)
        t1 = time.perf_counter()
        task = pd.read_parquet(task_parquet)
        t2 = time.perf_counter()
        bm["period"] = pd.to_datetime(bm["period"])
        task["period"] = pd.to_datetime(task["period"])
        task["deadline"] = pd.to_datetime(task["deadline"])
        t3 = time.perf_counter()
        return cls(bm, task), {"read_branch_s": t1 - t0, "read_task_s": t2 - t1, "convert_s": t3 - t2}

    # --- helpers -------------------------------------------------------------

    @staticmethod
    def _scope(df: pd.DataFrame, scope: Any) -> pd.DataFrame:
        if scope.county:
            df = df[df["county"] == scope.county]
        if scope.township:
            df = df[df["township"] == scope.township]
        if scope.branch_type:
            df = df[df["branch_type"] == scope.branch_type]
        return df

    def _scored(self, df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        total = df["tasks_total"].where(df["tasks_total"] > 0)
        df["task_rate"] = df["tasks_done"] / total
        df["score"] = self.w_stars * df["stars"] / 5 + self.w_tasks * df["task_rate"].fillna(0)
        df["attained"] = df["target_stars"].notna() & (df["stars"] >= df["target_stars"])
        return df

    def snapshot(self, p: PPeriod, scope: Any) -> pd.DataFrame:
        """Month rows, or per branch its latest month inside the quarter."""
        df = self._scope(self.bm, scope)
        df = df[(df["period"] >= p.first) & (df["period"] <= p.last_month)]
        if p.kind != "month":
            df = df.sort_values("period").drop_duplicates(KEYS, keep="last")
        return self._scored(df)

    @staticmethod
    def _rank_sorted(df: pd.DataFrame, group: list[str] | None = None) -> pd.DataFrame:
        df = df.sort_values(["score", "stars", "task_rate", "branch"], ascending=[False, False, False, True],
                            na_position="last")
        if group:
            df["rank"] = df.groupby(group)["score"].rank(method="min", ascending=False).astype("int64")
        else:
            df["rank"] = df["score"].rank(method="min", ascending=False).astype("int64")
        return df

    def _overdue(self, snap: pd.DataFrame) -> pd.DataFrame:
        months = snap[[*KEYS, "period"]]
        t = self.task.merge(months, on=[*KEYS, "period"])
        month_end = t["period"] + pd.offsets.MonthEnd(0)
        t = t[(t["deadline"] <= month_end) & ~t["done"]]
        return t.groupby(KEYS).size().rename("overdue").reset_index()

    # --- metrics -------------------------------------------------------------

    def kpis(self, period: Any, scope: Any) -> dict[str, Any]:
        p = PPeriod.of(period)

        def values(df: pd.DataFrame) -> dict[str, Any]:
            n = len(df)
            done, total = df["tasks_done"].sum(), df["tasks_total"].sum()
            return {
                "branches": n,
                "at_least_three": int((df["stars"] >= 3).sum()),
                "at_least_three_share": float((df["stars"] >= 3).mean()) if n else None,
                "five": int((df["stars"] == 5).sum()),
                "four": int((df["stars"] == 4).sum()),
                "three": int((df["stars"] == 3).sum()),
                "avg_score": float(df["score"].mean()) if n else None,
                "task_rate": float(done / total) if total else None,
                "attained": int(df["attained"].sum()),
                "weak": int(df["weak"].sum()),
            }

        cur, prev = values(self.snapshot(p, scope)), values(self.snapshot(p.previous(), scope))
        out: dict[str, Any] = {}
        for k, v in cur.items():
            pv = prev[k] if prev["branches"] else None
            out[k] = {"value": v, "previous": pv, "delta": None if v is None or pv is None else v - pv}
        snap = self.snapshot(p, scope)
        out["targets"] = {lv: int((snap["target_stars"] == lv).sum()) for lv in (5, 4, 3)}
        out["data_as_of"] = snap["period"].max() if len(snap) else None
        return out

    def level_distribution(self, period: Any, scope: Any, by: str | None = None) -> pd.DataFrame:
        df = self.snapshot(PPeriod.of(period), scope)
        # A township is identified by (county, township): names repeat across counties.
        keys = ["county", "township"] if by == "township" else [by] if by else []
        units = [df[k] for k in keys] if keys else [pd.Series("全部", index=df.index, name="unit")]
        counts = df.groupby([*units, df["stars"].rename("level")]).size().unstack(fill_value=0)
        counts = counts.reindex(columns=LEVELS, fill_value=0)
        long = pd.Series(counts.stack(), name="count").reset_index()
        long["unit"] = long[by] if by else long["unit"]
        long["level_label"] = long["level"].map(LEVEL_LABELS)
        long["share"] = long["count"] / long.groupby(keys or ["unit"])["count"].transform("sum")
        return long[["unit", "level", "level_label", "count", "share"]]

    def star_status_distribution(self, period: Any, scope: Any) -> pd.DataFrame:
        df = self.snapshot(PPeriod.of(period), scope)
        long = df[SLOTS].melt(var_name="slot", value_name="status")
        long["status"] = long["status"].fillna("unknown")
        counts = long.groupby(["slot", "status"]).size().rename("count").reset_index()
        counts["slot"] = counts["slot"].str[-1].astype(int)
        grid = pd.MultiIndex.from_product([range(1, 6), ["achieved", "in_progress", "not_started", "unknown"]],
                                          names=["slot", "status"]).to_frame(index=False)
        out = grid.merge(counts, how="left").fillna({"count": 0})
        out["share"] = out["count"] / max(len(df), 1)
        out["star_name"] = out["slot"].map(lambda s: STAR_NAMES["村"][s - 1])
        return out

    def target_progress(self, period: Any, scope: Any) -> pd.DataFrame:
        df = self.snapshot(PPeriod.of(period), scope)
        rows = []
        for lv in (5, 4, 3):
            tgt = df["target_stars"] == lv
            target, reached = int(tgt.sum()), int((tgt & (df["stars"] >= lv)).sum())
            rows.append((lv, LEVEL_LABELS[lv], target, reached, reached / target if target else None))
        return pd.DataFrame(rows, columns=["level", "level_label", "target", "reached", "rate"])

    def trend(self, scope: Any, end: Any) -> pd.DataFrame:
        df = self._scope(self.bm, scope)
        df = self._scored(df[df["period"] <= pd.Timestamp(end.end)])
        g = df.assign(three=df["stars"] == 3, four=df["stars"] == 4, five=df["stars"] == 5,
                      at_least_three=df["stars"] >= 3).groupby("period")
        out = g.agg(branches=("stars", "size"), three=("three", "sum"), four=("four", "sum"),
                    five=("five", "sum"), at_least_three=("at_least_three", "sum"), avg_score=("score", "mean"))
        return out.reset_index()

    # --- rankings -------------------------------------------------------------

    def branch_ranking(self, period: Any, scope: Any, peer: str = "scope") -> pd.DataFrame:
        p = PPeriod.of(period)
        group = ["county", "township"] if peer == "township" else None
        cur = self._rank_sorted(self.snapshot(p, scope), group)
        prev = self._rank_sorted(self.snapshot(p.previous(), scope), group)
        out = cur.merge(prev[[*KEYS, "rank"]].rename(columns={"rank": "prev_rank"}), on=KEYS, how="left", sort=False)
        out["rank_change"] = out["prev_rank"] - out["rank"]
        return out[["county", "township", "branch", "branch_type", "stars", "target_stars", "task_rate", "score",
                    "rank", "prev_rank", "rank_change"]]

    def _units(self, snap: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        s = snap.assign(five=snap["stars"] == 5, four=snap["stars"] == 4, three=snap["stars"] == 3,
                        with_target=snap["target_stars"].notna())
        g = s.groupby(keys).agg(branches=("branch", "size"), score=("score", "mean"), five=("five", "sum"),
                                four=("four", "sum"), three=("three", "sum"), attained=("attained", "sum"),
                                with_target=("with_target", "sum"), done=("tasks_done", "sum"),
                                total=("tasks_total", "sum")).reset_index()
        g["attainment_rate"] = g["attained"] / g["with_target"].where(g["with_target"] > 0)
        g["task_rate"] = g["done"] / g["total"].where(g["total"] > 0)
        g = g.sort_values(["score", *keys], ascending=[False] + [True] * len(keys))
        g["rank"] = g["score"].rank(method="min", ascending=False).astype("int64")
        return g

    def unit_ranking(self, period: Any, scope: Any, keys: list[str]) -> pd.DataFrame:
        p = PPeriod.of(period)
        cur = self._units(self.snapshot(p, scope), keys)
        prev = self._units(self.snapshot(p.previous(), scope), keys)
        out = cur.merge(prev[[*keys, "rank"]].rename(columns={"rank": "prev_rank"}), on=keys, how="left")
        out["rank_change"] = out["prev_rank"] - out["rank"]
        return out[[*keys, "branches", "score", "rank", "prev_rank", "rank_change", "five", "four", "three",
                    "attained", "with_target", "attainment_rate", "task_rate"]]

    def township_ranking(self, period: Any, scope: Any) -> pd.DataFrame:
        return self.unit_ranking(period, scope, ["county", "township"])

    def county_ranking(self, period: Any, scope: Any) -> pd.DataFrame:
        return self.unit_ranking(period, scope, ["county"])

    # --- red and black lists ---------------------------------------------------

    def _with_prev(self, period: Any, scope: Any) -> tuple[pd.DataFrame, pd.DataFrame, PPeriod]:
        p = PPeriod.of(period)
        cur = self._rank_sorted(self.snapshot(p, scope))
        prev = self.snapshot(p.previous(), scope)
        cur = cur.merge(prev[[*KEYS, "stars", "attained"]].rename(columns={"stars": "prev_stars",
                                                                            "attained": "prev_attained"}),
                        on=KEYS, how="left")
        return cur, prev, p

    @staticmethod
    def _collect(parts: list[tuple[str, pd.DataFrame]], cur: pd.DataFrame) -> pd.DataFrame:
        frames = [df[KEYS].assign(reason=code) for code, df in parts if len(df)]
        if not frames:
            return pd.DataFrame(columns=[*KEYS, "reasons", "reason_text", "rank", "stars", "score"])
        allr = pd.concat(frames).sort_values("reason")
        grouped = allr.groupby(KEYS, dropna=False, sort=False)["reason"].agg(list).rename("reasons").reset_index()
        grouped["reason_text"] = grouped["reasons"].map("；".join)
        return grouped.merge(cur[[*KEYS, "rank", "stars", "score"]], on=KEYS, how="left").sort_values(
            ["rank", "county", "township", "branch"], na_position="last")

    def red_list(self, period: Any, scope: Any) -> pd.DataFrame:
        cur, _, _ = self._with_prev(period, scope)
        size = cur.groupby(["county", "township"])["branch"].transform("size")
        tw_rank = cur.groupby(["county", "township"])["score"].rank(method="min", ascending=False)
        parts = [
            ("R1", cur[(size >= self.red_min) & (tw_rank == 1)]),
            ("R2", cur[cur["rank"] <= self.red_top_n]),
            ("R3", cur[cur["prev_stars"].notna() & (cur["stars"] > cur["prev_stars"])]),
            ("R4", cur[cur["attained"] & cur["prev_attained"].notna() & (cur["prev_attained"] == False)]),  # noqa: E712
        ]
        return self._collect(parts, cur)

    def black_list(self, period: Any, scope: Any) -> pd.DataFrame:
        cur, prev, p = self._with_prev(period, scope)
        size = cur.groupby(["county", "township"])["branch"].transform("size")
        tw_rank = cur.groupby(["county", "township"])["score"].rank(method="min", ascending=False)
        tw_last = tw_rank.groupby([cur["county"], cur["township"]]).transform("max")
        overdue = cur.merge(self._overdue(cur), on=KEYS, how="left")["overdue"].fillna(0).to_numpy()
        # B4: present before, missing now; a whole missing township is one township-level entry.
        gone = prev.merge(cur[KEYS], on=KEYS, how="left", indicator=True)
        gone = gone[gone["_merge"] == "left_only"]
        live_tw = set(zip(cur["county"], cur["township"], strict=True))
        whole = np.array([(c, t) not in live_tw for c, t in zip(gone["county"], gone["township"], strict=True)],
                         dtype=bool)
        b4 = pd.concat([gone[~whole][KEYS],
                        gone[whole][["county", "township"]].drop_duplicates().assign(branch=None)])
        # B5: rows in this month and the two before, stars and tasks_done unchanged, target not attained.
        window = [p.last_month - pd.DateOffset(months=i) for i in range(self.stagnation)]
        hist = self._scope(self.bm, scope)
        hist = hist[hist["period"].isin(window)]
        agg = hist.groupby(KEYS).agg(n=("period", "nunique"), s=("stars", "nunique"),
                                     d=("tasks_done", lambda x: x.nunique(dropna=False))).reset_index()
        still = agg[(agg["n"] == self.stagnation) & (agg["s"] == 1) & (agg["d"] == 1)]
        b5 = cur.merge(still[KEYS], on=KEYS)
        b5 = b5[~b5["attained"]]
        parts = [
            ("B1", cur[(size >= self.black_min) & (tw_rank == tw_last)] if p.kind in self.black_flag_periods
             else cur.iloc[0:0]),
            ("B2", cur[cur["prev_stars"].notna() & (cur["stars"] < cur["prev_stars"])]),
            ("B3", cur[overdue >= self.overdue_n]),
            ("B4", b4),
            ("B5", b5),
        ]
        return self._collect(parts, cur)

    # --- battle map --------------------------------------------------------------

    def battle_map(self, period: Any, scope: Any) -> pd.DataFrame:
        cur = self._rank_sorted(self.snapshot(PPeriod.of(period), scope))
        out = cur.merge(self._overdue(cur), on=KEYS, how="left")
        out["overdue"] = out["overdue"].fillna(0).astype("int64")
        out["gap"] = (out["target_stars"] - out["stars"]).clip(lower=0)
        out = out.sort_values(KEYS)
        return out[["county", "township", "branch", "branch_type", "target_stars", *SLOTS, "stars", "gap",
                    "tasks_done", "tasks_total", "task_rate", "overdue", "weak", "secretary", "score", "rank"]]

    def branch_tasks(self, period: Any, county: str, township: str, branch: str) -> pd.DataFrame:
        p = PPeriod.of(period)
        t = self.task
        t = t[(t["county"] == county) & (t["township"] == township) & (t["branch"] == branch)
              & (t["period"] >= p.first) & (t["period"] <= p.last_month)]
        t = t[t["period"] == t["period"].max()].copy()
        btype = self.bm.loc[(self.bm["county"] == county) & (self.bm["township"] == township)
                            & (self.bm["branch"] == branch), "branch_type"].iloc[0]
        t["star_name"] = t["star_slot"].map(lambda s: STAR_NAMES[btype][s - 1])
        t["overdue"] = (t["deadline"] <= t["period"] + pd.offsets.MonthEnd(0)) & ~t["done"]
        return t.sort_values(["star_slot", "deadline", "task"])[
            ["star_slot", "star_name", "task", "measure", "owner", "deadline", "done", "done_date", "overdue"]]

    def branch_history(self, county: str, township: str, branch: str) -> pd.DataFrame:
        b = self.bm
        h = b[(b["county"] == county) & (b["township"] == township) & (b["branch"] == branch)]
        h = self._scored(h).sort_values("period")
        return h[["period", "stars", "target_stars", *SLOTS, "tasks_done", "tasks_total", "task_rate", "score"]]

    # --- comparison ----------------------------------------------------------------

    def compare_periods(self, a: Any, b: Any, scope: Any) -> dict[str, pd.DataFrame]:
        pa, pb = PPeriod.of(a), PPeriod.of(b)
        sa, sb = self._rank_sorted(self.snapshot(pa, scope)), self._rank_sorted(self.snapshot(pb, scope))
        m = sa[[*KEYS, "stars", "score", "rank"]].merge(sb[[*KEYS, "stars", "score", "rank"]], on=KEYS, how="outer",
                                                          suffixes=("_a", "_b"), indicator=True)
        both = m[m["_merge"] == "both"].copy()
        both["score_delta"] = both["score_b"] - both["score_a"]
        both["rank_change"] = both["rank_a"] - both["rank_b"]
        la = pd.Categorical(both["stars_a"].map(LEVEL_LABELS), categories=[LEVEL_LABELS[x] for x in LEVELS])
        lb = pd.Categorical(both["stars_b"].map(LEVEL_LABELS), categories=[LEVEL_LABELS[x] for x in LEVELS])
        transition = pd.crosstab(la, lb, dropna=False)
        ta = self._units(sa, ["county", "township"])
        tb = self._units(sb, ["county", "township"])
        towns = ta.merge(tb, on=["county", "township"], suffixes=("_a", "_b"))
        towns["score_delta"] = towns["score_b"] - towns["score_a"]
        return {
            "branches": both.drop(columns="_merge"),
            "townships": towns,
            "transition": transition,
            "promotions": both[both["stars_b"] > both["stars_a"]][[*KEYS, "stars_a", "stars_b"]],
            "demotions": both[both["stars_b"] < both["stars_a"]][[*KEYS, "stars_a", "stars_b"]],
            "added": m[m["_merge"] == "right_only"][[*KEYS, "stars_b"]],
            "missing": m[m["_merge"] == "left_only"][[*KEYS, "stars_a"]],
        }

    # --- sidebar ---------------------------------------------------------------------

    def sidebar(self) -> tuple[list[Any], pd.DataFrame]:
        months = sorted(self.bm["period"].unique())
        units = self.bm[["county", "township", "branch_type"]].drop_duplicates().sort_values(
            ["county", "township", "branch_type"])
        return months, units

