"""Golden sample ledgers: every file of sample_uploads/ through the real import pipeline.

Each manifest entry must be accepted or refused with exactly the manifest's
codes; a few files are checked cell by cell; and the accepted files, in
manifest order (a later upload of a (period, county, township) replaces the
earlier one), must reproduce ``analytics.sample_data.history()`` exactly.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from analytics import register
from analytics import sample_data as sd
from analytics.ingest import Staged, stage
from analytics.ingest.register import lookup_table

SAMPLES = Path(__file__).resolve().parents[1] / "sample_uploads"
MANIFEST: list[dict[str, Any]] = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))

_CACHE: dict[str, Staged] = {}
_REGISTERS: dict[str, register.StagedRegister] = {}


def staged_register(name: str) -> register.StagedRegister:
    if name not in _REGISTERS:
        entry = next(e for e in MANIFEST if e["file"] == name)
        _REGISTERS[name] = register.stage((SAMPLES / name).read_bytes(), name, county=entry["county"])
    return _REGISTERS[name]


def register_lookup() -> pa.Table | None:
    """The samples' register (loaded before every ledger, register.md §1) as the ledger import applies it."""
    regs = [staged_register(e["file"]) for e in MANIFEST if e.get("kind") == "register"]
    rows = pa.concat_tables([r.parsed.register for r in regs if r.parsed is not None])
    return lookup_table(*(rows.column(c).combine_chunks() for c in ("county", "township", "branch", "branch_type",
                                                                     "status")))


def staged(name: str) -> Staged:
    """Stage a sample once per test session (reading runs in a sandboxed subprocess)."""
    if name not in _CACHE:
        entry = next(e for e in MANIFEST if e["file"] == name)
        _CACHE[name] = stage((SAMPLES / name).read_bytes(), name, period=entry["period"], county=entry["county"],
                             register=register_lookup())
    return _CACHE[name]


def branch(name: str, branch_name: str) -> dict[str, Any]:
    s = staged(name)
    assert s.parsed is not None, [str(p) for p in s.errors]
    rows = [r for r in s.parsed.branches.to_pylist() if r["branch"] == branch_name]
    assert len(rows) == 1, branch_name
    return rows[0]


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_manifest_outcome(entry: dict[str, Any]) -> None:
    if entry.get("kind") == "register":
        r = staged_register(entry["file"])
        assert r.ok, [str(p) for p in r.errors]
        assert sorted({p.code for p in r.warnings}) == entry["codes"], [str(p) for p in r.warnings]
        return
    s = staged(entry["file"])
    if entry["expect"] == "accept":
        assert s.ok, [str(p) for p in s.errors]
        assert sorted({p.code for p in s.warnings}) == entry["codes"], [str(p) for p in s.warnings]
    else:
        assert not s.ok
        assert s.parsed is None
        assert sorted({p.code for p in s.errors}) == entry["codes"], [str(p) for p in s.errors]
        assert all(p.message for p in s.errors)


def test_titled_two_level_header_file() -> None:
    # 青石镇_2024年8月.xlsx: period and county only in the merged title; 柿子湾村 written “柿　子　湾村”
    s = staged("青石镇_2024年8月.xlsx")
    assert s.period == "2024-08"
    assert s.scope == [("望川区", "青石镇")]
    assert s.parsed is not None
    assert s.parsed.branches.num_rows == 11  # the 合计 row and the footer are not branches
    assert s.parsed.tasks.num_rows == 10 * 29 + 27
    r = branch("青石镇_2024年8月.xlsx", "柿子湾村")  # row: √ √ × △ ×, target blank, 22 of 29 tasks
    assert (r["county"], r["township"], r["branch_type"], r["target_stars"]) == ("望川区", "青石镇", "村", None)
    assert [r[f"star_{k}"] for k in range(1, 6)] == ["achieved", "achieved", "not_started", "in_progress",
                                                       "not_started"]
    assert (r["stars"], r["tasks_done"], r["tasks_total"], r["weak"]) == (2, 22, 29, False)
    assert branch("青石镇_2024年8月.xlsx", "青石铺村")["branch"] == "青石铺村"  # “青石铺村党支部”
    assert branch("青石镇_2024年8月.xlsx", "杨家洼村")["weak"] is True


def test_combined_header_file_with_a_blank_star() -> None:
    # 桂香街道五星台账（十月）.xlsx: 芳溪社区 ★★★★★ | ★ (blank) ★ ★ ★ | 74.07% of 27 tasks
    name = "桂香街道五星台账（十月）.xlsx"
    assert staged(name).period == "2024-10"
    r = branch(name, "芳溪社区")
    assert (r["county"], r["branch_type"], r["target_stars"]) == ("望川区", "社区", 5)
    assert [r[f"star_{k}"] for k in range(1, 6)] == ["achieved", None, "achieved", "achieved", "achieved"]
    assert (r["stars"], r["tasks_done"], r["tasks_total"]) == (4, 20, 27)
    [warning] = staged(name).warnings
    assert (warning.code, warning.row) == ("W_BLANK_STAR", 7)


def test_gbk_csv_with_uploader_period_and_county() -> None:
    # 石槽乡五星台账_7月.csv: 石槽村,5星,已达标×5,29,29
    name = "石槽乡五星台账_7月.csv"
    assert staged(name).period == "2024-07"
    r = branch(name, "石槽村")
    assert (r["county"], r["township"], r["target_stars"], r["stars"], r["tasks_done"], r["tasks_total"]) == \
        ("东篱县", "石槽乡", 5, 5, 29, 29)


