"""Property tests: whatever the cells hold, parsing ends in a result or a report — never a crash."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics import spec
from analytics.ingest.model import BRANCH_SCHEMA, TASK_SCHEMA, ParsedLedger, ParseFailure
from analytics.ingest.validate import parse_workbook
from tests.ingest.test_parse_helpers import STARS_V, book, sheet

HEADER = ["乡镇（街道）", "村（社区）", *STARS_V, "创建目标", "当前星级", "任务完成率", "已完成任务数", "任务总数", "软弱涣散"]
TASK_HEADER = ["乡镇", "村(社区)", "所属星", "重点任务", "负责人", "完成时限", "是否完成", "完成时间"]

# Cell values a ledger might really hold, mixed with noise.
MARKS = [m for marks in spec.STATUS_MARKS.values() for m in marks]
REAL_VALUES = [
    *MARKS, "三星", "★★★★", "５", "62%", "0.62", "18/29", "29", "2024-08-31", "2024年8月31日", "8月31日",
    "45535", "2024-08-31 00:00:00", "是", "否", "合计", "填表人：张三", "甲镇", "一村", "二社区", "樱桃沟社区党总支",
    "   ", "\u3000", "#N/A", "-1", "1e308", "nan", "=SUM(A1:A3)", "星级台账", "村(社区)",
]
cell = st.one_of(
    st.none(),
    st.sampled_from(REAL_VALUES),
    st.text(max_size=12),
    st.integers(min_value=-10**12, max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


def _rows(header: list[str], n_cols: int) -> st.SearchStrategy[list[list[str | None]]]:
    row = st.lists(cell, min_size=n_cols, max_size=n_cols)
    return st.lists(row, min_size=0, max_size=8).map(lambda body: [list(header), *body])


def _check(result: ParsedLedger | ParseFailure) -> None:
    if isinstance(result, ParseFailure):
        assert result.errors, "a refusal lists at least one problem"
        assert result.errors_total >= len(result.errors)
        for p in result.errors:
            assert p.code.startswith("E_") and p.message
    else:
        assert isinstance(result, ParsedLedger)
        assert result.branches.schema.equals(BRANCH_SCHEMA)
        assert result.tasks.schema.equals(TASK_SCHEMA)
        stars = result.branches.column("stars").to_pylist()
        assert all(s is not None and 0 <= s <= 5 for s in stars)
        assert all(p.code.startswith("W_") for p in result.warnings)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_rows(HEADER, len(HEADER)), title=st.one_of(st.none(), st.text(max_size=30)))
def test_random_cells_in_a_ledger_always_end_in_a_result_or_a_report(rows: list[list[str | None]], title: str | None) -> None:
    grid = ([[title]] if title is not None else []) + rows
    _check(parse_workbook(book(sheet(grid, "B2")), period="2024-08", county="甲县"))


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(ledger=_rows(HEADER, len(HEADER)), tasks=_rows(TASK_HEADER, len(TASK_HEADER)))
def test_random_cells_in_both_sheets_always_end_in_a_result_or_a_report(
    ledger: list[list[str | None]], tasks: list[list[str | None]]
) -> None:
    wb = book(sheet(ledger, "A3"), sheet(tasks, "A1", name="任务台账"), file_name="甲镇_202408.xlsx")
    _check(parse_workbook(wb, county="甲县"))


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(grid=st.lists(st.lists(cell, min_size=0, max_size=6), min_size=0, max_size=10))
def test_random_grids_without_a_known_header_are_refused_cleanly(grid: list[list[str | None]]) -> None:
    _check(parse_workbook(book(sheet(grid, "A1")), period="2024-08", county="甲县"))
