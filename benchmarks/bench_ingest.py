"""Ingest: end-to-end import of big standard ledgers vs the read floor and the pandas baseline.

For each size the same .xlsx is processed three ways, each as a whole, fresh Python
process (see ``benchmarks.common.run_process`` for how wall time and memory are measured).
The ledgers are drawn the way offices fill them (``benchmarks.office_ledger``: four sheets —
star ledger with a two-row header, a 作战图 with long varied measures and dates in every form,
a problem list of ~4 rows per branch, a rectification sheet — many counties, names with
党支部/党总支, a shared-string table as Excel saves it); the goals are judged on those.
One reference row, ``city-uniform``, keeps the earlier uniform ledger
(``analytics.sample_data.write_scale_ledger``: two sheets, short repeated texts) for comparison.

* import   — ``python -m analytics ingest FILE --db <fresh>.duckdb --json``
             (parse + validate + load into a new store; must print ``"ok": true``);
* floor    — fastexcel merely reading every sheet into Arrow (``header_row=None``,
             every cell, ``eager=True``: the quickest way fastexcel has, the one the
             importer's reader uses since 2026-12-08 — a lazy sheet's ``to_arrow`` took
             ~0.15 s more CPU on a city's 作战图); the process also reports its
             in-process read time;
* baseline — ``pandas.read_excel(FILE, sheet_name=None, engine="openpyxl", header=None)``,
             what a user would otherwise write; also reports its in-process time.

Runs are interleaved (import, floor, baseline, import, …) so background load
hits all three alike. Median of the runs.

Time and memory come from separate runs of the same command. The memory sampler
(``benchmarks.common.run_process``) reads ``/proc/<pid>/smaps_rollup`` of every
process of the tree every 10 ms, which costs a good part of a CPU core: on this
2-core machine it slowed the import (which keeps both cores busy: the sandboxed
reader process parses while the importer loads its libraries and prepares the
store) by ~0.1–0.15 s, and the single-threaded floor not at all (the sampler had
the other core to itself). So each timed run is a plain spawn-to-reaped run with
nothing sampling it, followed by a sampled run for memory; ``wall_s_sampled``
keeps the wall times of the sampled runs for comparison.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks.common import (
    DATA_DIR,
    ROOT,
    Goal,
    ProcResult,
    Results,
    banner,
    goals_table,
    log,
    markdown_table,
    median,
    python_cmd,
    run_process,
    update_docs,
)

INGEST_DIR = DATA_DIR / "ingest"


@dataclass(frozen=True)
class Size:
    key: str
    label: str
    n_branches: int
    runs: int
    baseline_runs: int
    style: str = "office"  # "office": benchmarks.office_ledger; "uniform": sample_data.write_scale_ledger


FULL_SIZES = (
    Size("county", "county (500 branches)", 500, 5, 3),
    Size("city", "city (5,000 branches)", 5_000, 5, 3),  # 5 runs: its ratio goal is the tightest
    Size("province20k", "20,000 branches", 20_000, 3, 1),
    Size("city-uniform", "city, uniform ledger (reference)", 5_000, 3, 1, style="uniform"),
)
QUICK_SIZES = (Size("county", "county (500 branches)", 500, 1, 1),)

FLOOR_SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
import fastexcel
t1 = time.perf_counter()
reader = fastexcel.read_excel(sys.argv[1])
rows = {}
for name in reader.sheet_names:
    table = reader.load_sheet(name, header_row=None, eager=True)
    rows[name] = table.num_rows
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "read_s": t2 - t1, "rows": rows}, ensure_ascii=False))
"""

BASELINE_SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
import pandas as pd
t1 = time.perf_counter()
frames = pd.read_excel(sys.argv[1], sheet_name=None, engine="openpyxl", header=None)
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "read_s": t2 - t1,
                  "rows": {k: len(v) for k, v in frames.items()}}, ensure_ascii=False))
