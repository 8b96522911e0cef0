"""The standard monthly ledger template (.xlsx), built with xlsxwriter.

    build_template(period="2024-08", county="甲县", township="乙镇", branches=[...]) -> bytes

Sheets: 星级台账 (one row per branch), 任务台账 (one row per key task, optional),
问题清单 and 软弱涣散整顿 (battle-map.md §2–§3, optional) and 填表说明. Headers are the canonical names of shared/spec/ledger-format.md
§3.1/§3.2, so a filled-in template is read by ``analytics.ingest`` without any
guessing; drop-downs offer the canonical marks (已达标/创建中/未启动, 三星/四星/五星,
村/社区, 是/否). The validations only warn, because the importer also accepts
the other marks of the contract (√, △, × …). The header is on row 1 with no
title rows, so nothing in the template can be mistaken for a county or period.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from analytics import spec

LEDGER_SHEET = spec.LEDGER_SHEET_NAME
TASK_SHEET = spec.TASK_SHEET_NAME
HELP_SHEET = "填表说明"

# Rows (below the header) that carry drop-downs and formats.
LEDGER_ROWS = 1000
TASK_ROWS = 5000

STATUS_CHOICES = ("已达标", "创建中", "未启动")
TARGET_CHOICES = ("三星", "四星", "五星")
TYPE_CHOICES = (spec.VILLAGE, spec.COMMUNITY)
YES_NO = ("是", "否")


def _star_header(slot: int) -> str:
    """Slot header valid for both types: 支部过硬星, 产业兴旺/共建共享, … (contract §2)."""
    village = spec.STAR_NAMES[spec.VILLAGE][slot - 1]
    community = spec.STAR_NAMES[spec.COMMUNITY][slot - 1]
    if village == community:
        return village
    return f"{village.removesuffix('星')}/{community.removesuffix('星')}"


STAR_HEADERS: tuple[str, ...] = tuple(_star_header(s) for s in spec.SLOTS)

# (header, field, width, help shown when the cell is selected)
LEDGER_COLUMNS: tuple[tuple[str, str, int, str], ...] = (
    ("序号", "seq", 6, "可不填，导入时忽略。"),
    ("县（市、区）", "county", 12, "县（市、区）全称，如“甲县”。整表同一县区时也可只在上传时选择。"),
    ("乡镇（街道）", "township", 14, "乡镇（街道）全称。必填。"),
    ("村（社区）", "branch", 16, "村或社区名称，如“一村”“樱桃沟社区”，不必写“党支部”。必填。"),
    ("类型", "branch_type", 8, "村 或 社区；不填时按名称判断。"),
    ("创建目标", "target_stars", 10, "年初申报的创建目标：三星、四星或五星；未申报可不填。"),
    *((h, f"star_{i}", 12, "本月该星状态：已达标、创建中 或 未启动。也可填 √ △ ×。不要留空。")
      for i, h in enumerate(STAR_HEADERS, start=1)),
    ("已完成任务数", "tasks_done", 12, "已完成的重点任务项数（整数）。"),
    ("任务总数", "tasks_total", 10, "重点任务总项数：村一般 29 项，社区 27 项。"),
    ("未销号问题数", "open_problems", 12, "尚未销号的问题个数（整数）。"),
    ("存在问题", "problems", 24, "问题简述，可不填。"),
    ("软弱涣散", "weak", 10, "是否软弱涣散党组织：是 或 否。"),
    ("支部书记", "secretary", 10, "支部书记姓名。"),
    ("报送月份", "period", 10, "格式 2024-08（整表同一月份）；不填时在上传页选择。"),
    ("备注", "notes", 20, ""),
)

TASK_COLUMNS: tuple[tuple[str, str, int, str], ...] = (
    ("序号", "seq", 6, "可不填，导入时忽略。"),
    ("县（市、区）", "county", 12, "与星级台账一致。"),
    ("乡镇（街道）", "township", 14, "与星级台账一致。必填。"),
    ("村（社区）", "branch", 16, "与星级台账中的名称一致。必填。"),
    ("所属星", "star", 12, "该任务所属的星，如 产业兴旺星、共建共享星；不填归入“未分星”。"),
    ("重点任务", "task", 30, "重点任务内容。必填。"),
    ("具体举措", "measure", 30, ""),
    ("负责人", "owner", 10, ""),
    ("完成时限", "deadline", 12, "日期，如 2024-09-30。"),
    ("是否完成", "done", 10, "是、否、已验收 或 已销号。必填。"),
    ("完成时间", "done_date", 12, "实际完成（销号）日期。"),
    ("专班人员", "team", 16, "该星创建专班的人员，可不填。"),
    ("领星人", "star_owner", 10, "领办该星的负责同志，可不填。"),
    ("责任单位", "department", 14, "牵头或责任单位，可不填。"),
    ("是否验收", "accepted", 10, "已验收 或 未验收；验收的任务必须已完成。"),
    ("验收时间", "accepted_date", 12, "验收日期，如 2024-09-30。"),
    ("备注", "notes", 20, ""),
)

# battle-map.md §2 — the problem list (问题清单): one row per problem, closed item by item.
PROBLEM_COLUMNS: tuple[tuple[str, str, int, str], ...] = (
    ("序号", "seq", 6, "可不填，导入时忽略。"),
    ("县（市、区）", "county", 12, "与星级台账一致。"),
    ("乡镇（街道）", "township", 14, "与星级台账一致。必填。"),
    ("村（社区）", "branch", 16, "与星级台账中的名称一致。必填。"),
    ("所属星", "star", 12, "问题涉及的星，可不填。"),
    ("问题", "problem", 30, "问题内容，一行一个问题。必填。"),
    ("整改措施", "measure", 30, ""),
    ("责任人", "owner", 10, ""),
    ("整改时限", "deadline", 12, "日期，如 2024-09-30；过期未销号的问题按逾期统计。"),
    ("是否销号", "closed", 10, "未销号、整改中 或 已销号。必填。"),
    ("销号时间", "closed_date", 12, "销号（整改完成）日期。"),
    ("备注", "notes", 20, ""),
)

# battle-map.md §3 — the weak-branch rectification sheet (软弱涣散整顿): one row per branch.
WEAK_COLUMNS: tuple[tuple[str, str, int, str], ...] = (
    ("序号", "seq", 6, "可不填，导入时忽略。"),
    ("县（市、区）", "county", 12, "与星级台账一致。"),
    ("乡镇（街道）", "township", 14, "与星级台账一致。必填。"),
    ("村（社区）", "branch", 16, "被认定为软弱涣散的村（社区），每个一行。必填。"),
    ("认定情形", "situations", 30, "认定为软弱涣散的情形。"),
    ("整顿措施", "plan", 30, ""),
    ("包联领导", "liaison", 10, ""),
    ("认定时间", "identified", 12, "日期，如 2024-03-01。"),
    ("整顿状态", "state", 10, "整顿中、已销号、已摘帽 或 巩固提升。必填。"),
    ("销号时间", "cleared", 12, "销号（摘帽）日期。"),
    ("备注", "notes", 20, ""),
)
PROBLEM_SHEET = spec.PROBLEM_SHEET_NAME
WEAK_SHEET = spec.WEAK_SHEET_NAME
PROBLEM_ROWS = 5000
WEAK_ROWS = 1000
DONE_CHOICES = ("是", "否", "已验收", "已销号")
ACCEPTED_CHOICES = ("已验收", "未验收")
CLOSED_CHOICES = ("未销号", "整改中", "已销号")
_DATE_FIELDS = frozenset({"deadline", "done_date", "accepted_date", "closed_date", "identified", "cleared"})

# Status fills (the dashboard's colours: ui/theme.py STATUS_COLORS, lightened for print).
_STATUS_FILLS = {"已达标": "#C8E6C9", "创建中": "#FFE9A8", "未启动": "#F8C9C9"}


def _col(index: int) -> str:
    return xlsxwriter.utility.xl_col_to_name(index)


def _validate_list(ws: Worksheet, col: int, rows: int, choices: Sequence[str], message: str) -> None:
    ws.data_validation(1, col, rows, col, {
        "validate": "list",
        "source": list(choices),
        "input_title": "请选择",
        "input_message": message[:255],
        "error_title": "请核对",
        "error_message": f"建议填写：{'、'.join(choices)}。"[:255],
        "error_type": "warning",
    })


def _write_header(ws: Worksheet, columns: Sequence[tuple[str, str, int, str]], fmt: Any) -> None:
    from analytics.exports import write_cell

    ws.set_row(0, 32)
    for j, (header, _field, width, _help) in enumerate(columns):
        write_cell(ws, 0, j, header, fmt)
        ws.set_column(j, j, width)
    ws.freeze_panes(1, 4)
    ws.autofilter(0, 0, 0, len(columns) - 1)


def build_template(
    *,
    period: str | None = None,
    county: str | None = None,
    township: str | None = None,
    branches: Sequence[Mapping[str, Any]] = (),
) -> bytes:
    """The template workbook as bytes.

    ``branches`` pre-fills the star ledger with one row per branch (keys county,
    township, branch, branch_type, target_stars — e.g. last month's list), so
    staff only fill in this month's statuses; ``period``/``county``/``township``
    fill those columns of the pre-filled rows.
    """
    # The export guard (imported here: the importer reads this module's columns without pandas).
    from analytics.exports import new_workbook, write_cell

    buffer = io.BytesIO()
    wb = new_workbook(buffer)  # branch names come from the store: written through the formula guard
    font = {"font_name": "等线", "font_size": 11}
    fmt_header = wb.add_format({**font, "bold": True, "bg_color": "#F2DCDB", "border": 1,
                                "align": "center", "valign": "vcenter", "text_wrap": True})
    fmt_star_header = wb.add_format({**font, "bold": True, "bg_color": "#FCE4D6", "border": 1,
                                     "align": "center", "valign": "vcenter", "text_wrap": True})
    fmt_cell = wb.add_format({**font, "border": 1, "border_color": "#D9D9D9"})
    fmt_text = wb.add_format({**font, "border": 1, "border_color": "#D9D9D9", "num_format": "@"})
    fmt_date = wb.add_format({**font, "border": 1, "border_color": "#D9D9D9", "num_format": "yyyy-mm-dd"})
    fmt_center = wb.add_format({**font, "border": 1, "border_color": "#D9D9D9", "align": "center"})

    # --- 星级台账 -------------------------------------------------------------
    ws = wb.add_worksheet(LEDGER_SHEET)
    _write_header(ws, LEDGER_COLUMNS, fmt_header)
    fields = [c[1] for c in LEDGER_COLUMNS]
    for j, (header, field, width, help_text) in enumerate(LEDGER_COLUMNS):
        if field.startswith("star_"):
            write_cell(ws, 0, j, header, fmt_star_header)
        cell_fmt = fmt_text if field == "period" else (fmt_center if field.startswith("star_") else fmt_cell)
        ws.set_column(j, j, width, cell_fmt)
        if field.startswith("star_"):
            _validate_list(ws, j, LEDGER_ROWS, STATUS_CHOICES, help_text)
        elif field == "target_stars":
            _validate_list(ws, j, LEDGER_ROWS, TARGET_CHOICES, help_text)
        elif field == "branch_type":
            _validate_list(ws, j, LEDGER_ROWS, TYPE_CHOICES, help_text)
        elif field == "weak":
            _validate_list(ws, j, LEDGER_ROWS, YES_NO, help_text)
        elif field in ("tasks_done", "tasks_total", "open_problems"):
            ws.data_validation(1, j, LEDGER_ROWS, j, {
                "validate": "integer", "criteria": "between", "minimum": 0, "maximum": 1000,
                "input_title": header, "input_message": help_text,
                "error_title": "请核对", "error_message": "请填写 0 以上的整数。", "error_type": "warning",
            })
        elif help_text:
            ws.data_validation(1, j, LEDGER_ROWS, j, {
                "validate": "any", "input_title": header, "input_message": help_text[:255],
            })
    first_star = fields.index("star_1")
    for mark, fill in _STATUS_FILLS.items():
        ws.conditional_format(1, first_star, LEDGER_ROWS, first_star + 4, {
            "type": "cell", "criteria": "==", "value": f'"{mark}"', "format": wb.add_format({"bg_color": fill}),
        })
    for i, branch in enumerate(branches, start=1):
        values = {
            "seq": i,
            "county": branch.get("county") or county,
            "township": branch.get("township") or township,
            "branch": branch.get("branch"),
            "branch_type": branch.get("branch_type"),
            "target_stars": spec.LEVEL_LABELS.get(int(branch["target_stars"]))
            if branch.get("target_stars") not in (None, "") else None,
            "period": period,
        }
        for j, field in enumerate(fields):
            value = values.get(field)
            if value is None:
                continue
            write_cell(ws, i, j, str(value) if field == "period" else value)
    ws.activate()

    # --- 任务台账, 问题清单, 软弱涣散整顿 ------------------------------------------
    star_names = list(dict.fromkeys(n for names in spec.STAR_NAMES.values() for n in names))
    choices: dict[str, Sequence[str]] = {
        "star": star_names, "done": DONE_CHOICES, "accepted": ACCEPTED_CHOICES, "closed": CLOSED_CHOICES,
        "state": spec.WEAK_STATES,
    }
    for name, columns, rows in ((TASK_SHEET, TASK_COLUMNS, TASK_ROWS), (PROBLEM_SHEET, PROBLEM_COLUMNS, PROBLEM_ROWS),
                                (WEAK_SHEET, WEAK_COLUMNS, WEAK_ROWS)):
        wt = wb.add_worksheet(name)
        _write_header(wt, columns, fmt_header)
        for j, (header, field, width, help_text) in enumerate(columns):
            cell_fmt = fmt_date if field in _DATE_FIELDS else fmt_cell
            wt.set_column(j, j, width, cell_fmt)
            if field in choices:
                _validate_list(wt, j, rows, choices[field], help_text)
            elif field in _DATE_FIELDS:
                wt.data_validation(1, j, rows, j, {
                    "validate": "date", "criteria": "between",
                    "minimum": date(2000, 1, 1),
                    "maximum": date(2100, 12, 31),
                    "input_title": header, "input_message": help_text,
                    "error_title": "请核对", "error_message": "请填写日期，如 2024-09-30。", "error_type": "warning",
                })
            elif help_text:
                wt.data_validation(1, j, rows, j, {
                    "validate": "any", "input_title": header, "input_message": help_text[:255],
                })

    # --- 填表说明 -------------------------------------------------------------
    wh = wb.add_worksheet(HELP_SHEET)
    fmt_h1 = wb.add_format({**font, "bold": True, "font_size": 16})
    fmt_h2 = wb.add_format({**font, "bold": True, "font_size": 12, "bg_color": "#F2DCDB"})
    fmt_p = wb.add_format({**font, "text_wrap": True, "valign": "top"})
    wh.set_column(0, 0, 16)
    wh.set_column(1, 2, 40)
    row = 0

    def line(text: str, fmt: Any = fmt_p) -> None:
        nonlocal row
        wh.merge_range(row, 0, row, 2, text, fmt)
        row += 1

    line("“五星”支部创建月度台账 填表说明", fmt_h1)
    row += 1
    line("一、基本要求", fmt_h2)
    for text in (
        "1. 每月报送一次，一个文件只填一个月份；“报送月份”写成 2024-08 这样的格式。",
        "2. “星级台账”每个村（社区）一行，必填；“任务台账”每项重点任务一行，可选；"
        "“问题清单”每个问题一行，可选；“软弱涣散整顿”每个被认定的村（社区）一行，可选。不用的表可以空着。",
        "3. 不要修改第一行表头，不要合并单元格，不要插入合计行；可以删除不用的列以外的说明。",
        "4. 村（社区）名称与上月保持一致，名称后的“党支部”“党总支”可写可不写。",
        "5. 星级由“已达标”的星个数自动计算，无需另填当前星级。",
        "6. 上传后系统会逐条检查；有错误时整个文件不导入，并列出每个错误所在的单元格和修改方法。",
    ):
        line(text)
    row += 1
    line("二、五颗星的名称（按类型）", fmt_h2)
    write_cell(wh, row, 0, "顺序", fmt_h2)
    write_cell(wh, row, 1, "村的星名", fmt_h2)
    write_cell(wh, row, 2, "社区的星名", fmt_h2)
    row += 1
    for slot in spec.SLOTS:
        write_cell(wh, row, 0, f"第{slot}颗", fmt_p)
        write_cell(wh, row, 1, spec.STAR_NAMES[spec.VILLAGE][slot - 1], fmt_p)
        write_cell(wh, row, 2, spec.STAR_NAMES[spec.COMMUNITY][slot - 1], fmt_p)
        row += 1
    line("星级台账中第 2、3、5 颗星的列名同时写了村和社区的名称，村和社区都填在同一列。")
    row += 1
    line("三、可以填写的内容", fmt_h2)
    rows_help = (
        ("星的状态", "已达标（也可填 达标、已创成、√）；创建中（推进中、△）；未启动（未开始、×）。不要留空，留空按未达标统计并提示。"),
        ("创建目标", "三星、四星、五星（也可填 3、3星、★★★）；未申报可不填。"),
        ("类型", "村 或 社区；不填时按名称末尾的“村”“社区”判断。"),
        ("任务数", "已完成任务数、任务总数填整数；村的重点任务一般 29 项，社区 27 项。"),
        ("软弱涣散", "是 或 否（可不填，视为否）。"),
        ("是否完成", "任务台账中填 是 或 否；已验收的任务可直接填“已验收”（算作完成并验收），已销号的填“已销号”。"
         "“完成时限”“完成时间”填日期，如 2024-09-30。"),
        ("所属星", "任务台账的“所属星”可不填：按星分段的作战图，可在每段上方单独一行只写星名（如“平安法治星”），"
         "其下各行即属于该星；不写星的任务归入“未分星”。"),
        ("专班与验收", "专班人员、领星人、责任单位可不填；“是否验收”填 已验收 或 未验收，验收的任务必须已完成，"
         "否则该行报错。"),
        ("问题清单", "每个问题一行：问题、整改措施、责任人、整改时限、是否销号（未销号/整改中/已销号）、销号时间。"
         "有问题清单时，各村（社区）的未销号问题数按清单统计；星级台账另填了问题数的，以星级台账为准并提示不一致。"
         "整改时限已过仍未销号的问题按逾期统计。"),
        ("软弱涣散整顿", "每个被认定为软弱涣散的村（社区）一行：认定情形、整顿措施、包联领导、认定时间、"
         "整顿状态（整顿中/已销号/已摘帽/巩固提升）、销号时间。有此表时，表中状态不是“已销号”“已摘帽”的村（社区）"
         "计为软弱涣散，其余不计；星级台账“软弱涣散”列与此表不一致时以此表为准并提示。"),
    )
    for label, text in rows_help:
        write_cell(wh, row, 0, label, fmt_p)
        wh.merge_range(row, 1, row, 2, text, fmt_p)
        wh.set_row(row, max(34, 17 * (len(text) // 38 + 1)))  # ~38 Chinese characters a line
        row += 1

    wb.close()
    return buffer.getvalue()


def template_file_name(period: str | None = None, township: str | None = None) -> str:
    """``五星支部创建台账模板_乙镇_2024-08.xlsx``."""
    parts = ["五星支部创建台账模板", township or "", period or ""]
    return "_".join(p for p in parts if p) + ".xlsx"
