"""Load stage: write one validated upload into the store in ONE transaction.

    load_parsed(con, parsed, file_name=…, sha256=…, content=…) -> LoadOutcome

What one accepted upload writes (contract §6): an ``uploads`` row (id 'U00001'
style from the sequence), one ``upload_scope`` row per (county, township) the
upload covers for its period, its ``branch_month`` and ``task`` rows (inserted
from Arrow, no Python row loop), and the original bytes in ``archive`` (stored
once per SHA-256). Replacement needs no deletes: per (period, county, township)
the latest upload that has not been rolled back is current, so earlier versions
stay in history and come back on rollback. The ``is_current`` flags the views
filter on are moved in the same transaction (``store.refresh_current``).

Either everything is committed or nothing: a crash or a kill before COMMIT
leaves the store exactly as it was (DuckDB writes the WAL only on COMMIT).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from analytics.audit import Actor
    from analytics.ingest.model import ParsedLedger

# DuckDB, pyarrow and the store are imported when a load runs: ``analytics.ingest``
# imports this module, and it must stay cheap to import (see analytics/ingest/__init__.py).

# Test hook: called inside the transaction after every row is written, just
# before COMMIT (the kill-mid-load test sleeps here and gets SIGKILLed).
BEFORE_COMMIT: Callable[[], None] | None = None

INSERT_UPLOAD_SQL = """
INSERT INTO uploads (upload_id, seq, file_name, uploader, uploaded_at, sha256, size_bytes, period,
                     n_branches, n_tasks, warnings, skipped_sheets, is_demo, state, accepted_seq, submitted_by,
                     period_kind)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""

# A submission waiting for review (access.md §3) is stored with its rows but none of them
# is current: no view, page, ranking, list or report sees it until it is accepted.
# {table}: upload_scope and each row table (store.ROW_TABLES).
PENDING_ROWS_SQL = "UPDATE {table} SET is_current = false WHERE upload_id = ?"

# One scope row per (county, township) unit of the upload's period, of its kind ('month' for a
# monthly ledger, 'week' for a weekly one: cadence.md §1, replaced per week and never a month's).
INSERT_SCOPE_SQL = """
INSERT INTO upload_scope (upload_id, kind, period, county, township)
SELECT ?, ?, ?, county, township FROM _scope_in
"""

# The original bytes are archived once per content hash (§6), however often uploaded.
# The bytes come in as a one-row Arrow table (_archive_in): binding several MB as a
# BLOB parameter costs ~0.2 s per 6 MB, scanning them from Arrow a few ms. (A
# NOT EXISTS, not ON CONFLICT DO NOTHING: that costs ~6 ms more for a 6 MB file.)
INSERT_ARCHIVE_SQL = """
INSERT INTO archive (sha256, size_bytes, content)
SELECT CAST($sha256 AS VARCHAR), CAST($size AS BIGINT), content FROM _archive_in
WHERE NOT EXISTS (SELECT 1 FROM archive WHERE sha256 = CAST($sha256 AS VARCHAR))
"""

# The uploads in force for any unit of this upload (same kind and period) until now (it
# replaces them there). A week whose Monday is the 1st of a month never replaces that month.
REPLACED_SQL = """
WITH final AS (
    SELECT DISTINCT c.upload_id
    FROM upload_scope c
    JOIN _scope_in s ON c.county = s.county AND c.township = s.township
    WHERE c.is_current AND c.kind = ? AND c.period = ?
)
SELECT upload_id FROM final ORDER BY upload_id
"""

INSERT_BRANCHES_SQL = """
INSERT INTO branch_month BY NAME
SELECT CAST(? AS VARCHAR) AS upload_id, CAST(? AS DATE) AS period, CAST(? AS VARCHAR) AS period_kind, * FROM _branches_in
"""

INSERT_TASKS_SQL = """
INSERT INTO task BY NAME
SELECT CAST(? AS VARCHAR) AS upload_id, CAST(? AS DATE) AS period, CAST(? AS VARCHAR) AS period_kind, * FROM _tasks_in
"""

