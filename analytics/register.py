"""The branch register (支部名册) and declared goals (创建目标) as uploads (register.md §1–§2).

    staged = stage(data, file_name, county=…)          # read + validate, writes nothing
    result = load(staged, db=…, actor=…)               # one transaction, or nothing
    result = import_file(path, …) / import_bytes(data, name, …)

A register workbook is read like a ledger (``analytics.ingest.read`` and the header
detection, carry-down and problem reporting of ``analytics.ingest.validate``) and refused
with the same codes. An accepted one is an upload of kind 'register' (``uploads.kind``)
with one ``upload_scope`` row per county of kind 'register' (and 'goals' when it holds a
创建目标 sheet), period ``store.TIMELESS``, township '': a county's import replaces that
county's register (and goals) as a whole; history, rollback and demo clearing go through
``store.refresh_uploads`` like every upload.

Only ``county`` (its own county) and ``admin`` accounts — and the command line without
``--as`` — may import a register (``analytics.access.register_refusal``).

The ledger side (register.md §1 "the register's type wins"): ``type_lookup`` is the current
register as ``analytics.ingest.validate.parse_workbook(register=…)`` applies it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analytics.settings import Settings, load_settings

if TYPE_CHECKING:
    import duckdb
    import pandas as pd
    import pyarrow as pa

    from analytics.audit import Actor
    from analytics.ingest.model import ImportResult, Problem
    from analytics.ingest.register import ParsedRegister

KIND = "register"  # uploads.kind and the register's upload_scope kind
GOALS_KIND = "goals"  # the goals' upload_scope kind
UNIT_KINDS = (KIND, GOALS_KIND)


@dataclass
class StagedRegister:
    """A register workbook read and validated but not written: ``parsed`` or ``errors``."""

    file_name: str
    data: bytes = field(repr=False)
    sha256: str
    parsed: ParsedRegister | None = None
    errors: list[Problem] = field(default_factory=list)
    errors_total: int = 0
    warnings: list[Problem] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.parsed is not None and not self.errors

    @property
    def counties(self) -> list[str]:
        return [c for c, _ in self.parsed.scope] if self.parsed is not None else []


def stage(
    data: bytes, file_name: str, *, county: str | None = None, settings: Settings | None = None,
) -> StagedRegister:
    """Read and validate one register workbook (nothing is written). Never raises for bad input."""
    from analytics.ingest import file_type_problem
    from analytics.ingest.model import FileRefused, ParseFailure, Problem
    from analytics.ingest.read import read_workbook
    from analytics.ingest.register import parse_register_workbook

    settings = settings or load_settings()
    sha256 = hashlib.sha256(data).hexdigest()

    def refused(problem: Problem) -> StagedRegister:
        return StagedRegister(file_name, data, sha256, errors=[problem], errors_total=1)

    wrong = file_type_problem(file_name)
    if wrong is not None:
        return refused(wrong)
    if len(data) > settings.max_upload_mb * 1024 * 1024:
        return refused(Problem(code="E_FILE", message=(
            f"文件大小 {len(data) / 1024 / 1024:.1f} MB，超过上限 {settings.max_upload_mb} MB。"
            "请删除多余的工作表、图片后另存，或按县（市、区）拆分后分别上传。")))
    try:
        workbook = read_workbook(data, file_name, settings)
    except FileRefused as exc:
        return refused(exc.problem)
    outcome = parse_register_workbook(workbook, county=county, settings=settings)
    del workbook
    if isinstance(outcome, ParseFailure):
        return StagedRegister(file_name, data, sha256, errors=list(outcome.errors),
                              errors_total=max(outcome.errors_total, len(outcome.errors)),
                              warnings=list(outcome.warnings), skipped_sheets=list(outcome.skipped_sheets))
    return StagedRegister(file_name, data, sha256, parsed=outcome, warnings=list(outcome.warnings),
                          skipped_sheets=list(outcome.skipped_sheets))


# --- load ----------------------------------------------------------------------------

INSERT_UPLOAD_SQL = """
INSERT INTO uploads (upload_id, seq, file_name, uploader, uploaded_at, sha256, size_bytes, period,
                     n_branches, n_tasks, warnings, skipped_sheets, is_demo, state, accepted_seq,
                     submitted_by, kind)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, 'accepted', ?, ?, 'register')
