"""Submission status and the goals table (register.md §2–§3) at province scale.

Data: ``benchmarks/data/province_status.duckdb``, a province history from
``benchmarks.synth`` (52,000 branches, ≈2,000 townships; the last 6 months are
enough: status reads a month and the two before it, goals one month) plus, written
once into the store with SQL, a register for every county (its branches of the
latest month, ~1% more branches that no ledger lists, one registered township per
county that never submitted) and a goals sheet (a row per township, an own row for
every other county).

Measured on an open read-only connection, median of the runs after one warm-up:
``submissions.status`` for the latest month at province scope and for one county,
``goals.goal_progress`` + ``goals.goal_table`` (the table the pages draw) at province
scope, and for one county (its townships). Goal: ≤ 50 ms each at province scope.
"""

from __future__ import annotations

import os
import time
from datetime import date
from typing import Any

from benchmarks.common import DATA_DIR, Goal, Results, banner, goals_table, log, markdown_table, median, update_docs
from benchmarks.synth import HistoryParams, ensure_history

FULL = HistoryParams(n_branches=52_000, n_months=6, end_period="2024-09", task_months=1)
QUICK = HistoryParams(n_branches=3_000, n_months=4, end_period="2024-09", task_months=1)
GOAL_MS = 50
FULL_RUNS, QUICK_RUNS = 15, 3

# A register upload per county (kind 'register') and a goals upload (kind 'goals'), all in one
# statement set: every county's latest-month branches, 1 % extra registered branches, one
# registered township per county with no ledger ever; a goal row per township and a county row
# for every other county. Idempotent: skipped when the store already has register rows.
_REGISTER_SQL = """
CREATE TEMP TABLE syn_counties AS
SELECT county, row_number() OVER (ORDER BY county) AS n
FROM (SELECT DISTINCT county FROM v_branch_month);

INSERT INTO uploads (upload_id, seq, file_name, uploader, uploaded_at, sha256, size_bytes, period, n_branches,
                     n_tasks, warnings, skipped_sheets, is_demo, state, accepted_seq, kind)
SELECT 'R' || lpad(CAST(n AS VARCHAR), 5, '0') || k.kind, 900000 + 2 * n + k.i, county || k.kind || '.xlsx',
       'bench', TIMESTAMP '2024-01-02 09:00:00', 'R' || n || k.kind, 0, DATE '1900-01-01', 0, 0, '[]', '[]',
       false, 'accepted', 900000 + 2 * n + k.i, 'register'
FROM syn_counties, (VALUES ('register', 0), ('goals', 1)) k(kind, i);

INSERT INTO upload_scope (upload_id, kind, period, county, township)
SELECT 'R' || lpad(CAST(n AS VARCHAR), 5, '0') || k.kind, k.kind, DATE '1900-01-01', county, ''
FROM syn_counties, (VALUES ('register'), ('goals')) k(kind);

INSERT INTO register (upload_id, county, township, branch, branch_type, status, source_sheet, source_row)
SELECT 'R' || lpad(CAST(c.n AS VARCHAR), 5, '0') || 'register', b.county, b.township, b.branch, b.branch_type, '在册',
       '支部名册', CAST(row_number() OVER (PARTITION BY b.county ORDER BY b.township, b.branch) + 1 AS INTEGER)
FROM v_branch_month b JOIN syn_counties c USING (county)
WHERE b.period = $latest
UNION ALL
-- ~1 % more registered branches, missing from every ledger (缺报支部).
SELECT 'R' || lpad(CAST(c.n AS VARCHAR), 5, '0') || 'register', b.county, b.township, b.branch || '新', b.branch_type,
       '新设', '支部名册', NULL
FROM v_branch_month b JOIN syn_counties c USING (county)
WHERE b.period = $latest AND hash(b.branch || b.township) % 100 = 0
UNION ALL
-- One registered township per county that never submitted (未报送 / B4).
SELECT 'R' || lpad(CAST(n AS VARCHAR), 5, '0') || 'register', county, '新设镇', '新设村', '村', '在册', '支部名册', NULL
FROM syn_counties;

INSERT INTO goal (upload_id, county, township, goal_5, goal_4, goal_3, due, due_text, source_sheet, source_row)
SELECT 'R' || lpad(CAST(c.n AS VARCHAR), 5, '0') || 'goals', t.county, t.township,
       CAST(t.branches * 0.05 AS INTEGER), CAST(t.branches * 0.15 AS INTEGER), CAST(t.branches * 0.3 AS INTEGER),
       DATE '2024-12-31', '2024年底', '创建目标', NULL
FROM (SELECT county, township, count(*) AS branches FROM v_branch_month WHERE period = $latest GROUP BY ALL) t
JOIN syn_counties c USING (county)
UNION ALL
SELECT 'R' || lpad(CAST(n AS VARCHAR), 5, '0') || 'goals', county, NULL, 10, 40, 80, DATE '2025-06-30', '2025年6月底',
       '创建目标', NULL
FROM syn_counties WHERE n % 2 = 0;
"""