# Problem-list and rectification rows (battle-map.md §2–§3); most uploads have none.
INSERT_PROBLEMS_SQL = """
INSERT INTO problem BY NAME
SELECT CAST(? AS VARCHAR) AS upload_id, CAST(? AS DATE) AS period, CAST(? AS VARCHAR) AS period_kind, * FROM _problems_in
"""
INSERT_WEAK_SQL = """
INSERT INTO weak BY NAME
SELECT CAST(? AS VARCHAR) AS upload_id, CAST(? AS DATE) AS period, CAST(? AS VARCHAR) AS period_kind, * FROM _weak_in
"""

# cadence.md §2 / §5: an assessment or acceptance upload is its own kind of upload and unit.
SET_UPLOAD_KIND_SQL = "UPDATE uploads SET kind = ? WHERE upload_id = ?"
# (Its scope rows and the uploads it replaces: INSERT_SCOPE_SQL and REPLACED_SQL with its unit kind.)
INSERT_ASSESSMENT_SQL = """
INSERT INTO assessment BY NAME
SELECT CAST(? AS VARCHAR) AS upload_id, CAST(? AS DATE) AS period, CAST(? AS VARCHAR) AS period_kind, *
FROM _rows_in
"""
INSERT_AWARD_SQL = """
INSERT INTO award BY NAME
SELECT CAST(? AS VARCHAR) AS upload_id, CAST(? AS DATE) AS period, * FROM _rows_in
"""


# battle-map.md §1 task columns that may be absent from a task sheet.
_OPTIONAL_TASK_COLUMNS = ("team", "star_owner", "department", "accepted_date")


@dataclass(frozen=True)
class LoadOutcome:
    upload_id: str | None  # the new upload, or None when nothing was written
    duplicate_of: str | None  # the identical upload in force or waiting for review (no-op), else None
    replaced: tuple[str, ...] = ()  # uploads that were current for one of its units until now
    duplicate_state: str | None = None  # 'accepted' | 'pending': the state of ``duplicate_of``


def _conform(table: pa.Table, columns: tuple[str, ...], schema: pa.Schema) -> pa.Table:
    """The contract's columns in the contract's order and types (a cheap, vectorised cast)."""
    return table.select(list(columns)).cast(schema)


def _bytes_table(content: bytes) -> pa.Table:
    """A one-row table with ``content`` as a large_binary cell, without copying the bytes."""
    import pyarrow as pa

    offsets = pa.array([0, len(content)], pa.int64()).buffers()[1]
    cell = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(content)])
    return pa.table({"content": cell})


# DuckDB threads for a load (None = DuckDB's default, one per core). The command
# line, a one-shot process whose peak memory counts (benchmarks/bench_ingest.py),
# sets 1: a load is a handful of statements over one upload's rows, and a second
# thread only keeps its own buffers (~10 MB at city scale) without making the load
# faster (measured: 1.20 s either way at city scale, 4.1 s at 20,000 branches).
# The app leaves it alone: there the database is shared with the pages' queries.
WRITE_THREADS: int | None = None


def set_write_threads(threads: int | None) -> None:
    """Set WRITE_THREADS (the command line sets 1)."""
    global WRITE_THREADS
    WRITE_THREADS = threads


