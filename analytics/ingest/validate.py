"""Raw sheets -> a validated upload, with every problem listed (ledger-format.md §1–§5).

    parse_workbook(wb, *, period=None, county=None, settings=None) -> ParsedLedger | ParseFailure

Stages, all column-at-a-time on Arrow (no Python loop over cells; each column's
*distinct* values are parsed once in Python by ``values.map_distinct``):

1. every sheet is classified by its header (``headers.detect_layout``): star
   ledger, task ledger, or skipped (W_SKIPPED_SHEET); required columns checked;
2. data rows are normalized; blank rows, totals, footers and repeated header
   rows are dropped; county/township (and, in a task sheet, branch and star)
   are carried down;
3. the period and the county are resolved (§4);
4. star-ledger rows and task rows are typed; duplicates, tasks of unknown
   branches, and task counts per branch are computed by key joins;
5. problems are sorted by sheet/row/column; errors refuse the upload.

Several star-ledger sheets (or task sheets) in one workbook are combined; a
branch appearing in two of them is E_DUPLICATE.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analytics import spec
from analytics.ingest import cadence
from analytics.ingest import values as V
from analytics.ingest.headers import (
    ACCEPTANCE,
    ITEM_PREFIX,
    LEDGER,
    PROBLEM,
    TASK,
    WEAK,
    HeaderColumn,
    SheetLayout,
    detect_layout,
    title_cells,
)
from analytics.ingest.model import (
    ASSESSMENT_SCHEMA,
    AWARD_SCHEMA,
    BRANCH_SCHEMA,
    PROBLEM_SCHEMA,
    TASK_SCHEMA,
    WEAK_SCHEMA,
    ParsedLedger,
    ParseFailure,
    Problem,
    RawSheet,
    RawWorkbook,
    cell_ref,
)
from analytics.periods import PartialPeriod, Period, find_week_in_text
from analytics.settings import Settings

# What each sheet kind reads (fields, aliases, required, carried-down and free-text
# fields, value parsers, recognition) is declared in spec.SHEET_KINDS.
KINDS: dict[str, spec.SheetKind] = {kind.key: kind for kind in spec.SHEET_KINDS}


def _spaced(word: str) -> str:
    """RE2 pattern for a word as written in a raw cell: any whitespace between its
    characters, full- or half-width colon (so the raw cell needs no NFKC pass)."""
    parts = ["[:：]" if ch in ":：" else re.escape(ch) for ch in word]
    return r"[\s\p{Z}]*".join(parts)


_TOTALS_RE = "|".join(_spaced(w) for w in spec.TOTAL_WORDS)
_FOOTER_RE = r"^[\s\p{Z}]*(?:" + "|".join(_spaced(p) for p in spec.FOOTER_PREFIXES) + ")"
_KEY_SEP = "\x1f"
_NULL_STR = pa.scalar(None, pa.string())

# Friendly names of fields in messages.
FIELD_LABELS = {
    "county": "县（市、区）",
    "township": "乡镇（街道）",
    "branch": "村（社区）名称",
    "branch_type": "类型",
    "target_stars": "创建目标",
    "stars_reported": "当前星级",
    "tasks_done": "已完成任务数",
    "tasks_total": "任务总数",
    "task_rate": "任务完成率",
    "open_problems": "问题数",
    "weak": "软弱涣散",
    "period": "报送月份",
    "star": "所属星",
    "task": "重点任务",
    "done": "是否完成",
    "deadline": "完成时限",
    "done_date": "完成时间",
    "accepted": "是否验收",
    "accepted_date": "验收时间",
    "problem": "问题",
    "closed": "是否销号",
    "closed_date": "销号时间",
    "state": "整顿状态",
    "identified": "认定时间",
    "cleared": "销号时间",
    # cadence.md §2 / §5
    "total": "总分",
    "assessor": "评分人",
    "awarded_stars": "评定星级",
    "accepted_at": "验收时间",
    "year": "年度",
}


# ---------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------

_PROBLEM_SCHEMA = pa.schema([
    ("code", pa.string()), ("sheet_ord", pa.int32()), ("sheet", pa.string()), ("row", pa.int32()),
    ("col_ord", pa.int32()), ("column", pa.string()), ("value", pa.string()), ("message", pa.string()),
])


class _Problems:
    """Collects problems as Arrow batches; only the listed ones become ``Problem`` objects."""

    def __init__(self) -> None:
        self._batches: list[pa.Table] = []
        self._singles: list[dict[str, Any]] = []

    def add(
        self, code: str, message: str, *, sheet: _Sheet | None = None, row: int | None = None,
        column: HeaderColumn | None = None, value: str | None = None,
    ) -> None:
        self._singles.append({
            "code": code, "sheet_ord": sheet.ord if sheet else -1, "sheet": sheet.name if sheet else None,
            "row": row, "col_ord": column.index if column else -1,
            "column": column.letter if column else None, "value": value, "message": message,
        })

    def add_cells(
        self, code: str, sheet: _Sheet, column: HeaderColumn | None, mask: pa.Array,
        values: pa.Array | None, messages: pa.Array | str,
    ) -> None:
        """One problem per row where ``mask`` is true (row/value/message taken from that row)."""
        mask = pc.fill_null(mask, False)
        if not pc.any(mask).as_py():
            return
        rows = pc.filter(sheet.rows, mask)
        n = len(rows)
        vals = pc.filter(values, mask) if values is not None else pa.nulls(n, pa.string())
        if isinstance(messages, str):
            msgs = pa.repeat(pa.scalar(messages, pa.string()), n)
        else:
            msgs = pc.filter(messages, mask)
        self._batches.append(pa.table([
            pa.repeat(pa.scalar(code, pa.string()), n),
            pa.repeat(pa.scalar(sheet.ord, pa.int32()), n),
            pa.repeat(pa.scalar(sheet.name, pa.string()), n),
            rows,
            pa.repeat(pa.scalar(column.index if column else -1, pa.int32()), n),
            pa.repeat(pa.scalar(column.letter if column else None, pa.string()), n),
            vals.cast(pa.string()),
            msgs.cast(pa.string()),
        ], schema=_PROBLEM_SCHEMA))

    def _table(self) -> pa.Table:
        parts = list(self._batches)
        if self._singles:
            parts.append(pa.Table.from_pylist(self._singles, schema=_PROBLEM_SCHEMA))
        if not parts:
            return _PROBLEM_SCHEMA.empty_table()
        table = pa.concat_tables(parts)
        order = pc.sort_indices(
            table,
            sort_keys=[("sheet_ord", "ascending", "at_start"), ("row", "ascending", "at_start"),
                       ("col_ord", "ascending", "at_start")],
        )
        return table.take(order)

    def split(self, limit: int, warning_limit: int | None = None) -> tuple[list[Problem], int, list[Problem]]:
        """(listed errors, total errors, warnings), each in sheet/row/column order.

        Beyond ``warning_limit`` warnings, the rest are counted in one W_MORE_WARNINGS (issue 14:
        a file must not store or print an unbounded list).
        """
        table = self._table()
        is_error = pc.starts_with(table["code"], "E_")
        errors = table.filter(is_error)
        warnings = table.filter(pc.invert(is_error))
        listed = _to_problems(warnings if warning_limit is None else warnings.slice(0, warning_limit))
        if warning_limit is not None and warnings.num_rows > warning_limit:
            listed.append(Problem(
                code=spec.W_MORE_WARNINGS,
                message=f"另有 {warnings.num_rows - warning_limit:,} 条警告未逐条列出和保存"
                f"（共 {warnings.num_rows:,} 条，上限 {warning_limit:,} 条，设置 max_stored_warnings）",
            ))
        return _to_problems(errors.slice(0, limit)), errors.num_rows, listed


def _to_problems(table: pa.Table) -> list[Problem]:
    return [
        Problem(code=r["code"], message=r["message"], sheet=r["sheet"], row=r["row"], column=r["column"],
                value=r["value"])
        for r in table.to_pylist()
    ]


# ---------------------------------------------------------------------------
# Sheets and their rows
# ---------------------------------------------------------------------------


@dataclass
class _Sheet:
    ord: int
    raw: RawSheet
    layout: SheetLayout
    rows: pa.Array = field(default_factory=lambda: pa.array([], pa.int32()))  # Excel row of each kept row
    cols: dict[str, pa.Array] = field(default_factory=dict)  # field -> cells of kept rows
    stars: list[pa.Array] = field(default_factory=list)  # parallel to layout.stars
    context: bool = False  # no township/branch columns: the branch comes from the title or the ledger

    @property
    def name(self) -> str:
        return self.raw.name

    @property
    def kind(self) -> str | None:
        return self.layout.kind

    @property
    def spec(self) -> spec.SheetKind:
        assert self.layout.kind is not None
        return KINDS[self.layout.kind]

    def col(self, name: str) -> HeaderColumn | None:
        return self.layout.fields.get(name)

    def excel_row(self, table_row: int) -> int:
        return self.raw.first_row + table_row

    def filter(self, keep: pa.Array) -> None:
        if isinstance(keep, pa.ChunkedArray):
            keep = keep.combine_chunks()
        self.rows = pc.filter(self.rows, keep)
        self.cols = {k: pc.filter(v, keep) for k, v in self.cols.items()}
        self.stars = [pc.filter(v, keep) for v in self.stars]


def _all(masks: Sequence[pa.Array], n: int) -> pa.Array:
    out = pa.repeat(pa.scalar(True), n) if not masks else masks[0]
    for m in masks[1:]:
        out = pc.and_(out, m)
    return out


def _any(masks: Sequence[pa.Array], n: int) -> pa.Array:
    out = pa.repeat(pa.scalar(False), n) if not masks else masks[0]
    for m in masks[1:]:
        out = pc.or_(out, m)
    return out


def _matches(values: pa.Array, pattern: str) -> pa.Array:
    """Whether each cell matches the RE2 ``pattern`` (false for blanks).

    Identity columns repeat a few values over many rows (county, township, branch
    on every task row): a long column is matched once per distinct value.
    """
    encoded = V.repeated_values(values)
    if encoded is not None:
        hits = pc.match_substring_regex(encoded.dictionary, pattern).take(encoded.indices)
        return pc.fill_null(hits, False)
    return pc.fill_null(pc.match_substring_regex(values, pattern), False)


def _is_in(values: pa.Array, value_set: pa.Array) -> pa.Array:
    """Whether each cell is one of ``value_set`` (false for blanks); once per distinct value of a long column."""
    encoded = V.repeated_values(values)
    if encoded is not None:
        return pc.fill_null(pc.is_in(encoded.dictionary, value_set=value_set).take(encoded.indices), False)
    return pc.fill_null(pc.is_in(values, value_set=value_set), False)


# A control or format character that is not whitespace (a cell of only whitespace is blank, §3.3).
_INVISIBLE_RE2 = r"[\p{Cf}\x{00}-\x{08}\x{0E}-\x{1B}\x{7F}-\x{84}\x{86}-\x{9F}]"
_INVISIBLE_NAME = "只含不可见字符（控制符、零宽字符或方向控制符），无法作为名称：请重新输入{label}"


def _extract(sheet: _Sheet, problems: _Problems) -> None:
    """Normalize the data rows of a recognized sheet; drop rows to skip; carry values down (§3.3)."""
    layout = sheet.layout
    data = sheet.raw.table.slice(layout.data_start)
    n = data.num_rows
    first = sheet.excel_row(layout.data_start)
    sheet.rows = pa.array(np.arange(first, first + n, dtype=np.int32))
    kind = sheet.spec
    for name, col in layout.fields.items():
        if name == "seq":  # 序号 is ignored (a 合计 in it is caught as the row's first cell)
            continue
        raw = data.column(col.letter)
        sheet.cols[name] = V.trim_array(raw) if name in kind.free_text else V.normalize_array(raw)
    sheet.stars = [V.normalize_array(data.column(s.column.letter)) for s in layout.stars]
    if n == 0:
        return
    # A name cell that held only control/format characters is blank after normalization; it
    # must not pass for a blank cell carried down from above: a row error naming the cell
    # (issue 14). (A branch name that is not carried down is reported as missing anyway.)
    carry = kind.carry
    invisible: list[tuple[str, pa.Array]] = []
    for name in spec.IDENTITY_FIELDS:
        if name in carry and name in sheet.cols and sheet.cols[name].null_count:
            raw_name = V.as_array(data.column(layout.fields[name].letter))
            mask = pc.and_(pc.is_null(sheet.cols[name]), pc.is_valid(raw_name))
            if pc.any(mask).as_py():
                mask = pc.and_(mask, _matches(raw_name, _INVISIBLE_RE2))
                invisible.append((name, pc.fill_null(mask, False)))

    # The first non-empty cell of the row, whatever its column (footers, 合计 in a merged 序号 cell):
    # mapped columns as normalized above, other columns as read.
    by_letter = {layout.fields[k].letter: v for k, v in sheet.cols.items()}
    by_letter.update({s.column.letter: v for s, v in zip(layout.stars, sheet.stars, strict=True)})
    cells = [by_letter.get(c, data.column(c)) for c in data.column_names]
    first_cell = V.as_array(pc.coalesce(*cells)) if cells else pa.nulls(n, pa.string())
    if "star" in kind.carry:
        # A 序号 cell beside the heading (一 | 支部过硬星) does not count: the importer ignores that column.
        # (A heading merged over the row has its text in the 序号 cell itself.)
        seq = layout.fields["seq"].letter if "seq" in layout.fields else None
        heading_cells = [v for c, v in zip(data.column_names, cells, strict=True) if c != seq]
        seq_cells = [data.column(seq)] if seq is not None else []
        if heading_cells:
            _star_headings(sheet, heading_cells, V.as_array(pc.coalesce(*heading_cells, *seq_cells)), n)
    mapped = list(sheet.cols.values()) + sheet.stars
    blank = _all([pc.is_null(v) for v in mapped], n)
    footer = _matches(first_cell, _FOOTER_RE)
    identity = [sheet.cols[k] for k in spec.IDENTITY_FIELDS if k in sheet.cols] + [first_cell]
    totals = _any([_matches(v, _TOTALS_RE) for v in identity], n)
    # A repeated header row: at least two cells (short fields) equal to their column's header text.
    short = [(v, layout.fields[k]) for k, v in sheet.cols.items() if k not in kind.free_text and k in layout.fields]
    short += [(v, s.column) for s, v in zip(layout.stars, sheet.stars, strict=True)]
    same = [pc.cast(_is_in(v, pa.array(sorted(c.labels), pa.string())), pa.int8()) for v, c in short]
    repeated = pc.greater_equal(functools.reduce(pc.add, same), 2) if same else pa.repeat(pa.scalar(False), n)
    skip = _any([blank, footer, totals, repeated], n)
    for name, mask in invisible:
        mask = pc.and_(mask, pc.invert(skip))
        shown = pc.utf8_slice_codeunits(V.as_array(data.column(layout.fields[name].letter)), 0, 40)
        problems.add_cells(spec.E_VALUE, sheet, layout.fields[name], mask, shown,
                           _INVISIBLE_NAME.format(label=FIELD_LABELS[name]))
    if pc.any(skip).as_py():
        sheet.filter(pc.invert(skip))

    for name in carry:
        if name in sheet.cols:
            sheet.cols[name] = pc.fill_null_forward(sheet.cols[name])
    # Rows that only name a county/township (a section label) feed the carry-down and are not data.
    rest = [v for k, v in sheet.cols.items() if k not in (*carry, "seq")] + sheet.stars
    if rest and len(sheet.rows):
        label_only = _all([pc.is_null(v) for v in rest], len(sheet.rows))
        if pc.any(label_only).as_py():
            sheet.filter(pc.invert(label_only))


def _star_headings(sheet: _Sheet, cells: list[pa.Array], first_cell: pa.Array, n: int) -> None:
    """battle-map.md §1: a row whose only non-blank cell (序号 aside) is a star name (a heading inside
    the table) sets the star of the rows below it until the next heading. The heading's
    star goes into the star column (created when the sheet has none), which is carried
    down; the heading row itself then holds only carried fields and is dropped as a label."""
    # A heading leaves at least one of two required columns blank: most sheets have none (no pass over the row).
    required = [sheet.cols[f] for f in sheet.spec.required if f in sheet.cols and f not in ("township", "branch")]
    if len(required) >= 2 and not pc.any(_any([pc.is_null(c) for c in required], n)).as_py():
        return
    filled = functools.reduce(pc.add, [pc.cast(pc.is_valid(c), pa.int16()) for c in cells])
    one = pc.and_(pc.less_equal(filled, 1), pc.is_valid(first_cell))
    if not pc.any(one).as_py():
        return
    text = pc.if_else(one, first_cell, _NULL_STR)
    heading, _ = V.map_distinct(V.normalize_array(text), _heading_name, pa.string())
    if heading.null_count == len(heading):
        return
    is_heading = pc.is_valid(heading)
    # The heading's text is not a value of whatever column it was written in.
    sheet.cols = {k: pc.if_else(is_heading, pa.scalar(None, v.type), v) for k, v in sheet.cols.items()}
    star = sheet.cols.get("star")
    sheet.cols["star"] = heading if star is None else pc.coalesce(star, heading)


def _heading_name(text: str) -> str | None:
    slot = V.star_heading_slot(text)
    return spec.star_name(slot, spec.VILLAGE) if slot is not None else None


# ---------------------------------------------------------------------------
# Period and county (§4)
# ---------------------------------------------------------------------------


@dataclass
class _Source:
    what: str  # Chinese description: 报送月份列 / 上传时选择的月份 / 标题 / 文件名
    period: PartialPeriod  # a month or a week (cadence.md §1), perhaps without its year
    sheet: _Sheet | None = None
    row: int | None = None
    column: HeaderColumn | None = None
    value: str | None = None

    @property
    def year(self) -> int | None:
        return self.period.year

    @property
    def label(self) -> str:
        return self.period.label

    def resolve(self, year: int) -> Period:
        return self.period.resolve(self.period.year if self.period.year is not None else year)


def _cell_period_key(text: str) -> str:
    """A 报送月份 cell as a PartialPeriod key: a month (2024-08, 8月) or a week (2024-W35, 第35周,
    8月第4周, 8.19-8.25)."""
    return V.parse_period_cell(text).key


def _column_period(sheets: list[_Sheet], problems: _Problems) -> tuple[_Source | None, bool]:
    """The period column of every table: all rows must agree. Returns (source, disagreed)."""
    seen: dict[str, _Source] = {}
    for sheet in sheets:
        col = sheet.col("period")
        if col is None:
            continue
        cells = sheet.cols["period"]
        parsed, errors = V.map_distinct(cells, _cell_period_key, pa.string())
        problems.add_cells(spec.E_VALUE, sheet, col, pc.is_valid(errors), cells, errors)
        valid = pc.is_valid(parsed)
        for key, row, value in zip(
            pc.filter(parsed, valid).to_pylist(), pc.filter(sheet.rows, valid).to_pylist(),
            pc.filter(cells, valid).to_pylist(), strict=True,
        ):
            if key in seen:
                continue
            seen[key] = _Source("报送月份列", V.parse_period_cell(str(value)), sheet, row, col, value)
            if len(seen) > 1:
                break
        if len(seen) > 1:
            break
    sources = list(seen.values())
    if len(sources) > 1:
        # Report every cell that differs from the first value (vectorized per sheet).
        first = sources[0]
        first_key = first.period.key
        for sheet in sheets:
            col = sheet.col("period")
            if col is None:
                continue
            parsed, _ = V.map_distinct(sheet.cols["period"], _cell_period_key, pa.string())
            differs = pc.and_(pc.is_valid(parsed), pc.not_equal(parsed, first_key))
            where = cell_ref(first.sheet.name if first.sheet else None, first.row,
                             first.column.letter if first.column else None)
            problems.add_cells(
                spec.E_PERIOD, sheet, col, differs, sheet.cols["period"],
                f"报送期间不一致：{where} 为 {first.label}，一个文件只能报送一个月份（或一周），请统一后重新上传",
            )
        return None, True
    return (sources[0] if sources else None), False


def _text_period(text: str, *, compact: bool = False) -> PartialPeriod | None:
    """The first week (cadence.md §1: 2024年第35周, 2024-W35, 8月第4周, a range of days) or else
    year-month written in a title or file name."""
    week = find_week_in_text(text)
    if week is not None:
        return week
    found = V.find_month_in_text(text, compact=compact)
    if found:
        return V.month_partial(found[0], found[1], text)
    return None


def _resolve_period(
    wb: RawWorkbook, sheets: list[_Sheet], titles: list[tuple[_Sheet, int, HeaderColumn, str]],
    uploader: str | None, problems: _Problems, settings: Settings,
) -> Period | None:
    column, disagreed = _column_period(sheets, problems)
    if disagreed:
        return None
    sources: list[_Source] = []
    if column is not None:
        sources.append(column)
    if uploader:
        try:
            sources.append(_Source("上传时选择的月份", V.parse_period_arg_partial(uploader), value=uploader))
        except ValueError as exc:
            problems.add(spec.E_PERIOD, str(exc), value=uploader)
            return None
    for sheet, row, col, text in titles:
        found = _text_period(text)
        if found:
            sources.append(_Source("标题", found, sheet, row, col, text))
            break
    base = os.path.splitext(os.path.basename(wb.file_name or ""))[0]
    found = _text_period(V.normalize(base) or "", compact=True)
    if found:
        sources.append(_Source("文件名", found, value=wb.file_name))
    if not sources:
        problems.add(
            spec.E_PERIOD,
            "无法确定报送月份：请在表中加“报送月份”列（如 2024-08），或在标题中写明“2024年8月”"
            "（周报写明“2024年第35周”），或上传时选择月份",
        )
        return None
    winner = sources[0]
    year = winner.year
    if year is None:  # a period without its year (8月, 第35周): the year comes from the next source that has one
        year = next((s.year for s in sources[1:] if s.year is not None), None)
        if year is None:  # … or from a year written alone in a title or the file name (“2024年周报”)
            texts = [text for _sheet, _row, _col, text in titles] + [V.normalize(base) or ""]
            year = next((y for y in map(_bare_year, texts) if y is not None), None)
        if year is None:
            problems.add(
                spec.E_PERIOD, "报送期间只写了月份（或周次），无法确定年份：请写成 2024-08、2024年8月或 2024年第35周，"
                "或上传时选择期间",
                sheet=winner.sheet, row=winner.row, column=winner.column, value=winner.value,
            )
            return None
    try:
        period = winner.resolve(year)
    except ValueError as exc:  # a range that is not one Monday–Sunday week, 2024年第54周, 8月第6周
        problems.add(spec.E_PERIOD, f"{winner.what}的期间无法识别：{exc}",
                     sheet=winner.sheet, row=winner.row, column=winner.column, value=winner.value)
        return None
    for other in sources[1:]:
        try:
            theirs: Period | None = other.resolve(year)
        except ValueError:
            theirs = None
        if theirs is not None and (theirs == period or _overlaps(theirs, period)):
            continue  # the same period, or the month a weekly ledger's week lies in
        problems.add(
            spec.W_PERIOD_CONFLICT,
            f"{winner.what}为 {period.label}，{other.what}为 {theirs.label if theirs else other.label}，"
            f"按{winner.what}导入；如不对，请修改后重新上传",
            sheet=winner.sheet or other.sheet, row=winner.row if winner.sheet else other.row,
            column=winner.column if winner.sheet else other.column,
            value=winner.value if winner.sheet else other.value,
        )
    today = date.today()
    # A period after the current one is a typing error (2100-12) that would become every
    # user's default; refused unless the setting allows it (issue 14).
    current = today if period.kind == "week" else today.replace(day=1)
    if period.start > current and not settings.allow_future_periods:
        what = "周" if period.kind == "week" else "月份"
        now = Period.of(period.kind, today)
        problems.add(
            spec.E_PERIOD,
            f"报送{'周次' if period.kind == 'week' else '月份'} {period.label}（来自{winner.what}）晚于本{'周' if period.kind == 'week' else '月'} "
            f"{now.label}，不能报送未来的{what}：请改为实际报送的{what}",
            sheet=winner.sheet, row=winner.row, column=winner.column, value=winner.value,
        )
        return None
    return period


_BARE_YEAR_RE = re.compile(r"(?<!\d)(20\d{2})(?:\s*年|(?!\d))")


def _bare_year(text: str) -> int | None:
    """A year written alone (2024年, 2024) in a title or file name."""
    m = _BARE_YEAR_RE.search(text)
    return int(m.group(1)) if m else None


def _overlaps(a: Period, b: Period) -> bool:
    """A week and a month it lies in (either order): not a conflict between two sources."""
    if {a.kind, b.kind} != {"week", "month"}:
        return False
    week, month = (a, b) if a.kind == "week" else (b, a)
    return month.start <= week.end and week.start <= month.end


def _file_county(uploader: str | None, titles: list[tuple[_Sheet, int, HeaderColumn, str]]) -> str | None:
    if uploader and V.normalize(uploader):
        return V.normalize(uploader)
    for _sheet, _row, _col, text in titles:
        found = V.county_from_title(text)
        if found:
            return found
    return None


def _fill_county(sheet: _Sheet, file_county: str | None, problems: _Problems) -> pa.Array:
    n = len(sheet.rows)
    if "county" in sheet.cols:
        county = sheet.cols["county"]
        if file_county is not None:
            county = pc.fill_null(county, file_county)
    else:
        county = pa.repeat(pa.scalar(file_county, pa.string()), n)
    missing = pc.is_null(county)
    if n and pc.any(missing).as_py():
        first_row = pc.filter(sheet.rows, missing)[0].as_py()
        problems.add(
            spec.E_COUNTY,
            "无法确定所属县（市、区）：请加“县（市、区）”列，或在标题开头写明（如“郑州市二七区……台账”），"
            "或上传时选择县区",
            sheet=sheet, row=first_row if "county" in sheet.cols else None, column=sheet.col("county"),
        )
    return county


# ---------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------


def _parse(
    sheet: _Sheet, name: str, parse: Any, out_type: pa.DataType, problems: _Problems,
) -> pa.Array:
    """Parse a field column by distinct values; unreadable cells are E_VALUE. Missing column -> nulls."""
    n = len(sheet.rows)
    if name not in sheet.cols:
        return pa.nulls(n, out_type)
    cells = sheet.cols[name]
    parsed, errors = V.map_distinct(cells, parse, out_type)
    if errors.null_count == len(errors):  # every cell readable (the usual case)
        return parsed
    label = FIELD_LABELS.get(name, name.removeprefix(ITEM_PREFIX))
    messages = pc.binary_join_element_wise(f"{label}：", errors, "")
    problems.add_cells(spec.E_VALUE, sheet, sheet.col(name), pc.is_valid(errors), cells, messages)
    return parsed


def _require(sheet: _Sheet, name: str, values: pa.Array, problems: _Problems, how: str) -> None:
    col = sheet.col(name)
    problems.add_cells(spec.E_VALUE, sheet, col, pc.is_null(values), None,
                       f"缺少{FIELD_LABELS[name]}：{how}")


@dataclass
class _Identity:
    county: pa.Array
    township: pa.Array
    branch: pa.Array  # identity name (organisation suffix dropped)
    key: pa.Array  # county␟township␟branch, null when any part is missing


def _names(sheet: _Sheet, problems: _Problems) -> tuple[pa.Array, pa.Array]:
    """(township, branch identity name); a missing one is E_VALUE."""
    township = sheet.cols["township"]
    _require(sheet, "township", township, problems, "请填写所属乡镇（街道），合并单元格可只在第一行填写")
    raw_branch = sheet.cols["branch"]
    _require(sheet, "branch", raw_branch, problems, "请填写村（社区）党组织名称")
    branch, _ = V.map_distinct(raw_branch, V.branch_identity, pa.string())
    return township, branch


def _with_county(county: pa.Array, township: pa.Array, branch: pa.Array) -> _Identity:
    key = pc.binary_join_element_wise(county, township, branch, _KEY_SEP)
    return _Identity(county, township, branch, key)


def _ledger_identity(sheet: _Sheet, file_county: str | None, problems: _Problems) -> _Identity:
    township, branch = _names(sheet, problems)
    return _with_county(_fill_county(sheet, file_county, problems), township, branch)


def _task_identity(
    sheet: _Sheet, file_county: str | None, ledger_counties: pa.Table, problems: _Problems,
) -> _Identity:
    """County of a task row: its county column, else the star ledger's county of the same
    (township, branch), else the file's county. (No E_COUNTY here: a task whose branch
    cannot be placed is reported as not in the star ledger.)"""
    township, branch = _names(sheet, problems)
    n = len(sheet.rows)
    county = sheet.cols.get("county", pa.nulls(n, pa.string()))
    if ledger_counties.num_rows and county.null_count:
        pair = pc.binary_join_element_wise(township, branch, _KEY_SEP)
        found = pc.take(ledger_counties["county"], pc.index_in(pair, value_set=ledger_counties["pair"]))
        county = pc.coalesce(county, found)
    if file_county is not None:
        county = pc.fill_null(county, file_county)
    return _with_county(county, township, branch)


def _ledger_counties(idents: list[_Identity]) -> pa.Table:
    """(township␟branch -> county) over the star ledger, for task sheets without a county column."""
    if not idents:
        return pa.table({"pair": pa.array([], pa.string()), "county": pa.array([], pa.string())})
    table = pa.table({
        "pair": pa.chunked_array([pc.binary_join_element_wise(i.township, i.branch, _KEY_SEP) for i in idents],
                                 pa.string()),
        "county": pa.chunked_array([i.county for i in idents], pa.string()),
    }).drop_null()
    # The smallest county per pair: sort, keep each pair's first row. (Not Table.group_by:
    # its engine, acero, loads pyarrow.dataset & co. — ~25 ms and ~10 MB on every import.)
    table = table.sort_by([("pair", "ascending"), ("county", "ascending")])
    pair, county = table["pair"].combine_chunks(), table["county"].combine_chunks()
    if len(pair) > 1:
        first = pa.concat_arrays([
            pa.array([True]), pc.not_equal(pair.slice(1), pair.slice(0, len(pair) - 1))])
        pair, county = pair.filter(first), county.filter(first)
    return pa.table({"pair": pair, "county": county})


def _branch_type(sheet: _Sheet, ident: _Identity, problems: _Problems, register: pa.Table | None) -> pa.Array:
    branch = ident.branch
    declared = _parse(sheet, "branch_type", V.parse_branch_type, pa.string(), problems)
    inferred, _ = V.map_distinct(branch, V.infer_branch_type, pa.string())
    branch_type = pc.coalesce(declared, inferred)
    if register is not None and register.num_rows and len(branch):
        branch_type = _registered_type(sheet, ident, declared, branch_type, register, problems)
    unknown = pc.and_(pc.is_null(branch_type), pc.is_valid(branch))
    if "branch_type" in sheet.cols:
        unknown = pc.and_(unknown, pc.is_null(sheet.cols["branch_type"]))
        column = sheet.col("branch_type")
    else:
        column = sheet.col("branch")
    problems.add_cells(
        spec.E_VALUE, sheet, column, unknown, branch,
        "无法判断是村还是社区：请在“类型”列填写 村 或 社区，或使名称以 村/社区/居委会 结尾",
    )
    return branch_type


def _registered_type(
    sheet: _Sheet, ident: _Identity, declared: pa.Array, branch_type: pa.Array, register: pa.Table,
    problems: _Problems,
) -> pa.Array:
    """register.md §1: a registered branch takes the register's type (W_TYPE_CONFLICT where the
    ledger states another); a branch missing from its county's register is W_NOT_IN_REGISTER
    (also one the register lists as 撤并). Counties without a register are untouched."""
    idx = pc.index_in(ident.key, value_set=register["key"])
    registered = pc.take(register["branch_type"], idx)
    status = pc.take(register["status"], idx)
    conflict = pc.fill_null(pc.and_(pc.is_valid(declared), pc.not_equal(declared, registered)), False)
    problems.add_cells(
        spec.W_TYPE_CONFLICT, sheet, sheet.col("branch_type"), conflict, sheet.cols.get("branch_type"),
        pc.binary_join_element_wise("类型与支部名册不一致：名册中为“", registered,
                                    "”，按名册的类型导入；如名册有误，请修改名册后重新导入", ""),
    )
    counties = pc.unique(register["county"])
    has_register = pc.fill_null(pc.is_in(ident.county, value_set=counties), False)
    missing = pc.and_(pc.and_(has_register, pc.is_null(idx)), pc.is_valid(ident.branch))
    problems.add_cells(
        spec.W_NOT_IN_REGISTER, sheet, sheet.col("branch"), missing, sheet.cols.get("branch"),
        "该支部不在本县（市、区）的支部名册中（已照常导入）：请核对支部名称和所属乡镇（街道），"
        "或在名册中补充后重新导入名册",
    )
    merged = pc.fill_null(pc.equal(status, spec.MERGED), False)
    problems.add_cells(
        spec.W_NOT_IN_REGISTER, sheet, sheet.col("branch"), merged, sheet.cols.get("branch"),
        "支部名册中该支部的状态为“撤并”（已照常导入）：请核对是否仍应报送，或更新名册",
    )
    return pc.coalesce(registered, branch_type)


def _stars(
    sheet: _Sheet, branch_type: pa.Array, problems: _Problems,
) -> tuple[list[pa.Array], pa.Array | None]:
    """(slot 1..5 status arrays, derived stars) — derived is None when the sheet has no star columns."""
    n = len(sheet.rows)
    layout = sheet.layout
    if not layout.stars:
        return [pa.nulls(n, pa.string()) for _ in spec.SLOTS], None
    by_slot: dict[int, list[tuple[str | None, pa.Array, HeaderColumn]]] = {}
    for star, cells in zip(layout.stars, sheet.stars, strict=True):
        parsed, errors = V.map_distinct(cells, V.parse_status, pa.string())
        problems.add_cells(spec.E_VALUE, sheet, star.column, pc.is_valid(errors), cells, errors)
        by_slot.setdefault(star.slot, []).append((star.named_type, parsed, star.column))
    is_community = pc.fill_null(pc.equal(branch_type, spec.COMMUNITY), False)
    slots: list[pa.Array] = []
    first_col: list[HeaderColumn] = []
    blank: list[pa.Array] = []
    for slot in spec.SLOTS:
        cols = by_slot[slot]
        first_col.append(cols[0][2])
        if len(cols) == 1:
            status = cols[0][1]
        else:
            # Both types' columns for one slot: a row reads its own type's column first.
            own_v = [a for t, a, _ in cols if t != spec.COMMUNITY] + [a for t, a, _ in cols if t == spec.COMMUNITY]
            own_c = [a for t, a, _ in cols if t != spec.VILLAGE] + [a for t, a, _ in cols if t == spec.VILLAGE]
            status = pc.if_else(is_community, pc.coalesce(*own_c), pc.coalesce(*own_v))
        slots.append(status)
        cells_blank = _all([pc.is_null(sheet.stars[i]) for i, s in enumerate(layout.stars) if s.slot == slot], n)
        blank.append(cells_blank)
    # W_BLANK_STAR: one warning per blank star cell, naming that cell and its star (村/社区 name).
    for slot, cells_blank in zip(spec.SLOTS, blank, strict=True):
        message = pc.if_else(
            is_community,
            f"{spec.star_name(slot, spec.COMMUNITY)} 未填写，按未达标计；请填写 已达标/创建中/未启动",
            f"{spec.star_name(slot, spec.VILLAGE)} 未填写，按未达标计；请填写 已达标/创建中/未启动",
        )
        problems.add_cells(spec.W_BLANK_STAR, sheet, first_col[slot - 1], cells_blank, None, message)
    derived = functools.reduce(
        pc.add, [pc.cast(pc.fill_null(pc.equal(s, spec.ACHIEVED), False), pa.int32()) for s in slots]
    )
    return slots, derived


def _round_half_up(rate: pa.Array, total: pa.Array) -> pa.Array:
    """round(rate × total), halves up; rate is an integer scaled by RATE_SCALE, so this is exact."""
    product = pc.multiply(pc.cast(rate, pa.int64()), pc.cast(total, pa.int64()))
    return pc.divide(pc.add(product, V.RATE_SCALE // 2), V.RATE_SCALE)


def _tasks(
    sheet: _Sheet, branch_type: pa.Array, key: pa.Array, counts: pa.Table | None, problems: _Problems,
) -> tuple[pa.Array, pa.Array]:
    """(tasks_done, tasks_total) per row (§3.1 + §3.2 'computed from the task sheet')."""
    n = len(sheet.rows)
    done_head = _parse(sheet, "tasks_done", V.fraction_head, pa.int64(), problems)
    done_tail, _ = (V.map_distinct(sheet.cols["tasks_done"], _quiet(V.fraction_tail), pa.int64())
                    if "tasks_done" in sheet.cols else (pa.nulls(n, pa.int64()), None))
    total_head = _parse(sheet, "tasks_total", V.fraction_head, pa.int64(), problems)
    total_tail, _ = (V.map_distinct(sheet.cols["tasks_total"], _quiet(V.fraction_tail), pa.int64())
                     if "tasks_total" in sheet.cols else (pa.nulls(n, pa.int64()), None))
    # In the total column a plain number is the total; a fraction 18/29 gives both.
    total_plain = pc.if_else(pc.is_valid(total_tail), total_tail, total_head)
    done_from_total = pc.if_else(pc.is_valid(total_tail), total_head, pa.scalar(None, pa.int64()))
    conflict = pc.or_(
        pc.fill_null(pc.not_equal(total_plain, done_tail), False),
        pc.fill_null(pc.not_equal(done_head, done_from_total), False),
    )
    problems.add_cells(spec.E_VALUE, sheet, sheet.col("tasks_total"), conflict, sheet.cols.get("tasks_total"),
                       "任务总数与已完成任务列中的 已完成/总数 不一致，请核对")
    done_l = pc.coalesce(done_head, done_from_total)
    total_l = pc.coalesce(total_plain, done_tail)
    rate = _parse(sheet, "task_rate", V.parse_rate, pa.int64(), problems)
    if counts is not None and counts.num_rows:
        idx = pc.index_in(key, value_set=counts["key"])
        done_t = pc.take(counts["done"], idx)
        total_t = pc.take(counts["total"], idx)
    else:
        done_t = total_t = pa.nulls(n, pa.int64())
    default = pc.if_else(
        pc.fill_null(pc.equal(branch_type, spec.COMMUNITY), False),
        pa.scalar(spec.DEFAULT_TASKS_TOTAL[spec.COMMUNITY], pa.int64()),
        pa.scalar(spec.DEFAULT_TASKS_TOTAL[spec.VILLAGE], pa.int64()),
    )
    has_info = pc.or_(pc.is_valid(done_l), pc.is_valid(rate))
    total = pc.coalesce(total_l, total_t, pc.if_else(has_info, default, pa.scalar(None, pa.int64())))
    done = pc.coalesce(done_l, _round_half_up(rate, total), done_t)
    too_many = pc.fill_null(pc.greater(done_l, total), False)
    column = sheet.col("tasks_done") or sheet.col("tasks_total")
    cells = sheet.cols.get("tasks_done") if sheet.col("tasks_done") else sheet.cols.get("tasks_total")
    problems.add_cells(
        spec.E_VALUE, sheet, column, too_many, cells,
        "已完成任务数大于任务总数（未填任务总数时按村 29 项、社区 27 项计），请核对",
    )
    return done, total


def _quiet(parse: Any) -> Any:
    """The parser, but never raising (its errors are reported by the twin call)."""

    def inner(text: str) -> Any:
        try:
            return parse(text)
        except ValueError:
            return None

    return inner


@dataclass
class _Details:
    """What the detail sheets of a workbook say per branch key (None: no such sheet)."""

    task_counts: pa.Table | None = None  # key, done, total
    open_problems: pa.Table | None = None  # key, open (open problem rows)
    weak: pa.Table | None = None  # key, weak (listed and not cleared)


def _lookup(table: pa.Table, key: pa.Array, column: str, default: Any, out_type: pa.DataType) -> pa.Array:
    """``table[column]`` of each row's key; ``default`` where the key is not in the table."""
    found = pc.take(table[column], pc.index_in(key, value_set=table["key"])) if table.num_rows else \
        pa.nulls(len(key), out_type)
    return pc.fill_null(pc.cast(found, out_type), pa.scalar(default, out_type))