def _prepare(path: Any, latest: date) -> dict[str, int]:
    from analytics import store

    with store.open_store(path) as con:
        if not con.execute("SELECT count(*) FROM register").fetchone()[0]:  # type: ignore[index]
            con.execute("BEGIN TRANSACTION")
            for statement in (part.strip() for part in _REGISTER_SQL.split(";\n")):
                if statement:
                    con.execute(statement, {"latest": latest} if "$latest" in statement else None)
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        return {
            "register_rows": con.execute("SELECT count(*) FROM v_register").fetchone()[0],  # type: ignore[index]
            "goal_rows": con.execute("SELECT count(*) FROM v_goal").fetchone()[0],  # type: ignore[index]
            "townships": con.execute(
                "SELECT count(DISTINCT (county, township)) FROM v_branch_month WHERE period = ?", [latest]
            ).fetchone()[0],  # type: ignore[index]
            "counties": con.execute("SELECT count(DISTINCT county) FROM v_register").fetchone()[0],  # type: ignore[index]
        }


def _time(fn: Any, runs: int, clock: Any = time.perf_counter) -> tuple[float, float, Any]:
    result = fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = clock()
        result = fn()
        times.append((clock() - t0) * 1000)
    return median(times), min(times), result


# The existing analytics a page calls, timed with the register in force and on a copy of the
# same store whose register is withdrawn (the baseline): issue 16 asks that their goals
# still hold with a register present (the battle map joins it; B4 reads it).
EXISTING = ("battle_map.battle_map", "metrics.kpis", "rankings.branch_ranking", "flags.red_list", "flags.black_list")


def _existing_with_and_without_register(path: Any, period: Any, runs: int) -> list[list[Any]]:
    import shutil

    from analytics import battle_map, flags, metrics, rankings, store
    from analytics.scope import Scope
    from analytics.settings import Settings

    settings = Settings({})
    fns = {"battle_map.battle_map": battle_map.battle_map, "metrics.kpis": metrics.kpis,
           "rankings.branch_ranking": rankings.branch_ranking, "flags.red_list": flags.red_list,
           "flags.black_list": flags.black_list}
    baseline = path.with_name(path.stem + "_noregister.duckdb")
    shutil.copy(path, baseline)
    with store.open_store(baseline) as con:
        con.execute("UPDATE register SET is_current = false")
        con.execute("CHECKPOINT")
    out: list[list[Any]] = []
    try:
        with store.open_store(path, read_only=True) as with_reg, store.open_store(baseline, read_only=True) as without:
            for name in EXISTING:
                fn = fns[name]
                a = _time(lambda c=with_reg, f=fn: f(c, period, Scope(), settings), runs)[0]
                b = _time(lambda c=without, f=fn: f(c, period, Scope(), settings), runs)[0]
                out.append([name, round(a, 2), round(b, 2), round(a / b, 2)])
                log(f"{name}: {a:.2f} ms with the register, {b:.2f} ms without ({a / b:.2f}×)")
    finally:
        baseline.unlink(missing_ok=True)
    return out