def load_parsed(
    con: duckdb.DuckDBPyConnection,
    parsed: ParsedLedger,
    *,
    file_name: str,
    sha256: str,
    content: bytes,
    uploader: str | None = None,
    is_demo: bool = False,
    actor: Actor | None = None,
    pending: bool = False,
) -> LoadOutcome:
    """Write one accepted upload, or nothing when identical content is already in force.

    The upload and its audit event (``actor``; default: the uploader named in the app) are
    committed together; an identical re-upload records its own event. ``pending``: a
    submission that waits for review — stored (rows, archive) but current nowhere until
    ``analytics.review.accept``.
    """
    import duckdb
    import pyarrow as pa

    from analytics import audit, store
    from analytics.ingest.model import (
        BRANCH_COLUMNS,
        BRANCH_SCHEMA,
        PROBLEM_COLUMNS,
        PROBLEM_SCHEMA,
        TASK_COLUMNS,
        TASK_SCHEMA,
        WEAK_COLUMNS,
        WEAK_SCHEMA,
    )

    branches = _conform(parsed.branches, BRANCH_COLUMNS, BRANCH_SCHEMA)
    tasks = _conform(parsed.tasks, TASK_COLUMNS, TASK_SCHEMA)
    # Optional task columns no row fills (most task sheets have no team / acceptance columns)
    # are left to the table's default (NULL) instead of being scanned from Arrow.
    tasks = tasks.drop_columns([
        name for name in _OPTIONAL_TASK_COLUMNS if tasks.num_rows and tasks[name].null_count == tasks.num_rows
    ])
    extra = [  # (relation, rows, insert) of the problem list and the rectification sheet, when given
        (name, _conform(rows, columns, schema), sql)
        for name, rows, columns, schema, sql in (
            ("_problems_in", parsed.problems, PROBLEM_COLUMNS, PROBLEM_SCHEMA, INSERT_PROBLEMS_SQL),
            ("_weak_in", parsed.weak, WEAK_COLUMNS, WEAK_SCHEMA, INSERT_WEAK_SQL),
        )
        if rows.num_rows
    ]
    scope = parsed.scope
    scope_table = pa.table(
        {"county": [c for c, _ in scope], "township": [t for _, t in scope]},
        schema=pa.schema([("county", pa.string()), ("township", pa.string())]),
    )
    if WRITE_THREADS is not None:
        con.execute(f"SET threads = {int(WRITE_THREADS)}")  # a setting, not a value: cannot be bound
    con.execute("BEGIN TRANSACTION")
    try:
        actor = actor or audit.web_actor(uploader)
        kind = parsed.period_kind
        event = audit.place(scope, parsed.period, kind)
        duplicate = store.find_current_duplicate(con, sha256, parsed.period, scope, kind)
        if duplicate is not None:
            audit.record(con, actor, "upload_identical", object=duplicate, **event,
                         details={"file": file_name, "sha256": sha256})
            con.execute("COMMIT")
            state = store.get_upload(con, duplicate)
            return LoadOutcome(upload_id=None, duplicate_of=duplicate,
                               duplicate_state=state.state if state is not None else None)
        # The original bytes first: DuckDB reuses the memory of this insert for the rows
        # that follow (last, it raised the peak of a city-scale load by ~10 MB).
        con.register("_archive_in", _bytes_table(content))
        try:
            con.execute(INSERT_ARCHIVE_SQL, {"sha256": sha256, "size": len(content)})
        finally:
            con.unregister("_archive_in")
        upload_id, seq = store.next_upload_id(con)
        # The highest id ever handed out, kept in the same commit (and checkpoint) as the upload.
        con.execute("INSERT OR REPLACE INTO meta VALUES ('seq_floor', ?)", [str(seq)])
        con.execute(
            INSERT_UPLOAD_SQL,
            [
                upload_id, seq, file_name, uploader, datetime.now().replace(microsecond=0),
                sha256, len(content), parsed.period, parsed.n_branches, tasks.num_rows,
                json.dumps([w.to_dict() for w in parsed.warnings], ensure_ascii=False),
                json.dumps(list(parsed.skipped_sheets), ensure_ascii=False),
                is_demo, "pending" if pending else "accepted", None if pending else seq, actor.login, kind,
            ],
        )
        if parsed.kind != "ledger":
            replaced = _load_own_kind(con, parsed, upload_id, scope_table, pending)
            details = {"file": file_name, "sha256": sha256, "kind": parsed.kind, "period": parsed.period_label,
                       "branches": parsed.n_branches, "replaced": replaced, "scope": [list(u) for u in scope],
                       "demo": is_demo}
            audit.record(con, actor, "upload_submitted" if pending else "upload_accepted", object=upload_id,
                         **event, details=details)
            if BEFORE_COMMIT is not None:
                BEFORE_COMMIT()
            con.execute("COMMIT")
            return LoadOutcome(upload_id=upload_id, duplicate_of=None, replaced=tuple(replaced))

        con.register("_scope_in", scope_table)
        con.register("_branches_in", branches)
        con.register("_tasks_in", tasks)
        try:
            replaced = [] if pending else [
                r[0] for r in con.execute(REPLACED_SQL, [kind, parsed.period]).fetchall()]
            con.execute(INSERT_SCOPE_SQL, [upload_id, kind, parsed.period])
            con.execute(INSERT_BRANCHES_SQL, [upload_id, parsed.period, kind])
            con.execute(INSERT_TASKS_SQL, [upload_id, parsed.period, kind])
            for name, rows, sql in extra:
                con.register(name, rows)
                con.execute(sql, [upload_id, parsed.period, kind])
            if pending:
                for table in ("upload_scope", *store.ROW_TABLES):
                    con.execute(PENDING_ROWS_SQL.format(table=table), [upload_id])
            else:
                # The new upload is now the current version of its units; the ones it replaced no longer.
                store.refresh_current(con, [(parsed.period, county, township) for county, township in scope],
                                      first_version=not replaced, kind=kind,
                                      new_tasks="_tasks_in" if kind == "month" else None)
        finally:
            for name in ("_scope_in", "_branches_in", "_tasks_in", *(e[0] for e in extra)):
                con.unregister(name)
        details = {
            "file": file_name, "sha256": sha256, "branches": branches.num_rows, "tasks": tasks.num_rows,
            "replaced": replaced, "scope": [list(u) for u in scope], "demo": is_demo,
        }
        action = "upload_submitted" if pending else "upload_accepted"
        audit.record(con, actor, action, object=upload_id, **event, details=details)
        if BEFORE_COMMIT is not None:
            BEFORE_COMMIT()
        con.execute("COMMIT")
    except BaseException:
        # Nothing of this upload survives (also on KeyboardInterrupt).
        with contextlib.suppress(duckdb.Error):  # the transaction may already be aborted
            con.execute("ROLLBACK")
        raise
    return LoadOutcome(upload_id=upload_id, duplicate_of=None, replaced=tuple(replaced))


