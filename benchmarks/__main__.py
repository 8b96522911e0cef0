"""``python -m benchmarks [ingest|analytics|browser|status ...] [--quick]`` — run benchmark groups.

No group named: all four, in that order. ``--quick``: small sizes and one run,
for smoke-checking; results go to benchmarks/data/quick/ and docs/benchmarks.md is
left alone. A full run writes benchmarks/results/<group>.json and refreshes the
group's tables in docs/benchmarks.md. Nothing here fails on a missed goal: goals
are printed with PASS/FAIL next to the measurement.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback

GROUPS = ("ingest", "analytics", "weeks", "browser", "register", "status")
ONLY_GROUP = {"cold-start": "browser", "battle-map": "analytics"}  # --only: the group each measurement is in


def _group_runs() -> str:
    """Which commit and when each group's published results were measured (groups run separately)."""
    import json

    from benchmarks.common import RESULTS_DIR

    runs = []
    for group in GROUPS:
        path = RESULTS_DIR / f"{group}.json"
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            commit = (data.get("machine") or {}).get("commit") or "?"
            runs.append(f"{group} at commit {commit} ({str(data.get('finished_at', '?'))[:10]})")
    return "; ".join(runs) or "no results yet"


def _document_machine() -> None:
    from benchmarks.common import machine_info, update_docs

    m = machine_info()
    pk = m["packages"]
    versions = ", ".join(f"{k} {v}" for k, v in pk.items() if v)
    update_docs("machine", "\n".join([
        f"- CPU: {m['cpu']}, {m['nproc']} cores (nproc); RAM {m['ram_gib']} GiB; {m['os']}",
        f"- Python {m['python']}; {versions}",
        f"- {m['chromium'] or 'chromium: not found'}",
        f"- Results: {_group_runs()}",
    ]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("groups", nargs="*", metavar="GROUP", help=f"{', '.join(GROUPS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes, one run (smoke check)")
    parser.add_argument("--only", choices=["cold-start", "battle-map"],
                        help="only this measurement — browser: cold-start (new session → first chart on 总览); "
                             "analytics: battle-map (issue 17's functions and pages at province scale)")
    args = parser.parse_args(argv)
    unknown = [g for g in args.groups if g not in GROUPS]
    if unknown:
        parser.error(f"unknown group {', '.join(unknown)}; choose from {', '.join(GROUPS)}")
    groups = args.groups or list(GROUPS)
    if args.only:  # a measurement belongs to one group: run that group alone
        groups = [ONLY_GROUP[args.only]]
    failed = []
    for group in groups:
        t0 = time.perf_counter()
        try:
            if group == "ingest":
                from benchmarks import bench_ingest as mod
            elif group == "analytics":
                from benchmarks import bench_analytics as mod  # type: ignore[no-redef]
            elif group == "register":
                from benchmarks import bench_register as mod  # type: ignore[no-redef]
            elif group == "status":
                from benchmarks import bench_status as mod  # type: ignore[no-redef]
            elif group == "weeks":
                from benchmarks import bench_weeks as mod  # type: ignore[no-redef]
            else:
                from benchmarks import bench_browser as mod  # type: ignore[no-redef]
            if args.only:
                mod.main(quick=args.quick, only=args.only)
            else:
                mod.main(quick=args.quick)
        except Exception:  # one broken group must not hide the others' numbers
            traceback.print_exc()
            failed.append(group)
        print(f"--- {group}: {time.perf_counter() - t0:.0f}s", flush=True)
    if not args.quick and len(failed) < len(groups):
        _document_machine()
    if failed:
        print(f"benchmark groups that could not run: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