def _ledger_rows(sheet: _Sheet, ident: _Identity, details: _Details, problems: _Problems,
                 register: pa.Table | None = None) -> pa.Table:
    counts = details.task_counts
    n = len(sheet.rows)
    county, township, branch, key = ident.county, ident.township, ident.branch, ident.key
    branch_type = _branch_type(sheet, ident, problems, register)
    slots, derived = _stars(sheet, branch_type, problems)
    reported = _parse(sheet, "stars_reported", V.parse_stars_reported, pa.int32(), problems)
    if derived is None:
        stars = reported
        missing = pc.is_null(reported)
        if "stars_reported" in sheet.cols:
            missing = pc.and_(missing, pc.is_null(sheet.cols["stars_reported"]))
        problems.add_cells(spec.E_VALUE, sheet, sheet.col("stars_reported"), missing, None,
                           "缺少当前星级：没有各星列时，请填写 当前星级（0–5 星）")
    else:
        stars = derived
        mismatch = pc.fill_null(pc.not_equal(reported, derived), False)
        messages = pa.array([f"当前星级与各星状态不一致：按已达标的星数计为 {k} 星，请核对" for k in range(6)])
        problems.add_cells(spec.W_STARS_MISMATCH, sheet, sheet.col("stars_reported"), mismatch,
                           sheet.cols.get("stars_reported"), messages.take(pc.fill_null(derived, 0)))
    target = _parse(sheet, "target_stars", V.parse_target, pa.int32(), problems)
    done, total = _tasks(sheet, branch_type, key, counts, problems)
    open_problems = _parse(sheet, "open_problems", V.parse_count, pa.int32(), problems)
    if details.open_problems is not None:
        # battle-map.md §2: with a problem list, open_problems = its open rows of the branch,
        # unless the ledger gives the count (the ledger wins; a different count is warned).
        listed = _lookup(details.open_problems, key, "open", 0, pa.int32())
        differs = pc.fill_null(pc.not_equal(open_problems, listed), False)
        problems.add_cells(
            spec.W_PROBLEMS_MISMATCH, sheet, sheet.col("open_problems"), differs, sheet.cols.get("open_problems"),
            pc.binary_join_element_wise("问题数与问题清单不一致：问题清单中未销号的问题有 ",
                                        pc.cast(listed, pa.string()), " 个，按本表填写的问题数导入，请核对", ""),
        )
        open_problems = pc.coalesce(open_problems, listed)
    weak = pc.fill_null(_parse(sheet, "weak", V.parse_weak, pa.bool_(), problems), False)
    if details.weak is not None:
        # battle-map.md §3: the rectification sheet decides (a branch is weak when it is listed
        # and not cleared); a 软弱涣散 column that says otherwise is warned, the sheet wins.
        listed_weak = _lookup(details.weak, key, "weak", False, pa.bool_())
        if "weak" in sheet.cols:
            conflict = pc.not_equal(weak, listed_weak)
            messages = pc.if_else(
                listed_weak,
                pa.scalar("软弱涣散与整顿表不一致：整顿表中该支部正在整顿（未销号），按整顿表计为软弱涣散，请核对"),
                pa.scalar("软弱涣散与整顿表不一致：整顿表中该支部未列入或已销号/摘帽，按整顿表计为非软弱涣散，请核对"),
            )
            problems.add_cells(spec.W_WEAK_CONFLICT, sheet, sheet.col("weak"), conflict, sheet.cols["weak"], messages)
        weak = listed_weak

    def text(name: str) -> pa.Array:
        return sheet.cols.get(name, pa.nulls(n, pa.string()))

    table = pa.table([
        county, township, branch, branch_type, target, *slots, stars, reported,
        pc.cast(done, pa.int32()), pc.cast(total, pa.int32()), open_problems,
        text("problems"), weak, text("secretary"), text("notes"),
        pa.repeat(pa.scalar(sheet.name, pa.string()), n), sheet.rows,
    ], schema=BRANCH_SCHEMA)
    return table


