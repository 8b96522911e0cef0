"""Declared goals per unit (register.md §2): exact levels, ≥ counts, gaps, sums, own goals only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analytics import goals, store
from analytics.periods import Period
from analytics.scope import Scope
from analytics.settings import Settings
from tests.analytics.conftest import records, row
from tests.analytics.register_rows import add_goals
from tests.factories import build_store

AUG = Period.parse("2024-08")
COLS = ["unit_level", "county", "township", "level", "goal_source", "declared", "declared_at_least", "reached",
        "reached_at_least", "gap"]

BRANCHES = [
    row("2024-08", "甲镇", "a1", 5), row("2024-08", "甲镇", "a2", 4), row("2024-08", "甲镇", "a3", 4),
    row("2024-08", "甲镇", "a4", 3), row("2024-08", "甲镇", "a5", 2),
    row("2024-08", "乙镇", "b1", 5), row("2024-08", "乙镇", "b2", 3), row("2024-08", "乙镇", "b3", 3),
    row("2024-08", "丙镇", "c1", 4, county="乙县"), row("2024-08", "丙镇", "c2", 3, county="乙县"),
]


def _store(tmp_path: Path, with_goals: bool = True) -> Path:
    path = build_store(tmp_path / "g.duckdb", BRANCHES)
    if with_goals:
        with store.open_store(path) as con:
            # 甲县 has no row of its own: it shows the sum of its townships' goals.
            add_goals(con, "甲县", [("甲镇", 2, 2, 1, "2024-12-31", "2024年底"), ("乙镇", 0, 1, 2, "2025-06-30")])
            # 乙县 has its own row and a township row: the county shows its own.
            add_goals(con, "乙县", [(None, None, 1, 1, "2024-12-31", "2024年底"), ("丙镇", 0, 0, 5, "2024-12-31")])
    return path


def _progress(path: Path, scope: Scope, settings: Settings | None = None) -> list[tuple[Any, ...]]:
    with store.open_store(path, read_only=True) as con:
        return records(goals.goal_progress(con, AUG, scope, settings or Settings({})), COLS)


def test_a_township_shows_its_own_goal_exact_and_at_least(tmp_path: Path) -> None:
    path = _store(tmp_path)
    assert _progress(path, Scope("甲县", "甲镇")) == [
        # declared 2/2/1 exact = 2/4/5 at ≥; reached exactly 1/2/1 = 1/3/4 at ≥
        ("township", "甲县", "甲镇", 5, "own", 2, 2, 1, 1, 1),
        ("township", "甲县", "甲镇", 4, "own", 2, 4, 2, 3, 1),
        ("township", "甲县", "甲镇", 3, "own", 1, 5, 1, 4, 1),
    ]
    # A five-star branch above the declared level covers the four-star goal: no gap at 四星.
    assert _progress(path, Scope("甲县", "乙镇")) == [
        ("township", "甲县", "乙镇", 5, "own", 0, 0, 1, 1, 0),
        ("township", "甲县", "乙镇", 4, "own", 1, 1, 0, 1, 0),
        ("township", "甲县", "乙镇", 3, "own", 2, 3, 2, 3, 0),
    ]


def test_a_county_without_its_own_row_shows_the_sum_of_its_townships(tmp_path: Path) -> None:
    rows = _progress(_store(tmp_path), Scope("甲县"))
    assert rows[:3] == [
        ("county", "甲县", None, 5, "townships", 2, 2, 2, 2, 0),
        ("county", "甲县", None, 4, "townships", 3, 5, 2, 4, 1),
        ("county", "甲县", None, 3, "townships", 3, 8, 3, 7, 1),
    ]
    # Then its townships, in code-point order (乙 U+4E59 before 甲 U+7532).
    assert [r[2] for r in rows[3:]] == ["乙镇"] * 3 + ["甲镇"] * 3


def test_a_county_with_its_own_row_shows_it_not_its_townships_sum(tmp_path: Path) -> None:
    rows = _progress(_store(tmp_path), Scope("乙县"))
    assert rows == [
        ("county", "乙县", None, 5, "own", 0, 0, 0, 0, 0),
        ("county", "乙县", None, 4, "own", 1, 1, 1, 1, 0),
        ("county", "乙县", None, 3, "own", 1, 2, 1, 2, 0),
        ("township", "乙县", "丙镇", 5, "own", 0, 0, 0, 0, 0),
        ("township", "乙县", "丙镇", 4, "own", 0, 0, 1, 1, 0),
        ("township", "乙县", "丙镇", 3, "own", 5, 5, 1, 2, 3),
    ]


def test_the_whole_store_shows_the_sum_of_its_counties(tmp_path: Path) -> None:
    rows = _progress(_store(tmp_path), Scope())
    assert rows[:3] == [
        ("total", None, None, 5, "counties", 2, 2, 2, 2, 0),
        ("total", None, None, 4, "counties", 4, 6, 3, 5, 1),
        ("total", None, None, 3, "counties", 4, 10, 4, 9, 1),
    ]
    # Then one row per county, no townships.
    assert [(r[0], r[1]) for r in rows[3:]] == [("county", "乙县")] * 3 + [("county", "甲县")] * 3


def test_the_840_percent_case_cannot_happen(tmp_path: Path) -> None:
    """district_goals 2/7/5 once showed 三星 42 / 5 = 840 %: the district's numbers at every scope,
    counted as ≥. Now the setting is the whole store's goal of exact levels, and only there."""
    path = _store(tmp_path, with_goals=False)
    old = Settings({"district_goals": {"5": 2, "4": 7, "3": 5}})
    total = _progress(path, Scope(), old)
    assert total[:3] == [
        ("total", None, None, 5, "setting", 2, 2, 2, 2, 0),
        ("total", None, None, 4, "setting", 7, 9, 3, 5, 4),
        # 三星: 5 declared against the 4 branches at exactly three stars (not the 9 at ≥ 三星).
        ("total", None, None, 3, "setting", 5, 14, 4, 9, 5),
    ]
    # A county and a township do not borrow the store's goal.
    assert {r[5] for r in _progress(path, Scope("甲县"), old)} == {None}
    assert {r[5] for r in _progress(path, Scope("甲县", "甲镇"), old)} == {None}
    with store.open_store(path, read_only=True) as con:
        df = goals.goal_progress(con, AUG, Scope(), old)
    assert "district_goals" in (goals.setting_notice(df, old) or "")


