"""Excel downloads for the pages: DataFrames -> a formatted workbook as bytes.

    frames_to_xlsx({"排名": df, ...}, title="…")  -> bytes   (one sheet per frame)
    problems_to_xlsx(problems, file_name="…")     -> bytes   (the refusal/warning list of an upload)
    new_workbook(target) / write_cell(ws, r, c, value, fmt)  (the formula guard every workbook uses)

Every workbook the product writes (these, ``report --xlsx``, the ledger template)
is opened with ``new_workbook`` and its values written with ``write_cell``: text
is always a text cell, so a branch named ``=HYPERLINK(…)`` or a secretary
``=cmd|…`` comes back as the text it is, never as a live formula.

Formatting: bold shaded header, frozen header row, auto-filter, column widths
fitted to the (CJK-aware) text width, percent/decimal/date number formats by
column, an optional title row above the table. No Streamlit or plotly here.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
import xlsxwriter

from analytics.ingest.model import Problem

# Column names (Chinese, as shown) whose values are 0..1 fractions -> 0.0% format.
PERCENT_HINTS = ("率", "占比", "比例")
# Column names whose values are scores -> 0.0 format.
DECIMAL_HINTS = ("得分", "分数", "变化", "Δ")

_INVALID_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})

PROBLEM_HEADERS = ("类型", "代码", "工作表", "单元格", "行", "列", "单元格内容", "问题说明及修改方法")

# xlsxwriter's write() turns text starting with "=" into a formula and "http://…" into a
# link; these options switch that off for any write() the guard does not see.
WORKBOOK_OPTIONS: dict[str, Any] = {
    "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
}


def new_workbook(target: Any) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook (path or binary buffer) that never turns text into formulas, links or numbers."""
    return xlsxwriter.Workbook(target, dict(WORKBOOK_OPTIONS))


def write_cell(ws: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
    """The one place a value goes into a cell (the formula guard).

    Text is always written as a text cell (``write_string``): text a spreadsheet would read as
    a formula — starting with = + - @, tab or CR, also after leading spaces — is kept exactly
    and never evaluated. Numbers stay numbers (-3 is a number cell), None and "" are blanks."""
    if value is None or (isinstance(value, str) and not value):
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, datetime):
        ws.write_datetime(row, col, value, fmt)
    elif isinstance(value, date):
        ws.write_datetime(row, col, datetime(value.year, value.month, value.day), fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def display_width(text: str) -> int:
    """Width in Excel character units: CJK/full-width characters count as 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def sheet_name(name: str, used: set[str]) -> str:
    """A valid, unique Excel sheet name (≤31 chars, no []:*?/\\)."""
    base = (name.translate(_INVALID_SHEET_CHARS).strip() or "Sheet")[:31]
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f"({n})"
        candidate = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(candidate.lower())
    return candidate


def _cell_value(value: Any) -> Any:
    """A value xlsxwriter can write: NaN/NA -> None, lists -> joined text, numpy scalars -> Python."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return str(value)
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, float) and (math.isinf(value) or math.isnan(value)):
        return None
    return value


