"""Data passed between the ingestion stages: read -> parse/validate -> load.

    read_workbook(bytes)            -> RawWorkbook   (analytics.ingest.read; sandboxed)
    parse_workbook(RawWorkbook)     -> ParsedLedger  or ParseFailure (analytics.ingest.validate)
    load_parsed(con, ParsedLedger)  -> ImportResult  (analytics.ingest.load)

Every problem anywhere is a ``Problem`` with the contract's fields (§5).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pyarrow as pa


def cell_ref(sheet: str | None, row: int | None, column: str | None) -> str:
    """Where a problem is, as a person reads it: ``星级台账!H12`` for a cell (what one types in
    Excel's name box), ``星级台账 第2行`` for a whole row, ``星级台账 H列`` for a whole column,
    ``星级台账`` for the sheet."""
    prefix = sheet or ""
    if column and row:
        return f"{prefix}!{column}{row}" if prefix else f"{column}{row}"
    if row:
        return f"{prefix} 第{row}行".strip()
    if column:
        return f"{prefix} {column}列".strip()
    return prefix


@dataclass(frozen=True)
class Problem:
    """One refusal reason (E_…) or warning (W_…), pointing at a cell where possible.

    ``row`` is the 1-based Excel row (CSV: line number), ``column`` the Excel
    column letter(s); both None when the problem is about the whole file/sheet.
    """

    code: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None

    @property
    def is_error(self) -> bool:
        return self.code.startswith("E_")

    @property
    def cell(self) -> str:
        """``星级台账!H12`` for a cell, ``星级台账 第2行`` for a row (see ``cell_ref``)."""
        return cell_ref(self.sheet, self.row, self.column)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }

    def __str__(self) -> str:
        value = f" “{self.value}”" if self.value not in (None, "") else ""
        where = f" {self.cell}" if self.cell else ""
        return f"{self.code}{where}{value}：{self.message}"


class FileRefused(Exception):
    """Raised by the reader for an unreadable file; carries one E_FILE problem."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class RawSheet:
    """One worksheet as text cells.

    ``table`` has one string column per sheet column, named by its Excel column
    letter(s) ("A", "B", … "AA"), in sheet order; a null is an empty cell.
    Table row i is Excel row ``first_row + i``. Cell text is the cached value as
    the reader rendered it (numbers like "29" / "0.62", dates like
    "2024-08-31 00:00:00"); CSV cells are the raw text.
    """

    name: str
    table: pa.Table
    first_row: int = 1
    hit_row_limit: bool = False  # the sheet ends exactly at its format's row limit
    visible: bool = True


@dataclass
class RawWorkbook:
    file_name: str
    kind: str  # "xlsx" | "xlsm" | "xls" | "csv"
    sheets: list[RawSheet]


# Column order of ParsedLedger.branches (matches store table branch_month minus upload_id/period).
BRANCH_COLUMNS: tuple[str, ...] = (
    "county", "township", "branch", "branch_type", "target_stars",
    "star_1", "star_2", "star_3", "star_4", "star_5", "stars", "stars_reported",
    "tasks_done", "tasks_total", "open_problems", "problems", "weak",
    "secretary", "notes", "source_sheet", "source_row",
)
# Column order of ParsedLedger.tasks (matches store table task minus upload_id/period).
TASK_COLUMNS: tuple[str, ...] = (
    "county", "township", "branch", "star_slot", "task", "measure", "owner",
    "deadline", "done", "done_date", "team", "star_owner", "department", "accepted", "accepted_date",
    "source_sheet", "source_row",
)
# Column order of ParsedLedger.problems / .weak (store tables problem / weak minus upload_id/period).
PROBLEM_COLUMNS: tuple[str, ...] = (
    "county", "township", "branch", "star_slot", "problem", "measure", "owner",
    "deadline", "closed", "closed_date", "source_sheet", "source_row",
)
WEAK_COLUMNS: tuple[str, ...] = (
    "county", "township", "branch", "situations", "plan", "liaison", "identified", "state", "cleared",
    "source_sheet", "source_row",
)

BRANCH_SCHEMA = pa.schema([
    ("county", pa.string()), ("township", pa.string()), ("branch", pa.string()),
    ("branch_type", pa.string()), ("target_stars", pa.int32()),
    ("star_1", pa.string()), ("star_2", pa.string()), ("star_3", pa.string()),
    ("star_4", pa.string()), ("star_5", pa.string()), ("stars", pa.int32()),
    ("stars_reported", pa.int32()), ("tasks_done", pa.int32()), ("tasks_total", pa.int32()),
    ("open_problems", pa.int32()), ("problems", pa.string()), ("weak", pa.bool_()),
    ("secretary", pa.string()), ("notes", pa.string()),
    ("source_sheet", pa.string()), ("source_row", pa.int32()),
])
TASK_SCHEMA = pa.schema([
    ("county", pa.string()), ("township", pa.string()), ("branch", pa.string()),
    ("star_slot", pa.int32()), ("task", pa.string()), ("measure", pa.string()),
    ("owner", pa.string()), ("deadline", pa.date32()), ("done", pa.bool_()),
    ("done_date", pa.date32()), ("team", pa.string()), ("star_owner", pa.string()),
    ("department", pa.string()), ("accepted", pa.bool_()), ("accepted_date", pa.date32()),
    ("source_sheet", pa.string()), ("source_row", pa.int32()),
])
PROBLEM_SCHEMA = pa.schema([
    ("county", pa.string()), ("township", pa.string()), ("branch", pa.string()),
    ("star_slot", pa.int32()), ("problem", pa.string()), ("measure", pa.string()),
    ("owner", pa.string()), ("deadline", pa.date32()), ("closed", pa.bool_()),
    ("closed_date", pa.date32()), ("source_sheet", pa.string()), ("source_row", pa.int32()),
])
WEAK_SCHEMA = pa.schema([
    ("county", pa.string()), ("township", pa.string()), ("branch", pa.string()),
    ("situations", pa.string()), ("plan", pa.string()), ("liaison", pa.string()),
    ("identified", pa.date32()), ("state", pa.string()), ("cleared", pa.date32()),
    ("source_sheet", pa.string()), ("source_row", pa.int32()),
])
# cadence.md §2 / §5: score rows (one per item, plus item '总分') and acceptance rows
# (store tables assessment / award minus upload_id, period and period_kind).
ASSESSMENT_COLUMNS: tuple[str, ...] = (
    "county", "township", "branch", "item", "points", "assessor", "source_sheet", "source_row",
)
AWARD_COLUMNS: tuple[str, ...] = (
    "county", "township", "branch", "awarded_stars", "accepted_at", "source_sheet", "source_row",
)
ASSESSMENT_SCHEMA = pa.schema([
    ("county", pa.string()), ("township", pa.string()), ("branch", pa.string()), ("item", pa.string()),
    ("points", pa.float64()), ("assessor", pa.string()), ("source_sheet", pa.string()), ("source_row", pa.int32()),
])
AWARD_SCHEMA = pa.schema([
    ("county", pa.string()), ("township", pa.string()), ("branch", pa.string()), ("awarded_stars", pa.int32()),
    ("accepted_at", pa.date32()), ("source_sheet", pa.string()), ("source_row", pa.int32()),
])


# ParsedLedger's row tables.
_ROW_TABLES = ("branches", "tasks", "problems", "weak", "assessment", "awards")


def _owned(table: pa.Table) -> pa.Table:
    """``table`` with each column that uses a read-only buffer (a mapped file's) copied into
    memory of its own (a column Arrow computed is left as it is)."""
    columns = []
    for column in table.columns:
        if any(b is not None and not b.is_mutable for chunk in column.chunks for b in chunk.buffers()):
            column = pa.chunked_array([pa.concat_arrays([chunk]) for chunk in column.chunks], column.type)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=table.schema)