def test_a_goals_sheet_replaces_the_setting(tmp_path: Path) -> None:
    old = Settings({"district_goals": {"5": 2, "4": 7, "3": 5}})
    path = _store(tmp_path)
    rows = _progress(path, Scope(), old)
    assert [r[4:6] for r in rows[:3]] == [("counties", 2), ("counties", 4), ("counties", 4)]
    with store.open_store(path, read_only=True) as con:
        df = goals.goal_progress(con, AUG, Scope(), old)
    assert "不再使用" in (goals.setting_notice(df, old) or "")
    assert goals.setting_notice(df, Settings({})) is None


def test_goal_table_has_chinese_headers_and_three_rows_per_unit(tmp_path: Path) -> None:
    with store.open_store(_store(tmp_path), read_only=True) as con:
        table = goals.goal_table(goals.goal_progress(con, AUG, Scope("甲县"), Settings({})))
    assert list(table.columns) == ["单位", "星级", "目标", "现有", "及以上（现有/目标）", "差距", "完成时限"]
    assert list(table["单位"]) == ["甲县（乡镇合计）", "", "", "乙镇", "", "", "甲镇", "", ""]
    # The county's sum of townships with different deadlines: the latest one.
    assert list(table["完成时限"]) == ["最晚 2025-06-30", "", "", "2025-06-30", "", "", "2024年底", "", ""]
    county = table.iloc[:3]
    assert list(county["星级"]) == ["五星", "四星", "三星"]
    assert list(county["目标"]) == [2, 3, 3] and list(county["现有"]) == [2, 2, 3]
    assert list(county["及以上（现有/目标）"]) == ["2/2", "4/5", "7/8"] and list(county["差距"]) == [0, 1, 1]


@pytest.mark.parametrize("scope", [Scope("甲县", "甲镇"), Scope("乙县")])
def test_a_unit_without_goals_shows_none_declared(tmp_path: Path, scope: Scope) -> None:
    rows = _progress(_store(tmp_path, with_goals=False), scope)
    assert rows and {(r[4], r[5], r[9]) for r in rows} == {(None, None, None)}