def test_full_width_names_and_suffixes_are_normalized() -> None:
    names = {r["branch"] for r in staged("砚池街道2024年9月五星台账.xlsx").parsed.branches.to_pylist()}  # type: ignore[union-attr]
    assert "桐荫里1号社区" in names  # written “桐荫里１号社区党总支”
    assert "墨香社区" in names  # written “墨香社区党总支”
    assert not any(n.endswith(("党总支", "党支部")) for n in names)


def test_title_period_beats_file_name() -> None:
    s = staged("凤栖街道_202410_副本.xlsx")
    assert s.period == "2024-11"
    assert [p.code for p in s.warnings] == ["W_PERIOD_CONFLICT"]


def test_refusals_point_at_the_cell() -> None:
    [p] = staged("拒收示例_星级状态无法识别_202409.xlsx").errors
    assert (p.code, p.sheet, p.row, p.column, p.value) == ("E_VALUE", "星级台账", 4, "I", "半达标")
    [p] = staged("拒收示例_创建目标错误_202409.xlsx").errors
    assert (p.code, p.sheet, p.row, p.column, p.value) == ("E_VALUE", "星级台账", 3, "F", "六星")
    dup = staged("拒收示例_支部重复_202409.xlsx").errors
    assert [p.code for p in dup] == ["E_DUPLICATE"]
    assert "荷塘村" in (dup[0].value or "") + dup[0].message


def _key(row: dict[str, Any], cols: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(row[c] for c in cols)


BRANCH_COLS = ("period", "county", "township", "branch", "branch_type", "target_stars", "star_1", "star_2", "star_3",
               "star_4", "star_5", "stars", "tasks_done", "tasks_total", "open_problems", "weak", "secretary")
TASK_COLS = ("period", "county", "township", "branch", "star_slot", "task", "measure", "owner", "deadline", "done",
             "done_date")


@pytest.mark.slow
def test_accepted_samples_reproduce_history() -> None:
    current: dict[tuple[str, date, str, str], tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for entry in MANIFEST:
        if entry["expect"] != "accept" or entry.get("kind") == "register":
            continue
        parsed = staged(entry["file"]).parsed
        assert parsed is not None
        units: dict[tuple[str, date, str, str], tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
        kind = parsed.period_kind  # a weekly ledger is a unit of its own kind (cadence.md §1)
        for r in parsed.branches.to_pylist():
            units.setdefault((kind, parsed.period, r["county"], r["township"]), ([], []))[0].append(
                {**r, "period": parsed.period})
        for r in parsed.tasks.to_pylist():
            units.setdefault((kind, parsed.period, r["county"], r["township"]), ([], []))[1].append(
                {**r, "period": parsed.period})
        current.update(units)  # a later upload replaces the (kind, period, county, township)
    weekly = {k: v for k, v in current.items() if k[0] == "week"}
    current = {k: v for k, v in current.items() if k[0] == "month"}
    # 青石镇's weekly reports of 2024Q3 (W27–W39): every week whose Sunday falls in July–September.
    assert sorted({k[1] for k in weekly}) == [date(2024, 7, 1) + timedelta(weeks=i) for i in range(13)]
    week_cols = tuple(c for c in BRANCH_COLS if c != "secretary")
    assert sorted(_key(r, week_cols) for b, _ in weekly.values() for r in b) == sorted(
        _key(r, week_cols) for r in sd.weekly_history())
    branches, tasks = sd.history()
    got_b = sorted(_key(r, BRANCH_COLS) for b, _ in current.values() for r in b)
    got_t = sorted(_key(r, TASK_COLS) for _, t in current.values() for r in t)
    assert len(got_b) == len(branches) == 812
    assert len(got_t) == len(tasks)
    assert got_b == sorted(_key(r, BRANCH_COLS) for r in branches)
    assert got_t == sorted(_key(r, TASK_COLS) for r in tasks)


def test_golden_register_with_title_merged_header_and_goals() -> None:
    # 东篱县支部名册（2024年）.xlsx: county only in the merged title, 负责人员 over three columns,
    # township cells merged down, 党支部/党总支 suffixes, 农村/城市社区, a 注 footer; 创建目标 as text.
    r = staged_register("东篱县支部名册（2024年）.xlsx")
    assert r.ok and r.parsed is not None, [str(p) for p in r.errors]
    rows = {x["branch"]: x for x in r.parsed.register.to_pylist()}
    # Every ledger branch of the county, and a registered township that never submits.
    assert len(rows) == sum(len(b) for c, _t, b in sd.DISTRICT if c == sd.D) + len(sd.SILENT_BRANCHES)
    assert {rows[b]["township"] for b in sd.SILENT_BRANCHES} == {sd.SILENT_TOWNSHIP}
    assert rows["梧桐社区"]["branch_type"] == "村"  # a 社区 on the village star set
    assert rows["凤栖社区"]["branch_type"] == "社区"
    assert rows["石槽村"]["township"] == "石槽乡"  # carried down the merged township cell
    assert rows["柳塘村"]["county"] == "东篱县" and rows["柳塘村"]["status"] == "在册"
    assert all(x["liaison"] and x["team"] and x["secretary"] for b, x in rows.items() if b not in sd.SILENT_BRANCHES)
    goals = {x["township"]: (x["goal_5"], x["goal_4"], x["goal_3"], x["due"]) for x in r.parsed.goals.to_pylist()}
    assert goals[None] == (2, 7, 5, date(2024, 12, 31))
    assert goals["石槽乡"] == (None, 2, 1, date(2024, 12, 31))


def test_village_set_community_stays_village_in_every_month() -> None:
    # With the register applied, 梧桐社区 is 村 in every month's ledger (none states its type).
    for entry in MANIFEST:
        if entry["expect"] == "accept" and entry.get("kind") != "register" and "凤栖街道" in entry["file"]:
            assert branch(entry["file"], "梧桐社区")["branch_type"] == "村", entry["file"]