def _typed(sheet: _Sheet, year: int | None, problems: _Problems) -> dict[str, pa.Array]:
    """Every field the sheet's kind declares a parser for, parsed by distinct value
    (a cell that cannot be read is E_VALUE naming it); a missing column is nulls."""
    out: dict[str, pa.Array] = {}
    for name, parser in sheet.spec.parsers.items():
        parse, out_type, takes_year = V.PARSERS[parser]
        out[name] = _parse(sheet, name, functools.partial(parse, year=year) if takes_year else parse,
                           out_type, problems)
    return out


def _text(sheet: _Sheet, name: str) -> pa.Array:
    return sheet.cols.get(name, pa.nulls(len(sheet.rows), pa.string()))


def _source(sheet: _Sheet) -> list[pa.Array]:
    return [pa.repeat(pa.scalar(sheet.name, pa.string()), len(sheet.rows)), sheet.rows]


def _task_rows(sheet: _Sheet, ident: _Identity, year: int | None, problems: _Problems) -> pa.Table:
    county, township, branch = ident.county, ident.township, ident.branch
    typed = _typed(sheet, year, problems)
    # battle-map.md §1: the star is optional (NULL = 未分星); a heading row may have set it.
    _require(sheet, "task", sheet.cols["task"], problems, "请填写重点任务内容，或删除这一行")
    done = pc.fill_null(typed["done"], False)
    # 已验收 in the done column: done and accepted; an 验收 column or an 验收时间 says so too.
    said_accepted, _ = V.map_distinct(sheet.cols["done"], V.done_accepted, pa.bool_())
    accepted = pc.coalesce(
        typed["accepted"],
        pc.or_(pc.fill_null(said_accepted, False), pc.is_valid(typed["accepted_date"])),
    )
    # A task that is accepted but not done is a row error (naming the acceptance cell).
    not_done = pc.and_(accepted, pc.invert(done))
    column = "accepted" if "accepted" in sheet.cols else "accepted_date"
    problems.add_cells(spec.E_VALUE, sheet, sheet.col(column), not_done, sheet.cols.get(column),
                       "已验收但未完成：验收的任务应已完成，请核对 是否完成 与 是否验收")
    return pa.table([
        county, township, branch, typed["star"], _text(sheet, "task"), _text(sheet, "measure"),
        _text(sheet, "owner"), typed["deadline"], done, typed["done_date"],
        _text(sheet, "team"), _text(sheet, "star_owner"), _text(sheet, "department"),
        accepted, typed["accepted_date"], *_source(sheet),
    ], schema=TASK_SCHEMA)


