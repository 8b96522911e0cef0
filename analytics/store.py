"""The DuckDB store: file, schema migrations, uploads, archive, rollback, views.

Connections are short-lived: open, do one job, close. A DuckDB file admits one
writing process at a time, so holding a connection open would lock the CLI out
while the app runs (and the other way round). ``connect`` waits up to
``lock_timeout_s`` for another process to let go and then raises
``StoreLockedError`` with a Chinese message instead of a traceback.

Current data (contract §6–§7): for each (period, county, township) the current
version is the latest upload covering it that has not been rolled back. The
views ``v_branch_month`` and ``v_task`` show only rows of current versions.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from analytics.settings import Settings, load_settings

SCHEMA_VERSION = 1

# Each migration takes the schema from version i to i+1; applied on open.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);

    CREATE TABLE uploads (
        upload_id      VARCHAR PRIMARY KEY,      -- 'U00001', shown to users
        seq            INTEGER NOT NULL UNIQUE,  -- load order; the latest wins
        file_name      VARCHAR NOT NULL,
        uploader       VARCHAR,
        uploaded_at    TIMESTAMP NOT NULL,
        sha256         VARCHAR NOT NULL,
        size_bytes     BIGINT NOT NULL,
        period         DATE NOT NULL,
        n_branches     INTEGER NOT NULL,
        n_tasks        INTEGER NOT NULL,
        warnings       JSON,                     -- list of problem objects
        skipped_sheets JSON,                     -- list of sheet names
        is_demo        BOOLEAN NOT NULL DEFAULT false,
        rolled_back_at TIMESTAMP,                -- set by rollback; NULL = in force
        rolled_back_by VARCHAR
    );

    -- The (county, township) units an upload covers for its period.
    CREATE TABLE upload_scope (
        upload_id VARCHAR NOT NULL,
        period    DATE NOT NULL,
        county    VARCHAR NOT NULL,
        township  VARCHAR NOT NULL,
        PRIMARY KEY (upload_id, county, township)
    );

    -- Original bytes of every accepted upload, by content hash.
    CREATE TABLE archive (
        sha256     VARCHAR PRIMARY KEY,
        size_bytes BIGINT NOT NULL,
        content    BLOB NOT NULL
    );

    CREATE TABLE branch_month (
        upload_id      VARCHAR NOT NULL,
        period         DATE NOT NULL,
        county         VARCHAR NOT NULL,
        township       VARCHAR NOT NULL,
        branch         VARCHAR NOT NULL,
        branch_type    VARCHAR NOT NULL,
        target_stars   INTEGER,
        star_1         VARCHAR,
        star_2         VARCHAR,
        star_3         VARCHAR,
        star_4         VARCHAR,
        star_5         VARCHAR,
        stars          INTEGER NOT NULL,
        stars_reported INTEGER,
        tasks_done     INTEGER,
        tasks_total    INTEGER,
        open_problems  INTEGER,
        problems       VARCHAR,
        weak           BOOLEAN NOT NULL DEFAULT false,
        secretary      VARCHAR,
        notes          VARCHAR,
        source_sheet   VARCHAR,
        source_row     INTEGER
    );

    CREATE TABLE task (
        upload_id    VARCHAR NOT NULL,
        period       DATE NOT NULL,
        county       VARCHAR NOT NULL,
        township     VARCHAR NOT NULL,
        branch       VARCHAR NOT NULL,
        star_slot    INTEGER NOT NULL,
        task         VARCHAR NOT NULL,
        measure      VARCHAR,
        owner        VARCHAR,
        deadline     DATE,
        done         BOOLEAN NOT NULL,
        done_date    DATE,
        source_sheet VARCHAR,
        source_row   INTEGER
    );

    -- Business rule (§6): per (period, county, township) the latest upload
    -- that has not been rolled back is the current version.
    CREATE VIEW v_current_scope AS
    WITH live AS (
        SELECT s.period, s.county, s.township, u.upload_id, u.seq
        FROM upload_scope s JOIN uploads u USING (upload_id)
        WHERE u.rolled_back_at IS NULL
    ),
    final AS (
        SELECT period, county, township, arg_max(upload_id, seq) AS upload_id
        FROM live GROUP BY period, county, township
    )
    SELECT * FROM final;

    CREATE VIEW v_branch_month AS
    SELECT b.period, b.county, b.township, b.branch, b.branch_type, b.target_stars,
           b.star_1, b.star_2, b.star_3, b.star_4, b.star_5, b.stars,
           b.tasks_done, b.tasks_total, b.open_problems, b.weak, b.upload_id
    FROM branch_month b
    JOIN v_current_scope c
      ON b.upload_id = c.upload_id AND b.period = c.period
     AND b.county = c.county AND b.township = c.township;

    CREATE VIEW v_task AS
    SELECT t.period, t.county, t.township, t.branch, t.star_slot, t.task, t.measure,
           t.owner, t.deadline, t.done, t.done_date, t.upload_id
    FROM task t
    JOIN v_current_scope c
      ON t.upload_id = c.upload_id AND t.period = c.period
     AND t.county = c.county AND t.township = c.township;

    -- Extra per-row fields the battle map shows (secretary, problems, notes).
    CREATE VIEW v_branch_month_detail AS
    SELECT b.*
    FROM branch_month b
    JOIN v_current_scope c
      ON b.upload_id = c.upload_id AND b.period = c.period
     AND b.county = c.county AND b.township = c.township;
    """,
)

