"""The import pipeline: stage -> validate -> load (contract §5–§7).

    staged = stage(data, file_name, period=…, county=…)   # read + validate, writes nothing
    result = load(staged, db=…, uploader=…)                # one transaction, or nothing
    result = ingest_file(path, …) / ingest_bytes(data, name, …)   # both at once

The upload page shows ``stage`` as a preview and calls ``load`` on confirm; the
command line calls ``ingest_file``. Both end in the same ``ImportResult``.
Bad input never raises here: an unreadable or invalid file becomes a refused
result listing its problems. Store trouble (locked, unreadable file) raises
``analytics.store.StoreError`` with a Chinese message.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analytics.ingest.load import load_parsed
from analytics.settings import Settings, load_settings

if TYPE_CHECKING:
    import pyarrow as pa

    from analytics.audit import Actor
    from analytics.ingest.model import FileRefused, ImportResult, ParsedLedger, Problem, RawWorkbook

# The store (DuckDB), the model (pyarrow) and the validator are imported where
# used, so that ``from analytics.ingest.read import read_ahead`` (which imports
# this package first) stays cheap and the reader process starts at once.

__all__ = [
    "DEMO_UPLOADER",
    "DemoLoad",
    "Staged",
    "format_scope",
    "ingest_bytes",
    "ingest_file",
    "load",
    "load_demo",
    "stage",
]

DEMO_UPLOADER = "示例数据"
SAMPLES_DIR = Path(__file__).resolve().parents[2] / "sample_uploads"


@dataclass
class Staged:
    """A file read and validated but not written: either ``parsed`` or ``errors``."""

    file_name: str
    data: bytes = field(repr=False)
    sha256: str
    parsed: ParsedLedger | None = None
    errors: list[Problem] = field(default_factory=list)
    errors_total: int = 0
    warnings: list[Problem] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.parsed is not None and not self.errors

    @property
    def size_bytes(self) -> int:
        return len(self.data)

    @property
    def period(self) -> str | None:
        """'YYYY-MM' of an accepted file ('YYYY-Www' for a weekly ledger; '2024Q3' / '2024' for scores
        and acceptance, cadence.md), else None."""
        return self.parsed.period_label if self.parsed is not None else None

    @property
    def kind(self) -> str | None:
        """What an accepted file is: 'ledger' | 'assessment' | 'acceptance' (uploads.kind)."""
        return self.parsed.kind if self.parsed is not None else None

    @property
    def scope(self) -> list[tuple[str, str]]:
        return self.parsed.scope if self.parsed is not None else []


# The file types a ledger may come as (by name; the reader then checks the content).
ACCEPTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")


def file_type_problem(file_name: str) -> Problem | None:
    """E_FILE for a name that is not .xlsx/.xlsm/.xls/.csv (a .docx dropped on the uploader),
    naming the file and the accepted types; None when the name is fine."""
    from analytics.ingest.read import refuse

    suffix = os.path.splitext(file_name)[1].lower()
    if suffix in ACCEPTED_SUFFIXES:
        return None
    return refuse("wrong_type", file_name, name=file_name, suffix=suffix or "没有扩展名").problem


def _refused(file_name: str, data: bytes, sha256: str, problem: Problem) -> Staged:
    return Staged(file_name=file_name, data=data, sha256=sha256, errors=[problem], errors_total=1)


def stage(
    data: bytes,
    file_name: str,
    *,
    period: str | None = None,
    county: str | None = None,
    settings: Settings | None = None,
    workbook: RawWorkbook | FileRefused | None = None,
    sha256: str | None = None,
    register: pa.Table | None = None,
) -> Staged:
    """Read and validate one file (nothing is written). Never raises for bad input.

    ``workbook`` is the file already read (by ``read.read_ahead``), if it was;
    ``sha256`` the hex SHA-256 of ``data``, if the caller has it already;
    ``register`` the current branch register (``analytics.register.type_lookup``), applied
    to the ledger's rows (register.md §1: its type wins; W_TYPE_CONFLICT, W_NOT_IN_REGISTER).
    """
    from analytics.ingest.model import FileRefused, ParseFailure, Problem
    from analytics.ingest.read import read_workbook
    from analytics.ingest.validate import parse_workbook

    settings = settings or load_settings()
    sha256 = sha256 if sha256 is not None else hashlib.sha256(data).hexdigest()
    wrong_type = file_type_problem(file_name)
    if wrong_type is not None:
        return _refused(file_name, data, sha256, wrong_type)
    limit_mb = settings.max_upload_mb
    if len(data) > limit_mb * 1024 * 1024:
        return _refused(file_name, data, sha256, Problem(
            code="E_FILE",
            message=(
                f"文件大小 {len(data) / 1024 / 1024:.1f} MB，超过上限 {limit_mb} MB。"
                "请删除多余的工作表、图片后另存，或按乡镇拆分成几个文件分别上传。"
            ),
        ))
    if isinstance(workbook, FileRefused):
        return _refused(file_name, data, sha256, workbook.problem)
    if workbook is None:
        try:
            workbook = read_workbook(data, file_name, settings)
        except FileRefused as exc:
            return _refused(file_name, data, sha256, exc.problem)
    outcome = parse_workbook(workbook, period=period, county=county, settings=settings, register=register)
    if isinstance(outcome, ParseFailure):
        return Staged(
            file_name=file_name, data=data, sha256=sha256,
            errors=list(outcome.errors), errors_total=max(outcome.errors_total, len(outcome.errors)),
            warnings=list(outcome.warnings), skipped_sheets=list(outcome.skipped_sheets),
        )
    return Staged(
        file_name=file_name, data=data, sha256=sha256, parsed=outcome.detached(),
        warnings=list(outcome.warnings), skipped_sheets=list(outcome.skipped_sheets),
    )


def _release_unused_memory() -> None:
    """Hand memory freed by the Arrow pool back to the system (lower peak while the load runs)."""
    import sys

    pa = sys.modules.get("pyarrow")
    if pa is not None:
        pa.default_memory_pool().release_unused()


def batch_overlaps(batch: Sequence[Staged]) -> list[list[int]]:
    """Groups (indexes into ``batch``) of accepted files that cover the same (period, county,
    township): importing them all would let the last silently replace the others, so only one
    file of a group may be imported. Groups of one are left out; a file in a group is linked to
    every file it shares a township-month with, transitively."""
    parent = list(range(len(batch)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[str, str, str], int] = {}
    for i, sf in enumerate(batch):
        if not sf.ok or sf.period is None:
            continue
        for county, township in sf.scope:
            # Units of different kinds (a month's ledger and that month's scores) never replace each other.
            j = first.setdefault((f"{sf.parsed.unit_kind if sf.parsed else ''}|{sf.period}", county, township), i)
            parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i, sf in enumerate(batch):
        if sf.ok:
            groups.setdefault(root(i), []).append(i)
    return [g for g in groups.values() if len(g) > 1]


def format_scope(scope: Iterable[tuple[str, str]], *, max_townships: int | None = None) -> str:
    """'二七区：甲镇、乙镇；中原区：丙街道' (optionally cut after max_townships with a count)."""
    by_county: dict[str, list[str]] = {}
    for county, township in sorted(scope):
        by_county.setdefault(county, []).append(township)
    parts = []
    for county, townships in by_county.items():
        shown = townships
        if max_townships is not None and len(townships) > max_townships:
            shown = [*townships[:max_townships], f"等 {len(townships)} 个乡镇（街道）"]
        parts.append(f"{county}：{'、'.join(shown)}")
    return "；".join(parts)


def _default_actor(uploader: str | None) -> Actor:
    from analytics import audit

    return audit.web_actor(uploader)


def _scope_problems(parsed: ParsedLedger, outside: list[tuple[str, str]], message: str) -> list[Problem]:
    """One E_SCOPE per township out of reach, at its first row in the file."""
    from analytics import spec
    from analytics.ingest.model import Problem

    first: dict[tuple[str, str], tuple[str | None, int | None]] = {}
    b = parsed.rows
    for county, township, sheet, row in zip(b.column("county").to_pylist(), b.column("township").to_pylist(),
                                             b.column("source_sheet").to_pylist(), b.column("source_row").to_pylist(),
                                             strict=True):
        first.setdefault((county, township), (sheet, row))
    return [
        Problem(code=spec.E_SCOPE, message=message, sheet=first.get(u, (None, None))[0],
                row=first.get(u, (None, None))[1], value=u[1])
        for u in outside
    ]


def _audit_refusal(staged: Staged, result: ImportResult, db: str | os.PathLike[str] | None,
                   settings: Settings, actor: Actor) -> None:
    """Record a refusal (file name and codes) in an existing store; never creates one, never waits long."""
    from analytics import audit, store

    path = store.resolve_db_path(db, settings)
    if not path.is_file():
        return
    codes = sorted({p.code for p in result.errors})
    try:
        with store.open_store(path, settings=settings.replace(lock_timeout_s=min(2, settings.lock_timeout_s))) as con:
            audit.record_alone(con, actor, "upload_refused", object=staged.file_name,
                               details={"file": staged.file_name, "codes": codes, "errors": result.errors_total})
    except store.StoreLockedError:
        pass  # another import holds the store: the refusal itself is reported to the user all the same


def load(
    staged: Staged,
    *,
    db: str | os.PathLike[str] | None = None,
    uploader: str | None = None,
    is_demo: bool = False,
    settings: Settings | None = None,
    actor: Actor | None = None,
) -> ImportResult:
    """Write an accepted file in one transaction, with its audit event; a refused one writes no data
    (only the refusal's audit event, into a store that already exists — none is created for it)."""
    from analytics import access, store
    from analytics.ingest.model import ImportResult

    settings = settings or load_settings()
    cap = int(settings.max_listed_problems)
    result = ImportResult(
        file=staged.file_name, ok=False, period=staged.period, scope=staged.scope,
        warnings=list(staged.warnings), skipped_sheets=list(staged.skipped_sheets),
    )
    if staged.parsed is None or staged.errors:
        total = max(staged.errors_total, len(staged.errors))
        result.errors = list(staged.errors[:cap])
        result.errors_total = total
        shown = f"，下面列出前 {cap} 个" if total > cap else ""
        result.notice = f"已拒收，未写入任何数据：共发现 {total} 个问题{shown}。请按提示修改后重新上传。"
        _audit_refusal(staged, result, db, settings, actor or _default_actor(uploader))
        return result
    parsed = staged.parsed
    actor = actor or _default_actor(uploader)
    # access.md §1: an account uploads only for its own unit (E_SCOPE, nothing written);
    # cadence.md §2/§5: scores and acceptance come from county or admin accounts only.
    outside = access.out_of_reach(actor, parsed.scope, kind=parsed.kind)
    if outside:
        result.errors = _scope_problems(parsed, outside, access.scope_refusal(actor, outside, kind=parsed.kind))
        result.errors_total = len(result.errors)
        result.notice = f"已拒收，未写入任何数据：{result.errors[0].message}"
        _audit_refusal(staged, result, db, settings, actor)
        return result
    pending = access.needs_review(actor, settings)
    result.branches = parsed.n_branches
    result.tasks = parsed.tasks.num_rows
    with store.open_store(db, settings=settings) as con:
        store.checkpoint_at_commit(con)
        outcome = load_parsed(
            con, parsed, file_name=staged.file_name, sha256=staged.sha256, content=staged.data,
            uploader=uploader, is_demo=is_demo, actor=actor, pending=pending,
        )
        if outcome.upload_id is not None:
            _checkpoint_accepted(con, outcome.upload_id, store.resolve_db_path(db, settings))
        store.end_checkpoint_at_commit(con)
    result.ok = True
    where = f"（{result.period}，{format_scope(result.scope, max_townships=10)}）"
    if outcome.duplicate_of is not None:
        result.duplicate_of = outcome.duplicate_of
        result.state = outcome.duplicate_state
        still = "仍在等待审核" if outcome.duplicate_state == "pending" else "仍在生效"
        result.notice = (
            f"内容与上传 {outcome.duplicate_of} 完全相同，且该版本{still}{where}，"
            "本次未重复导入，数据没有变化。"
        )
        return result
    result.upload_id = outcome.upload_id
    result.state = "pending" if pending else "accepted"
    if pending:
        result.notice = (
            f"已提交为 {outcome.upload_id}{where}，支部 {result.branches} 个，任务 {result.tasks} 条，"
            "等待县（市、区）审核；审核通过前不计入任何统计。"
        )
        return result
    replaced = f"，替换了此前的版本 {'、'.join(outcome.replaced)}（可回滚恢复）" if outcome.replaced else ""
    what = {"assessment": "考核评分", "acceptance": "验收结果"}.get(parsed.kind)
    counted = f"{what}：支部 {result.branches} 个" if what else f"支部 {result.branches} 个，任务 {result.tasks} 条"
    result.notice = f"已导入为 {outcome.upload_id}{where}，{counted}{replaced}。"
    return result


def _checkpoint_accepted(con: Any, upload_id: str, path: Path) -> None:
    """CHECKPOINT after an accepted upload; when that fails (disk full), say truthfully that the
    upload is committed but only in the write-ahead log (issue 14)."""
    import duckdb

    from analytics import store

    try:
        store.checkpoint(con, path)
    except (duckdb.Error, OSError) as exc:
        if store.store_failure(exc, path) is None:
            raise
        raise store.StoreError(
            f"上传 {upload_id} 已提交，但未能并入数据文件 {path}（{'磁盘空间已满' if store.disk_full(exc) else '文件异常'}），"
            f"目前只保存在预写日志 {path}.wal 中：请勿删除该 .wal 文件；清理磁盘空间后，"
            "下次导入（或回滚等写入操作）时会自动完成合并。"
        ) from exc


def ingest_bytes(
    data: bytes,
    file_name: str,
    *,
    period: str | None = None,
    county: str | None = None,
    db: str | os.PathLike[str] | None = None,
    uploader: str | None = None,
    is_demo: bool = False,
    settings: Settings | None = None,
    actor: Actor | None = None,
) -> ImportResult:
    """stage + load for bytes already in memory (the upload page)."""
    from analytics.register import lookup_from_db

    settings = settings or load_settings()
    staged = stage(data, file_name, period=period, county=county, settings=settings,
                   register=lookup_from_db(db, settings))
    return load(staged, db=db, uploader=uploader, is_demo=is_demo, settings=settings, actor=actor)


def ingest_file(
    path: str | os.PathLike[str],
    *,
    period: str | None = None,
    county: str | None = None,
    db: str | os.PathLike[str] | None = None,
    uploader: str | None = None,
    is_demo: bool = False,
    settings: Settings | None = None,
    actor: Actor | None = None,
) -> ImportResult:
    """stage + load for a file on disk (the command line); ``result.file`` is the path as given."""
    from analytics.ingest import (
        prepare,
        validate,  # noqa: F401 — loaded (numpy, pyarrow.compute) while a read-ahead runs
    )
    from analytics.ingest.model import Problem, RawWorkbook
    from analytics.ingest.read import read_ahead_bytes, read_ahead_pending, take_read_ahead
    from analytics.ingest.warm import warm_up_validation

    settings = settings or load_settings()
    path = Path(path)
    preparing: prepare.Preparing | None = None
    digest: tuple[bytes, str] | None = None  # (bytes, their SHA-256) hashed while the reader works
    try:
        if read_ahead_pending(path):
            warm_up_validation(settings)  # while the reader works: the first validation's one-time costs
            early = read_ahead_bytes(path)
            if early is not None:
                digest = (early, hashlib.sha256(early).hexdigest())
            del early
        ahead = take_read_ahead(path)
        workbook: RawWorkbook | FileRefused | None = None
        try:
            if ahead is None:
                data = path.read_bytes()
            else:
                data, got = ahead
                del ahead  # hold the raw workbook only through ``workbook`` (freed after staging)
                if isinstance(got, OSError):
                    raise got
                workbook = got
                del got
        except OSError as exc:
            problem = Problem(code="E_FILE", message=f"无法读取文件：{exc.strerror or exc}。请确认路径正确且有读取权限。")
            staged = _refused(path.name, b"", "", problem)
        else:
            # A big workbook read ahead: while it is validated, build the store on the other
            # core if there is none yet; it is put in place only if the file is accepted.
            if isinstance(workbook, RawWorkbook) and (
                sum(s.table.num_rows for s in workbook.sheets) >= prepare.PREPARE_MIN_ROWS
            ):
                preparing = prepare.FreshStore.start(db, settings)
            sha256 = digest[1] if digest is not None and digest[0] is data else None
            digest = None
            staged = stage(data, path.name, period=period, county=county, settings=settings, workbook=workbook,
                           sha256=sha256, register=_register_of(db, settings, preparing))
        # The raw cells are not needed any more: free them before the store is written.
        workbook = None
        _release_unused_memory()
        fresh = preparing.result() if preparing is not None else None
        if fresh is not None and staged.ok:
            fresh.publish()
        result = load(staged, db=db, uploader=uploader, is_demo=is_demo, settings=settings, actor=actor)
    finally:
        if preparing is not None:  # a refused file, or any trouble: the new store goes
            leftover = preparing.result()
            if leftover is not None:
                leftover.discard()
    result.file = str(path)
    return result


def _register_of(db: str | os.PathLike[str] | None, settings: Settings, preparing: Any) -> pa.Table | None:
    """The current register of the store a file is loaded into (None: a store being made now has none)."""
    if preparing is not None:
        return None
    from analytics.register import lookup_from_db

    return lookup_from_db(db, settings)


# --- demo data ---------------------------------------------------------------


@dataclass
class DemoLoad:
    """What ``load_demo`` did: the results of the files it loaded, or why it did nothing."""

    results: list[ImportResult] = field(default_factory=list)
    skipped_reason: str | None = None  # set when nothing was attempted

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)


