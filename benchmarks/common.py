"""Shared helpers: paths, process measurement, medians, goals, tables, results.

Process measurement (``run_process``) reports two memory numbers for a child
process tree, both in MiB:

* ``tree_peak_mib`` — the largest *sum* of PSS (proportional set size: a page shared by
  n processes, e.g. after ``fork``, counts 1/n in each) over the process and all its
  descendants, sampled every ``POLL_S`` seconds from ``/proc`` (walks
  ``/proc/<pid>/task/<tid>/children``; reads ``/proc/<pid>/smaps_rollup``). A peak
  shorter than the sampling interval can be missed.
* ``maxrss_mib`` — ``ru_maxrss`` from ``os.wait4`` on the child: the kernel's
  exact high-water mark of the largest single process in the tree (the child or
  any descendant it waited for). It cannot miss a short peak but does not add
  up processes alive at the same time.

``peak_mib`` = the larger of the two; goals are judged on it.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "benchmarks"
DATA_DIR = BENCH_DIR / "data"  # generated inputs (git-ignored)
RESULTS_DIR = BENCH_DIR / "results"  # full-run results (committed)
QUICK_RESULTS_DIR = DATA_DIR / "quick"  # --quick results (git-ignored)
DOCS_FILE = ROOT / "docs" / "benchmarks.md"

POLL_S = 0.01
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024


# --- process measurement ---------------------------------------------------------


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as fh:
                    out.extend(int(c) for c in fh.read().split())
            except OSError:
                continue
    except OSError:
        pass
    return out


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def _pss_bytes(pid: int) -> int:
    """Proportional set size (shared pages split among the processes sharing them); RSS if unavailable."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return _rss_bytes(pid)


def tree_pss_bytes(pid: int) -> int:
    """Sum of PSS of ``pid`` and all its live descendants (pages shared after fork counted once)."""
    total, stack, seen = 0, [pid], set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        total += _pss_bytes(p)
        stack.extend(_children(p))
    return total


def current_rss_mib() -> float:
    return _rss_bytes(os.getpid()) / MIB


