"""B4 未报送 by the expected townships (register.md §3): a registered township that never
submitted is listed; without a register, a township present in either of the two previous periods."""

from __future__ import annotations

from pathlib import Path

from analytics import flags, store
from analytics.periods import Period
from analytics.scope import Scope
from analytics.settings import Settings
from tests.analytics.conftest import records, row
from tests.analytics.register_rows import add_register
from tests.factories import build_store

AUG = Period.parse("2024-08")


def _b4(path: Path, scope: Scope | None = None) -> list[tuple[object, ...]]:
    scope = scope or Scope()
    with store.open_store(path, read_only=True) as con:
        black = flags.black_list(con, AUG, scope, Settings({}))
        heads = flags.list_heads(con, AUG, scope, Settings({}), 50).black.rows
    got = [r for r in records(black, ["county", "township", "branch", "reason_text"]) if r[2] is None]
    # The 简报's heads list the same township-level entries.
    assert [r for r in records(heads, ["county", "township", "branch", "reason_text"]) if r[2] is None] == got
    return got


def test_a_registered_township_that_never_submitted_is_listed(tmp_path: Path) -> None:
    path = build_store(tmp_path / "s.duckdb", [
        row("2024-07", "甲镇", "a1", 3), row("2024-08", "甲镇", "a1", 3),
    ])
    assert _b4(path) == []  # without a register nobody expects 乙镇
    with store.open_store(path) as con:
        add_register(con, "甲县", [("甲镇", "a1"), ("乙镇", "b1"), ("丙镇", "c1", "撤并")])
    assert _b4(path) == [("甲县", "乙镇", None, "已列入支部名册，本月全乡镇未报送")]
    assert _b4(path, Scope("甲县", "甲镇")) == []
    assert _b4(path, Scope("甲县", "乙镇")) == [("甲县", "乙镇", None, "已列入支部名册，本月全乡镇未报送")]
    # A 村 register entry is not expected under the 社区 filter.
    assert _b4(path, Scope(branch_type="社区")) == []


def test_present_the_period_before_keeps_its_own_text_once(tmp_path: Path) -> None:
    path = build_store(tmp_path / "s.duckdb", [
        row("2024-07", "甲镇", "a1", 3), row("2024-07", "乙镇", "b1", 3), row("2024-08", "甲镇", "a1", 3),
    ])
    with store.open_store(path) as con:
        add_register(con, "甲县", [("甲镇", "a1"), ("乙镇", "b1")])
    assert _b4(path) == [("甲县", "乙镇", None, "上月已报送，本月全乡镇未报送")]


def test_without_a_register_a_township_of_the_month_before_last_is_expected(tmp_path: Path) -> None:
    path = build_store(tmp_path / "s.duckdb", [
        row("2024-06", "甲镇", "a1", 3), row("2024-06", "乙镇", "b1", 3), row("2024-05", "丙镇", "c1", 3),
        row("2024-07", "甲镇", "a1", 3), row("2024-08", "甲镇", "a1", 3),
    ])
    # 乙镇 was present in June, not in July or August; 丙镇 only in May (three months before).
    assert _b4(path) == [("甲县", "乙镇", None, "上上月已报送，上月、本月全乡镇未报送")]