def _problem_rows(sheet: _Sheet, ident: _Identity, year: int | None, problems: _Problems) -> pa.Table:
    typed = _typed(sheet, year, problems)
    _require(sheet, "problem", sheet.cols["problem"], problems, "请填写问题内容，或删除这一行")
    return pa.table([
        ident.county, ident.township, ident.branch, typed["star"], _text(sheet, "problem"),
        _text(sheet, "measure"), _text(sheet, "owner"), typed["deadline"],
        pc.fill_null(typed["closed"], False), typed["closed_date"], *_source(sheet),
    ], schema=PROBLEM_SCHEMA)


def _weak_rows(sheet: _Sheet, ident: _Identity, year: int | None, problems: _Problems) -> pa.Table:
    typed = _typed(sheet, year, problems)
    _require(sheet, "state", sheet.cols["state"], problems, "请填写 整顿中、已销号、已摘帽 或 巩固提升")
    return pa.table([
        ident.county, ident.township, ident.branch, _text(sheet, "situations"), _text(sheet, "plan"),
        _text(sheet, "liaison"), typed["identified"], typed["state"], typed["cleared"], *_source(sheet),
    ], schema=WEAK_SCHEMA)


# Row builders of the kinds that hang off the star ledger (one row per task / problem / weak branch).
_DETAIL_ROWS = {TASK: _task_rows, PROBLEM: _problem_rows, WEAK: _weak_rows}
_DETAIL_SCHEMAS = {TASK: TASK_SCHEMA, PROBLEM: PROBLEM_SCHEMA, WEAK: WEAK_SCHEMA}


