"""The register workbook template (.xlsx): 支部名册 + 创建目标 + 填表说明 (register.md §1–§2).

    build_register_template(branches=[...], goals=[...], county="二七区") -> bytes

Headers are the canonical names of ``spec.REGISTER_ALIASES`` / ``spec.GOAL_ALIASES``, so a
filled-in template is read by ``analytics.register`` without guessing. Drop-downs offer
村/社区 for the type and 在册/撤并/新设 for the status (they only warn: the importer also
accepts 农村, 城市社区, 已撤并 …). Pre-filled (``branches``: the branches the store knows,
``analytics.register.known_branches``), a county only checks and completes the list.
Every cell goes through the export guard (``analytics.exports.write_cell``): names come
from uploads.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from analytics import spec
from analytics.template import _validate_list

REGISTER_SHEET = spec.REGISTER_SHEET_NAME
GOAL_SHEET = spec.GOAL_SHEET_NAME
HELP_SHEET = "填表说明"
REGISTER_ROWS = 5000  # rows below the header with drop-downs (more rows may be added)
GOAL_ROWS = 500

TYPE_CHOICES = spec.BRANCH_TYPES
STATUS_CHOICES = spec.REGISTER_STATUSES

# (header, field, width, help shown when the cell is selected)
REGISTER_COLUMNS: tuple[tuple[str, str, int, str], ...] = (
    ("序号", "seq", 6, "可不填，导入时忽略。"),
    ("县（市、区）", "county", 12, "县（市、区）全称。必填（整表同一县区时也可在上传时填写）。"),
    ("乡镇（街道）", "township", 14, "乡镇（街道）全称，与台账一致。必填。"),
    ("村（社区）", "branch", 18, "村或社区名称，与台账一致，不必写“党支部”。必填。"),
    ("类型", "branch_type", 8, "按哪套五星标准创建：村 或 社区。名为“…社区”但按村的标准创建的，填 村。必填。"),
    ("支部书记", "secretary", 10, "支部书记姓名。"),
    ("包村领导", "liaison", 12, "包村（包联）领导姓名及职务。"),
    ("创建专班", "team", 20, "创建专班（工作专班、指导组）成员。"),
    ("状态", "status", 8, "在册、撤并 或 新设；不填按在册。"),
    ("备注", "notes", 20, ""),
)
GOAL_COLUMNS: tuple[tuple[str, str, int, str], ...] = (
    ("县（市、区）", "county", 12, "县（市、区）全称。必填。"),
    ("乡镇（街道）", "township", 14, "留空表示县（市、区）本级的总目标；填写乡镇（街道）表示该乡镇的目标。"),
    ("五星", "goal_5", 8, "计划创成五星的支部个数（恰好五星）。"),
    ("四星", "goal_4", 8, "计划创成四星的支部个数（恰好四星）。"),
    ("三星", "goal_3", 8, "计划创成三星的支部个数（恰好三星）。"),
    ("完成时限", "due", 12, "如 2024、2024年底、2024-12 或 2024-12-31。必填。"),
    ("备注", "notes", 20, ""),
)

_HELP = (
    ("支部名册", "每个村（社区）党组织一行。县（市、区）导入名册后，替换本县（市、区）此前的整个名册（旧版本可回滚）。"),
    ("类型", "名册中的类型决定该支部按村还是社区的五星标准统计：名称为“…社区”而按村的标准创建的（如樱桃沟社区），"
     "类型填 村。台账中填写的类型与名册不一致时，以名册为准，并提示 W_TYPE_CONFLICT。"),
    ("状态", "在册（正常）、撤并（已撤销或合并，不再报送）、新设（新成立）。"),
    ("核对", "台账中出现而名册中没有的支部，导入台账时提示 W_NOT_IN_REGISTER，并列入“名册外支部”清单，"
     "请补入名册或改正名称。"),
    ("创建目标", "每个单位一行：乡镇（街道）留空为县（市、区）本级目标。五星、四星、三星填个数，"
     "如“五星2个、四星7个、三星5个”即五星 2、四星 7、三星 5（恰好该星级，共 14 个支部）。"
     "也可在“创建目标”一列中直接写“五星2个、四星7个、三星5个”。"),
)


def build_register_template(
    *, branches: Sequence[Mapping[str, Any]] = (), goals: Sequence[Mapping[str, Any]] = (),
    county: str | None = None,
) -> bytes:
    """The register template as bytes; ``branches`` / ``goals`` pre-fill rows (keys as the fields)."""
    from analytics.exports import new_workbook, write_cell

    buffer = io.BytesIO()
    wb = new_workbook(buffer)
    font = {"font_name": "等线", "font_size": 11}
    fmt_header = wb.add_format({**font, "bold": True, "bg_color": "#F2DCDB", "border": 1,
                                "align": "center", "valign": "vcenter", "text_wrap": True})
    fmt_cell = wb.add_format({**font, "border": 1, "border_color": "#D9D9D9"})
    fmt_p = wb.add_format({**font, "text_wrap": True, "valign": "top"})
    fmt_h = wb.add_format({**font, "bold": True, "font_size": 14})

    for sheet_name, columns, rows, n_rows in (
        (REGISTER_SHEET, REGISTER_COLUMNS, branches, REGISTER_ROWS),
        (GOAL_SHEET, GOAL_COLUMNS, goals, GOAL_ROWS),
    ):
        ws = wb.add_worksheet(sheet_name)
        ws.set_row(0, 32)
        for j, (header, field, width, help_text) in enumerate(columns):
            write_cell(ws, 0, j, header, fmt_header)
            ws.set_column(j, j, width, fmt_cell)
            if field == "branch_type":
                _validate_list(ws, j, max(n_rows, len(rows) + 100), TYPE_CHOICES, help_text)
            elif field == "status":
                _validate_list(ws, j, max(n_rows, len(rows) + 100), STATUS_CHOICES, help_text)
            elif help_text:
                ws.data_validation(1, j, n_rows, j, {"validate": "any", "input_title": header,
                                                      "input_message": help_text[:255]})
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, 0, len(columns) - 1)
        for i, row in enumerate(rows, start=1):
            for j, (_header, field, _w, _h) in enumerate(columns):
                value = i if field == "seq" else row.get(field)
                if field == "county" and value is None:
                    value = county
                if value is not None and not (isinstance(value, float) and value != value):  # NaN = blank
                    write_cell(ws, i, j, value if not hasattr(value, "isoformat") else value.isoformat())

    wh = wb.add_worksheet(HELP_SHEET)
    wh.set_column(0, 0, 14)
    wh.set_column(1, 1, 90)
    write_cell(wh, 0, 0, "支部名册与创建目标 填表说明", fmt_h)
    for i, (label, text) in enumerate(_HELP, start=2):
        write_cell(wh, i, 0, label, fmt_p)
        write_cell(wh, i, 1, text, fmt_p)
        wh.set_row(i, max(34, 17 * (len(text) // 50 + 1)))
    wb.close()
    return buffer.getvalue()


def register_template_file_name(county: str | None = None, *, prefilled: bool = False) -> str:
    """``支部名册模板.xlsx`` / ``支部名册_二七区_预填.xlsx``."""
    if prefilled:
        return "_".join(p for p in ("支部名册", county or "", "预填") if p) + ".xlsx"
    return "支部名册模板.xlsx"


__all__ = ["GOAL_SHEET", "REGISTER_SHEET", "build_register_template", "register_template_file_name"]