"""

# One scope row per county and kind (register, goals): the unit a county's import replaces.
INSERT_SCOPE_SQL = """
INSERT INTO upload_scope (upload_id, kind, period, county, township)
SELECT ?, kind, ?, county, '' FROM _reg_scope_in
"""

# The register / goals versions in force for these counties until now (this import replaces them).
REPLACED_SQL = """
WITH final AS (
    SELECT DISTINCT s.upload_id
    FROM upload_scope s
    JOIN _reg_scope_in i ON i.kind = s.kind AND i.county = s.county
    WHERE s.is_current
)
SELECT upload_id FROM final ORDER BY upload_id
"""

INSERT_REGISTER_SQL = """
INSERT INTO register BY NAME
SELECT CAST(? AS VARCHAR) AS upload_id, * FROM _register_in
"""
INSERT_GOALS_SQL = """
INSERT INTO goal BY NAME
SELECT CAST(? AS VARCHAR) AS upload_id, * FROM _goals_in
"""


def _refusal(staged: StagedRegister, problems: list[Problem], total: int, settings: Settings,
             db: str | os.PathLike[str] | None, actor: Actor, notice: str | None = None) -> ImportResult:
    from analytics import audit, store
    from analytics.ingest.model import ImportResult

    cap = int(settings.max_listed_problems)
    result = ImportResult(file=staged.file_name, ok=False, errors=problems[:cap], errors_total=total,
                          warnings=list(staged.warnings), skipped_sheets=list(staged.skipped_sheets))
    shown = f"，下面列出前 {cap} 个" if total > cap else ""
    result.notice = notice or f"名册已拒收，未写入任何数据：共发现 {total} 个问题{shown}。请按提示修改后重新上传。"
    path = store.resolve_db_path(db, settings)
    if path.is_file():  # the refusal is recorded in an existing store; none is created for it
        with contextlib.suppress(store.StoreLockedError), store.open_store(
                path, settings=settings.replace(lock_timeout_s=min(2, settings.lock_timeout_s))) as con:
            audit.record_alone(con, actor, "register_refused", object=staged.file_name,
                               details={"file": staged.file_name, "codes": sorted({p.code for p in problems}),
                                        "errors": total})
    return result


def load(
    staged: StagedRegister,
    *,
    db: str | os.PathLike[str] | None = None,
    uploader: str | None = None,
    is_demo: bool = False,
    settings: Settings | None = None,
    actor: Actor | None = None,
) -> ImportResult:
    """Write an accepted register workbook in one transaction with its audit events; a refused
    one (or one out of the actor's rights: E_SCOPE) writes nothing."""
    import pyarrow as pa

    from analytics import access, audit, store
    from analytics.ingest.load import _bytes_table
    from analytics.ingest.model import ImportResult, Problem
    from analytics.ingest.register import GOAL_COLUMNS, GOAL_SCHEMA, REGISTER_COLUMNS, REGISTER_SCHEMA

    settings = settings or load_settings()
    actor = actor or audit.web_actor(uploader)
    if staged.parsed is None or staged.errors:
        return _refusal(staged, list(staged.errors), max(staged.errors_total, len(staged.errors)), settings, db, actor)
    parsed = staged.parsed
    counties = staged.counties
    denied = access.register_refusal(actor, counties)
    if denied is not None:
        problem = Problem(code="E_SCOPE", message=denied, value="、".join(counties))
        return _refusal(staged, [problem], 1, settings, db, actor, notice=f"名册已拒收，未写入任何数据：{denied}")
    units = [(KIND, c) for c in parsed.register_counties] + [(GOALS_KIND, c) for c in parsed.goal_counties]
    scope_in = pa.table({"kind": [k for k, _ in units], "county": [c for _, c in units]},
                        schema=pa.schema([("kind", pa.string()), ("county", pa.string())]))
    register = parsed.register.select(list(REGISTER_COLUMNS)).cast(REGISTER_SCHEMA)
    goals = parsed.goals.select(list(GOAL_COLUMNS)).cast(GOAL_SCHEMA)
    result = ImportResult(file=staged.file_name, ok=False, scope=[(c, "") for c in counties],
                          warnings=list(staged.warnings), skipped_sheets=list(staged.skipped_sheets),
                          branches=register.num_rows)
    where = "、".join(counties)
    scope_rows = sorted((c, "") for _, c in units)
    with store.open_store(db, settings=settings) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            duplicate = store.find_current_duplicate(con, staged.sha256, store.TIMELESS, scope_rows)
            if duplicate is not None:
                audit.record(con, actor, "upload_identical", object=duplicate,
                             county=counties[0] if len(counties) == 1 else None,
                             details={"file": staged.file_name, "sha256": staged.sha256, "kind": KIND})
                con.execute("COMMIT")
                result.ok, result.duplicate_of, result.state = True, duplicate, "accepted"
                result.notice = (f"内容与名册上传 {duplicate} 完全相同，且该版本仍在生效（{where}），"
                                 "本次未重复导入，名册没有变化。")
                return result
            con.register("_archive_in", _bytes_table(staged.data))
            try:
                con.execute("INSERT INTO archive (sha256, size_bytes, content) "
                            "SELECT CAST($sha256 AS VARCHAR), CAST($size AS BIGINT), content FROM _archive_in "
                            "WHERE NOT EXISTS (SELECT 1 FROM archive WHERE sha256 = CAST($sha256 AS VARCHAR))",
                            {"sha256": staged.sha256, "size": len(staged.data)})
            finally:
                con.unregister("_archive_in")
            upload_id, seq = store.next_upload_id(con)
            con.execute("INSERT OR REPLACE INTO meta VALUES ('seq_floor', ?)", [str(seq)])
            con.execute(INSERT_UPLOAD_SQL, [
                upload_id, seq, staged.file_name, uploader, datetime.now().replace(microsecond=0),
                staged.sha256, len(staged.data), store.TIMELESS, register.num_rows,
                json.dumps([w.to_dict() for w in parsed.warnings], ensure_ascii=False),
                json.dumps(list(parsed.skipped_sheets), ensure_ascii=False), is_demo, seq, actor.login,
            ])
            con.register("_reg_scope_in", scope_in)
            con.register("_register_in", register)
            con.register("_goals_in", goals)
            try:
                replaced = [r[0] for r in con.execute(REPLACED_SQL).fetchall()]
                con.execute(INSERT_SCOPE_SQL, [upload_id, store.TIMELESS])
                if parsed.has_register:
                    con.execute(INSERT_REGISTER_SQL, [upload_id])
                if parsed.has_goals:
                    con.execute(INSERT_GOALS_SQL, [upload_id])
                for kind in UNIT_KINDS:
                    store.refresh_current(con, [(store.TIMELESS, c, "") for k, c in units if k == kind], kind=kind)
            finally:
                for name in ("_reg_scope_in", "_register_in", "_goals_in"):
                    con.unregister(name)
            one = counties[0] if len(counties) == 1 else None
            if parsed.has_register:
                audit.record(con, actor, "register_changed", object=upload_id, county=one, details={
                    "file": staged.file_name, "sha256": staged.sha256, "counties": parsed.register_counties,
                    "branches": register.num_rows, "replaced": replaced, "demo": is_demo})
            if parsed.has_goals:
                audit.record(con, actor, "goals_changed", object=upload_id, county=one, details={
                    "file": staged.file_name, "counties": parsed.goal_counties, "goals": goals.num_rows,
                    "replaced": replaced, "demo": is_demo})
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(Exception):
                con.execute("ROLLBACK")
            raise
        con.execute("CHECKPOINT")
    result.ok, result.upload_id, result.state = True, upload_id, "accepted"
    parts = []
    if parsed.has_register:
        parts.append(f"支部名册 {register.num_rows} 个支部")
    if parsed.has_goals:
        parts.append(f"创建目标 {goals.num_rows} 条")
    was = f"，替换了此前的版本 {'、'.join(replaced)}（可回滚恢复）" if replaced else ""
    result.notice = f"已导入为 {upload_id}（{where}）：{'，'.join(parts)}{was}。此后导入的台账按此名册核对类型。"
    return result


def import_bytes(
    data: bytes, file_name: str, *, county: str | None = None, db: str | os.PathLike[str] | None = None,
    uploader: str | None = None, is_demo: bool = False, settings: Settings | None = None,
    actor: Actor | None = None,
) -> ImportResult:
    settings = settings or load_settings()
    staged = stage(data, file_name, county=county, settings=settings)
    return load(staged, db=db, uploader=uploader, is_demo=is_demo, settings=settings, actor=actor)


def import_file(
    path: str | os.PathLike[str], *, county: str | None = None, db: str | os.PathLike[str] | None = None,
    uploader: str | None = None, is_demo: bool = False, settings: Settings | None = None,
    actor: Actor | None = None,
) -> ImportResult:
    """stage + load for a file on disk (the command line); ``result.file`` is the path as given."""
    from analytics.ingest.model import ImportResult, Problem

    settings = settings or load_settings()
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return ImportResult(file=str(path), ok=False, errors=[Problem(
            code="E_FILE", message=f"无法读取文件：{exc.strerror or exc}。请确认路径正确且有读取权限。")], errors_total=1)
    result = import_bytes(data, path.name, county=county, db=db, uploader=uploader, is_demo=is_demo,
                          settings=settings, actor=actor)
    result.file = str(path)
    return result


# --- the register as the ledgers use it ------------------------------------------------

# register.md §1: the current register of every county that has one (key for the ledger rows).
LOOKUP_SQL = """
WITH final AS (
    SELECT county, township, branch, branch_type, status FROM v_register
)
SELECT * FROM final
"""


def type_lookup(con: duckdb.DuckDBPyConnection) -> pa.Table | None:
    """The current register as ``parse_workbook(register=…)`` applies it; None when no county has one
    (or the store predates the register)."""
    import duckdb

    from analytics.ingest.register import lookup_table

    try:
        rows = con.sql(LOOKUP_SQL).to_arrow_table()
    except duckdb.CatalogException:
        return None
    if rows.num_rows == 0:
        return None
    return lookup_table(*(rows.column(c).combine_chunks() for c in ("county", "township", "branch", "branch_type",
                                                                     "status")))


def lookup_from_db(db: str | os.PathLike[str] | None, settings: Settings) -> pa.Table | None:
    """``type_lookup`` of the store at ``db``; None when there is no store file yet."""
    from analytics import store

    path = store.resolve_db_path(db, settings)
    if not path.is_file():
        return None
    with store.open_store(path, read_only=True, settings=settings) as con:
        return type_lookup(con)


# --- reading the register (pages, command line, templates) -------------------------------

REGISTER_LIST_COLUMNS = ["county", "township", "branch", "branch_type", "secretary", "liaison", "team", "status"]


def register_rows(con: duckdb.DuckDBPyConnection, county: str | None = None,
                  township: str | None = None) -> pd.DataFrame:
    """The current register (optionally of one county / township), ordered by county, township, branch."""
    from analytics import sql

    return sql.run(con, "register_rows.sql", {"county": county, "township": township})[REGISTER_LIST_COLUMNS]


SUMMARY_COLUMNS = ["county", "branches", "villages", "communities", "merged", "new", "goal_rows", "upload_id",
                   "goals_upload_id"]


def register_summary(con: duckdb.DuckDBPyConnection, county: str | None = None,
                     township: str | None = None) -> pd.DataFrame:
    """Per county with a register or goals: branches by type and status, goal rows, the uploads in force."""
    from analytics import sql

    return sql.run(con, "register_summary.sql", {"county": county, "township": township})[SUMMARY_COLUMNS]


def counties_with_register(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [str(r[0]) for r in con.execute("SELECT DISTINCT county FROM v_register ORDER BY county").fetchall()]


UNREGISTERED_COLUMNS = ["county", "township", "branch", "branch_type", "last_period", "months", "reason"]


def unregistered_branches(con: duckdb.DuckDBPyConnection, county: str | None = None,
                          township: str | None = None) -> pd.DataFrame:
    """Branches in the current ledgers of a county that has a register but not in it (or listed
    as 撤并): for the county to reconcile (add them to the register, or fix the name)."""
    from analytics import sql

    df = sql.run(con, "unregistered_branches.sql", {"county": county, "township": township})
    df["last_period"] = df["last_period"].map(lambda d: d.strftime("%Y-%m") if d is not None else None)
    return df[UNREGISTERED_COLUMNS]


def known_branches(con: duckdb.DuckDBPyConnection, county: str | None = None,
                   township: str | None = None) -> pd.DataFrame:
    """Every branch the store knows (register and ledgers) with the register's fields where it
    has them: the rows of the pre-filled register template."""
    from analytics import sql

    return sql.run(con, "known_branches.sql", {"county": county, "township": township})[REGISTER_LIST_COLUMNS]


def goal_rows(con: duckdb.DuckDBPyConnection, county: str | None = None,
              township: str | None = None) -> pd.DataFrame:
    """The current declared goals (optionally of one county; a township: its own and its county's),
    the county's own row first."""
    from analytics import sql

    return sql.run(con, "goal_rows.sql", {"county": county, "township": township})


def branch_people(con: duckdb.DuckDBPyConnection, county: str | None = None,
                  township: str | None = None) -> pd.DataFrame:
    """[county, township, branch, secretary, liaison, team] of registered branches (the battle map)."""
    return register_rows(con, county, township)[["county", "township", "branch", "secretary", "liaison", "team"]]


def describe(result: ImportResult) -> dict[str, Any]:
    """``ImportResult.to_dict`` for a register import: no period; scope as counties."""
    out = result.to_dict()
    out["kind"] = KIND
    out["counties"] = [c for c, _ in result.scope]
    out.pop("period", None)
    return out


__all__ = [
    "GOALS_KIND",
    "KIND",
    "StagedRegister",
    "branch_people",
    "counties_with_register",
    "describe",
    "goal_rows",
    "import_bytes",
    "import_file",
    "known_branches",
    "load",
    "lookup_from_db",
    "register_rows",
    "register_summary",
    "stage",
    "type_lookup",
    "unregistered_branches",
]
