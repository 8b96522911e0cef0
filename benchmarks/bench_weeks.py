"""Weeks, months with their weekly fallback, and years (cadence.md §1) on a province store.

Data: ``benchmarks/data/province_weeks.duckdb`` built by ``benchmarks.synth``: 52,000
branches × 36 monthly ledgers (task rows for the last 3 months) and, besides, a year of
weekly ledgers (52,000 branches × 52 ISO weeks); 30% of townships send no monthly ledger
for the last 2 months, so their branches' rows there come from their latest week (the
month view's fallback).

One fresh worker process (``python -m benchmarks.bench_weeks worker …``) opens the store
read-only and times every analytics function the pages call at three periods — the latest
week, the latest month (with fallback rows) and the latest year — each as the median of
its compute time on an open connection; each page's set of calls at each period as the
page makes them (open, compute, close per call); the first open of the store; and the
worker's peak RSS (VmHWM).

Goals (issue 18): every function ≤ 50 ms, a page's set ≤ 150 ms, store open ≤ 0.2 s,
RSS ≤ 400 MiB.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.bench_analytics import (
    FUNCTION_GOAL_MS,
    MEMORY_GOAL_MIB,
    OPEN_GOAL_S,
    PAGE_GOAL_MS,
    SIDEBAR,
    page_sets,
)
from benchmarks.common import (
    DATA_DIR,
    Goal,
    Results,
    banner,
    current_rss_mib,
    goals_table,
    log,
    markdown_table,
    median,
    peak_rss_mib_self,
    python_cmd,
    run_process,
    update_docs,
)
from benchmarks.synth import HistoryParams, ensure_history

FULL = HistoryParams(n_branches=52_000, n_months=36, end_period="2024-09", task_months=3, n_weeks=52,
                     weekly_only_share=0.3, weekly_only_months=2)
QUICK = HistoryParams(n_branches=3_000, n_months=12, end_period="2024-09", task_months=3, n_weeks=52,
                      weekly_only_share=0.3, weekly_only_months=2)
FULL_RUNS, QUICK_RUNS = 5, 1
GRAINS = ("week", "month", "year")


def _callables(period: Any, scope: Any, settings: Any, branch: tuple[str, str, str], a: Any) -> dict[str, Callable[[Any], Any]]:
    """Every analytics function a page calls (bench_analytics' keys), at ``period``; compare: ``a`` → ``period``."""
    from analytics import battle_map, compare, flags, metrics, periods, problems, rankings, store
    from analytics import scope as scope_mod

    p, s, st = period, scope, settings
    return {
        "metrics.kpis": lambda c: metrics.kpis(c, p, s, st),
        "metrics.level_distribution": lambda c: metrics.level_distribution(c, p, s),
        "metrics.level_distribution(by=township)": lambda c: metrics.level_distribution(c, p, s, by="township"),
        "metrics.level_distribution(by=county)": lambda c: metrics.level_distribution(c, p, s, by="county"),
        "metrics.star_status_distribution": lambda c: metrics.star_status_distribution(c, p, s),
        "metrics.target_progress": lambda c: metrics.target_progress(c, p, s),
        "metrics.district_goals": lambda c: metrics.district_goals(c, p, s, st),
        "metrics.trend": lambda c: metrics.trend(c, s, st, end=p),
        "rankings.branch_ranking": lambda c: rankings.branch_ranking(c, p, s, st),
        "rankings.branch_ranking(peer=scope)": lambda c: rankings.branch_ranking(c, p, s, st, peer="scope"),
        "rankings.branch_ranking(peer=township)": lambda c: rankings.branch_ranking(c, p, s, st, peer="township"),
        "rankings.branch_ranking_ends(bottom=5,top=10)":
            lambda c: rankings.branch_ranking_ends(c, p, s, st, top=10, bottom=5),
        "rankings.township_ranking": lambda c: rankings.township_ranking(c, p, s, st),
        "rankings.county_ranking": lambda c: rankings.county_ranking(c, p, s, st),
        "flags.red_list": lambda c: flags.red_list(c, p, s, st),
        "flags.black_list": lambda c: flags.black_list(c, p, s, st),
        "flags.list_heads": lambda c: flags.list_heads(c, p, s, st, 10),
        "battle_map.battle_map": lambda c: battle_map.battle_map(c, p, s, st),
        "battle_map.branch_tasks": lambda c: battle_map.branch_tasks(c, p, *branch),
        "battle_map.branch_history": lambda c: battle_map.branch_history(c, branch[0], branch[1], branch[2], st),
        "battle_map.branch_task_counts": lambda c: battle_map.branch_task_counts(c, p, s, st),
        "problems.branch_metrics": lambda c: problems.branch_metrics(c, p, s, st),
        "compare.compare_periods": lambda c: compare.compare_periods(c, a, p, s, st),
        "periods.available_months": lambda c: periods.available_months(c),
        "periods.available_weeks": lambda c: periods.available_weeks(c),
        "scope.scope_options": lambda c: scope_mod.scope_options(c),
        "store.has_demo_data": lambda c: store.has_demo_data(c),
        "store.list_uploads(limit=300)": lambda c: store.list_uploads(c, limit=300),
        "store.count_uploads": lambda c: store.count_uploads(c),
        "store.count_uploads(in_force_only=True)": lambda c: store.count_uploads(c, in_force_only=True),
    }


# Per-period functions (the sidebar and upload-history calls do not depend on the period).
PERIOD_FREE = {"periods.available_months", "periods.available_weeks", "scope.scope_options", "store.has_demo_data",
               "store.list_uploads(limit=300)", "store.count_uploads", "store.count_uploads(in_force_only=True)",
               "battle_map.branch_history"}


def worker(db: Path, runs: int, pages: dict[str, list[str]]) -> dict[str, Any]:
    import analytics.battle_map
    import analytics.compare
    import analytics.flags
    import analytics.metrics
    import analytics.problems
    import analytics.rankings  # noqa: F401
    from analytics import store
    from analytics.periods import latest_period
    from analytics.scope import Scope
    from analytics.settings import Settings

    t = time.perf_counter()
    con = store.connect(db, read_only=True)
    first_open = time.perf_counter() - t
    reopen = []
    for _ in range(max(runs, 3)):
        t = time.perf_counter()
        store.connect(db, read_only=True).close()
        reopen.append(time.perf_counter() - t)
    settings = Settings()
    periods = {g: latest_period(con, g) for g in GRAINS}
    fallback_rows = con.execute(
        "SELECT count(*) FROM v_branch_month WHERE period = ? AND source_period LIKE '%W%'",
        [periods["month"].start]).fetchall()[0][0]  # type: ignore[union-attr]
    first = con.execute("SELECT min(county) FROM v_branch_month").fetchall()[0][0]
    branch = tuple(con.execute(
        "SELECT county, township, branch FROM v_branch_month WHERE period = ? AND county = ? "
        "ORDER BY township, branch LIMIT 1", [periods["month"].start, first]).fetchall()[0])  # type: ignore[union-attr]
    out: dict[str, Any] = {"periods": {g: p.label for g, p in periods.items()},  # type: ignore[union-attr]
                           "month_rows_from_weeks": fallback_rows, "functions": {}, "pages": {}}

    def open_call(fn: Callable[[Any], Any]) -> Any:
        with store.open_store(db, read_only=True) as c:
            return fn(c)

    keys = sorted({k for calls in pages.values() for k in calls})
    for grain, period in periods.items():
        assert period is not None
        fns = _callables(period, Scope(), settings, branch, period.previous())  # type: ignore[arg-type]
        for key in keys:
            if key not in fns or (key in PERIOD_FREE and grain != "month"):
                continue
            fns[key](con)  # warm-up
            compute = []
            for _ in range(runs):
                t = time.perf_counter()
                fns[key](con)
                compute.append(time.perf_counter() - t)
            out["functions"][f"{key} @ {grain}"] = median(compute) * 1000
        for page, calls in pages.items():
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                for key in calls:
                    if key in fns:
                        open_call(fns[key])
                times.append(time.perf_counter() - t)
            out["pages"][f"{page} @ {grain}"] = median(times) * 1000
    con.close()
    out["startup"] = {"first_open_s": first_open, "reopen_s": median(reopen)}
    out["memory"] = {"rss_end_mib": current_rss_mib(), "peak_mib": peak_rss_mib_self()}
    return out


def main(quick: bool = False) -> dict[str, Any]:
    banner("weeks" + (" (quick)" if quick else ""))
    params = QUICK if quick else FULL
    db = DATA_DIR / ("province_weeks_quick.duckdb" if quick else "province_weeks.duckdb")
    history = ensure_history(db, params, log)
    log(f"store: {db.name} ({'reused' if history.get('reused') else 'built in ' + str(history.get('build_s')) + 's'})")
    pages = {p: v["calls"] for p, v in page_sets().items()} | {"sidebar": [*SIDEBAR, "periods.available_weeks"]}
    runs = QUICK_RUNS if quick else FULL_RUNS
    spec = json.dumps({"pages": pages}, ensure_ascii=False)
    res = run_process(python_cmd("-m", "benchmarks.bench_weeks", "worker", str(db), str(runs), spec),
                      sample_memory=False)
    if res.returncode != 0:
        raise RuntimeError(f"worker failed:\n{res.stdout[-2000:]}\n{res.stderr[-4000:]}")
    data = json.loads(res.stdout.strip().splitlines()[-1])
    goals = [Goal(f"{k} (compute)", v, FUNCTION_GOAL_MS, "<=", " ms") for k, v in data["functions"].items()]
    goals += [Goal(f"page {k} (as the page calls)", v, PAGE_GOAL_MS, "<=", " ms") for k, v in data["pages"].items()]
    goals.append(Goal("open the store (first open)", data["startup"]["first_open_s"], OPEN_GOAL_S, "<=", " s"))
    goals.append(Goal("memory (peak RSS, every call at every grain)", data["memory"]["peak_mib"], MEMORY_GOAL_MIB,
                      "<=", " MiB"))
    counts = history.get("counts", {})
    table = "\n\n".join([
        f"History: {params.n_branches:,} branches × {params.n_months} months ({counts.get('v_branch_month', 0):,} "
        f"branch-months) + {params.n_weeks} weeks ({counts.get('v_branch_week', 0):,} branch-weeks), "
        f"{counts.get('uploads', 0):,} uploads; store {history.get('size_mib')} MiB, built in "
        f"{history.get('build_s')} s. Periods: {', '.join(data['periods'].values())}; "
        f"{data['month_rows_from_weeks']:,} rows of {data['periods']['month']} come from a weekly ledger.",
        markdown_table(["function @ period", "compute ms"], sorted(data["functions"].items())),
        markdown_table(["page @ period", "ms (as the page calls)"], sorted(data["pages"].items())),
        goals_table(goals),
    ])
    print(table)
    out = Results("weeks", quick, {"history": history, "load_avg": os.getloadavg(), **data,
                                   "goals": [g.to_dict() for g in goals]})
    log(f"wrote {out.write()}")
    if not quick:
        update_docs("weeks", table)
    return out.data


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        print(json.dumps(worker(Path(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])["pages"]),
                         ensure_ascii=False, default=str))
    else:
        main(quick="--quick" in sys.argv)