def _duplicates(sheets: list[_Sheet], keys: list[pa.Array], problems: _Problems, *,
                message: str = "同一支部在本月出现两次，与 {where} 重复：请删除或合并其中一行",
                column: str = "branch") -> None:
    """E_DUPLICATE: the same (county, township, branch) twice, naming both rows (``message``
    with {where}; ``column``: the field whose cell is named)."""
    if not keys:
        return
    all_keys = pa.chunked_array(keys, pa.string()).combine_chunks()
    counts = pc.value_counts(all_keys)
    dup_keys = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
    dup_keys = pc.drop_null(dup_keys)
    if not len(dup_keys):
        return
    first_seen: dict[str, tuple[_Sheet, int]] = {}
    for sheet, key in zip(sheets, keys, strict=True):
        mask = pc.fill_null(pc.is_in(key, value_set=dup_keys), False)
        rows = pc.filter(sheet.rows, mask).to_pylist()
        names = pc.filter(sheet.cols.get(column, pa.nulls(len(key), pa.string())), mask).to_pylist()
        for k, row, name in zip(pc.filter(key, mask).to_pylist(), rows, names, strict=True):
            if k not in first_seen:
                first_seen[k] = (sheet, row)
                continue
            other_sheet, other_row = first_seen[k]
            col = sheet.col(column)
            other_col = other_sheet.col(column)
            where = cell_ref(other_sheet.name, other_row, other_col.letter if other_col else None)
            problems.add(spec.E_DUPLICATE, message.format(where=where), sheet=sheet, row=row, column=col, value=name)


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def _missing_columns(sheet: _Sheet) -> list[str]:
    layout = sheet.layout
    missing = [FIELD_LABELS.get(f, f) for f in sheet.spec.required if f not in layout.fields]
    if sheet.kind == LEDGER and layout.stars and len(layout.star_slots) < 5:
        missing += [spec.star_name(s, spec.VILLAGE) for s in spec.SLOTS if s not in layout.star_slots]
    return missing