@dataclass
class ParsedLedger:
    """A validated upload, ready to load: one period, typed rows, warnings."""

    period: date  # the first day of the month, or the Monday of the week (period_kind)
    branches: pa.Table  # BRANCH_SCHEMA
    tasks: pa.Table  # TASK_SCHEMA (may have 0 rows)
    warnings: list[Problem] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)
    problems: pa.Table = field(default_factory=lambda: PROBLEM_SCHEMA.empty_table())  # battle-map.md §2
    weak: pa.Table = field(default_factory=lambda: WEAK_SCHEMA.empty_table())  # battle-map.md §3
    # cadence.md §2 / §5: what the upload is ('ledger' | 'assessment' | 'acceptance', uploads.kind),
    # the kind of its period ('month' for ledgers; 'week' | 'month' | 'quarter' for scores;
    # 'year' for acceptance) and the rows of the non-ledger kinds.
    kind: str = "ledger"
    period_kind: str = "month"
    assessment: pa.Table = field(default_factory=lambda: ASSESSMENT_SCHEMA.empty_table())
    awards: pa.Table = field(default_factory=lambda: AWARD_SCHEMA.empty_table())

    def detached(self) -> ParsedLedger:
        """The same ledger with every column in memory of its own.

        A column that validation passed through unchanged (most free text) is a slice of the
        raw sheet, whose memory is the reader's file mapped read-only: it would keep the whole
        mapped sheet resident through the load (a city's 作战图: ~31 MiB, ~10 % of the
        import's peak). Copying those columns (~5 ms) lets the raw sheets go once staged.
        """
        return replace(self, **{name: _owned(getattr(self, name)) for name in _ROW_TABLES})

    @property
    def rows(self) -> pa.Table:
        """The table whose rows name the upload's units (branches, scores or awards)."""
        return {"assessment": self.assessment, "acceptance": self.awards}.get(self.kind, self.branches)

    @property
    def unit_kind(self) -> str:
        """upload_scope.kind of the upload's units (store.UNIT_ROWS)."""
        if self.kind == "assessment":
            return f"assessment_{self.period_kind}"
        if self.kind == "acceptance":
            return "acceptance"
        return self.period_kind  # 'month' (weekly ledgers: 'week')

    @property
    def period_label(self) -> str:
        """2024-08, 2024Q3, 2024 … (the --json 'period')."""
        from analytics.ingest.cadence import period_label

        return period_label(self.period_kind, self.period)

    @property
    def n_branches(self) -> int:
        """How many branches the upload has rows for."""
        if self.kind == "ledger":
            return self.branches.num_rows
        rows = self.rows
        return len(set(zip(rows.column("county").to_pylist(), rows.column("township").to_pylist(),
                           rows.column("branch").to_pylist(), strict=True)))

    @property
    def scope(self) -> list[tuple[str, str]]:
        """Sorted distinct (county, township) pairs the upload covers."""
        # A set, not Table.group_by: that loads pyarrow's query engine (~25 ms, ~10 MB) for a few units.
        rows = self.rows
        counties = rows.column("county").to_pylist()
        townships = rows.column("township").to_pylist()
        return sorted(set(zip(counties, townships, strict=True)))