def main(quick: bool = False) -> None:
    from analytics import goals, store, submissions
    from analytics.periods import Period
    from analytics.scope import Scope
    from analytics.settings import Settings

    params = QUICK if quick else FULL
    runs = QUICK_RUNS if quick else FULL_RUNS
    path = DATA_DIR / ("quick" if quick else "") / "province_status.duckdb"
    banner(f"status and goals ({params.n_branches:,} branches)")
    history = ensure_history(path, params, log)
    period = Period.parse(params.end_period)
    sizes = _prepare(path, period.start)
    log(f"store: {sizes}")
    settings = Settings({})
    today = date(2024, 10, 8)  # three days after the due date of the latest month
    rows: list[list[Any]] = []
    measured: dict[str, float] = {}
    with store.open_store(path, read_only=True) as con:
        county = con.execute("SELECT min(county) FROM v_register").fetchone()[0]  # type: ignore[index]

        def cases(c: Any) -> dict[str, Any]:
            return {
                "submissions.status (province)": lambda: submissions.status(c, period, Scope(), settings, today),
                "submissions.status (one county)":
                    lambda: submissions.status(c, period, Scope(county), settings, today),
                "goals.goal_progress + goal_table (province)":
                    lambda: goals.goal_table(goals.goal_progress(c, period, Scope(), settings)),
                "goals.goal_progress + goal_table (one county)":
                    lambda: goals.goal_table(goals.goal_progress(c, period, Scope(county), settings)),
            }

        # CPU time of this process with DuckDB on one thread: the work itself, much less
        # sensitive than wall time to other processes on a shared machine.
        cpu: dict[str, float] = {}
        con.execute("SET threads = 1")
        for name, fn in cases(con).items():
            cpu[name] = _time(fn, runs, time.process_time)[0]
        con.execute("RESET threads")
        for name, fn in cases(con).items():
            ms, fastest, result = _time(fn, runs)
            measured[name] = ms
            detail = (f"{len(result):,} townships, {submissions.status_counts(result)}" if "status" in name
                      else f"{len(result):,} table rows")
            rows.append([name, round(ms, 2), round(fastest, 2), round(cpu[name], 2), detail])
            log(f"{name}: {ms:.2f} ms, fastest {fastest:.2f} ms ({detail})")
    existing = _existing_with_and_without_register(path, period, runs)
    load = os.getloadavg()[0]
    goal_list = [Goal(f"{n} (compute)", measured[n], GOAL_MS, "<=", " ms") for n in measured if "province" in n]
    goal_list += [Goal(f"{r[0]} with the register (compute)", r[1], GOAL_MS, "<=", " ms") for r in existing]
    table = (f"Store: {params.n_branches:,} branches in {sizes['townships']:,} townships of {sizes['counties']} "
             f"counties, {params.n_months} months; register {sizes['register_rows']:,} rows, goals "
             f"{sizes['goal_rows']:,} rows. Period {period.label}, judged on {today}; median of {runs} runs "
             f"(load average {load:.1f} on {os.cpu_count()} cores at the end).\n\n"
             + markdown_table(["function", "compute ms (median)", "fastest ms", "CPU ms, one thread (median)", "result"],
                            rows)
             + "\n\nThe existing analytics at province scope with the register in force, against the same store "
               "with its register withdrawn (baseline), in one run:\n\n"
             + markdown_table(["function", "with register ms", "without (baseline) ms", "ratio"], existing)
             + "\n\n" + goals_table(goal_list))
    print(table)
    for g in goal_list:
        print(g)
    Results("status", quick, {"history": history, "sizes": sizes, "rows": rows, "existing": existing,
                              "load_average": load,
                              "goals": [g.to_dict() for g in goal_list]}).write()
    if not quick:
        update_docs("status", table)


if __name__ == "__main__":
    main()