def parse_workbook(
    wb: RawWorkbook, *, period: str | None = None, county: str | None = None, settings: Settings | None = None,
    register: pa.Table | None = None,
) -> ParsedLedger | ParseFailure:
    """Validate a raw workbook into typed branch/task rows, or list every problem (§5).

    ``register``: the current branch register (``analytics.register.type_lookup``), applied to
    the star ledger's rows (register.md §1); None = no county has one."""
    with V.encoding_cache():
        return _parse_workbook(wb, period, county, settings, register)


def _parse_workbook(
    wb: RawWorkbook, period: str | None, county: str | None, settings: Settings | None,
    register: pa.Table | None = None,
) -> ParsedLedger | ParseFailure:
    settings = settings or Settings()
    problems = _Problems()
    skipped: list[str] = []
    sheets: list[_Sheet] = []
    own_kind: list[_Sheet] = []  # score / acceptance sheets (cadence.md §2, §5)
    has_ledger_sheet = False  # a star-ledger header was found (even if a required column is missing)
    for ord_, raw in enumerate(wb.sheets):
        probe = _Sheet(ord_, raw, SheetLayout(kind=None))
        if not raw.visible:
            skipped.append(raw.name)
            problems.add(spec.W_SKIPPED_SHEET, "隐藏的工作表，已跳过；如其中是台账，请取消隐藏后重新上传",
                         sheet=probe)
            continue
        layout = detect_layout(raw)
        sheet = _Sheet(ord_, raw, layout)
        if layout.kind in spec.REGISTER_KINDS:  # register.md: read by the register import, not here
            skipped.append(raw.name)
            problems.add(spec.W_SKIPPED_SHEET, "这是支部名册或创建目标，不是台账，已跳过："
                         "请在“支部名册 / 创建目标”中单独上传", sheet=sheet)
            continue
        if layout.kind is None:
            skipped.append(raw.name)
            empty = raw.table.num_rows == 0 or all(raw.table.column(c).null_count == raw.table.num_rows
                                                   for c in raw.table.column_names)
            problems.add(
                spec.W_SKIPPED_SHEET,
                "空工作表，已跳过" if empty else "不是星级台账或任务台账（未找到对应表头），已跳过",
                sheet=sheet,
            )
            continue
        has_ledger_sheet = has_ledger_sheet or layout.kind == LEDGER
        if layout.kind in spec.UPLOAD_KINDS:
            # cadence.md §2/§5: a score or acceptance sheet is an upload of its own; whether it is
            # read depends on the rest of the workbook (a star ledger there wins).
            own_kind.append(sheet)
            continue
        _admit(sheet, sheets, problems)
    if own_kind and has_ledger_sheet:
        for sheet in own_kind:
            skipped.append(sheet.name)
            problems.add(
                spec.W_SKIPPED_SHEET,
                f"{sheet.spec.label}须单独上传（不能与星级台账放在同一个文件里），本表已跳过",
                sheet=sheet,
            )
    elif own_kind:
        for sheet in own_kind:
            _admit(sheet, sheets, problems)
        return _parse_own_kind(wb, own_kind, sheets, skipped, problems, period, county, settings)
    ledgers = [s for s in sheets if s.kind == LEDGER]
    detail_sheets = [s for s in sheets if s.kind != LEDGER]
    if not has_ledger_sheet:
        problems.add(
            spec.E_NO_LEDGER,
            "没有找到星级台账：需要一张表头含 乡镇（街道）、村（社区）名称 和五个星级列（或 当前星级 列）的工作表",
        )
    return _parse_ledger(wb, sheets, ledgers, detail_sheets, skipped, has_ledger_sheet, problems, period, county,
                         settings, register)


def _admit(sheet: _Sheet, sheets: list[_Sheet], problems: _Problems) -> None:
    """Check a recognised sheet's columns (missing, unknown, repeated); keep it when complete."""
    layout = sheet.layout
    raw = sheet.raw
    header_row = sheet.excel_row(layout.header_excel_row)
    missing = _missing_columns(sheet)
    if sheet.spec.context_identity and "branch" not in layout.fields and all(
        f in layout.fields for f in sheet.spec.required if f not in ("township", "branch")
    ):
        sheet.context, missing = True, []  # resolved once the star ledger is read (_context_identity)
    if missing:
        what = sheet.spec.label
        problems.add(
            spec.E_MISSING_COLUMN,
            f"{what}缺少必需的列：{'、'.join(missing)}。找到的表头：{layout.headers_found()}",
            sheet=sheet, row=header_row,
        )
    for col in layout.unknown:
        problems.add(spec.W_UNKNOWN_COLUMN, "无法识别的列，已忽略；如需导入请改用标准表头",
                     sheet=sheet, row=sheet.excel_row(col.row), column=col, value=col.label)
    for col, kept in layout.repeated:
        problems.add(spec.W_UNKNOWN_COLUMN, f"与 {kept.letter} 列是同一项（{kept.label}），已忽略此列",
                     sheet=sheet, row=sheet.excel_row(col.row), column=col, value=col.label)
    if raw.hit_row_limit:
        problems.add(spec.W_TRUNCATED, "工作表达到该文件格式的最大行数，数据可能不完整：请另存为 .xlsx 后重新上传",
                     sheet=sheet)
    if not missing:
        sheets.append(sheet)