def read_manifest(samples_dir: Path) -> list[dict[str, Any]]:
    """sample_uploads/manifest.json: a list of {"file", "expect", "period", "county", "codes", "note"}."""
    entries = json.loads((samples_dir / "manifest.json").read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise ValueError("manifest.json 应是一个列表")
    return [dict(e) for e in entries]


def load_demo(
    db: str | os.PathLike[str] | None = None,
    *,
    settings: Settings | None = None,
    samples_dir: str | os.PathLike[str] | None = None,
    force: bool = False,
    actor: Actor | None = None,
) -> DemoLoad:
    """Load every sample the manifest expects to be accepted, as demo data, into an EMPTY store.

    Does nothing (and says why) when the store already has uploads, when
    ``load_sample_when_empty`` is off, or when the demo data was cleared on
    purpose before; ``force`` overrides the last two (never the first).
    """
    from analytics import accounts, audit, store

    settings = settings or load_settings()
    actor = actor or audit.cli_actor()
    folder = Path(samples_dir) if samples_dir is not None else SAMPLES_DIR
    with store.open_store(db, settings=settings) as con:
        empty = store.is_empty(con)
        n_uploads = store.count_uploads(con) if not empty else 0
        cleared = store.demo_cleared_at(con)
        if store.has_demo_data(con):
            # A demo store made before accounts existed gets its demo accounts now.
            accounts.ensure_demo_accounts(con, by=actor)
    if not empty:
        return DemoLoad(skipped_reason=f"数据库中已有 {n_uploads} 次上传，未载入示例数据。")
    if not force and not settings.load_sample_when_empty:
        return DemoLoad(skipped_reason="设置 load_sample_when_empty 为关闭，未载入示例数据。")
    if not force and cleared is not None:
        return DemoLoad(
            skipped_reason=f"示例数据已于 {cleared} 清除，不再自动载入（如需重新载入，请加 --force）。"
        )
    try:
        entries = read_manifest(folder)
    except FileNotFoundError:
        return DemoLoad(skipped_reason=f"找不到示例数据清单 {folder / 'manifest.json'}，请先运行 make samples 生成示例台账。")
    except (ValueError, TypeError) as exc:
        return DemoLoad(skipped_reason=f"示例数据清单 {folder / 'manifest.json'} 格式有误：{exc}。")
    results = []
    for entry in entries:
        if entry.get("expect") != "accept":
            continue
        if entry.get("kind") == "register":  # register.md: the register goes in before the ledgers
            from analytics import register

            results.append(register.import_file(
                folder / str(entry["file"]), county=entry.get("county"), db=db, uploader=DEMO_UPLOADER,
                is_demo=True, settings=settings, actor=actor))
            continue
        results.append(ingest_file(
            folder / str(entry["file"]),
            period=entry.get("period"), county=entry.get("county"),
            db=db, uploader=DEMO_UPLOADER, is_demo=True, settings=settings, actor=actor,
        ))
    # Fold the write-ahead log into the data file once the batch is in, so the
    # store is one self-contained file (a copy of data/fivestar.duckdb alone is complete).
    with store.open_store(db, settings=settings) as con:
        from analytics.submissions import backdate_demo_uploads  # receipt times for 报送情况 (register.md §3)

        backdate_demo_uploads(con, settings)
        audit.record_alone(con, actor, "demo_loaded", details={
            "files": len(results), "accepted": sum(1 for r in results if r.ok)})
        accounts.ensure_demo_accounts(con, by=actor)
        con.execute("CHECKPOINT")
    return DemoLoad(results=results)