@dataclass
class ParseFailure:
    """A refused upload: every error (and the warnings found on the way)."""

    errors: list[Problem]  # at most settings.max_listed_problems, in sheet/row/column order
    warnings: list[Problem] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)
    errors_total: int = 0  # how many errors were found in all (>= len(errors))


@dataclass
class ImportResult:
    """What ``python -m analytics ingest --json`` prints for one file (contract §7)."""

    file: str
    ok: bool
    upload_id: str | None = None
    period: str | None = None  # "YYYY-MM", or "YYYY-Www" for a weekly ledger
    scope: list[tuple[str, str]] = field(default_factory=list)
    branches: int = 0
    tasks: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    duplicate_of: str | None = None
    skipped_sheets: list[str] = field(default_factory=list)
    errors_total: int = 0  # all errors found; ``errors`` lists at most max_listed_problems
    notice: str | None = None  # a Chinese sentence for the user (e.g. why nothing was written)
    state: str | None = None  # 'accepted' | 'pending' (waits for review, access.md §3); None when refused

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "ok": self.ok,
            "upload_id": self.upload_id,
            "period": self.period,
            "scope": [{"county": c, "township": t} for c, t in self.scope],
            "rows": {"branches": self.branches, "tasks": self.tasks},
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
            "duplicate_of": self.duplicate_of,
            "skipped_sheets": self.skipped_sheets,
            "errors_total": max(self.errors_total, len(self.errors)),
            "notice": self.notice,
            "state": self.state,
        }