def _parse_ledger(
    wb: RawWorkbook, sheets: list[_Sheet], ledgers: list[_Sheet], detail_sheets: list[_Sheet], skipped: list[str],
    has_ledger_sheet: bool, problems: _Problems, period: str | None, county: str | None, settings: Settings,
    register: pa.Table | None = None,
) -> ParsedLedger | ParseFailure:
    """A ledger upload: the star ledger and the sheets that hang off it (``register``: see parse_workbook)."""
    for sheet in sheets:
        _extract(sheet, problems)
    too_many = _over_row_bounds(ledgers, detail_sheets, settings)
    if too_many is not None:  # refused before any row is typed (issue 14: bounded work and memory)
        problems.add(spec.E_FILE, too_many[1], sheet=too_many[0])
        errors, errors_total, warnings = problems.split(
            int(settings.max_listed_problems), int(settings.max_stored_warnings))
        return ParseFailure(errors=errors, warnings=warnings, skipped_sheets=skipped, errors_total=errors_total)

    titles = [
        (sheet, sheet.excel_row(r), _title_col(sheet, i), text)
        for sheet in [*ledgers, *detail_sheets]
        for r, i, text in title_cells(sheet.raw, sheet.layout)
    ]
    resolved = _resolve_period(wb, sheets, titles, period, problems, settings) if has_ledger_sheet else None
    period_date = resolved.start if resolved is not None else None
    # A date written without a year takes the period's (a week's: its ISO year, that of its Thursday).
    year = resolved.start.isocalendar()[0] if resolved is not None and resolved.kind == "week" else (
        period_date.year if period_date else None)
    file_county = _file_county(county, titles)

    ledger_ids = [_ledger_identity(sheet, file_county, problems) for sheet in ledgers]
    ledger_keys = [i.key for i in ledger_ids]
    counties = _ledger_counties(ledger_ids)
    # The detail sheets (tasks, problems, weak branches), each kind's rows combined.
    tables: dict[str, list[pa.Table]] = {k: [] for k in _DETAIL_ROWS}
    keys: dict[str, list[tuple[_Sheet, pa.Array]]] = {k: [] for k in _DETAIL_ROWS}
    for sheet in detail_sheets:
        assert sheet.kind is not None
        if sheet.context and not _context_identity(sheet, ledger_ids, problems):
            continue
        ident = _task_identity(sheet, file_county, counties, problems)
        tables[sheet.kind].append(_DETAIL_ROWS[sheet.kind](sheet, ident, year, problems))
        keys[sheet.kind].append((sheet, ident.key))
    combined = {
        k: pa.concat_tables(t) if t else _DETAIL_SCHEMAS[k].empty_table() for k, t in tables.items()
    }
    details = _Details()
    if tables[TASK]:
        details.task_counts = _task_counts(combined[TASK], [k for _, k in keys[TASK]])
    # An empty problem list or rectification sheet (e.g. the template's, left blank) says nothing.
    if combined[PROBLEM].num_rows:
        details.open_problems = _open_problem_counts(combined[PROBLEM], [k for _, k in keys[PROBLEM]])
    if combined[WEAK].num_rows:
        details.weak = _weak_flags(combined[WEAK], [k for _, k in keys[WEAK]])
        _duplicates([s for s, _ in keys[WEAK]], [k for _, k in keys[WEAK]], problems)

    branch_tables = [
        _ledger_rows(sheet, ident, details, problems, register)
        for sheet, ident in zip(ledgers, ledger_ids, strict=True)
    ]
    _duplicates(ledgers, ledger_keys, problems)
    if ledger_keys:
        known = pc.drop_null(pa.chunked_array(ledger_keys, pa.string()).combine_chunks())
        for sheet, key in (pair for kind_keys in keys.values() for pair in kind_keys):
            orphan = pc.and_(pc.is_valid(key), pc.invert(pc.is_in(key, value_set=known)))
            problems.add_cells(
                spec.E_VALUE, sheet, sheet.col("branch"), orphan, sheet.cols["branch"],
                f"{sheet.spec.label}中的这个支部在星级台账中没有：请核对支部名称和所属乡镇（街道）是否与星级台账一致",
            )

    errors, errors_total, warnings = problems.split(int(settings.max_listed_problems), int(settings.max_stored_warnings))
    if errors_total or period_date is None:
        return ParseFailure(errors=errors, warnings=warnings, skipped_sheets=skipped, errors_total=errors_total)
    branches = pa.concat_tables(branch_tables) if branch_tables else BRANCH_SCHEMA.empty_table()
    return ParsedLedger(period=period_date, branches=branches, tasks=combined[TASK], warnings=warnings,
                        skipped_sheets=skipped, problems=combined[PROBLEM], weak=combined[WEAK],
                        period_kind=resolved.kind if resolved is not None else "month")


def _context_identity(sheet: _Sheet, ledger_ids: list[_Identity], problems: _Problems) -> bool:
    """A task sheet without township and branch columns (a village's own 作战图): its rows belong
    to the star-ledger branch its title or sheet name names (the longest such name), else to the
    ledger's only branch. Sets the sheet's township and branch cells; False (E_MISSING_COLUMN)
    when neither tells one branch."""
    pairs = sorted({
        (t, b) for ident in ledger_ids
        for t, b in zip(ident.township.to_pylist(), ident.branch.to_pylist(), strict=True)
        if t is not None and b is not None
    })
    texts = [V.normalize(sheet.name) or ""] + [text for _r, _i, text in title_cells(sheet.raw, sheet.layout)]
    named = [(t, b) for t, b in pairs if any(b in text for text in texts)]
    longest = max((len(b) for _t, b in named), default=0)
    named = [(t, b) for t, b in named if len(b) == longest]
    found = named[0] if len(named) == 1 else pairs[0] if len(pairs) == 1 and not named else None
    if found is None:
        problems.add(
            spec.E_MISSING_COLUMN,
            f"{sheet.spec.label}没有 乡镇（街道）、村（社区）列，也无法从标题或工作表名确定是哪个村（社区）："
            f"请加这两列，或在标题中写明村（社区）名称。找到的表头：{sheet.layout.headers_found()}",
            sheet=sheet, row=sheet.excel_row(sheet.layout.header_excel_row),
        )
        return False
    n = len(sheet.rows)
    sheet.cols["township"] = pa.repeat(pa.scalar(found[0], pa.string()), n)
    sheet.cols["branch"] = pa.repeat(pa.scalar(found[1], pa.string()), n)
    return True


def _over_row_bounds(ledgers: list[_Sheet], details: list[_Sheet], settings: Settings) -> tuple[_Sheet, str] | None:
    """(the sheet where a bound is passed, the message) when the upload has more branch rows than
    max_branches_per_upload or more detail rows (tasks, problems, rectification) than
    max_task_rows_per_upload, else None."""
    for sheets, limit, setting, what in (
        (ledgers, int(settings.max_branches_per_upload), "max_branches_per_upload", "星级台账支部"),
        (details, int(settings.max_task_rows_per_upload), "max_task_rows_per_upload", "任务、问题清单和整顿明细"),
    ):
        total = 0
        for sheet in sheets:
            total += len(sheet.rows)
            if total > limit:
                others = sum(len(s.rows) for s in sheets)
                return sheet, (
                    f"{what}共 {others:,} 行，超过一次上传的上限 {limit:,} 行（设置 {setting}），不予导入。"
                    "一个地市约 5,000 个支部：请按县（市、区）或乡镇（街道）拆分成几个文件分别上传"
                )
    return None


def _title_col(sheet: _Sheet, index: int) -> HeaderColumn:
    letter = sheet.raw.table.column_names[index]
    return HeaderColumn(letter, index, "", frozenset())


def _task_counts(tasks: pa.Table, keys: list[pa.Array]) -> pa.Table:
    """Per branch key: number of tasks and number done (rows with a key only)."""
    key = pa.chunked_array(keys, pa.string()).combine_chunks()
    valid = pc.is_valid(key)
    encoded = pc.dictionary_encode(pc.filter(key, valid))
    index = encoded.indices.to_numpy()
    done = pc.filter(tasks["done"], valid).combine_chunks().to_numpy(zero_copy_only=False)
    size = len(encoded.dictionary)
    return pa.table({
        "key": encoded.dictionary,
        "done": pa.array(np.bincount(index, weights=done, minlength=size).astype(np.int64)),
        "total": pa.array(np.bincount(index, minlength=size).astype(np.int64)),
    })


def _per_key(flags: pa.Array, keys: list[pa.Array]) -> tuple[pa.Array, np.ndarray]:
    """(distinct keys, how many rows of each have ``flags`` true), rows without a key left out."""
    key = pa.chunked_array(keys, pa.string()).combine_chunks()
    valid = pc.is_valid(key)
    encoded = pc.dictionary_encode(pc.filter(key, valid))
    index = encoded.indices.to_numpy()
    weights = pc.filter(flags, valid).combine_chunks().to_numpy(zero_copy_only=False)
    return encoded.dictionary, np.bincount(index, weights=weights, minlength=len(encoded.dictionary))


def _open_problem_counts(rows: pa.Table, keys: list[pa.Array]) -> pa.Table:
    """Per branch key: its open (not closed) problem rows (battle-map.md §2)."""
    key, n_open = _per_key(pc.invert(rows["closed"]), keys)
    return pa.table({"key": key, "open": pa.array(n_open.astype(np.int32))})


def _weak_flags(rows: pa.Table, keys: list[pa.Array]) -> pa.Table:
    """Per branch key: weak unless its state is 已销号/已摘帽 (battle-map.md §3)."""
    cleared = pc.fill_null(pc.is_in(rows["state"], value_set=pa.array(spec.WEAK_CLEARED_STATES)), False)
    key, n_open = _per_key(pc.invert(cleared), keys)
    return pa.table({"key": key, "weak": pa.array(n_open > 0)})


# ---------------------------------------------------------------------------
# Uploads of their own: assessment scores and year-end acceptance (cadence.md §2, §5)
# ---------------------------------------------------------------------------


def _parse_own_kind(
    wb: RawWorkbook, own: list[_Sheet], sheets: list[_Sheet], skipped: list[str], problems: _Problems,
    period: str | None, county: str | None, settings: Settings,
) -> ParsedLedger | ParseFailure:
    """A workbook of score sheets (an assessment upload) or of acceptance sheets (an acceptance
    upload): no star ledger needed; period (a year for acceptance) and county as for ledgers."""
    limit, warning_limit = int(settings.max_listed_problems), int(settings.max_stored_warnings)
    kinds = sorted({s.kind for s in own if s.kind is not None})
    if len(kinds) > 1:
        problems.add(spec.E_VALUE, "考核评分表和验收结果须分别上传：一个文件只能含其中一种", sheet=own[-1])
    for sheet in sheets:
        _extract(sheet, problems)
    too_many = _over_row_bounds(sheets, [], settings)
    if too_many is not None:
        problems.add(spec.E_FILE, too_many[1], sheet=too_many[0])
    errors, errors_total, warnings = problems.split(limit, warning_limit)
    if errors_total or not sheets:
        return ParseFailure(errors=errors, warnings=warnings, skipped_sheets=skipped, errors_total=errors_total)
    key = kinds[0]
    titles = [
        (sheet, sheet.excel_row(r), _title_col(sheet, i), text)
        for sheet in sheets
        for r, i, text in title_cells(sheet.raw, sheet.layout)
    ]
    acceptance = key == ACCEPTANCE
    found = _resolve_own_period(wb, sheets, titles, period, problems, settings, acceptance)
    year = found.year if found is not None else None
    file_county = _file_county(county, titles)
    idents = [_ledger_identity(sheet, file_county, problems) for sheet in sheets]
    if acceptance:
        rows = [_award_rows(sheet, ident, year, problems) for sheet, ident in zip(sheets, idents, strict=True)]
    else:
        rows = [_score_rows(sheet, ident, problems) for sheet, ident in zip(sheets, idents, strict=True)]
    _duplicates(sheets, [i.key for i in idents], problems)
    errors, errors_total, warnings = problems.split(limit, warning_limit)
    if errors_total or found is None:
        return ParseFailure(errors=errors, warnings=warnings, skipped_sheets=skipped, errors_total=errors_total)
    table = pa.concat_tables(rows)
    return ParsedLedger(
        period=found.start(), branches=BRANCH_SCHEMA.empty_table(), tasks=TASK_SCHEMA.empty_table(),
        warnings=warnings, skipped_sheets=skipped, kind=spec.UPLOAD_KINDS[key], period_kind=found.kind,
        assessment=ASSESSMENT_SCHEMA.empty_table() if acceptance else table,
        awards=table if acceptance else AWARD_SCHEMA.empty_table(),
    )


