"""Warm the validator up while the reader works (the command line's first file).

The first validation in a process pays ~40–50 ms of one-time costs (pyarrow
compute kernels, regular expressions, header caches) on top of the work itself.
``python -m analytics ingest`` waits ~0.3 s for the sandboxed reader after its
imports; validating a one-branch ledger in the standard template's layout then
moves those costs off the critical path. Nothing is written.
"""

from __future__ import annotations

import pyarrow as pa

from analytics import spec
from analytics.ingest._worker import column_letter
from analytics.ingest.model import RawSheet, RawWorkbook
from analytics.settings import Settings

_DONE = False

# One example row per sheet, by template field (analytics/template.py); None = empty cell.
_LEDGER_ROW = {
    "seq": "1", "county": "示例县", "township": "示例镇", "branch": "示例村", "branch_type": "村",
    "target_stars": "三星", "star_1": "已达标", "star_2": "创建中", "star_3": "未启动", "star_4": "√",
    "star_5": "×", "tasks_done": "10", "tasks_total": "29", "open_problems": "0", "weak": "否",
    "secretary": "张三", "period": "2024-08",
}
_TASK_ROW = {
    "seq": "1", "county": "示例县", "township": "示例镇", "branch": "示例村",
    "star": spec.STAR_NAMES[spec.VILLAGE][0], "task": "示例任务", "owner": "李四",
    "deadline": "2024-08-31 00:00:00", "done": "是",
}


def example_workbook() -> RawWorkbook:
    """A one-branch ledger (星级台账 + 任务台账) in the template's columns, as the reader returns it."""
    from analytics import template

    def sheet(name: str, columns: tuple[tuple[str, str, int, str], ...], row: dict[str, str]) -> RawSheet:
        cells = {column_letter(i): pa.array([header, row.get(field)], pa.string())
                 for i, (header, field, _, _) in enumerate(columns)}
        return RawSheet(name, pa.table(cells))

    return RawWorkbook("示例台账.xlsx", "xlsx", [
        sheet(spec.LEDGER_SHEET_NAME, template.LEDGER_COLUMNS, _LEDGER_ROW),
        sheet(spec.TASK_SHEET_NAME, template.TASK_COLUMNS, _TASK_ROW),
    ])


def warm_up_validation(settings: Settings) -> None:
    """Validate ``example_workbook()`` once per process (no-op afterwards)."""
    global _DONE
    if _DONE:
        return
    _DONE = True
    from analytics.ingest import stage

    stage(b"", "示例台账.xlsx", settings=settings, workbook=example_workbook())
