"""Weekly assessment scores (cadence.md §1–§2): a score sheet's period may be a week, written in
any of the ledgers' week forms; its units are of kind assessment_week and its total counts in
the week's score."""

from __future__ import annotations

from datetime import date

from analytics.ingest.cadence import PERIOD_READERS, find_in_text, read_cell
from tests.ingest.test_cadence_uploads import Q3_ROWS, _parse, xlsx


def test_a_score_sheet_titled_with_a_week_is_a_weekly_assessment() -> None:
    staged = _parse(xlsx(Q3_ROWS, "甲县2024年第35周“五星”支部创建考核评分表"))
    assert staged.ok, [str(p) for p in staged.errors]
    parsed = staged.parsed
    assert parsed is not None
    assert (parsed.period_kind, parsed.period, parsed.unit_kind, staged.period) == (
        "week", date(2024, 8, 26), "assessment_week", "2024-W35")


def test_week_forms_read_before_months_and_quarters() -> None:
    # A Monday–Sunday day range is that week, not August.
    assert read_cell(PERIOD_READERS, "2024年8月19日至25日").start() == date(2024, 8, 19)
    assert read_cell(PERIOD_READERS, "2024-W01").start() == date(2024, 1, 1)
    # ISO weeks across the year end: 2025-W01 starts on 30 December 2024.
    assert read_cell(PERIOD_READERS, "2025-W01").start() == date(2024, 12, 30)
    assert find_in_text(PERIOD_READERS, "甲县2024年8月第4周考核评分").start() == date(2024, 8, 19)
    # Months and quarters as before.
    assert read_cell(PERIOD_READERS, "2024年8月").kind == "month"
    assert find_in_text(PERIOD_READERS, "甲县2024年第三季度考核").kind == "quarter"


def test_a_score_range_that_is_not_one_week_is_refused_with_the_period_cell() -> None:
    with_col = [[*Q3_ROWS[0], "考核期间"], *[[*r, "2024年8月19日至28日"] for r in Q3_ROWS[1:]]]
    staged = _parse(xlsx(with_col, "甲县考核评分"))
    assert not staged.ok
    cells = [(p.code, p.cell) for p in staged.errors if p.code == "E_VALUE"]
    assert cells == [("E_VALUE", "考核评分!K3"), ("E_VALUE", "考核评分!K4"), ("E_VALUE", "考核评分!K5")]
    assert "不是完整的一周" in staged.errors[-1].message
