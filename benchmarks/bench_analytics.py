"""Analytics: every function the pages call, and each page's set, on a province-scale history.

Data: ``benchmarks/data/province.duckdb`` built by ``benchmarks.synth`` (52,000
branches × 36 months, tasks for the last 3), its two views exported once to
Parquet for the pandas baseline (``benchmarks.pandas_baseline``).

Each side runs in its own fresh worker process (``python -m benchmarks.bench_analytics
worker duckdb|pandas …``), so start-up and memory are its own:

* duckdb — start-up = importing the analytics modules + the first
  ``analytics.store.connect(read_only=True)``; per function the median *compute* time
  on an open connection, and the median *call* time as ``ui.state.call`` does it on a
  cache miss (open a read-only connection, compute, close); per page the sum of its
  calls made that way, median over runs. Memory: the worker's RSS after opening and its
  peak RSS (VmHWM) at the end.
* pandas — start-up = ``import pandas`` + ``pd.read_parquet`` of both tables (+ date
  conversion); the same questions answered from the in-memory DataFrames.

Which calls a page makes is read from ``pages/*.py`` (every ``state.call("module.fn", …)``
in the file, conditional ones included, so a page set is an upper bound); pages that do not
exist yet use the set documented in the brief. Both sides' results are reduced to a small
fingerprint (counts, sums, top ranks) and compared, so a baseline that computes something
else — or an analytics bug — shows up as a mismatch.

Functions over the goal are profiled: every query they run is captured and re-run with
DuckDB's JSON profiler; the slowest operators are reported.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import (
    DATA_DIR,
    ROOT,
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

FULL = HistoryParams(n_branches=52_000, n_months=36, end_period="2024-09", task_months=3)
QUICK = HistoryParams(n_branches=3_000, n_months=12, end_period="2024-09", task_months=3)
FULL_RUNS, QUICK_RUNS = 7, 1

FUNCTION_GOAL_MS = 50
PAGE_GOAL_MS = 150
OPEN_GOAL_S = 0.2
MEMORY_GOAL_MIB = 400

# Page sets when the page file does not exist (yet): the brief's list per page.
DOCUMENTED_PAGES: dict[str, list[str]] = {
    "总览": ["metrics.kpis", "metrics.level_distribution(by=township)", "metrics.star_status_distribution",
             "metrics.target_progress", "metrics.trend"],
    "作战图": ["battle_map.battle_map", "battle_map.branch_tasks", "battle_map.branch_history"],
    "排名": ["rankings.branch_ranking", "rankings.township_ranking", "rankings.county_ranking"],
    "红黑榜": ["flags.red_list", "flags.black_list"],
    "季度对比": ["compare.compare_periods"],
    "简报": ["metrics.kpis", "metrics.level_distribution(by=township)", "rankings.branch_ranking_ends(bottom=5,top=10)",
             "flags.list_heads"],
}
PAGE_FILES = {
    "总览": "overview.py", "作战图": "battle_map.py", "排名": "ranking.py", "红黑榜": "red_black.py",
    "季度对比": "compare.py", "简报": "briefing.py", "上传": "upload.py",
}
# The sidebar (app.py → ui.state.store_info) runs on every page; cached like the calls.
SIDEBAR = ["periods.available_months", "scope.scope_options", "store.has_demo_data"]
# The other values of a page's options (排名: within township; 总览: by county / 村社区):
# timed as functions too, not part of a page's set (which takes the default value).
OPTION_CALLS = ["rankings.branch_ranking(peer=township)", "metrics.level_distribution(by=county)"]
# Issue 17 (battle-map.md §4–§5): the per-star view (分星推进) and a branch's detail must each take
# ≤ FUNCTION_GOAL_MS at province scale. The battle-map Excel's sheets (state.deferred, fetched on
# download) and the per-branch metrics are timed too; ``--only battle-map`` runs just these.
BATTLE_MAP_CALLS = [
    "problems.star_view", "problems.star_view(slot=4)", "problems.branch_task_detail", "problems.branch_problems",
    "problems.branch_weak_record", "problems.unit_problem_weak_counts", "problems.branch_metrics",
    "problems.scope_tasks", "problems.scope_problems",
]
# The battle-map Excel's 任务 / 问题清单 sheets: fetched only when the user downloads (state.deferred),
# never while a page renders, so judged as an export (time to the file, docs/benchmarks.md), not by
# FUNCTION_GOAL_MS.
EXPORT_CALLS = ["problems.scope_tasks", "problems.scope_problems"]
# The goal of that download: a county's file (grid + 任务 + 问题清单) within a few seconds of the click.
EXPORT_GOAL_S = 5.0
# Keyword arguments whose value in the page is a variable: the value benchmarked.
# (lists: 分星推进's task / problem lists are read only while their expander is open; the page opens
# with them closed.)
DEFAULT_KWARGS: dict[str, Any] = {"by": "township", "peer": "scope", "lists": False}


def _ui_constants() -> dict[str, Any]:
    """Keyword values a page takes from ui/briefing.py (top=briefing.TOP_N, …)."""
    from ui import briefing

    return {"top": briefing.TOP_N, "bottom": briefing.BOTTOM_N}


# --- which calls each page makes -------------------------------------------------


def _call_key(func: str, kwargs: dict[str, Any]) -> str:
    if not kwargs:
        return func
    return func + "(" + ",".join(f"{k}={v}" for k, v in sorted(kwargs.items())) + ")"


def page_calls(path: Path) -> list[str]:
    """Every ``state.call("module.fn", …)`` in a page file, as call keys (``fn(by=township)``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # Module-level constants (HISTORY_ROWS = 300) stand for their value in a call.
    constants = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)
                 for t in n.targets if isinstance(t, ast.Name)}
    defaults = {**DEFAULT_KWARGS, **_ui_constants()}
    out: list[str] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "call"):
            continue
        if not (node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            continue
        kwargs: dict[str, Any] = {}
        for kw in node.keywords:
            if kw.arg is None or kw.arg == "end":  # end=period: the period every call gets
                continue
            if isinstance(kw.value, ast.Constant):
                kwargs[kw.arg] = kw.value.value
            elif isinstance(kw.value, ast.Name) and kw.value.id in constants:
                kwargs[kw.arg] = constants[kw.value.id]
            else:
                kwargs[kw.arg] = defaults.get(kw.arg, "?")
        out.append(_call_key(node.args[0].value, kwargs))
    return sorted(set(out), key=out.index)


def page_sets() -> dict[str, dict[str, Any]]:
    sets: dict[str, dict[str, Any]] = {}
    for page, fname in PAGE_FILES.items():
        path = ROOT / "pages" / fname
        known = known_calls()
        found = page_calls(path) if path.exists() else []
        calls = [c for c in found if c in known]
        if calls:
            sets[page] = {"calls": calls, "source": f"pages/{fname}",
                          "not_benchmarked": [c for c in found if c not in known]}
        else:
            sets[page] = {"calls": DOCUMENTED_PAGES[page], "source": "documented (page file has no calls yet)"}
    return sets


# --- fingerprints: both sides must agree ---------------------------------------------


def _num(x: Any) -> Any:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return x
    if math.isnan(f):
        return None
    return round(f, 6)


def _reasons(df: Any) -> dict[str, int]:
    c: Counter[str] = Counter()
    for rs in df["reasons"]:
        c.update(list(rs))
    return dict(sorted(c.items()))


def fingerprint(key: str, result: Any) -> Any:
    """A small, order-insensitive summary of a result that both implementations must share."""
    name = key.split("(")[0]
    if name == "metrics.kpis":
        return {k: _num(v["value"]) for k, v in result.items() if isinstance(v, dict) and "value" in v
                and k not in ("targets",)}
    df = result
    if name == "metrics.level_distribution":
        return {int(k): int(v) for k, v in df.groupby("level")["count"].sum().items()} | {"rows": len(df)}
    if name == "metrics.star_status_distribution":
        return {f"{int(r.slot)}:{r.status}": int(r.count) for r in df.itertuples()}
    if name == "metrics.target_progress":
        return {int(r.level): [int(r.target), int(r.reached)] for r in df.itertuples()}
    if name == "goals.goal_progress":
        return len(df)
    if name == "metrics.trend":
        last = df.iloc[-1]
        return {"months": len(df), "branches": int(last["branches"]), "at_least_three": int(last["at_least_three"]),
                "avg_score": _num(last["avg_score"])}
    if name in ("rankings.branch_ranking", "rankings.township_ranking", "rankings.county_ranking"):
        label = "branch" if name == "rankings.branch_ranking" else "township" if "township" in name else "county"
        top = df.sort_values(["rank", label]).head(10)
        return {"rows": len(df), "top10": [[str(r[label]), int(r["rank"])] for _, r in top.iterrows()],
                "rank_up": int((df["rank_change"].fillna(0) > 0).sum())}
    if name in ("flags.red_list", "flags.black_list"):
        return {"rows": len(df), "reasons": _reasons(df)}
    if name == "battle_map.battle_map":
        return {"rows": len(df), "overdue": int(df["overdue"].fillna(0).sum()), "gap": int(df["gap"].fillna(0).sum())}
    if name == "battle_map.branch_tasks":
        return {"rows": len(df), "done": int(df["done"].sum()), "overdue": int(df["overdue"].sum())}
    if name == "battle_map.branch_history":
        return {"rows": len(df), "last_score": _num(df["score"].iloc[-1])}
    if name == "compare.compare_periods":
        get = (lambda k: getattr(result, k)) if not isinstance(result, dict) else result.__getitem__
        return {k: len(get(k)) for k in ("branches", "townships", "promotions", "demotions", "added", "missing")} | {
            "transition_total": int(get("transition").to_numpy().sum())}
    if name == "periods.available_months":
        return len(result)
    if name == "scope.scope_options":
        return len(result)
    if name == "store.has_demo_data":
        return bool(result)
    if name == "store.list_uploads":
        return len(result)
    if name == "rankings.branch_ranking_ends":
        return {"top": [str(b) for b in result.top["branch"]], "bottom": [str(b) for b in result.bottom["branch"]]}
    if name == "flags.list_heads":
        return {side: {"rows": len(head.rows), "total": head.total}
                for side, head in (("red", result.red), ("black", result.black))}
    if name == "store.count_uploads":
        return int(result)
    if name.startswith("problems."):  # issue 17: how much each answer holds
        if isinstance(result, dict) and all(hasattr(v, "__len__") for v in result.values()):
            return {k: len(v) for k, v in result.items()}
        return len(result) if hasattr(result, "__len__") else result is not None
    if name == "battle_map.branch_task_counts":
        return {"rows": len(result), "overdue": int(result["overdue"].sum())} if "overdue" in result else len(result)
    return None


# --- the DuckDB worker ----------------------------------------------------------------


class RecordingConnection:
    """Wraps a DuckDB connection and records every query it executes (for profiling)."""

    def __init__(self, con: Any, queries: list[tuple[str, Any]] | None = None) -> None:
        self._con = con
        self.queries: list[tuple[str, Any]] = [] if queries is None else queries

    def cursor(self) -> RecordingConnection:
        """A cursor whose queries are recorded in the same list (star_view runs one on a second cursor)."""
        return RecordingConnection(self._con.cursor(), self.queries)

    def __enter__(self) -> RecordingConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self._con.close()

    def execute(self, query: str, parameters: Any = None) -> Any:
        self.queries.append((query, parameters))
        return self._con.execute(query, parameters) if parameters is not None else self._con.execute(query)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def _walk_profile(node: dict[str, Any], ops: list[tuple[float, str, str, int]]) -> None:
    """Collect (time, operator, extra info, rows) from a profile tree (DuckDB 1.x and 2.x key names)."""
    name = node.get("operator_name") or node.get("operator_type") or node.get("type") or ""
    timing = float(node.get("operator_timing", node.get("timing", 0)) or 0)
    info = node.get("extra_info", {})
    text = json.dumps(info, ensure_ascii=False)[:300] if info else ""
    rows = int(node.get("operator_cardinality", node.get("intermediate_rows", 0)) or 0)
    if name:
        ops.append((timing, str(name).strip(), text, rows))
    for child in node.get("children", []):
        _walk_profile(child, ops)


def _profile_queries(con: Any, queries: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """Re-run each query under DuckDB's JSON profiler; per query its time and the slowest operators."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        prof = Path(tmp) / "profile.json"
        for query, params in queries:
            con.execute("PRAGMA enable_profiling='json'")
            con.execute(f"PRAGMA profiling_output='{prof}'")
            t0 = time.perf_counter()
            (con.execute(query, params) if params is not None else con.execute(query)).fetchall()
            elapsed = time.perf_counter() - t0
            con.execute("PRAGMA disable_profiling")
            ops: list[tuple[float, str, str, int]] = []
            phases: dict[str, float] = {}
            try:
                tree = json.loads(prof.read_text())

                roots = tree.get("operator")
                for root in (roots if isinstance(roots, list) else [tree]):
                    _walk_profile(root, ops)
                for phase in ("planner", "optimizer", "physical_planner", "query"):
                    if isinstance(tree.get(phase), dict) and "total_time" in tree[phase]:
                        phases[phase] = round(float(tree[phase]["total_time"]) * 1000, 1)
            except (OSError, ValueError):
                pass
            ops.sort(reverse=True)
            first_line = next((ln.strip() for ln in query.strip().splitlines() if ln.strip()), "")
            out.append({
                "query_head": first_line[:120],
                "ms": round(elapsed * 1000, 1),
                "phases_ms": phases,
                "top_operators": [{"operator": n, "ms": round(t * 1000, 1), "rows": r, "info": i}
                                  for t, n, i, r in ops[:5]],
            })
    out.sort(key=lambda q: -float(q["ms"]))  # type: ignore[arg-type]
    return out


def _ui_constant(name: str) -> int:
    """An integer constant of ui/components.py, read from the file: importing ui would load
    streamlit into the worker and change its memory figures."""
    import re

    text = (ROOT / "ui" / "components.py").read_text(encoding="utf-8")
    match = re.search(rf"^{name} = (\d+)", text, re.MULTILINE)
    assert match, f"ui/components.py has no {name}"
    return int(match.group(1))


def _star_view_sizes() -> tuple[int, int, int]:
    """star_view's (limit, page_rows, page) as pages/battle_map.py passes them: the lists' length
    STAR_LIST_ROWS, pages of BATTLE_PAGE_ROWS branches, the first page."""
    return _ui_constant("STAR_LIST_ROWS"), _ui_constant("BATTLE_PAGE_ROWS"), 1


def _duckdb_callables(ctx: dict[str, Any]) -> dict[str, Callable[[Any], Any]]:
    from analytics import battle_map, compare, flags, goals, metrics, periods, problems, rankings, scope, store

    p, s, st, b = ctx["period"], ctx["scope"], ctx["settings"], ctx["branch"]
    qa, qb = ctx["quarter_a"], ctx["quarter_b"]
    return {
        "metrics.kpis": lambda c: metrics.kpis(c, p, s, st),
        "metrics.level_distribution": lambda c: metrics.level_distribution(c, p, s),
        "metrics.level_distribution(by=township)": lambda c: metrics.level_distribution(c, p, s, by="township"),
        "metrics.level_distribution(by=county)": lambda c: metrics.level_distribution(c, p, s, by="county"),
        "metrics.star_status_distribution": lambda c: metrics.star_status_distribution(c, p, s),
        "metrics.target_progress": lambda c: metrics.target_progress(c, p, s),
        "goals.goal_progress": lambda c: goals.goal_progress(c, p, s, st),
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
        "battle_map.branch_tasks": lambda c: battle_map.branch_tasks(c, p, *b),
        "battle_map.branch_history": lambda c: battle_map.branch_history(c, b[0], b[1], b[2], st),
        "compare.compare_periods": lambda c: compare.compare_periods(c, qa, qb, s, st),
        "periods.available_months": lambda c: periods.available_months(c),
        "scope.scope_options": lambda c: scope.scope_options(c),
        "store.has_demo_data": lambda c: store.has_demo_data(c),
        "store.list_uploads(limit=300)": lambda c: store.list_uploads(c, limit=300),
        "store.count_uploads": lambda c: store.count_uploads(c),
        "store.count_uploads(in_force_only=True)": lambda c: store.count_uploads(c, in_force_only=True),
        "battle_map.branch_task_counts": lambda c: battle_map.branch_task_counts(c, p, s, st),
        # issue 17: 分星推进 (slot 1 as the page opens, slot 4 平安法治星 as the issue picks), branch detail,
        # the 总览/简报 cards, per-branch metrics and the battle-map Excel's 任务 / 问题清单 sheets
        "problems.star_view": lambda c: problems.star_view(c, p, s, 1, st, *_star_view_sizes()),
        "problems.star_view(slot=4)": lambda c: problems.star_view(c, p, s, 4, st, *_star_view_sizes()),
        "problems.star_view(lists=False)":
            lambda c: problems.star_view(c, p, s, 1, st, *_star_view_sizes(), lists=False),
        "problems.branch_task_detail": lambda c: problems.branch_task_detail(c, p, *b),
        "problems.branch_problems": lambda c: problems.branch_problems(c, p, *b),
        "problems.branch_weak_record": lambda c: problems.branch_weak_record(c, p, *b),
        "problems.unit_problem_weak_counts": lambda c: problems.unit_problem_weak_counts(c, p, s, st),
        "problems.unit_problem_weak_counts(by_unit=False)":
            lambda c: problems.unit_problem_weak_counts(c, p, s, st, by_unit=False),
        "problems.branch_metrics": lambda c: problems.branch_metrics(c, p, s, st),
        "problems.scope_tasks": lambda c: problems.scope_tasks(c, p, s, st),
        "problems.scope_problems": lambda c: problems.scope_problems(c, p, s, st),
    }


# Issue 17's baseline in the same run (same store, same load): the queries as they were before the
# per-star summary (branch_star), read from git at BATTLE_MAP_BASELINE and run on the same connection
# with the same parameters. They read only v_task / v_problem / branch_snapshot, which are unchanged.
BATTLE_MAP_BASELINE = "9578e43"
BASELINE_SQL = {
    "problems.star_view(slot=4)": ["star_view_branches.sql", "star_view_tasks.sql", "star_view_problems.sql"],
    "problems.unit_problem_weak_counts": ["unit_problem_weak.sql"],
    "problems.branch_metrics": ["branch_metrics.sql"],
}


def _baseline_query(name: str) -> str:
    """analytics/sql/NAME as of BATTLE_MAP_BASELINE, its ``-- @include`` lines expanded from there too."""
    import re
    import subprocess

    text = subprocess.run(["git", "show", f"{BATTLE_MAP_BASELINE}:analytics/sql/{name}"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout

    def expand(m: re.Match[str]) -> str:
        inner = _baseline_query(m.group(1)).rstrip().rstrip(";")
        return inner.replace("$period_", f"${m.group(2)}_") if m.group(2) else inner

    return re.sub(r"^[ \t]*--[ \t]*@include[ \t]+(\S+)(?:[ \t]+(\w+))?[ \t]*$", expand, text, flags=re.MULTILINE)


def _baseline_callables(ctx: dict[str, Any]) -> dict[str, Callable[[Any], Any]]:
    """``<key> [baseline]`` for each key of BASELINE_SQL: its queries as of BATTLE_MAP_BASELINE, to DataFrames."""
    import warnings

    from analytics import problems, sql

    warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)
    p, s, st = ctx["period"], ctx["scope"], ctx["settings"]
    params = {**problems._params(p, s, st), "slot": 4, "limit": _ui_constant("STAR_LIST_ROWS")}
    out: dict[str, Callable[[Any], Any]] = {}
    for key, names in BASELINE_SQL.items():
        prepared = []
        for name in names:
            text = sql.resolve_blocks(_baseline_query(name), frozenset(k for k in ("limit",) if params.get(k)), name)
            used = set(sql._PARAM.findall("\n".join(line.split("--", 1)[0] for line in text.splitlines())))
            prepared.append((text, {k: params[k] for k in used}))
        out[f"{key} [baseline]"] = lambda c, prepared=prepared: [  # type: ignore[misc]
            sql.to_pandas(c.execute(text, bound).to_arrow_table()) for text, bound in prepared]
    return out


def _pandas_callables(ctx: dict[str, Any], pa: Any) -> dict[str, Callable[[], Any]]:
    p, s, b = ctx["period"], ctx["scope"], ctx["branch"]
    qa, qb = ctx["quarter_a"], ctx["quarter_b"]
    return {
        "metrics.kpis": lambda: pa.kpis(p, s),
        "metrics.level_distribution": lambda: pa.level_distribution(p, s),
        "metrics.level_distribution(by=township)": lambda: pa.level_distribution(p, s, by="township"),
        "metrics.level_distribution(by=county)": lambda: pa.level_distribution(p, s, by="county"),
        "metrics.star_status_distribution": lambda: pa.star_status_distribution(p, s),
        "metrics.target_progress": lambda: pa.target_progress(p, s),
        "metrics.trend": lambda: pa.trend(s, p),
        "rankings.branch_ranking": lambda: pa.branch_ranking(p, s),
        "rankings.branch_ranking(peer=scope)": lambda: pa.branch_ranking(p, s, peer="scope"),
        "rankings.branch_ranking(peer=township)": lambda: pa.branch_ranking(p, s, peer="township"),
        "rankings.township_ranking": lambda: pa.township_ranking(p, s),
        "rankings.county_ranking": lambda: pa.county_ranking(p, s),
        "flags.red_list": lambda: pa.red_list(p, s),
        "flags.black_list": lambda: pa.black_list(p, s),
        "battle_map.battle_map": lambda: pa.battle_map(p, s),
        "battle_map.branch_tasks": lambda: pa.branch_tasks(p, *b),
        "battle_map.branch_history": lambda: pa.branch_history(*b),
        "compare.compare_periods": lambda: pa.compare_periods(qa, qb, s),
        "periods.available_months": lambda: pa.sidebar()[0],
        "scope.scope_options": lambda: pa.sidebar()[1],
        "store.has_demo_data": lambda: False,
        # store.list_uploads / count_uploads: the upload history is not part of the exported views,
        # battle_map.branch_task_counts: folded into battle_map there; no pandas equivalents.
    }


def _context(con: Any, scope_name: str) -> dict[str, Any]:
    """Latest month, the two latest quarters, a scope and one branch to drill into."""
    from analytics.periods import Period, available_quarters, latest_period
    from analytics.scope import Scope
    from analytics.settings import Settings

    period = latest_period(con)
    if period is None:
        raise RuntimeError("the benchmark store is empty")
    quarters = available_quarters(con)
    first = con.execute("SELECT min(county) FROM v_branch_month").fetchone()[0]
    scope = Scope() if scope_name == "all" else Scope(county=first)
    branch = con.execute(
        "SELECT county, township, branch FROM v_branch_month WHERE period = ? AND county = ? "
        "ORDER BY township, branch LIMIT 1", [period.start, first]).fetchone()
    return {"period": period, "scope": scope, "settings": Settings(), "branch": tuple(branch),
            "quarter_a": quarters[-2] if len(quarters) > 1 else Period.parse(period.label),
            "quarter_b": quarters[-1]}


def worker_duckdb(db: Path, runs: int, scope_name: str, keys: list[str], pages: dict[str, list[str]]) -> dict[str, Any]:
    t0 = time.perf_counter()
    import analytics.battle_map
    import analytics.compare
    import analytics.flags
    import analytics.metrics
    import analytics.rankings  # noqa: F401
    from analytics import store
    t1 = time.perf_counter()
    rss_start = current_rss_mib()
    t2 = time.perf_counter()
    con = store.connect(db, read_only=True)
    t3 = time.perf_counter()
    rss_open = current_rss_mib()
    ctx = _context(con, scope_name)
    fns = _duckdb_callables(ctx)
    if any(k.endswith(" [baseline]") for k in keys):
        fns |= _baseline_callables(ctx)

    def open_call(fn: Callable[[Any], Any]) -> Any:
        with store.open_store(db, read_only=True) as c:
            return fn(c)

    reopen = []
    for _ in range(max(runs, 3)):
        a = time.perf_counter()
        store.connect(db, read_only=True).close()
        reopen.append(time.perf_counter() - a)

    functions: dict[str, Any] = {}
    for key in keys:
        fn = fns[key]
        result = fn(con)  # warm-up
        compute = []
        for _ in range(runs):
            a = time.perf_counter()
            fn(con)
            compute.append(time.perf_counter() - a)
        call = []
        for _ in range(runs):
            a = time.perf_counter()
            open_call(fn)
            call.append(time.perf_counter() - a)
        # CPU time of this process with DuckDB on one thread: the work itself, far less
        # sensitive than wall time to other processes on the machine (their load is reported).
        cpu = []
        con.execute("SET threads = 1")
        for _ in range(runs):
            a = time.process_time()
            fn(con)
            cpu.append(time.process_time() - a)
        con.execute("RESET threads")
        functions[key] = {"compute_ms": median(compute) * 1000, "call_ms": median(call) * 1000,
                          "cpu_one_thread_ms": median(cpu) * 1000,
                          "fingerprint": fingerprint(key, result),
                          "peak_rss_after_mib": peak_rss_mib_self()}  # high-water mark so far

    page_times: dict[str, Any] = {}
    for page, calls in pages.items():
        held, opened, cpu = [], [], []
        for _ in range(runs):
            a = time.perf_counter()
            for key in calls:
                fns[key](con)
            held.append(time.perf_counter() - a)
            a = time.perf_counter()
            for key in calls:
                open_call(fns[key])
            opened.append(time.perf_counter() - a)
        con.execute("SET threads = 1")
        for _ in range(runs):
            a = time.process_time()
            for key in calls:
                fns[key](con)
            cpu.append(time.process_time() - a)
        con.execute("RESET threads")
        page_times[page] = {"held_ms": median(held) * 1000, "calls_ms": median(opened) * 1000,
                            "cpu_one_thread_ms": median(cpu) * 1000}

    peak_before_profiling = peak_rss_mib_self()
    profiles: dict[str, Any] = {}
    for key, f in functions.items():
        if f["compute_ms"] > FUNCTION_GOAL_MS:
            rec = RecordingConnection(con)
            fns[key](rec)
            profiles[key] = _profile_queries(con, rec.queries)

    rss_end = current_rss_mib()
    con.close()
    return {
        "startup": {"import_s": t1 - t0, "first_open_s": t3 - t2, "reopen_s": median(reopen)},
        "context": {"period": ctx["period"].label, "scope": ctx["scope"].label, "branch": ctx["branch"],
                    "compare": [ctx["quarter_a"].label, ctx["quarter_b"].label]},
        "functions": functions,
        "pages": page_times,
        "memory": {"rss_start_mib": rss_start, "rss_after_open_mib": rss_open, "rss_end_mib": rss_end,
                   "peak_before_profiling_mib": peak_before_profiling, "peak_mib": peak_rss_mib_self()},
        "profiles": profiles,
    }


def worker_pandas(db: Path, branch_pq: Path, task_pq: Path, runs: int, scope_name: str, keys: list[str],
                  pages: dict[str, list[str]]) -> dict[str, Any]:
    t0 = time.perf_counter()
    import pandas as pd  # noqa: F401

    from benchmarks.pandas_baseline import PandasAnalytics
    t1 = time.perf_counter()
    pa, load_detail = PandasAnalytics.load(branch_pq, task_pq)
    t2 = time.perf_counter()
    rss_loaded = current_rss_mib()
    # The context (periods, branch) comes from the store so both sides answer the same question.
    from analytics import store
    with store.open_store(db, read_only=True) as con:
        ctx = _context(con, scope_name)
    fns = _pandas_callables(ctx, pa)
    functions: dict[str, Any] = {}
    for key in keys:
        if key not in fns:
            continue
        fn = fns[key]
        result = fn()
        compute = []
        for _ in range(runs):
            a = time.perf_counter()
            fn()
            compute.append(time.perf_counter() - a)
        functions[key] = {"compute_ms": median(compute) * 1000, "fingerprint": fingerprint(key, result)}
    page_times = {}
    for page, calls in pages.items():
        held = []
        for _ in range(runs):
            a = time.perf_counter()
            for key in calls:
                if key in fns:
                    fns[key]()
            held.append(time.perf_counter() - a)
        page_times[page] = {"held_ms": median(held) * 1000}
    return {
        "startup": {"import_s": t1 - t0, "load_s": t2 - t1, **load_detail},
        "functions": functions,
        "pages": page_times,
        "memory": {"rss_loaded_mib": rss_loaded, "rss_end_mib": current_rss_mib(), "peak_mib": peak_rss_mib_self()},
    }


# --- orchestration ---------------------------------------------------------------------


def export_parquet(db: Path) -> tuple[Path, Path]:
    """The views as Parquet, once per store build (the pandas baseline's input)."""
    branch_pq, task_pq = db.with_suffix(".branch_month.parquet"), db.with_suffix(".task.parquet")
    stamp = db.with_suffix(".parquet.stamp")
    token = str(db.stat().st_mtime_ns)
    if branch_pq.exists() and task_pq.exists() and stamp.exists() and stamp.read_text() == token:
        return branch_pq, task_pq
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute(f"COPY (SELECT * FROM v_branch_month_detail) TO '{branch_pq}' (FORMAT parquet)")
        con.execute(f"COPY (SELECT * FROM v_task) TO '{task_pq}' (FORMAT parquet)")
    finally:
        con.close()
    stamp.write_text(token)
    return branch_pq, task_pq


def _run_worker(args: list[str]) -> tuple[dict[str, Any], float]:
    # Not sampled from outside: the worker times its own calls (sampling would slow them
    # down, see run_process) and it is one process, whose exact peak is ru_maxrss.
    res = run_process(python_cmd("-m", "benchmarks.bench_analytics", "worker", *args), sample_memory=False)
    if res.returncode != 0:
        raise RuntimeError(f"worker {args[0]} failed:\n{res.stdout[-2000:]}\n{res.stderr[-4000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1]), res.peak_mib


def known_calls() -> set[str]:
    return set(_duckdb_callables(dict.fromkeys(("period", "scope", "settings", "branch", "quarter_a",
                                                "quarter_b"))))


def bench_scope(db: Path, pq: tuple[Path, Path], runs: int, scope_name: str, pages: dict[str, Any]) -> dict[str, Any]:
    # The battle-map Excel's sheets (EXPORT_CALLS) are an export, not a page call: timed with their own goal
    # by ``--only battle-map``, and left out here (1.5 million task rows would set the memory peak of "every
    # page call" and be judged by the 50 ms goal of the functions a page waits for).
    keys = list(dict.fromkeys([k for p in pages.values() for k in p["calls"]] + SIDEBAR + OPTION_CALLS
                              + [k for k in BATTLE_MAP_CALLS if k not in EXPORT_CALLS]))
    spec = json.dumps({"keys": keys, "pages": {p: v["calls"] for p, v in pages.items()} | {"sidebar": SIDEBAR}},
                      ensure_ascii=False)
    common = ["--db", str(db), "--runs", str(runs), "--scope", scope_name, "--spec", spec]
    duck, duck_peak = _run_worker(["duckdb", *common])
    log(f"[{scope_name}] duckdb worker done (peak {duck_peak:.0f} MiB)")
    pand, pand_peak = _run_worker(["pandas", *common, "--parquet", str(pq[0]), str(pq[1])])
    log(f"[{scope_name}] pandas worker done (peak {pand_peak:.0f} MiB)")
    duck["memory"]["process_peak_mib"] = duck_peak
    pand["memory"]["process_peak_mib"] = pand_peak
    functions = {}
    for key in keys:
        d, p = duck["functions"][key], pand["functions"].get(key)
        if p is None:  # no pandas equivalent (e.g. the upload history)
            functions[key] = {"duckdb_compute_ms": d["compute_ms"], "duckdb_call_ms": d["call_ms"],
                              "duckdb_peak_mib": d.get("peak_rss_after_mib"), "pandas_ms": None, "pandas_over_duckdb": None, "agree": None}
            continue
        functions[key] = {
            "duckdb_compute_ms": d["compute_ms"], "duckdb_call_ms": d["call_ms"],
            "duckdb_peak_mib": d.get("peak_rss_after_mib"), "pandas_ms": p["compute_ms"],
            "pandas_over_duckdb": p["compute_ms"] / d["compute_ms"] if d["compute_ms"] else None,
            "agree": d["fingerprint"] == p["fingerprint"],
            **({} if d["fingerprint"] == p["fingerprint"] else
               {"fingerprint_duckdb": d["fingerprint"], "fingerprint_pandas": p["fingerprint"]}),
        }
    page_rows = {}
    for page in [*pages, "sidebar"]:
        d, p = duck["pages"][page], pand["pages"][page]
        page_rows[page] = {
            "calls": pages[page]["calls"] if page in pages else SIDEBAR,
            "source": pages[page]["source"] if page in pages else "app.py → ui.state.store_info",
            "duckdb_held_ms": d["held_ms"], "duckdb_calls_ms": d["calls_ms"], "pandas_ms": p["held_ms"],
            "pandas_over_duckdb": p["held_ms"] / d["held_ms"] if d["held_ms"] else None,
        }
    return {"scope": scope_name, "context": duck["context"], "startup": {"duckdb": duck["startup"],
            "pandas": pand["startup"]}, "memory": {"duckdb": duck["memory"], "pandas": pand["memory"]},
            "functions": functions, "pages": page_rows, "profiles": duck["profiles"]}


def goals_for(main: dict[str, Any]) -> list[Goal]:
    goals = [Goal(f"{k} (compute)", f["duckdb_compute_ms"], FUNCTION_GOAL_MS, "<=", " ms")
             for k, f in main["functions"].items()]
    goals += [Goal(f"page {p} (as the page calls)", r["duckdb_calls_ms"], PAGE_GOAL_MS, "<=", " ms")
              for p, r in main["pages"].items()]
    goals.append(Goal("open the store (first open)", main["startup"]["duckdb"]["first_open_s"], OPEN_GOAL_S, "<=",
                      " s"))
    goals.append(Goal("memory, province history (peak RSS, every page call)",
                      main["memory"]["duckdb"]["peak_before_profiling_mib"], MEMORY_GOAL_MIB, "<=", " MiB"))
    return goals


def render(history: dict[str, Any], scopes: list[dict[str, Any]], goals: list[Goal]) -> str:
    main = scopes[0]
    by_scope = {s["scope"]: s for s in scopes}
    county = by_scope.get("county")
    counts = history.get("counts", {})
    parts = [
        f"History: {history['params']['n_branches']:,} branches × {history['params']['n_months']} months = "
        f"{counts.get('v_branch_month', 0):,} branch-months, {counts.get('v_task', 0):,} task rows, "
        f"{counts.get('uploads', 0):,} uploads; store {history.get('size_mib')} MiB. "
        f"Period {main['context']['period']}, comparison {' vs '.join(main['context']['compare'])}.",
    ]
    headers = ["function", "DuckDB compute ms", "DuckDB call ms (open+compute)", "DuckDB peak RSS so far MiB",
               "pandas ms", "pandas / DuckDB", "same result"]
    if county:
        headers += ["one county: DuckDB ms", "one county: pandas ms"]
    rows = []
    for key, f in main["functions"].items():
        row = [key, f["duckdb_compute_ms"], f["duckdb_call_ms"], f.get("duckdb_peak_mib"), f["pandas_ms"],
               f"{f['pandas_over_duckdb']:.1f}×" if f["pandas_over_duckdb"] else "—", f["agree"]]
        if county:
            c = county["functions"][key]
            row += [c["duckdb_compute_ms"], c["pandas_ms"]]
        rows.append(row)
    parts.append("Functions (whole province scope; median):\n\n" + markdown_table(headers, rows))
    headers = ["page", "calls", "DuckDB ms (as the page calls)", "DuckDB ms (one connection)", "pandas ms",
               "pandas / DuckDB"]
    if county:
        headers += ["one county: DuckDB ms"]
    rows = []
    for page, r in main["pages"].items():
        row = [page, len(r["calls"]), r["duckdb_calls_ms"], r["duckdb_held_ms"], r["pandas_ms"],
               f"{r['pandas_over_duckdb']:.1f}×" if r["pandas_over_duckdb"] else "—"]
        if county:
            row += [county["pages"][page]["duckdb_calls_ms"]]
        rows.append(row)
    parts.append("Page sets:\n\n" + markdown_table(headers, rows))
    sd, sp = main["startup"]["duckdb"], main["startup"]["pandas"]
    md, mp = main["memory"]["duckdb"], main["memory"]["pandas"]
    parts.append("Start-up and memory:\n\n" + markdown_table(
        ["", "DuckDB store", "pandas + Parquet"],
        [["import modules s", sd["import_s"], sp["import_s"]],
         ["open store / read Parquet s", sd["first_open_s"], sp["load_s"]],
         ["re-open store s (each call does this)", sd["reopen_s"], "—"],
         ["RSS after open / load MiB", md["rss_after_open_mib"], mp["rss_loaded_mib"]],
         ["peak RSS MiB (all functions and pages)", md["peak_before_profiling_mib"], mp["peak_mib"]],
         ["peak RSS MiB of the process (incl. profiling)", md["process_peak_mib"], mp["process_peak_mib"]]]))
    parts.append(goals_table(goals))
    return "\n\n".join(parts)


def main(quick: bool = False, only: str | None = None) -> dict[str, Any]:
    if only == "battle-map":
        return main_battle_map(quick)
    banner("analytics" + (" (quick)" if quick else ""))
    params = QUICK if quick else FULL
    db = DATA_DIR / ("province_quick.duckdb" if quick else "province.duckdb")
    history = ensure_history(db, params, log)
    log(f"store: {db.name} ({'reused' if history.get('reused') else 'built in ' + str(history.get('build_s')) + 's'})")
    pq = export_parquet(db)
    pages = page_sets()
    runs = QUICK_RUNS if quick else FULL_RUNS
    load_before = os.getloadavg()
    scopes = [bench_scope(db, pq, runs, "all", pages)]
    if not quick:
        scopes.append(bench_scope(db, pq, runs, "county", pages))
    goals = goals_for(scopes[0])
    table = render(history, scopes, goals)
    print(table)
    for g in goals:
        if g.passed is False:
            print(g.line())
    for key, prof in scopes[0]["profiles"].items():
        print(f"\nprofile {key}:")
        for q in prof[:2]:
            print(f"  {q['ms']} ms {q.get('phases_ms')}  {q['query_head']}")
            for op in q["top_operators"][:3]:
                print(f"      {op['operator']:<24} {op['ms']:>7} ms  rows={op['rows']}  {op['info'][:90]}")
    mismatches = [k for k, f in scopes[0]["functions"].items() if f["agree"] is False]
    if mismatches:
        print("\nDuckDB and pandas results differ for: " + ", ".join(mismatches))
    out = Results("analytics", quick, {
        "method": {"runs": runs, "function_time": "median of runs after one warm-up",
                   "call_time": "open read-only store + compute + close (ui.state.call on a cache miss)",
                   "memory": "worker process peak RSS (VmHWM, and ru_maxrss of the process; not polled from outside)"},
        "history": history, "load_avg_before": load_before, "load_avg_after": os.getloadavg(),
        "scopes": scopes, "goals": [g.to_dict() for g in goals], "mismatches": mismatches,
    })
    path = out.write()
    log(f"wrote {path}")
    if not quick:
        update_docs("analytics", table)
    return out.data


# Excel's limit of rows per sheet (xlsxwriter ignores writes past it).
XLSX_SHEET_ROWS = 1_048_576
# Rows of the province's 任务 sheet written to time the xlsx writing per row (writing all of them is
# impossible: more rows than a sheet holds).
EXPORT_SAMPLE_ROWS = 100_000


def worker_export(db: Path) -> dict[str, Any]:
    """The battle-map Excel download as the page builds it on click (pages/battle_map.py): the grid,
    ``problems.scope_tasks`` and ``scope_problems`` through ui.format's tables into
    ``analytics.exports.frames_to_xlsx``. One county: fetch and write, time to the bytes. Province:
    fetch only, with the writing time per row measured on the first EXPORT_SAMPLE_ROWS task rows."""
    import warnings

    from analytics import battle_map, problems, store
    from analytics.exports import frames_to_xlsx
    from ui import format as fmt

    warnings.filterwarnings("ignore")
    out: dict[str, Any] = {}
    with store.open_store(db, read_only=True) as con:
        for scope_name in ("county", "all"):
            ctx = _context(con, scope_name)
            p, s, st = ctx["period"], ctx["scope"], ctx["settings"]
            grid = fmt.battle_table(battle_map.battle_map(con, p, s, st))
            a, c = time.perf_counter(), time.process_time()
            tasks, probs = problems.scope_tasks(con, p, s, st), problems.scope_problems(con, p, s, st)
            fetch_s, fetch_cpu_s = time.perf_counter() - a, time.process_time() - c
            row: dict[str, Any] = {"scope": ctx["scope"].label, "grid_rows": len(grid), "task_rows": len(tasks),
                                   "problem_rows": len(probs), "fetch_s": fetch_s, "fetch_cpu_s": fetch_cpu_s}
            if scope_name == "county":
                a, c = time.perf_counter(), time.process_time()
                data = frames_to_xlsx({"作战图": grid, "任务": fmt.task_detail_table(tasks, with_unit=True),
                                       "问题清单": fmt.problem_table(probs, with_unit=True)}, title="作战图")
                row |= {"write_s": time.perf_counter() - a, "write_cpu_s": time.process_time() - c,
                        "file_mib": len(data) / 2**20}
                row["to_file_s"] = row["fetch_s"] + row["write_s"]
            else:
                sample = fmt.task_detail_table(tasks.head(EXPORT_SAMPLE_ROWS), with_unit=True)
                a = time.perf_counter()
                frames_to_xlsx({"任务": sample})
                per_row = (time.perf_counter() - a) / len(sample)
                row |= {"write_s_per_1000_task_rows": per_row * 1000,
                        "task_sheet_fits": len(tasks) + 1 <= XLSX_SHEET_ROWS,
                        "estimated_task_sheet_write_s": per_row * len(tasks)}
            out[scope_name] = row
    return out


def main_battle_map(quick: bool = False) -> dict[str, Any]:
    """``python -m benchmarks analytics --only battle-map``: issue 17's functions (BATTLE_MAP_CALLS) and
    the page sets that call them (作战图, 总览, 简报), DuckDB side only, province and one county. Results
    are merged into analytics.json (key ``battle_map``) and docs/benchmarks.md."""
    banner("analytics: battle map (issue 17)" + (" (quick)" if quick else ""))
    params = QUICK if quick else FULL
    db = DATA_DIR / ("province_quick.duckdb" if quick else "province.duckdb")
    history = ensure_history(db, params, log)
    log(f"store: {db.name} ({'reused' if history.get('reused') else 'built in ' + str(history.get('build_s')) + 's'})")
    runs = QUICK_RUNS if quick else FULL_RUNS
    sets = page_sets()
    pages = {p: sets[p]["calls"] for p in ("作战图", "总览", "简报")}
    # Every call of the three pages is timed (where a page set's time goes), and, at province scope, the
    # queries before the per-star summary (BATTLE_MAP_BASELINE) on the same store in the same run.
    keys = list(dict.fromkeys(BATTLE_MAP_CALLS + [k for c in pages.values() for k in c]))
    baseline_keys = [f"{k} [baseline]" for k in BASELINE_SQL]
    load_before = os.getloadavg()
    scopes = {}
    for scope_name in ("all", "county"):
        spec = json.dumps({"keys": keys + (baseline_keys if scope_name == "all" else []), "pages": pages},
                          ensure_ascii=False)
        scopes[scope_name], _ = _run_worker(["duckdb", "--db", str(db), "--runs", str(runs), "--scope", scope_name,
                                             "--spec", spec])
        log(f"[{scope_name}] done")
    export = json.loads(run_process(python_cmd("-m", "benchmarks.bench_analytics", "worker", "export", "--db",
                                               str(db), "--runs", "1", "--spec", "{}"),
                                    sample_memory=False).stdout.strip().splitlines()[-1])
    log("[export] done")
    main_fns, county_fns = scopes["all"]["functions"], scopes["county"]["functions"]
    baseline = {k.removesuffix(" [baseline]"): main_fns.pop(k) for k in baseline_keys}
    goals = [Goal(f"{k} (compute)", f["compute_ms"], FUNCTION_GOAL_MS, "<=", " ms") for k, f in main_fns.items()
             if k in BATTLE_MAP_CALLS and k not in EXPORT_CALLS]
    goals += [Goal(f"page {p} (as the page calls)", r["calls_ms"], PAGE_GOAL_MS, "<=", " ms")
              for p, r in scopes["all"]["pages"].items()]
    goals.append(Goal("battle-map Excel of one county: time to file", export["county"]["to_file_s"], EXPORT_GOAL_S,
                      "<=", " s"))
    counts = history.get("counts", {})
    ctx = scopes["all"]["context"]
    load_after = os.getloadavg()
    rows = [[k + ("" if k in BATTLE_MAP_CALLS else " (page call)"), f["compute_ms"], f["call_ms"], f["cpu_one_thread_ms"],
             json.dumps(f["fingerprint"], ensure_ascii=False), county_fns[k]["compute_ms"]] for k, f in main_fns.items()]
    base_rows = [[k, b["compute_ms"], main_fns[k]["compute_ms"], b["cpu_one_thread_ms"], main_fns[k]["cpu_one_thread_ms"],
                  f"{b['cpu_one_thread_ms'] / main_fns[k]['cpu_one_thread_ms']:.1f}×"] for k, b in baseline.items()]
    page_rows = [[p, len(pages[p]), r["calls_ms"], r["held_ms"], r["cpu_one_thread_ms"],
                  scopes["county"]["pages"][p]["calls_ms"]] for p, r in scopes["all"]["pages"].items()]
    table = "\n\n".join([
        f"History: {params.n_branches:,} branches × {params.n_months} months; current rows {counts.get('v_task', 0):,} "
        f"tasks, {counts.get('v_problem', 0):,} problems, {counts.get('v_weak', 0):,} weak records. Period "
        f"{ctx['period']}; branch detail of {' / '.join(ctx['branch'])}. Median of {runs} runs; load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after, on {os.cpu_count()} cores.",
        markdown_table(["function (province scope)", "compute ms", "call ms (open+compute)", "CPU ms, one thread",
                        "rows returned", "one county: compute ms"], rows),
        markdown_table(["page set", "calls", "ms (as the page calls)", "ms (one connection)", "CPU ms, one thread",
                        "one county: ms"], page_rows),
        f"Before the per-star summary (the queries of {BATTLE_MAP_BASELINE}, same store, same run; star_view as "
        "it was then: every branch, the first lists of the whole scope):\n\n"
        + markdown_table(["function (province scope)", f"{BATTLE_MAP_BASELINE} compute ms", "now compute ms",
                          f"{BATTLE_MAP_BASELINE} CPU ms, one thread", "now CPU ms, one thread", "CPU ratio"],
                         base_rows),
        "The battle-map Excel (grid, 任务, 问题清单; fetched and written on click): "
        + markdown_table(["scope", "grid rows", "task rows", "problem rows", "fetch s (scope_tasks + scope_problems)",
                          "write s", "time to file s", "file MiB"],
                         [[export["county"]["scope"], export["county"]["grid_rows"], export["county"]["task_rows"],
                           export["county"]["problem_rows"], export["county"]["fetch_s"], export["county"]["write_s"],
                           export["county"]["to_file_s"], export["county"]["file_mib"]],
                          [export["all"]["scope"], export["all"]["grid_rows"], export["all"]["task_rows"],
                           export["all"]["problem_rows"], export["all"]["fetch_s"],
                           f"~{export['all']['estimated_task_sheet_write_s']:.0f} (task sheet alone, estimated from "
                           f"{EXPORT_SAMPLE_ROWS:,} rows)", "—", "—"]]),
        goals_table(goals),
    ])
    print(table)
    for key, prof in scopes["all"]["profiles"].items():
        print(f"\nprofile {key}:")
        for q in prof[:2]:
            print(f"  {q['ms']} ms  {q['query_head']}")
            for op in q["top_operators"][:3]:
                print(f"      {op['operator']:<24} {op['ms']:>7} ms  rows={op['rows']}  {op['info'][:90]}")
    res = {"history": history, "runs": runs, "scopes": scopes, "goals": [g.to_dict() for g in goals],
           "baseline": {"commit": BATTLE_MAP_BASELINE, "functions": baseline}, "export": export,
           "load_avg_before": load_before, "load_avg_after": load_after,
           "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
    if not quick:
        from benchmarks.common import RESULTS_DIR

        path = RESULTS_DIR / "analytics.json"
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"group": "analytics"}
        data["battle_map"] = res
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
        update_docs("analytics-battle-map", table)
    return res


def _worker_main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("side", choices=["duckdb", "pandas", "export"])
    ap.add_argument("--db", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scope", default="all")
    ap.add_argument("--spec", required=True)
    ap.add_argument("--parquet", nargs=2)
    a = ap.parse_args(argv)
    spec = json.loads(a.spec)
    if a.side == "export":
        out = worker_export(Path(a.db))
    elif a.side == "duckdb":
        out = worker_duckdb(Path(a.db), a.runs, a.scope, spec["keys"], spec["pages"])
    else:
        out = worker_pandas(Path(a.db), Path(a.parquet[0]), Path(a.parquet[1]), a.runs, a.scope, spec["keys"],
                            spec["pages"])
    print(json.dumps(out, ensure_ascii=False, default=str))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        _worker_main(sys.argv[2:])
    else:
        main(quick="--quick" in sys.argv)
