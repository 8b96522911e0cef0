"""The sample files' battle-map sheets (battle-map.md): the seed-style 作战图 of 青石镇, the
problem lists and rectification sheets reproduce ``sample_data.battle_map_history()``."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from analytics import sample_data as sd
from tests.test_samples_golden import MANIFEST, staged

PROBLEM_COLS = ("period", "county", "township", "branch", "star_slot", "problem", "measure", "owner", "deadline",
                "closed", "closed_date")
WEAK_COLS = ("period", "county", "township", "branch", "situations", "plan", "liaison", "identified", "state",
             "cleared")


def _key(row: dict[str, Any], cols: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(str(row[c]) for c in cols)


@pytest.mark.slow
def test_problem_lists_and_rectification_sheets_reproduce_their_history() -> None:
    current: dict[tuple[str, date, str, str], tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for entry in MANIFEST:
        if entry["expect"] != "accept" or entry.get("kind") == "register":
            continue
        parsed = staged(entry["file"]).parsed
        assert parsed is not None
        if parsed.kind != "ledger":  # assessment scores and acceptance (cadence.md) have no battle-map rows
            continue
        # A weekly ledger (青石镇 2024-W27 starts on 1 July) is a unit of its own kind: it never
        # replaces the month starting the same day (cadence.md §1).
        kind = parsed.period_kind
        units: dict[tuple[str, date, str, str], tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {
            (kind, parsed.period, c, t): ([], []) for c, t in parsed.scope}
        for r in parsed.problems.to_pylist():
            units[(kind, parsed.period, r["county"], r["township"])][0].append({**r, "period": parsed.period})
        for r in parsed.weak.to_pylist():
            units[(kind, parsed.period, r["county"], r["township"])][1].append({**r, "period": parsed.period})
        current.update(units)  # a later upload replaces the (kind, period, county, township)
    problems, weak = sd.battle_map_history()
    got_p = sorted(_key(r, PROBLEM_COLS) for p, _ in current.values() for r in p)
    got_w = sorted(_key(r, WEAK_COLS) for _, w in current.values() for r in w)
    assert len(got_p) == len(problems) > 100
    assert got_p == sorted(_key(r, PROBLEM_COLS) for r in problems)
    assert got_w == sorted(_key(r, WEAK_COLS) for r in weak)
    # Closed over the months: some items listed open in July are closed by December.
    july = {(r["branch"], r["problem"]) for r in problems if r["period"] == date(2024, 7, 1) and not r["closed"]}
    december = {(r["branch"], r["problem"]) for r in problems if r["period"] == date(2024, 12, 1) and r["closed"]}
    assert july & december
    # One branch cleared during the year, one still being rectified.
    assert {(r["branch"], r["state"], r["cleared"]) for r in weak if r["period"] == date(2024, 12, 1)} == {
        ("纸坊社区", "已摘帽", date(2024, 4, 15)), ("杨家洼村", "整顿中", None)}


def test_seed_style_battle_map_with_heading_rows_team_and_acceptance() -> None:
    parsed = staged("青石镇_2024年8月.xlsx").parsed
    assert parsed is not None
    rows = [r for r in parsed.tasks.to_pylist() if r["branch"] == "杨家洼村"]
    _branches, tasks = sd.history()
    expected = [t for t in tasks if t["branch"] == "杨家洼村" and t["period"] == date(2024, 8, 1)]
    assert sorted((r["star_slot"], r["task"], r["done"]) for r in rows) == sorted(
        (t["star_slot"], t["task"], t["done"]) for t in expected)
    assert all(r["team"] and r["team"].count("、") == 2 for r in rows)
    # 已验收 in the done column = done in an earlier month (done in July already).
    done_in_july = {t["task"] for t in tasks
                    if t["branch"] == "杨家洼村" and t["period"] == date(2024, 7, 1) and t["done"]}
    assert done_in_july
    assert {r["task"] for r in rows if r["accepted"]} == done_in_july
    assert all(r["done"] for r in rows if r["accepted"])
