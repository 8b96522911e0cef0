"""Build small literal stores for tests, bypassing the file importer.

    build_store(path, branches=[{"period": "2024-08", "township": "甲镇", "branch": "一村", "stars": 3}, ...],
                tasks=[{"period": "2024-08", "township": "甲镇", "branch": "一村", "star_slot": 1,
                        "task": "…", "deadline": "2024-08-15", "done": False}, ...])

Each distinct (period, county, township) becomes one upload (ids U00001… in
order of first appearance), exactly as the importer would record it. Missing
fields get defaults: county "甲县", branch_type from the name (…社区 -> 社区,
else 村), star slots derived from ``stars`` (the first ``stars`` slots
achieved, the rest in_progress) unless given, tasks NULL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from analytics import store
from analytics.ingest.model import BRANCH_SCHEMA, PROBLEM_SCHEMA, TASK_SCHEMA, WEAK_SCHEMA
from analytics.periods import Period


def _month(value: Any) -> date:
    """A row's period: the first day of its month, or the Monday of a week written 2024-W35."""
    if isinstance(value, date):
        return value.replace(day=1)
    if "W" in str(value):
        return Period.parse(str(value)).start
    year, month = str(value)[:7].split("-")
    return date(int(year), int(month), 1)


def _kind(value: Any) -> str:
    """'week' for a period written 2024-W35 (a weekly ledger, cadence.md §1), else 'month'."""
    return "week" if "W" in str(value) else "month"


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _branch_row(raw: Mapping[str, Any]) -> dict[str, Any]:
    row = dict(raw)
    row.setdefault("county", "甲县")
    name = row["branch"]
    row.setdefault("branch_type", "社区" if name.endswith("社区") else "村")
    slots = [row.get(f"star_{i}") for i in range(1, 6)]
    if all(s is None for s in slots) and "stars" in row:
        n = int(row["stars"])
        for i in range(1, 6):
            row[f"star_{i}"] = "achieved" if i <= n else "in_progress"
    if "stars" not in row:
        row["stars"] = sum(1 for i in range(1, 6) if row.get(f"star_{i}") == "achieved")
    row.setdefault("weak", False)
    row.setdefault("source_sheet", "星级台账")
    return row


def build_store(
    path: str | Path,
    branches: Iterable[Mapping[str, Any]],
    tasks: Iterable[Mapping[str, Any]] = (),
    *,
    is_demo: bool = False,
    problems: Iterable[Mapping[str, Any]] = (),
    weak: Iterable[Mapping[str, Any]] = (),
) -> Path:
    path = Path(path)
    b_rows = [_branch_row(r) for r in branches]
    t_rows = [dict(r) for r in tasks]
    p_rows = [dict(r) for r in problems]
    w_rows = [dict(r) for r in weak]
    for r in t_rows + p_rows + w_rows:
        r.setdefault("county", "甲县")
    units: dict[tuple[date, str, str], str] = {}
    kinds: dict[tuple[date, str, str], str] = {}
    for r in b_rows + t_rows:
        key = (_month(r["period"]), r["county"], r["township"])
        if key in kinds and kinds[key] != _kind(r["period"]):
            raise ValueError(f"factory: a week and a month share the unit {key}; build them in two stores")
        kinds[key] = _kind(r["period"])
        units.setdefault(key, f"U{len(units) + 1:05d}")
    with store.open_store(path) as con:
        con.execute("BEGIN TRANSACTION")
        for seq, ((period, county, township), upload_id) in enumerate(units.items(), start=1):
            nb = sum(1 for r in b_rows if (_month(r["period"]), r["county"], r["township"]) == (period, county, township))
            nt = sum(1 for r in t_rows if (_month(r["period"]), r["county"], r["township"]) == (period, county, township))
            con.execute(
                "INSERT INTO uploads (upload_id, seq, file_name, uploader, uploaded_at, sha256, size_bytes, period,"
                " n_branches, n_tasks, warnings, skipped_sheets, is_demo, period_kind)"
                " VALUES (?, ?, ?, 'test', ?, ?, 0, ?, ?, ?, '[]', '[]', ?, ?)",
                [upload_id, seq, f"{township}{period:%Y%m%d}.xlsx", datetime(2024, 1, 1), upload_id, period, nb, nt,
                 is_demo, kinds[(period, county, township)]],
            )
            con.execute("INSERT INTO upload_scope (upload_id, kind, period, county, township) VALUES (?, ?, ?, ?, ?)",
                        [upload_id, kinds[(period, county, township)], period, county, township])
        bcols = [f.name for f in BRANCH_SCHEMA]
        b_table = pa.Table.from_pylist([{c: r.get(c) for c in bcols} for r in b_rows], schema=BRANCH_SCHEMA)
        b_ids = pa.array([units[(_month(r["period"]), r["county"], r["township"])] for r in b_rows], pa.string())
        b_periods = pa.array([_month(r["period"]) for r in b_rows], pa.date32())
        b_table = b_table.add_column(0, "period", b_periods).add_column(0, "upload_id", b_ids)
        b_table = b_table.append_column("period_kind", pa.array([_kind(r["period"]) for r in b_rows], pa.string()))
        con.register("b_in", b_table)
        con.execute("INSERT INTO branch_month BY NAME SELECT * FROM b_in")
        tcols = [f.name for f in TASK_SCHEMA]
        for r in t_rows:
            r["deadline"] = _day(r.get("deadline"))
            r["done_date"] = _day(r.get("done_date"))
            r.setdefault("source_sheet", "任务台账")
        t_table = pa.Table.from_pylist([{c: r.get(c) for c in tcols} for r in t_rows], schema=TASK_SCHEMA)
        t_ids = pa.array([units[(_month(r["period"]), r["county"], r["township"])] for r in t_rows], pa.string())
        t_periods = pa.array([_month(r["period"]) for r in t_rows], pa.date32())
        t_table = t_table.add_column(0, "period", t_periods).add_column(0, "upload_id", t_ids)
        t_table = t_table.append_column("period_kind", pa.array([_kind(r["period"]) for r in t_rows], pa.string()))
        con.register("t_in", t_table)
        con.execute("INSERT INTO task BY NAME SELECT * FROM t_in")
        # battle-map.md §2–§3 rows (problem list, rectification), in the units' uploads.
        for table, rows, schema, dates in (
            ("problem", p_rows, PROBLEM_SCHEMA, ("deadline", "closed_date")),
            ("weak", w_rows, WEAK_SCHEMA, ("identified", "cleared")),
        ):
            if not rows:
                continue
            for r in rows:
                for d in dates:
                    r[d] = _day(r.get(d))
                key = (_month(r["period"]), r["county"], r["township"])
                assert key in units, f"{table} row of a unit without branch rows: {key}"
            cols = [f.name for f in schema]
            x_table = pa.Table.from_pylist([{c: r.get(c) for c in cols} for r in rows], schema=schema)
            x_table = x_table.add_column(0, "period", pa.array([_month(r["period"]) for r in rows], pa.date32()))
            x_table = x_table.add_column(0, "upload_id", pa.array(
                [units[(_month(r["period"]), r["county"], r["township"])] for r in rows], pa.string()))
            x_table = x_table.append_column("period_kind", pa.array([_kind(r["period"]) for r in rows], pa.string()))
            con.register("x_in", x_table)
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM x_in")
            con.unregister("x_in")
        store.rebuild_snapshots(con)  # the rows were written directly, not through a load
        con.execute("COMMIT")
    return path