# One writer at a time inside this process (several Streamlit sessions share it).
_WRITE_LOCK = threading.RLock()


class StoreError(RuntimeError):
    """A store problem with a message fit to show a user (Chinese)."""


class StoreLockedError(StoreError):
    pass


def resolve_db_path(db: str | os.PathLike[str] | None = None, settings: Settings | None = None) -> Path:
    if db is not None:
        return Path(db)
    settings = settings or load_settings()
    return Path(settings.db_path)


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


def connect(
    db: str | os.PathLike[str] | None = None,
    *,
    read_only: bool = False,
    settings: Settings | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the store (creating and migrating it when writable).

    A read-only open of a missing file creates it first, so the views always exist.
    """
    settings = settings or load_settings()
    path = resolve_db_path(db, settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    if read_only and not path.exists():
        connect(path, settings=settings).close()
    deadline = time.monotonic() + float(settings.lock_timeout_s)
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise StoreError(f"无法打开数据库文件 {path}：{exc}") from exc
            if time.monotonic() >= deadline:
                raise StoreLockedError(
                    f"数据库文件 {path} 正被另一个程序占用（例如另一次导入正在进行），"
                    f"已等待 {settings.lock_timeout_s} 秒。请稍后重试。"
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    if not read_only:
        try:
            migrate(con)
        except Exception:
            con.close()
            raise
    else:
        version = schema_version(con)
        if version < SCHEMA_VERSION:
            con.close()
            connect(path, settings=settings).close()
            return connect(path, read_only=True, settings=settings)
    return con


@contextlib.contextmanager
def open_store(
    db: str | os.PathLike[str] | None = None,
    *,
    read_only: bool = False,
    settings: Settings | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """``with open_store(path) as con:`` — short-lived connection, always closed."""
    if read_only:
        con = connect(db, read_only=True, settings=settings)
        try:
            yield con
        finally:
            con.close()
        return
    with _WRITE_LOCK:
        con = connect(db, read_only=False, settings=settings)
        try:
            yield con
        finally:
            con.close()


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
    ).fetchone()
    if not exists or not exists[0]:
        return 0
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Apply every migration past the stored schema version, each in a transaction."""
    version = schema_version(con)
    if version > len(MIGRATIONS):
        raise StoreError(f"数据库结构版本 {version} 比本程序支持的 {len(MIGRATIONS)} 新，请升级程序。")
    for index in range(version, len(MIGRATIONS)):
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(MIGRATIONS[index])
            con.execute(
                "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(index + 1)]
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise


def store_version(db: str | os.PathLike[str] | None = None, settings: Settings | None = None) -> str:
    """A cheap token that changes whenever the store file changes (for UI caches)."""
    path = resolve_db_path(db, settings)
    parts = []
    for candidate in (path, Path(str(path) + ".wal")):
        try:
            st = candidate.stat()
            parts.append(f"{st.st_mtime_ns}:{st.st_size}")
        except FileNotFoundError:
            parts.append("-")
    return "|".join(parts)


# --- uploads ---------------------------------------------------------------


@dataclass(frozen=True)
class UploadRecord:
    upload_id: str
    seq: int
    file_name: str
    uploader: str | None
    uploaded_at: datetime
    sha256: str
    size_bytes: int
    period: date
    n_branches: int
    n_tasks: int
    warnings: list[dict[str, Any]]
    skipped_sheets: list[str]
    is_demo: bool
    rolled_back_at: datetime | None
    rolled_back_by: str | None
    scope: list[tuple[str, str]]
    status: str  # 'current' | 'partly_current' | 'superseded' | 'rolled_back'

    def to_dict(self) -> dict[str, Any]:
        return {
            "upload_id": self.upload_id,
            "file_name": self.file_name,
            "uploader": self.uploader,
            "uploaded_at": self.uploaded_at.isoformat(timespec="seconds"),
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "period": self.period.strftime("%Y-%m"),
            "scope": [{"county": c, "township": t} for c, t in self.scope],
            "rows": {"branches": self.n_branches, "tasks": self.n_tasks},
            "warnings": self.warnings,
            "skipped_sheets": self.skipped_sheets,
            "is_demo": self.is_demo,
            "rolled_back_at": self.rolled_back_at.isoformat(timespec="seconds") if self.rolled_back_at else None,
            "rolled_back_by": self.rolled_back_by,
            "status": self.status,
        }


STATUS_LABELS = {
    "current": "生效中",
    "partly_current": "部分生效",
    "superseded": "已被替换",
    "rolled_back": "已回滚",
}

_UPLOADS_SQL = """
WITH scope AS (
    SELECT s.upload_id,
           list((s.county, s.township) ORDER BY s.county, s.township) AS scope,
           count(*) AS n_units,
           count(c.upload_id) AS n_current
    FROM upload_scope s
    LEFT JOIN v_current_scope c
      ON c.upload_id = s.upload_id AND c.county = s.county AND c.township = s.township
     AND c.period = s.period
    GROUP BY s.upload_id
),
final AS (
    SELECT u.*, sc.scope,
           CASE
             WHEN u.rolled_back_at IS NOT NULL THEN 'rolled_back'
             WHEN sc.n_current = sc.n_units THEN 'current'
             WHEN sc.n_current > 0 THEN 'partly_current'
             ELSE 'superseded'
           END AS status
    FROM uploads u LEFT JOIN scope sc USING (upload_id)
)
SELECT upload_id, seq, file_name, uploader, uploaded_at, sha256, size_bytes, period,
       n_branches, n_tasks, warnings, skipped_sheets, is_demo, rolled_back_at,
       rolled_back_by, scope, status
FROM final
"""


def _record(row: tuple[Any, ...]) -> UploadRecord:
    (upload_id, seq, file_name, uploader, uploaded_at, sha, size, period, nb, nt,
     warnings, skipped, is_demo, rb_at, rb_by, scope, status) = row
    return UploadRecord(
        upload_id=upload_id, seq=seq, file_name=file_name, uploader=uploader,
        uploaded_at=uploaded_at, sha256=sha, size_bytes=size, period=period,
        n_branches=nb, n_tasks=nt,
        warnings=json.loads(warnings) if warnings else [],
        skipped_sheets=json.loads(skipped) if skipped else [],
        is_demo=bool(is_demo), rolled_back_at=rb_at, rolled_back_by=rb_by,
        scope=[(str(c), str(t)) for c, t in (scope or [])],
        status=status,
    )


def list_uploads(con: duckdb.DuckDBPyConnection, *, limit: int | None = None) -> list[UploadRecord]:
    """Upload history, newest first."""
    sql = _UPLOADS_SQL + " ORDER BY seq DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [_record(r) for r in con.execute(sql).fetchall()]


def get_upload(con: duckdb.DuckDBPyConnection, upload_id: str) -> UploadRecord | None:
    rows = con.execute(_UPLOADS_SQL + " WHERE upload_id = ?", [upload_id]).fetchall()
    return _record(rows[0]) if rows else None


def archived_bytes(con: duckdb.DuckDBPyConnection, sha256: str) -> bytes | None:
    row = con.execute("SELECT content FROM archive WHERE sha256 = ?", [sha256]).fetchone()
    return bytes(row[0]) if row else None


def find_current_duplicate(
    con: duckdb.DuckDBPyConnection, sha256: str, period: date, scope: list[tuple[str, str]]
) -> str | None:
    """An upload with the same bytes, period and scope that is fully in force (§6 no-op)."""
    for rec in list_uploads(con):
        if rec.sha256 == sha256 and rec.status == "current" and rec.period == period and sorted(rec.scope) == sorted(scope):
            return rec.upload_id
    return None


def rollback(con: duckdb.DuckDBPyConnection, upload_id: str, *, by: str | None = None) -> UploadRecord:
    """Withdraw an upload; the previous version of each unit it covered is current again."""
    rec = get_upload(con, upload_id)
    if rec is None:
        raise StoreError(f"找不到上传记录 {upload_id}。用 `python -m analytics uploads` 查看上传历史。")
    if rec.rolled_back_at is not None:
        raise StoreError(f"上传 {upload_id} 已于 {rec.rolled_back_at:%Y-%m-%d %H:%M} 回滚过。")
    con.execute(
        "UPDATE uploads SET rolled_back_at = ?, rolled_back_by = ? WHERE upload_id = ?",
        [datetime.now().replace(microsecond=0), by, upload_id],
    )
    updated = get_upload(con, upload_id)
    assert updated is not None
    return updated


def is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT count(*) FROM uploads").fetchone()
    return not row or row[0] == 0


def has_demo_data(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT count(*) FROM uploads WHERE is_demo").fetchone()
    return bool(row and row[0])


def clear_demo(con: duckdb.DuckDBPyConnection) -> int:
    """Delete every demo upload with its rows and archived bytes; returns how many."""
    ids = [r[0] for r in con.execute("SELECT upload_id FROM uploads WHERE is_demo").fetchall()]
    if not ids:
        return 0
    con.execute("BEGIN TRANSACTION")
    try:
        for table in ("branch_month", "task", "upload_scope"):
            con.execute(f"DELETE FROM {table} WHERE upload_id IN (SELECT upload_id FROM uploads WHERE is_demo)")
        con.execute(
            "DELETE FROM archive WHERE sha256 IN (SELECT sha256 FROM uploads WHERE is_demo) "
            "AND sha256 NOT IN (SELECT sha256 FROM uploads WHERE NOT is_demo)"
        )
        con.execute("DELETE FROM uploads WHERE is_demo")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    con.execute("CHECKPOINT")
    return len(ids)
