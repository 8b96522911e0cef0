"""Property tests for the battle-map sheets (battle-map.md): whatever the cells of a seed-style
作战图, a problem list and a rectification sheet hold, parsing ends in a result or a report."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics import spec
from analytics.ingest.model import PROBLEM_SCHEMA, WEAK_SCHEMA, ParsedLedger
from analytics.ingest.validate import parse_workbook
from tests.ingest.test_parse_fuzz import HEADER, REAL_VALUES, _check, _rows
from tests.ingest.test_parse_helpers import book, sheet

SEED_HEADER = ["乡镇", "村(社区)", "专班人员", "领星人", "重点任务", "负责人", "时间节点", "是否完成", "是否验收",
               "验收时间"]
PROBLEM_HEADER = ["乡镇", "村(社区)", "所属星", "问题", "责任人", "整改时限", "是否销号", "销号时间"]
WEAK_HEADER = ["乡镇", "村(社区)", "认定情形", "包联领导", "认定时间", "整顿状态", "销号时间"]
NEW_VALUES = [
    "已验收", "已销号", "未验收", "通过", "整改中", "已整改", "未销号", "整顿中", "已摘帽", "巩固提升",
    "一、支部过硬星", "平安法治星", "产业兴旺星（共建共享星）", *spec.STAR_NAMES[spec.VILLAGE],
]
cell = st.one_of(st.none(), st.sampled_from(REAL_VALUES + NEW_VALUES), st.text(max_size=8))


def _grid(header: list[str]) -> st.SearchStrategy[list[list[str | None]]]:
    row = st.lists(cell, min_size=len(header), max_size=len(header))
    # Some rows hold a single cell only: a possible star heading.
    single = cell.map(lambda v: [v])
    return st.lists(st.one_of(row, single), min_size=0, max_size=8).map(lambda body: [list(header), *body])


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(ledger=_rows(HEADER, len(HEADER)), tasks=_grid(SEED_HEADER), problems=_grid(PROBLEM_HEADER),
       weak=_grid(WEAK_HEADER))
def test_random_cells_in_the_battle_map_sheets_end_in_a_result_or_a_report(
    ledger: list[list[str | None]], tasks: list[list[str | None]], problems: list[list[str | None]],
    weak: list[list[str | None]],
) -> None:
    wb = book(sheet(ledger, "A1"), sheet(tasks, "A2", name="作战图"), sheet(problems, "A1", name="问题清单"),
              sheet(weak, "B1", name="整顿"), file_name="甲镇_202408.xlsx")
    result = parse_workbook(wb, county="甲县")
    _check(result)
    if isinstance(result, ParsedLedger):
        assert result.problems.schema.equals(PROBLEM_SCHEMA)
        assert result.weak.schema.equals(WEAK_SCHEMA)
        tasks_table = result.tasks.to_pylist()
        # Never accepted without done; every star is a slot or NULL.
        assert all(t["done"] for t in tasks_table if t["accepted"])
        assert all(t["star_slot"] in (None, 1, 2, 3, 4, 5) for t in tasks_table)
        assert all(s in spec.WEAK_STATES for s in result.weak.column("state").to_pylist())