def _load_own_kind(
    con: duckdb.DuckDBPyConnection, parsed: ParsedLedger, upload_id: str, scope_table: pa.Table, pending: bool,
) -> list[str]:
    """Write the rows and units of an assessment or acceptance upload (inside load_parsed's
    transaction, after its uploads row); returns the uploads it replaced."""
    from analytics import store
    from analytics.ingest.model import ASSESSMENT_COLUMNS, ASSESSMENT_SCHEMA, AWARD_COLUMNS, AWARD_SCHEMA

    unit_kind = parsed.unit_kind
    con.execute(SET_UPLOAD_KIND_SQL, [parsed.kind, upload_id])
    if parsed.kind == "assessment":
        rows, sql, params = _conform(parsed.assessment, ASSESSMENT_COLUMNS, ASSESSMENT_SCHEMA), INSERT_ASSESSMENT_SQL, \
            [upload_id, parsed.period, parsed.period_kind]
    else:
        rows, sql, params = _conform(parsed.awards, AWARD_COLUMNS, AWARD_SCHEMA), INSERT_AWARD_SQL, \
            [upload_id, parsed.period]
    con.register("_scope_in", scope_table)
    con.register("_rows_in", rows)
    try:
        replaced = [] if pending else [
            r[0] for r in con.execute(REPLACED_SQL, [unit_kind, parsed.period]).fetchall()]
        con.execute(INSERT_SCOPE_SQL, [upload_id, unit_kind, parsed.period])
        con.execute(sql, params)
    finally:
        con.unregister("_scope_in")
        con.unregister("_rows_in")
    units = [(parsed.period, county, township) for county, township in parsed.scope]
    if pending:
        con.execute(PENDING_ROWS_SQL.format(table="upload_scope"), [upload_id])
        for table, _keys in store.UNIT_ROWS[unit_kind]:
            con.execute(PENDING_ROWS_SQL.format(table=table), [upload_id])
    else:
        store.refresh_current(con, units, kind=unit_kind, first_version=not replaced)
    return replaced