@dataclass
class _Found:
    what: str  # Chinese description of the source (考核期间列 / 上传时选择的期间 / 标题 / 文件名)
    found: cadence.Found
    sheet: _Sheet | None = None
    row: int | None = None
    column: HeaderColumn | None = None
    value: str | None = None


def _own_column_period(
    sheets: list[_Sheet], field_name: str, readers: tuple[cadence.PeriodReader, ...], problems: _Problems,
) -> tuple[_Found | None, bool]:
    """The period (year) column: all cells must agree. Returns (source, disagreed)."""
    first: _Found | None = None
    disagreed = False

    def key_of(text: str) -> str:
        f = cadence.read_cell(readers, text)
        return f"{f.kind}|{f.year}|{f.number}"

    for sheet in sheets:
        col = sheet.col(field_name)
        if col is None:
            continue
        cells = sheet.cols[field_name]
        keys, errors = V.map_distinct(cells, key_of, pa.string())
        problems.add_cells(spec.E_VALUE, sheet, col, pc.is_valid(errors), cells, errors)
        valid = pc.is_valid(keys)
        if not pc.any(valid).as_py():
            continue
        if first is None:
            at = pc.index(valid, True).as_py()
            text = cells[at].as_py()
            first = _Found(f"{sheet.spec.label}的期间列", cadence.read_cell(readers, text), sheet,
                           sheet.rows[at].as_py(), col, text)
        f = first.found
        differs = pc.and_(valid, pc.not_equal(keys, f"{f.kind}|{f.year}|{f.number}"))
        if pc.any(differs).as_py():
            disagreed = True
            where = cell_ref(first.sheet.name if first.sheet else None, first.row,
                             first.column.letter if first.column else None)
            problems.add_cells(spec.E_PERIOD, sheet, col, differs, cells,
                               f"期间不一致：{where} 为 {first.value}，一个文件只能是一个期间，请统一后重新上传")
    return first, disagreed


def _resolve_own_period(
    wb: RawWorkbook, sheets: list[_Sheet], titles: list[tuple[_Sheet, int, HeaderColumn, str]],
    uploader: str | None, problems: _Problems, settings: Settings, acceptance: bool,
) -> cadence.Found | None:
    """ledger-format.md §4 for a score sheet (week, month or quarter, cadence.md §2) or an
    acceptance sheet (a year, §5): column → uploader → title → file name; the earlier wins,
    W_PERIOD_CONFLICT names a later one that disagrees."""
    readers = cadence.YEAR_READERS if acceptance else cadence.PERIOD_READERS
    noun = "验收年度" if acceptance else "考核期间"
    column, disagreed = _own_column_period(sheets, "year" if acceptance else "period", readers, problems)
    if disagreed:
        return None
    sources: list[_Found] = [column] if column is not None else []
    if uploader:
        try:
            sources.append(_Found("上传时选择的期间", cadence.read_cell(readers, uploader), value=uploader))
        except ValueError as exc:
            problems.add(spec.E_PERIOD, f"上传时选择的期间：{exc}", value=uploader)
            return None
    for sheet, row, col, text in titles:
        found = cadence.find_in_text(readers, text)
        if found is not None:
            sources.append(_Found("标题", found, sheet, row, col, text))
            break
    base = os.path.splitext(os.path.basename(wb.file_name or ""))[0]
    found = cadence.find_in_text(readers, V.normalize(base) or "", compact=True)
    if found is not None:
        sources.append(_Found("文件名", found, value=wb.file_name))
    if not sources:
        forms = "在标题中写明“2024年度”，或加“年度”列" if acceptance else \
            "在标题中写明“2024年第三季度”“2024年8月”或“2024年第35周”，或加“考核期间”列"
        problems.add(spec.E_PERIOD, f"无法确定{noun}：请{forms}，或上传时选择期间")
        return None
    winner = sources[0]
    result = winner.found
    if result.year is None:  # 第三季度 / 8月 in the column: the year comes from the next source that has one
        year = next((s.found.year for s in sources[1:] if s.found.year is not None), None)
        if year is None:
            problems.add(spec.E_PERIOD, f"{noun}没有写年份：请写成 2024Q3、2024年第三季度 或 2024-08",
                         sheet=winner.sheet, row=winner.row, column=winner.column, value=winner.value)
            return None
        result = result.with_year(year)
    for other in sources[1:]:
        o = other.found
        same = o.kind == result.kind and o.number == result.number and o.year in (None, result.year)
        if not same:
            problems.add(
                spec.W_PERIOD_CONFLICT,
                f"{winner.what}为 {result.label}，{other.what}为 {o.label}，按{winner.what}导入；如不对，请修改后重新上传",
                sheet=winner.sheet or other.sheet, row=winner.row if winner.sheet else other.row,
                column=winner.column if winner.sheet else other.column,
                value=winner.value if winner.sheet else other.value,
            )
    today = date.today()
    current = date(today.year, 1, 1) if acceptance else today.replace(day=1)
    if result.start() > current and not settings.allow_future_periods:
        problems.add(
            spec.E_PERIOD, f"{noun} {result.label}（来自{winner.what}）晚于当前，不能报送未来的期间：请改为实际的期间",
            sheet=winner.sheet, row=winner.row, column=winner.column, value=winner.value,
        )
        return None
    return result


def _score_rows(sheet: _Sheet, ident: _Identity, problems: _Problems) -> pa.Table:
    """cadence.md §2: one row per item given, plus '总分' — the total as given, else the sum of
    the items; a total that differs from the items' sum is kept, with W_TOTAL_MISMATCH."""
    n = len(sheet.rows)
    item_fields = [f for f in sheet.layout.fields if f.startswith(ITEM_PREFIX)]
    items = {f: _parse(sheet, f, cadence.parse_points, pa.float64(), problems) for f in item_fields}
    given = _parse(sheet, "total", cadence.parse_points, pa.float64(), problems)
    has_item = _any([pc.is_valid(a) for a in items.values()], n)
    summed = functools.reduce(pc.add, [pc.fill_null(a, 0.0) for a in items.values()], pa.repeat(pa.scalar(0.0), n))
    item_sum = pc.if_else(has_item, summed, pa.scalar(None, pa.float64()))
    # A total that disagrees with the sum of the items is kept as given (cadence.md §2).
    mismatch = pc.fill_null(pc.greater(pc.abs(pc.subtract(given, item_sum)), 1e-6), False)
    shown = pc.cast(pc.round(item_sum, 2), pa.string())
    problems.add_cells(
        spec.W_TOTAL_MISMATCH, sheet, sheet.col("total"), mismatch, sheet.cols.get("total"),
        pc.binary_join_element_wise("总分与各项得分之和 ", shown, " 不一致，按填写的总分导入，请核对", ""),
    )
    total = pc.coalesce(given, item_sum)
    blank_total = pc.is_null(sheet.cols["total"]) if "total" in sheet.cols else pa.repeat(pa.scalar(True), n)
    problems.add_cells(spec.E_VALUE, sheet, sheet.col("total") or sheet.col("branch"),
                       pc.and_(pc.is_null(total), blank_total), None,
                       "缺少总分：请填写总分，或填写各项得分（总分按各项之和计）")
    assessor = _text(sheet, "assessor")
    parts = []
    for name, points in [*items.items(), (ITEM_PREFIX + spec.ASSESSMENT_TOTAL_ITEM, total)]:
        keep = pc.is_valid(points)
        item = pa.repeat(pa.scalar(name.removeprefix(ITEM_PREFIX), pa.string()), n)
        parts.append(pa.table([
            ident.county, ident.township, ident.branch, item, points, assessor, *_source(sheet),
        ], schema=ASSESSMENT_SCHEMA).filter(keep))
    return pa.concat_tables(parts)


def _award_rows(sheet: _Sheet, ident: _Identity, year: int | None, problems: _Problems) -> pa.Table:
    """cadence.md §5: the level the county accepted (0–5, forms as target_stars) and when."""
    typed = _typed(sheet, year, problems)
    problems.add_cells(spec.E_VALUE, sheet, sheet.col("awarded_stars"), pc.is_null(sheet.cols["awarded_stars"]),
                       None, "缺少评定星级：请填写验收评定的星级（0–5 星，如 三星、3）")
    return pa.table([
        ident.county, ident.township, ident.branch, typed["awarded_stars"], typed["accepted_at"], *_source(sheet),
    ], schema=AWARD_SCHEMA)


__all__ = ["parse_workbook"]