def _column_kind(name: str, series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    sample = series.dropna()
    if len(sample) and all(isinstance(v, date) and not isinstance(v, datetime) for v in sample.head(20)):
        return "date"
    if pd.api.types.is_float_dtype(series) or pd.api.types.is_integer_dtype(series):
        if any(h in name for h in PERCENT_HINTS):
            return "percent"
        if pd.api.types.is_float_dtype(series) and any(h in name for h in DECIMAL_HINTS):
            return "decimal"
        return "number"
    return "text"


def write_frames(
    workbook: xlsxwriter.Workbook,
    frames: Mapping[str, pd.DataFrame],
    *,
    title: str | None = None,
    note: str | None = None,
) -> None:
    """Write each frame to its own sheet of an open xlsxwriter workbook."""
    fmt_title = workbook.add_format({"bold": True, "font_size": 14, "font_name": "等线"})
    fmt_note = workbook.add_format({"italic": True, "font_color": "#555555", "font_name": "等线"})
    fmt_header = workbook.add_format({
        "bold": True, "bg_color": "#F2DCDB", "border": 1, "align": "center", "valign": "vcenter",
        "text_wrap": True, "font_name": "等线",
    })
    base = {"border": 1, "border_color": "#D0D0D0", "font_name": "等线", "valign": "vcenter"}
    formats = {
        "text": workbook.add_format(base),
        "number": workbook.add_format(base),
        "bool": workbook.add_format({**base, "align": "center"}),
        "percent": workbook.add_format({**base, "num_format": "0.0%"}),
        "decimal": workbook.add_format({**base, "num_format": "0.0"}),
        "date": workbook.add_format({**base, "num_format": "yyyy-mm-dd"}),
        "datetime": workbook.add_format({**base, "num_format": "yyyy-mm-dd hh:mm"}),
    }
    used: set[str] = set()
    head = (1 if title else 0) + (1 if note else 0)
    head = head + 1 if head else 0  # title block, a blank row
    for name, frame in _sheet_parts(frames, SHEET_ROWS - head - 1):
        ws = workbook.add_worksheet(sheet_name(name, used))
        row0 = 0
        if title:
            write_cell(ws, row0, 0, f"{title} — {name}" if len(frames) > 1 else title, fmt_title)
            row0 += 1
        if note:
            write_cell(ws, row0, 0, note, fmt_note)
            row0 += 1
        if row0:
            row0 += 1  # one blank row between the title block and the table
        columns = [str(c) for c in frame.columns]
        kinds = [_column_kind(c, frame[c]) for c in frame.columns]
        widths = [display_width(c) for c in columns]
        ws.set_row(row0, 30)
        for j, col in enumerate(columns):
            write_cell(ws, row0, j, col, fmt_header)
        for i, values in enumerate(frame.itertuples(index=False, name=None), start=row0 + 1):
            for j, raw in enumerate(values):
                value = _cell_value(raw)
                kind = kinds[j]
                if value is None:
                    ws.write_blank(i, j, None, formats[kind])
                    continue
                if kind == "bool" and isinstance(value, bool):
                    value = "是" if value else "否"
                if isinstance(value, datetime):
                    write_cell(ws, i, j, value, formats["datetime" if kind == "datetime" else "date"])
                    text = value.strftime("%Y-%m-%d %H:%M")
                elif isinstance(value, date):
                    write_cell(ws, i, j, value, formats["date"])
                    text = value.isoformat()
                else:
                    write_cell(ws, i, j, value, formats[kind])
                    text = f"{value * 100:.1f}%" if kind == "percent" and isinstance(value, (int, float)) else str(value)
                widths[j] = max(widths[j], display_width(text))
        for j, width in enumerate(widths):
            ws.set_column(j, j, min(max(width + 2, 6), 60))
        ws.freeze_panes(row0 + 1, 0)
        if len(frame.columns):
            ws.autofilter(row0, 0, row0 + max(len(frame), 1), len(columns) - 1)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(row0)


# Rows an .xlsx sheet holds (Excel's limit). xlsxwriter drops rows beyond it without an error.
SHEET_ROWS = 1_048_576


def _sheet_parts(frames: Mapping[str, pd.DataFrame], capacity: int) -> list[tuple[str, pd.DataFrame]]:
    """(sheet name, rows) for each frame; a frame longer than ``capacity`` rows goes on consecutive
    sheets 任务（1）, 任务（2）… with its header on each, so no row is dropped (a province's
    task list has ~1.5 million rows)."""
    parts: list[tuple[str, pd.DataFrame]] = []
    for name, frame in frames.items():
        if len(frame) <= capacity:
            parts.append((name, frame))
            continue
        n = -(-len(frame) // capacity)
        parts += [(f"{name}（{k + 1}）", frame.iloc[k * capacity:(k + 1) * capacity]) for k in range(n)]
    return parts


def frames_to_xlsx(
    frames: Mapping[str, pd.DataFrame],
    *,
    title: str | None = None,
    note: str | None = None,
) -> bytes:
    """Formatted workbook (one sheet per frame, in order) as bytes."""
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    try:
        write_frames(workbook, frames, title=title, note=note)
    finally:
        workbook.close()
    return buffer.getvalue()


def problems_frame(problems: Iterable[Problem]) -> pd.DataFrame:
    """Problems as a table with Chinese headers (PROBLEM_HEADERS), errors before warnings."""
    rows: list[Sequence[Any]] = []
    for p in problems:
        rows.append((
            "错误" if p.is_error else "提示",
            p.code,
            p.sheet or "",
            p.cell if (p.row or p.column) else "",
            p.row,
            p.column or "",
            p.value or "",
            p.message,
        ))
    frame = pd.DataFrame(rows, columns=list(PROBLEM_HEADERS))
    frame["行"] = frame["行"].astype("Int64")
    return frame


def problems_to_xlsx(problems: Iterable[Problem], *, file_name: str | None = None) -> bytes:
    """The problem list of one upload as a workbook (sheet 问题清单)."""
    title = f"台账检查结果：{file_name}" if file_name else "台账检查结果"
    note = "请按“问题说明及修改方法”逐条修改原表格后重新上传；“错误”必须修改，“提示”不影响导入。"
    return frames_to_xlsx({"问题清单": problems_frame(problems)}, title=title, note=note)