def peak_rss_mib_self() -> float:
    """VmHWM of this process (its own RSS high-water mark)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


@dataclass
class ProcResult:
    cmd: list[str]
    returncode: int
    wall_s: float
    tree_peak_mib: float
    maxrss_mib: float
    stdout: str
    stderr: str

    @property
    def peak_mib(self) -> float:
        return max(self.tree_peak_mib, self.maxrss_mib)


def run_process(
    cmd: Sequence[str], *, env: dict[str, str] | None = None, cwd: Path | None = None, timeout_s: float = 1800,
    sample_memory: bool = True,
) -> ProcResult:
    """Run ``cmd`` to completion; wall time from spawn to reaped, memory as in the module doc.

    ``sample_memory=False``: no PSS sampling (``tree_peak_mib`` 0, ``peak_mib`` = ``maxrss_mib``),
    for a child that times itself. Reading ``smaps_rollup`` every ``POLL_S`` makes the kernel
    walk the child's page tables under its memory-map lock, which slows the child down: on
    the analytics worker (~300 MiB) it added ~30 % to the measured query times.
    """
    full_env = {**os.environ, **(env or {})}
    peak = 0
    stop = threading.Event()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env, cwd=str(cwd or ROOT)
    )

    def poll() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_pss_bytes(proc.pid))
            stop.wait(POLL_S)

    poller = threading.Thread(target=poll, daemon=True)
    if sample_memory:
        poller.start()
    # Drain pipes in threads so a chatty child never blocks; reap with wait4 for rusage.
    chunks: dict[str, bytes] = {}

    def drain(name: str, stream: Any) -> None:
        chunks[name] = stream.read()

    readers = [
        threading.Thread(target=drain, args=("out", proc.stdout), daemon=True),
        threading.Thread(target=drain, args=("err", proc.stderr), daemon=True),
    ]
    for r in readers:
        r.start()
    deadline = time.monotonic() + timeout_s
    while True:
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            pid, status, rusage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.002)
    wall = time.perf_counter() - t0
    stop.set()
    if sample_memory:
        poller.join()
    for r in readers:
        r.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return ProcResult(
        cmd=list(cmd),
        returncode=proc.returncode,
        wall_s=wall,
        tree_peak_mib=peak / MIB,
        maxrss_mib=rusage.ru_maxrss / 1024,  # Linux: KiB
        stdout=chunks.get("out", b"").decode("utf-8", "replace"),
        stderr=chunks.get("err", b"").decode("utf-8", "replace"),
    )


def python_cmd(*args: str) -> list[str]:
    return [sys.executable, *args]


# --- statistics ------------------------------------------------------------------


def median(values: Iterable[float]) -> float:
    vals = [v for v in values if v == v]  # drop NaN
    return statistics.median(vals) if vals else float("nan")


def timed(fn: Callable[[], Any], runs: int, warmup: int = 1) -> tuple[list[float], Any]:
    """Call ``fn`` ``warmup`` + ``runs`` times; return the timed durations (s) and the last result."""
    result = None
    for _ in range(warmup):
        result = fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


# --- goals -----------------------------------------------------------------------


@dataclass
class Goal:
    """A target to compare against; never fails the run."""

    name: str
    value: float | None
    limit: float
    op: str  # "<=" or ">="
    unit: str = ""

    @property
    def passed(self) -> bool | None:
        if self.value is None or self.value != self.value:
            return None
        return self.value <= self.limit if self.op == "<=" else self.value >= self.limit

    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "n/a"}[self.passed]

    def to_dict(self) -> dict[str, Any]:
        return {
            "goal": self.name,
            "value": self.value,
            "op": self.op,
            "limit": self.limit,
            "unit": self.unit,
            "pass": self.passed,
        }

    def line(self) -> str:
        v = "—" if self.value is None else f"{self.value:.3g}"
        return f"{self.verdict():4}  {self.name}: {v}{self.unit} (goal {self.op} {self.limit:g}{self.unit})"


# --- tables ----------------------------------------------------------------------


def fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value != value:
            return "—"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(fmt(c) for c in row) + " |")
    return "\n".join(lines)


def goals_table(goals: Sequence[Goal]) -> str:
    rows = []
    for g in goals:
        rows.append([g.name, f"{g.op} {g.limit:g}{g.unit}", "—" if g.value is None else f"{g.value:.3g}{g.unit}", g.verdict()])
    return markdown_table(["goal", "target", "measured", "result"], rows)


# --- machine and results ---------------------------------------------------------


def _pkg_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def machine_info() -> dict[str, Any]:
    mem_kib = 0
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    mem_kib = int(line.split()[1])
    except OSError:
        pass
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            m = re.search(r"model name\s*:\s*(.+)", fh.read())
            if m:
                cpu = m.group(1).strip()
    except OSError:
        pass
    chromium = None
    if shutil.which("chromium") or Path("/usr/bin/chromium").exists():
        try:
            chromium = subprocess.run(
                ["/usr/bin/chromium", "--version"], capture_output=True, text=True, timeout=20
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            chromium = None
    commit = None
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, timeout=10
        ).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {
        "nproc": os.cpu_count(),
        "ram_gib": round(mem_kib / 1024 / 1024, 1),
        "cpu": cpu,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": {
            name: _pkg_version(name)
            for name in ("duckdb", "pandas", "pyarrow", "fastexcel", "python-calamine", "openpyxl",
                         "xlsxwriter", "streamlit", "plotly", "playwright")
        },
        "chromium": chromium,
        "commit": commit,
    }


@dataclass
class Results:
    group: str
    quick: bool
    data: dict[str, Any] = field(default_factory=dict)

    def path(self) -> Path:
        return (QUICK_RESULTS_DIR if self.quick else RESULTS_DIR) / f"{self.group}.json"

    def write(self) -> Path:
        out = self.path()
        out.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "group": self.group,
            "quick": self.quick,
            "finished_at": datetime.now().isoformat(timespec="seconds"),
            "machine": machine_info(),
            **self.data,
        }
        out.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
        return out


def update_docs(group: str, markdown: str) -> bool:
    """Replace the block between ``<!-- bench:GROUP:start -->`` and ``<!-- bench:GROUP:end -->``."""
    if not DOCS_FILE.exists():
        return False
    text = DOCS_FILE.read_text(encoding="utf-8")
    start, end = f"<!-- bench:{group}:start -->", f"<!-- bench:{group}:end -->"
    if start not in text or end not in text:
        return False
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    DOCS_FILE.write_text(f"{head}{start}\n{markdown.strip()}\n{end}{tail}", encoding="utf-8")
    return True


def banner(text: str) -> None:
    print(f"\n=== {text} ===", flush=True)


def log(text: str) -> None:
    print(f"  {text}", flush=True)
