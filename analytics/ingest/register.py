"""The register workbook (register.md §1–§2): 支部名册 and 创建目标 sheets -> typed rows.

    parse_register_workbook(wb, *, county=None, settings=None) -> ParsedRegister | ParseFailure

The same reading as a ledger (``analytics.ingest.validate``): sheets are recognised by
their header (spec.REGISTER_KIND / spec.GOAL_KIND), title rows, two-level headers,
carried-down county/township, totals and footers are handled by the same code, and every
problem is a ``Problem`` with the contract's codes, sheet, row and column. Star ledgers
and other sheets in the workbook are skipped (W_SKIPPED_SHEET): a register needs no
ledger. The county of a row comes from its column, the uploader's choice, or the title.

``register_lookup`` turns the current register into the table a ledger's validation
uses to apply it (``validate.parse_workbook(register=…)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from analytics import spec
from analytics.ingest import values as V
from analytics.ingest.headers import SheetLayout, detect_layout, title_cells
from analytics.ingest.model import ParseFailure, Problem, RawWorkbook
from analytics.ingest.validate import (
    _KEY_SEP,
    FIELD_LABELS,
    _duplicates,
    _extract,
    _file_county,
    _fill_county,
    _names,
    _Problems,
    _Sheet,
    _source,
    _text,
    _title_col,
    _typed,
)
from analytics.settings import Settings

REGISTER = spec.REGISTER_KIND.key
GOALS = spec.GOAL_KIND.key

REGISTER_COLUMNS: tuple[str, ...] = (
    "county", "township", "branch", "branch_type", "secretary", "liaison", "team", "status",
    "source_sheet", "source_row",
)
REGISTER_SCHEMA = pa.schema([
    ("county", pa.string()), ("township", pa.string()), ("branch", pa.string()), ("branch_type", pa.string()),
    ("secretary", pa.string()), ("liaison", pa.string()), ("team", pa.string()), ("status", pa.string()),
    ("source_sheet", pa.string()), ("source_row", pa.int32()),
])
GOAL_COLUMNS: tuple[str, ...] = (
    "county", "township", "goal_5", "goal_4", "goal_3", "due", "due_text", "source_sheet", "source_row",
)
GOAL_SCHEMA = pa.schema([
    ("county", pa.string()), ("township", pa.string()), ("goal_5", pa.int32()), ("goal_4", pa.int32()),
    ("goal_3", pa.int32()), ("due", pa.date32()), ("due_text", pa.string()),
    ("source_sheet", pa.string()), ("source_row", pa.int32()),
])

_LABELS = {
    **FIELD_LABELS,
    "branch_type": "类型",
    "status": "状态",
    "goal_5": "五星",
    "goal_4": "四星",
    "goal_3": "三星",
    "goal_text": "创建目标",
    "due": "完成时限",
}


@dataclass
class ParsedRegister:
    """A validated register workbook: the register rows and/or the goal rows."""

    register: pa.Table  # REGISTER_SCHEMA (0 rows when the workbook has no 支部名册 sheet)
    goals: pa.Table  # GOAL_SCHEMA (0 rows when it has no 创建目标 sheet)
    has_register: bool
    has_goals: bool
    warnings: list[Problem] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)

    @property
    def register_counties(self) -> list[str]:
        return sorted(set(self.register.column("county").to_pylist())) if self.has_register else []

    @property
    def goal_counties(self) -> list[str]:
        return sorted(set(self.goals.column("county").to_pylist())) if self.has_goals else []

    @property
    def scope(self) -> list[tuple[str, str]]:
        """(county, '') per county the workbook replaces something of."""
        return [(c, "") for c in sorted({*self.register_counties, *self.goal_counties})]


def parse_register_workbook(
    wb: RawWorkbook, *, county: str | None = None, settings: Settings | None = None,
) -> ParsedRegister | ParseFailure:
    with V.encoding_cache():
        return _parse(wb, county, settings or Settings())


def _skip_message(kind: str | None, empty: bool) -> str:
    if empty:
        return "空工作表，已跳过"
    if kind is not None:
        return "这是台账，不是支部名册或创建目标，已跳过：台账请在“上传台账”中上传"
    return "不是支部名册或创建目标（未找到对应表头），已跳过"


def _parse(wb: RawWorkbook, county: str | None, settings: Settings) -> ParsedRegister | ParseFailure:
    problems = _Problems()
    skipped: list[str] = []
    sheets: list[_Sheet] = []
    found_kinds: set[str] = set()
    for ord_, raw in enumerate(wb.sheets):
        probe = _Sheet(ord_, raw, SheetLayout(kind=None))
        if not raw.visible:
            skipped.append(raw.name)
            problems.add(spec.W_SKIPPED_SHEET, "隐藏的工作表，已跳过；如其中是名册，请取消隐藏后重新上传", sheet=probe)
            continue
        layout = detect_layout(raw)
        sheet = _Sheet(ord_, raw, layout)
        if layout.kind not in spec.REGISTER_KINDS:
            skipped.append(raw.name)
            empty = raw.table.num_rows == 0 or all(raw.table.column(c).null_count == raw.table.num_rows
                                                   for c in raw.table.column_names)
            problems.add(spec.W_SKIPPED_SHEET, _skip_message(layout.kind, empty), sheet=sheet)
            continue
        assert layout.kind is not None
        found_kinds.add(layout.kind)
        missing = [_LABELS.get(f, f) for f in sheet.spec.required if f not in layout.fields]
        if missing:
            problems.add(
                spec.E_MISSING_COLUMN,
                f"{sheet.spec.label}缺少必需的列：{'、'.join(missing)}。找到的表头：{layout.headers_found()}",
                sheet=sheet, row=sheet.excel_row(layout.header_excel_row),
            )
        for col in layout.unknown:
            problems.add(spec.W_UNKNOWN_COLUMN, "无法识别的列，已忽略；如需导入请改用名册模板的表头",
                         sheet=sheet, row=sheet.excel_row(col.row), column=col, value=col.label)
        for col, kept in layout.repeated:
            problems.add(spec.W_UNKNOWN_COLUMN, f"与 {kept.letter} 列是同一项（{kept.label}），已忽略此列",
                         sheet=sheet, row=sheet.excel_row(col.row), column=col, value=col.label)
        if raw.hit_row_limit:
            problems.add(spec.W_TRUNCATED, "工作表达到该文件格式的最大行数，数据可能不完整：请另存为 .xlsx 后重新上传",
                         sheet=sheet)
        if not missing:
            sheets.append(sheet)
    if not found_kinds:
        problems.add(
            spec.E_NO_LEDGER,
            "没有找到支部名册或创建目标表：名册需要表头含 乡镇（街道）、村（社区）名称 和 类型（村/社区）的工作表；"
            "创建目标需要表头含 县（市、区）、五星/四星/三星 和 完成时限 的工作表。可下载名册模板对照填写",
        )
    for sheet in sheets:
        _extract(sheet, problems)
    limit = int(settings.max_branches_per_upload)
    total = sum(len(s.rows) for s in sheets if s.kind == REGISTER)
    if total > limit:
        problems.add(spec.E_FILE, f"名册共 {total:,} 行，超过一次上传的上限 {limit:,} 行（设置 max_branches_per_upload），"
                     "不予导入：请按县（市、区）拆分成几个文件分别上传")
        return _failure(problems, settings, skipped)
    titles = [
        (sheet, sheet.excel_row(r), _title_col(sheet, i), text)
        for sheet in sheets for r, i, text in title_cells(sheet.raw, sheet.layout)
    ]
    file_county = _file_county(county, titles)
    reg_sheets = [s for s in sheets if s.kind == REGISTER]
    goal_sheets = [s for s in sheets if s.kind == GOALS]
    reg_tables, reg_keys = [], []
    for sheet in reg_sheets:
        table, key = _register_rows(sheet, file_county, problems)
        reg_tables.append(table)
        reg_keys.append(key)
    _duplicates(reg_sheets, reg_keys, problems,
                message="同一支部在名册中出现两次，与 {where} 重复：请删除或合并其中一行")
    goal_tables, goal_keys = [], []
    for sheet in goal_sheets:
        table, key = _goal_rows(sheet, file_county, problems)
        goal_tables.append(table)
        goal_keys.append(key)
    _duplicates(goal_sheets, goal_keys, problems, column="township",
                message="同一单位的创建目标出现两次，与 {where} 重复：每个县（市、区）、乡镇（街道）只填一行")
    register = pa.concat_tables(reg_tables) if reg_tables else REGISTER_SCHEMA.empty_table()
    if REGISTER in found_kinds and reg_sheets and register.num_rows == 0:
        problems.add(spec.E_NO_LEDGER, "支部名册中没有任何支部：导入名册会替换本县（市、区）的整个名册，空名册不予导入",
                     sheet=reg_sheets[0])
    goals = pa.concat_tables(goal_tables) if goal_tables else GOAL_SCHEMA.empty_table()
    errors, errors_total, warnings = problems.split(int(settings.max_listed_problems),
                                                    int(settings.max_stored_warnings))
    if errors_total:
        return ParseFailure(errors=errors, warnings=warnings, skipped_sheets=skipped, errors_total=errors_total)
    return ParsedRegister(register=register, goals=goals, has_register=bool(reg_sheets),
                          has_goals=bool(goal_sheets) and goals.num_rows > 0,
                          warnings=warnings, skipped_sheets=skipped)


def _failure(problems: _Problems, settings: Settings, skipped: list[str]) -> ParseFailure:
    errors, errors_total, warnings = problems.split(int(settings.max_listed_problems),
                                                    int(settings.max_stored_warnings))
    return ParseFailure(errors=errors, warnings=warnings, skipped_sheets=skipped, errors_total=errors_total)


def _register_rows(sheet: _Sheet, file_county: str | None, problems: _Problems) -> tuple[pa.Table, pa.Array]:
    n = len(sheet.rows)
    county = _fill_county(sheet, file_county, problems)
    township, branch = _names(sheet, problems)
    typed = _typed(sheet, None, problems)
    # register.md §1: the type is required; a blank cell takes the name's type (…村/…社区),
    # a name that does not tell is a row error naming the type cell.
    cells = sheet.cols["branch_type"]
    inferred, _ = V.map_distinct(branch, V.infer_branch_type, pa.string())
    branch_type = pc.coalesce(typed["branch_type"], pc.if_else(pc.is_null(cells), inferred, pa.scalar(None, pa.string())))
    unknown = pc.and_(pc.and_(pc.is_null(branch_type), pc.is_null(cells)), pc.is_valid(branch))
    problems.add_cells(spec.E_VALUE, sheet, sheet.col("branch_type"), unknown, branch,
                       "缺少类型：请填写 村 或 社区（名册中的类型决定该支部按村还是社区的五星标准创建）")
    status = pc.fill_null(typed["status"], spec.REGISTERED)
    key = pc.binary_join_element_wise(county, township, branch, _KEY_SEP)
    table = pa.table([
        county, township, branch, branch_type, _text(sheet, "secretary"), _text(sheet, "liaison"),
        _text(sheet, "team"), status, *_source(sheet),
    ], schema=REGISTER_SCHEMA)
    assert table.num_rows == n
    return table, key


def _goal_rows(sheet: _Sheet, file_county: str | None, problems: _Problems) -> tuple[pa.Table, pa.Array]:
    n = len(sheet.rows)
    county = _fill_county(sheet, file_county, problems)
    township = sheet.cols.get("township", pa.nulls(n, pa.string()))
    typed = _typed(sheet, None, problems)
    text = typed["goal_text"]
    goals = []
    for i, level in enumerate((5, 4, 3)):
        from_text = pc.list_element(pc.fill_null(text, pa.scalar([None, None, None], pa.list_(pa.int32()))), i)
        goals.append(pc.coalesce(typed[f"goal_{level}"], pc.cast(from_text, pa.int32())))
    # A goal cell that could not be read is already an E_VALUE; a row with no goal at all is one too.
    given = [sheet.cols[f] for f in ("goal_5", "goal_4", "goal_3", "goal_text") if f in sheet.cols]
    none_given = _all_null(given)
    first_goal = next(sheet.col(f) for f in ("goal_5", "goal_4", "goal_3", "goal_text") if f in sheet.cols)
    problems.add_cells(spec.E_VALUE, sheet, first_goal, none_given, None,
                       "缺少创建目标：请至少填写 五星、四星、三星 中的一个数目（如 五星2个、四星7个、三星5个）")
    cells = sheet.cols["due"]
    due, errors = V.map_distinct(cells, V.parse_due, pa.date32())
    problems.add_cells(spec.E_VALUE, sheet, sheet.col("due"), pc.is_valid(errors), cells,
                       pc.binary_join_element_wise("完成时限：", errors, ""))
    problems.add_cells(spec.E_VALUE, sheet, sheet.col("due"), pc.is_null(cells), None,
                       "缺少完成时限：请填写 2024、2024年底、2024-12 或具体日期")
    due_text = pc.replace_substring_regex(cells, "00:00:00$", "")
    key = pc.binary_join_element_wise(county, pc.fill_null(township, ""), _KEY_SEP)
    table = pa.table([
        county, township, *goals, due, due_text, *_source(sheet),
    ], schema=GOAL_SCHEMA)
    return table, key


def _all_null(arrays: list[pa.Array]) -> pa.Array:
    out = pc.is_null(arrays[0])
    for a in arrays[1:]:
        out = pc.and_(out, pc.is_null(a))
    return out


# --- applying the register to a ledger (register.md §1) ---------------------------------

LOOKUP_SCHEMA = pa.schema([("key", pa.string()), ("county", pa.string()), ("branch_type", pa.string()),
                           ("status", pa.string())])


def lookup_table(county: pa.Array, township: pa.Array, branch: pa.Array, branch_type: pa.Array,
                 status: pa.Array) -> pa.Table:
    """The register as the ledger validation reads it: key county␟township␟branch -> type, status."""
    c, t, b, bt, st = (pa.array(x, pa.string()) if isinstance(x, list) else x.cast(pa.string())
                       for x in (county, township, branch, branch_type, status))
    return pa.table([pc.binary_join_element_wise(c, t, b, _KEY_SEP), c, bt, st], schema=LOOKUP_SCHEMA)


__all__ = [
    "GOAL_COLUMNS",
    "GOAL_SCHEMA",
    "LOOKUP_SCHEMA",
    "REGISTER_COLUMNS",
    "REGISTER_SCHEMA",
    "ParsedRegister",
    "lookup_table",
    "parse_register_workbook",
]