"""


# Bump when benchmarks/office_ledger.py writes different files (cached ledgers are regenerated).
OFFICE_GENERATOR_VERSION = 1


def ledger_path(size: Size) -> Path:
    return INGEST_DIR / f"{size.style}_ledger_{size.n_branches}.xlsx"


def ensure_ledger(size: Size) -> dict[str, Any]:
    """Generate the ledger once (reused while the generator's output is unchanged)."""
    from analytics.sample_data import write_scale_ledger
    from benchmarks.office_ledger import write_office_ledger

    path = ledger_path(size)
    meta_path = path.with_suffix(".json")
    version = OFFICE_GENERATOR_VERSION if size.style == "office" else 0
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("n_branches") == size.n_branches and meta.get("version") == version:
            return meta
    path.parent.mkdir(parents=True, exist_ok=True)
    log(f"generating {path.name} ({size.n_branches:,} branches, {size.style}) …")
    write = write_office_ledger if size.style == "office" else write_scale_ledger
    info = write(path, size.n_branches, seed=0, period="2024-08")
    meta = {"n_branches": size.n_branches, "version": version, "style": size.style,
            "generator": dict(info or {}), "size_bytes": path.stat().st_size}
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, default=str, indent=2), encoding="utf-8")
    return meta


def run_timed(cmd: Sequence[str]) -> ProcResult:
    """Wall time from spawn to reaped with no memory sampling; memory fields are ru_maxrss only."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=str(ROOT))
    chunks: dict[str, bytes] = {}

    def drain(name: str, stream: Any) -> None:
        chunks[name] = stream.read()

    readers = [threading.Thread(target=drain, args=(n, s), daemon=True)
               for n, s in (("out", proc.stdout), ("err", proc.stderr))]
    for r in readers:
        r.start()
    _, status, rusage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    for r in readers:
        r.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return ProcResult(
        cmd=list(cmd), returncode=proc.returncode, wall_s=wall, tree_peak_mib=float("nan"),
        maxrss_mib=rusage.ru_maxrss / 1024,
        stdout=chunks.get("out", b"").decode("utf-8", "replace"),
        stderr=chunks.get("err", b"").decode("utf-8", "replace"),
    )


def run_twice(cmd: Sequence[str], before: Any = None) -> tuple[ProcResult, float]:
    """(an unsampled run — wall time, output — with the memory of a sampled run, wall time of the sampled run).

    ``before`` is called before each of the two runs (e.g. to remove the store)."""
    if before is not None:
        before()
    timed = run_timed(cmd)
    if timed.returncode != 0:
        return timed, float("nan")
    if before is not None:
        before()
    sampled = run_process(cmd)
    if sampled.returncode != 0:
        return sampled, sampled.wall_s
    # Output (e.g. the floor's in-process read time) from the timed run; memory from the sampled one.
    merged = replace(
        timed, tree_peak_mib=sampled.tree_peak_mib, maxrss_mib=max(timed.maxrss_mib, sampled.maxrss_mib)
    )
    return merged, sampled.wall_s


def _fresh_db(tag: str) -> Path:
    db = INGEST_DIR / f"fresh_{tag}.duckdb"
    for p in (db, Path(str(db) + ".wal")):
        p.unlink(missing_ok=True)
    return db


def run_import(path: Path, tag: str) -> tuple[ProcResult, float, dict[str, Any]]:
    db = _fresh_db(tag)
    res, sampled_s = run_twice(
        python_cmd("-m", "analytics", "ingest", str(path), "--db", str(db), "--json"), lambda: _fresh_db(tag)
    )
    report: dict[str, Any] = {}
    for line in res.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            report = json.loads(line)
    if res.returncode != 0 or not report.get("ok"):
        raise RuntimeError(
            f"import of {path.name} failed (exit {res.returncode}):\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
        )
    _fresh_db(tag)
    return res, sampled_s, report


def run_script(script: str, path: Path, *, sample: bool = True) -> tuple[ProcResult, float, dict[str, Any]]:
    """A reference read: timed unsampled, then (``sample``) once more sampled for memory."""
    cmd = python_cmd("-c", script, str(path))
    res, sampled_s = run_twice(cmd) if sample else (run_timed(cmd), float("nan"))
    if res.returncode != 0:
        raise RuntimeError(f"reference read of {path.name} failed:\n{res.stderr[-3000:]}")
    return res, sampled_s, json.loads(res.stdout.strip().splitlines()[-1])


def ensure_ledgers(sizes: Sequence[Size]) -> dict[str, dict[str, Any]]:
    """``ensure_ledger`` of each size, in a child process: generating a 20,000-branch ledger
    grows a process to ~0.8 GiB, and every process this one forks afterwards would report that
    as its ``ru_maxrss`` (a forked child's peak counts the pages it shared before ``exec``)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return {size.key: pool.submit(ensure_ledger, size).result() for size in sizes}


def bench_size(size: Size, meta: dict[str, Any]) -> dict[str, Any]:
    path = ledger_path(size)
    imports: list[ProcResult] = []
    imports_sampled: list[float] = []
    floors: list[tuple[ProcResult, float, dict[str, Any]]] = []
    baselines: list[tuple[ProcResult, float, dict[str, Any]]] = []
    report: dict[str, Any] = {}
    for i in range(size.runs):
        res, sampled_s, report = run_import(path, size.key)
        imports.append(res)
        imports_sampled.append(sampled_s)
        log(f"{size.key} run {i + 1}: import {res.wall_s:.2f}s (sampled run {sampled_s:.2f}s) {res.peak_mib:.0f}MiB")
        floors.append(run_script(FLOOR_SCRIPT, path))
        log(f"{size.key} run {i + 1}: floor {floors[-1][0].wall_s:.2f}s (sampled run {floors[-1][1]:.2f}s, "
            f"read {floors[-1][2]['read_s']:.2f}s)")
        if i < size.baseline_runs:
            # The baseline's memory is sampled on its first run only (it takes 20–80 s a run).
            baselines.append(run_script(BASELINE_SCRIPT, path, sample=i == 0))
            log(f"{size.key} run {i + 1}: openpyxl {baselines[-1][0].wall_s:.2f}s")

    imp_s = median(r.wall_s for r in imports)
    floor_proc_s = median(r.wall_s for r, _, _ in floors)
    floor_read_s = median(j["read_s"] for _, _, j in floors)
    base_proc_s = median(r.wall_s for r, _, _ in baselines)
    base_read_s = median(j["read_s"] for _, _, j in baselines)
    rows = report.get("rows", {})
    return {
        "key": size.key,
        "label": size.label,
        "file": path.name,
        "file_mib": round(path.stat().st_size / 1024 / 1024, 2),
        "branches": rows.get("branches"),
        "tasks": rows.get("tasks"),
        "problems": (meta.get("generator") or {}).get("problems"),
        "style": size.style,
        "generator": meta.get("generator"),
        "runs": {"import": len(imports), "floor": len(floors), "baseline": len(baselines)},
        "import": {
            "wall_s": imp_s,
            "wall_s_all": [r.wall_s for r in imports],
            "wall_s_sampled": imports_sampled,
            "peak_mib": median(r.peak_mib for r in imports),
            "tree_peak_mib": median(r.tree_peak_mib for r in imports),
            "maxrss_mib": median(r.maxrss_mib for r in imports),
        },
        "floor": {
            "process_s": floor_proc_s,
            "read_s": floor_read_s,
            "process_s_all": [r.wall_s for r, _, _ in floors],
            "process_s_sampled": [s for _, s, _ in floors],
            "peak_mib": median(r.peak_mib for r, _, _ in floors),
            "rows": floors[-1][2]["rows"],
        },
        "baseline": {
            "process_s": base_proc_s,
            "read_s": base_read_s,
            "process_s_all": [r.wall_s for r, _, _ in baselines],
            "peak_mib": median(r.peak_mib for r, _, _ in baselines),
        },
        "ratios": {
            "import_over_floor_process": imp_s / floor_proc_s,
            "import_over_floor_read": imp_s / floor_read_s,
            "baseline_process_over_import": base_proc_s / imp_s,
        },
    }


def goals_for(results: list[dict[str, Any]]) -> list[Goal]:
    by_key = {r["key"]: r for r in results}
    goals: list[Goal] = []
    city = by_key.get("city")
    if city:
        goals += [
            Goal("city import / floor (whole process)", city["ratios"]["import_over_floor_process"], 1.5, "<=", "×"),
            Goal("city openpyxl baseline / import", city["ratios"]["baseline_process_over_import"], 8, ">=", "×"),
            Goal("city import peak memory", city["import"]["peak_mib"], 300, "<=", " MiB"),
        ]
    big = by_key.get("province20k")
    if big:
        goals += [
            Goal("20k import wall time", big["import"]["wall_s"], 8, "<=", " s"),
            Goal("20k import peak memory", big["import"]["peak_mib"], 1024, "<=", " MiB"),
        ]
    return goals


def render(results: list[dict[str, Any]], goals: list[Goal]) -> str:
    headers = [
        "ledger", "file MiB", "branches", "task rows", "problem rows",
        "import s", "import MiB",
        "floor s (process)", "floor s (read)", "floor MiB",
        "openpyxl s (process)", "openpyxl s (read)", "openpyxl MiB",
        "import / floor", "import / floor read", "openpyxl / import",
    ]
    rows = []
    for r in results:
        rows.append([
            r["label"], r["file_mib"], r["branches"], r["tasks"], r.get("problems") or 0,
            r["import"]["wall_s"], r["import"]["peak_mib"],
            r["floor"]["process_s"], r["floor"]["read_s"], r["floor"]["peak_mib"],
            r["baseline"]["process_s"], r["baseline"]["read_s"], r["baseline"]["peak_mib"],
            f"{r['ratios']['import_over_floor_process']:.2f}×",
            f"{r['ratios']['import_over_floor_read']:.2f}×",
            f"{r['ratios']['baseline_process_over_import']:.1f}×",
        ])
    runs = "; ".join(
        f"{r['key']}: import {r['runs']['import']}, floor {r['runs']['floor']}, openpyxl {r['runs']['baseline']}"
        for r in results
    )
    return "\n\n".join([
        markdown_table(headers, rows),
        f"Runs per median — {runs}.",
        goals_table(goals),
    ])


def main(quick: bool = False) -> dict[str, Any]:
    banner("ingest" + (" (quick)" if quick else ""))
    load_before = os.getloadavg()
    sizes = QUICK_SIZES if quick else FULL_SIZES
    metas = ensure_ledgers(sizes)
    results = [bench_size(s, metas[s.key]) for s in sizes]
    goals = goals_for(results)
    table = render(results, goals)
    print(table)
    for g in goals:
        print(g.line())
    out = Results("ingest", quick, {
        "method": {
            "wall": "perf_counter from spawn to reaped (os.wait4), whole process, in a run with no "
                    "memory sampling (the sampler costs CPU the import needs on 2 cores)",
            "memory": "from a second, sampled run of the same command: peak_mib = max(process-tree PSS sum "
                      "polled every 10 ms from /proc, ru_maxrss of os.wait4 = largest single process incl. "
                      "reaped descendants)",
            "runs_interleaved": True,
        },
        "load_avg_before": load_before,
        "load_avg_after": os.getloadavg(),
        "sizes": results,
        "goals": [g.to_dict() for g in goals],
    })
    path = out.write()
    log(f"wrote {path.relative_to(path.parents[2])}")
    if not quick:
        update_docs("ingest", table)
    return out.data
