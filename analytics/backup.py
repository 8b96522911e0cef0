"""Backup and restore of the whole store (shared/spec/access.md §7).

    path = backup(db, out_dir, settings=…, actor=…)   # a consistent copy while the app serves
    restore(db, backup_file, settings=…, actor=…)     # refused while another process has the store open

``backup`` copies every table and view (data, archive, history, accounts, audit
log) with DuckDB's ``COPY FROM DATABASE`` from a read-only attachment of the
store — readers never block the app's short-lived connections, and a read-only
open sees exactly the committed data (the write-ahead log included) — into a new
file named by the time (``fivestar-20261207-1703.duckdb``), then opens the copy
and checks that it holds the same row count in every table. Only then is the
copy renamed into place, so an interrupted backup leaves no half file under a
backup's name. Older backups beyond ``backup_keep`` are deleted.

``restore`` checks the backup the same way (it opens, it is a store of this
program, row counts readable), refuses while another process has the store open,
then replaces the store file atomically (write beside it, ``os.replace``) and
removes a stale write-ahead log. Both are recorded in the audit log.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from analytics import audit, store
from analytics.audit import Actor
from analytics.settings import Settings, load_settings

BACKUP_PREFIX = "fivestar-"
BACKUP_SUFFIX = ".duckdb"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    tables: dict[str, int]  # row count per table, equal in the store and the copy
    removed: tuple[Path, ...] = ()  # older backups deleted (backup_keep)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_text(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _row_counts(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, int]:
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? ORDER BY table_name", [database]
    ).fetchall()]
    return {
        t: int(con.execute(f"SELECT count(*) FROM {_quote(database)}.main.{_quote(t)}").fetchall()[0][0])
        for t in tables
    }


def _inspect(path: Path) -> dict[str, int]:
    """Row counts of a store file opened read-only on its own; StoreError when it is not one of ours."""
    try:
        con = duckdb.connect(":memory:")
    except duckdb.Error as exc:  # pragma: no cover - in-memory open does not fail
        raise store.StoreError(str(exc)) from exc
    try:
        con.execute(f"ATTACH {_sql_text(path)} AS copy (READ_ONLY)")
        counts = _row_counts(con, "copy")
        if "meta" not in counts or "uploads" not in counts:
            raise store.StoreError(f"{path} 不是本程序的数据库备份（缺少 meta/uploads 表）。")
        version = con.execute("SELECT value FROM copy.main.meta WHERE key = 'schema_version'").fetchall()
        if not version or int(version[0][0]) > store.SCHEMA_VERSION:
            raise store.StoreError(f"{path} 的数据库结构版本比本程序支持的新（或缺失），无法使用。")
        return counts
    except duckdb.Error as exc:
        raise store.StoreError(f"无法打开备份文件 {path}：{exc}。文件可能已损坏或不是 DuckDB 数据库。") from exc
    finally:
        con.close()


def _stamp(now: datetime) -> str:
    return now.strftime("%Y%m%d-%H%M%S")


def backup(
    db: str | os.PathLike[str] | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    *,
    settings: Settings | None = None,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> BackupResult:
    """Write a complete, checked copy of the store into ``out_dir`` (default: ``backups/`` beside the store)."""
    settings = settings or load_settings()
    actor = actor or audit.cli_actor()
    path = store.resolve_db_path(db, settings)
    if not path.is_file():
        raise store.StoreError(f"数据库文件 {path} 不存在，没有可备份的数据。")
    folder = Path(out_dir) if out_dir is not None else path.parent / "backups"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise store.StoreError(f"无法创建备份文件夹 {folder}：{exc.strerror}。") from exc
    now = now or datetime.now()
    target = folder / f"{BACKUP_PREFIX}{_stamp(now)}{BACKUP_SUFFIX}"
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    con = duckdb.connect(":memory:")
    try:
        try:
            con.execute(f"ATTACH {_sql_text(path)} AS src (READ_ONLY)")
            con.execute(f"ATTACH {_sql_text(partial)} AS dst")
            con.execute("COPY FROM DATABASE src TO dst")
            source_counts = _row_counts(con, "src")
            con.execute("DETACH dst")
        except duckdb.Error as exc:
            raise store.StoreError(f"备份失败：{exc}") from exc
    finally:
        con.close()
    try:
        copy_counts = _inspect(partial)
        if copy_counts != source_counts:
            raise store.StoreError(f"备份核对失败：备份与数据库的行数不一致（{copy_counts} ≠ {source_counts}）。")
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    removed = _prune(folder, int(settings.backup_keep))
    with store.open_store(path, settings=settings) as live:
        audit.record_alone(live, actor, "backup", object=str(target),
                           details={"tables": len(source_counts), "uploads": source_counts.get("uploads", 0)})
    return BackupResult(target, source_counts, removed)


def _prune(folder: Path, keep: int) -> tuple[Path, ...]:
    """Delete backups beyond the newest ``keep`` (names sort by time)."""
    if keep <= 0:
        return ()
    backups = sorted(folder.glob(f"{BACKUP_PREFIX}*{BACKUP_SUFFIX}"))
    old = backups[:-keep] if len(backups) > keep else []
    for item in old:
        with contextlib.suppress(OSError):
            item.unlink()
    return tuple(old)


def restore(
    db: str | os.PathLike[str] | None,
    backup_file: str | os.PathLike[str],
    *,
    settings: Settings | None = None,
    actor: Actor | None = None,
) -> dict[str, int]:
    """Put a backup back in place of the store; returns its row counts."""
    settings = settings or load_settings()
    actor = actor or audit.cli_actor()
    source = Path(backup_file)
    if not source.is_file():
        raise store.StoreError(f"备份文件 {source} 不存在。")
    counts = _inspect(source)
    path = store.resolve_db_path(db, settings)
    if path.exists():
        # Another process holding the store (the app while it reads or writes, an import):
        # refuse instead of pulling the file from under it.
        try:
            store.connect(path, settings=settings.replace(lock_timeout_s=0)).close()
        except store.StoreLockedError as exc:
            raise store.StoreError(
                f"数据库 {path} 正被另一个程序使用，不能恢复。请先停止看板（或等待导入结束）后再恢复。"
            ) from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(path.name + ".restore")
    shutil.copyfile(source, staging)
    wal = Path(str(path) + ".wal")
    os.replace(staging, path)
    wal.unlink(missing_ok=True)  # the old store's log must not be replayed onto the restored file
    with store.open_store(path, settings=settings) as con:  # migrates an older backup
        audit.record_alone(con, actor, "restore", object=str(source),
                           details={"tables": len(counts), "uploads": counts.get("uploads", 0)})
        con.execute("CHECKPOINT")
    return counts


__all__ = ["BackupResult", "backup", "restore"]
