"""The deterministic sample-data generator: reproducible files and an invented history
in which every metric of shared/spec/metrics.md has something to show."""

from __future__ import annotations

import calendar
import json
import zipfile
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from analytics import sample_data as sd
from analytics import spec

REPO_SAMPLES = Path(__file__).resolve().parents[1] / "sample_uploads"

AUG, SEP = date(2024, 8, 1), date(2024, 9, 1)
Q2, Q3 = (date(2024, 4, 1), date(2024, 5, 1), date(2024, 6, 1)), (date(2024, 7, 1), AUG, SEP)

# Real places (and real famous villages) that must never appear in invented names.
DENY = ("杏花村", "华西村", "南街村", "小岗村", "大寨", "西柏坡", "韶山", "井冈山", "延安", "樱桃沟", "龙泉",
        "刘庄", "竹林", "周庄", "乌镇", "宏村", "西递", "卧龙", "兰亭", "花溪", "翠屏", "柳河", "稻香",
        "郑州", "开封", "洛阳", "二七区", "中原区", "金水区", "管城", "惠济", "上街", "中牟", "新郑", "登封",
        "巩义", "荥阳", "新密", "兰考", "林州", "红旗渠", "固始", "信阳", "南阳", "安阳", "鹤壁", "新乡",
        "焦作", "濮阳", "许昌", "漯河", "三门峡", "商丘", "周口", "驻马店", "济源", "平顶山")


@pytest.fixture(scope="module")
def hist() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return sd.history()


@pytest.fixture(scope="module")
def by_month(hist) -> dict[date, dict[tuple[str, str, str], dict[str, Any]]]:
    out: dict[date, dict[tuple[str, str, str], dict[str, Any]]] = defaultdict(dict)
    for r in hist[0]:
        out[r["period"]][(r["county"], r["township"], r["branch"])] = r
    return out


def _score(r: dict[str, Any]) -> float:
    rate = r["tasks_done"] / r["tasks_total"] if r["tasks_total"] else 0.0
    return 60 * r["stars"] / 5 + 40 * rate


def _attained(r: dict[str, Any]) -> bool:
    return r["target_stars"] is not None and r["stars"] >= r["target_stars"]


def _month_end(month: date) -> date:
    return date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])


def _snapshot(by_month, months) -> dict[tuple[str, str, str], dict[str, Any]]:
    """A quarter: each branch's latest month inside it."""
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for m in months:
        out.update(by_month.get(m, {}))
    return out


# --------------------------------------------------------------------------- determinism


def test_write_samples_is_byte_for_byte_reproducible(tmp_path: Path) -> None:
    a = sd.write_samples(tmp_path / "a")
    b = sd.write_samples(tmp_path / "b")
    assert a == b
    names_a = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names_a == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert names_a == sorted([e["file"] for e in a] + ["manifest.json", "README.md"])
    for name in names_a:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    # the committed sample_uploads/ is exactly what the generator writes (nobody edited it by hand)
    committed = sorted(p.name for p in REPO_SAMPLES.iterdir())
    assert committed == names_a
    for name in names_a:
        assert (REPO_SAMPLES / name).read_bytes() == (tmp_path / "a" / name).read_bytes(), name
    assert json.loads((tmp_path / "a" / "manifest.json").read_text(encoding="utf-8")) == a


def test_xlsx_files_carry_fixed_dates(tmp_path: Path) -> None:
    sd.write_samples(tmp_path)
    with zipfile.ZipFile(tmp_path / "青石镇_2024年8月.xlsx") as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
    assert "2024-12-31T09:00:00Z" in core


def test_sample_folder_is_small_and_manifest_is_well_formed() -> None:
    manifest = json.loads((REPO_SAMPLES / "manifest.json").read_text(encoding="utf-8"))
    total = sum(p.stat().st_size for p in REPO_SAMPLES.iterdir())
    assert total < 3 * 1024 * 1024
    base = {"codes", "county", "expect", "file", "note", "period"}
    # A register workbook (register.md) is marked "kind": "register"; a ledger has no kind.
    assert all(set(e) == base or (set(e) == base | {"kind"} and e["kind"] == "register") for e in manifest)
    assert [e["kind"] for e in manifest if "kind" in e] == ["register"]
    assert manifest[0].get("kind") == "register"  # loaded before every ledger
    for e in manifest:
        assert (REPO_SAMPLES / e["file"]).is_file()
        assert e["expect"] in ("accept", "refuse")
        assert e["period"] is None or (len(e["period"]) == 7 and e["period"][4] == "-")
        assert e["note"]
        assert all(c.startswith("E_" if e["expect"] == "refuse" else "W_") for c in e["codes"])
        assert e["expect"] == "accept" or e["codes"]
    kinds = {Path(e["file"]).suffix for e in manifest}
    assert kinds == {".xlsx", ".xls", ".csv"}
    refused_codes = {c for e in manifest if e["expect"] == "refuse" for c in e["codes"]}
    assert refused_codes == {"E_VALUE", "E_DUPLICATE", "E_MISSING_COLUMN", "E_PERIOD", "E_COUNTY", "E_FILE",
                             "E_NO_LEDGER"}
    # accepted files come first, in month order
    expects = [e["expect"] for e in manifest]
    assert expects == sorted(expects)


def test_csv_encodings() -> None:
    gbk = (REPO_SAMPLES / "石槽乡五星台账_8月.csv").read_bytes()
    assert gbk.decode("gbk").startswith("乡镇,村名,创建目标,支部过硬星")
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    bom = (REPO_SAMPLES / "麦丰镇_2024-08.csv").read_bytes()
    assert bom.startswith(b"\xef\xbb\xbf")
    assert bom.decode("utf-8-sig").startswith("县区,乡镇,村(社区)")


def test_formula_column_has_cached_values() -> None:
    with zipfile.ZipFile(REPO_SAMPLES / "凤栖街道_202408.xlsx") as zf:
        xml = zf.read("xl/worksheets/sheet1.xml").decode()
    assert '<f>COUNTIF(E3:I3,"已达标")</f><v>3</v>' in xml


# --------------------------------------------------------------------------- the invented district


def test_district_shape(hist, by_month) -> None:
    branches, tasks = hist
    assert sorted(by_month) == list(sd.MONTHS) == [date(2024, m, 1) for m in range(1, 13)]
    keys = {(r["county"], r["township"], r["branch"]) for r in branches}
    counties = {k[0] for k in keys}
    townships = {k[:2] for k in keys}
    assert len(counties) == 2
    assert len(townships) == 8
    assert len(keys) == 69
    assert {t[1][-2:] for t in townships} >= {"街道"} and any(t[1][-1] in "镇乡" for t in townships)
    assert {r["branch_type"] for r in branches} == {"村", "社区"}
    for r in branches:
        # register.md: 梧桐社区 works to the village star set (its county's register says 村).
        village_set = (r["county"], r["township"], r["branch"]) in sd.VILLAGE_SET_COMMUNITIES
        assert r["branch_type"] == ("社区" if r["branch"].endswith("社区") and not village_set else "村")
    streets = [k for k in keys if k[1].endswith("街道")]
    assert sum(k[2].endswith("社区") for k in streets) > len(streets) / 2  # streets are mostly 社区
    assert {r["target_stars"] for r in branches} == {3, 4, 5, None}
    assert {(r["county"], r["township"]) for r in tasks} == set(sd.BATTLE_MAP_TOWNSHIPS)


def test_year_one_pyramid_rises(by_month) -> None:
    jan = list(by_month[date(2024, 1, 1)].values())
    dec = list(by_month[date(2024, 12, 1)].values())
    n = len(jan)
    share = {lv: sum(r["stars"] == lv for r in jan) / n for lv in (5, 4, 3)}
    assert 0.02 <= share[5] <= 0.035
    assert 0.08 <= share[4] <= 0.13
    assert 0.25 <= share[3] <= 0.35
    assert sum(r["stars"] >= 3 for r in dec) > sum(r["stars"] >= 3 for r in jan)
    assert sum(r["stars"] == 5 for r in dec) > sum(r["stars"] == 5 for r in jan)


def test_statuses_and_tasks_are_consistent(hist) -> None:
    branches, tasks = hist
    blanks = []
    for r in branches:
        slots = [r[f"star_{k}"] for k in spec.SLOTS]
        assert set(slots) <= {*spec.STATUS_CODES, None}
        assert r["stars"] == slots.count(spec.ACHIEVED)
        assert r["tasks_total"] == spec.DEFAULT_TASKS_TOTAL[r["branch_type"]]
        assert 0 <= r["tasks_done"] <= r["tasks_total"]
        if None in slots:
            blanks.append((r["branch"], r["period"]))
    assert blanks == [("芳溪社区", date(2024, 10, 1))]
    per_branch_month: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for t in tasks:
        per_branch_month[(t["period"], t["county"], t["township"], t["branch"])].append(t)
        assert (t["done_date"] is not None) == t["done"]
        if t["done"]:
            assert t["done_date"] <= _month_end(t["period"])  # done by the end of the reported month
    for r in branches:
        key = (r["period"], r["county"], r["township"], r["branch"])
        if (r["county"], r["township"]) in sd.BATTLE_MAP_TOWNSHIPS:
            rows = per_branch_month[key]
            assert len(rows) == r["tasks_total"]
            assert sum(t["done"] for t in rows) == r["tasks_done"]
    weak_jan = {r["branch"] for r in branches if r["period"] == date(2024, 1, 1) and r["weak"]}
    weak_dec = {r["branch"] for r in branches if r["period"] == date(2024, 12, 1) and r["weak"]}
    assert weak_jan - weak_dec and weak_jan & weak_dec  # some branches shed the label, some keep it


# --------------------------------------------------------------------------- every metric shows something


def _rise_and_fall(prev, cur) -> tuple[set, set]:
    both = prev.keys() & cur.keys()
    return ({k for k in both if cur[k]["stars"] > prev[k]["stars"]},
            {k for k in both if cur[k]["stars"] < prev[k]["stars"]})


def test_r3_b2_rise_and_fall_in_september_and_q3(by_month) -> None:
    up, down = _rise_and_fall(by_month[AUG], by_month[SEP])
    assert sd.SCENARIOS["R4_reached"] in up
    assert sd.SCENARIOS["B2_dropped"] in down
    up_q, down_q = _rise_and_fall(_snapshot(by_month, Q2), _snapshot(by_month, Q3))
    assert up_q and sd.SCENARIOS["B2_dropped"] in down_q
    up_aug, down_aug = _rise_and_fall(by_month[date(2024, 7, 1)], by_month[AUG])
    assert up_aug
    assert down_aug == {sd.SCENARIOS["B2_august"]}


def test_r4_target_reached(by_month) -> None:
    def reached(prev, cur):
        return {k for k in prev.keys() & cur.keys() if _attained(cur[k]) and not _attained(prev[k])}

    assert sd.SCENARIOS["R4_reached"] in reached(by_month[AUG], by_month[SEP])
    assert sd.SCENARIOS["R4_reached"] in reached(_snapshot(by_month, Q2), _snapshot(by_month, Q3))
    x = by_month[SEP][sd.SCENARIOS["R4_reached"]]
    assert (x["target_stars"], x["stars"], by_month[AUG][sd.SCENARIOS["R4_reached"]]["stars"]) == (4, 4, 3)


def test_b4_missing_township_branch_and_quarter(by_month) -> None:
    def townships(month):
        return {k[:2] for k in by_month[month]}

    assert townships(date(2024, 7, 1)) - townships(AUG) == {sd.SCENARIOS["B4_township"]}
    assert sd.SCENARIOS["B4_township"] in townships(SEP)
    missing = {k for k in by_month[AUG].keys() - by_month[SEP].keys()}
    assert missing == {sd.SCENARIOS["B4_branch"]}
    assert sd.SCENARIOS["B4_branch"][:2] in townships(SEP)  # a branch entry: its township did report
    assert sd.SCENARIOS["B4_branch"] in by_month[date(2024, 10, 1)]
    q_missing = _snapshot(by_month, Q2).keys() - _snapshot(by_month, Q3).keys()
    assert q_missing == {sd.SCENARIOS["B4_quarter"]}


def test_b5_stagnation(by_month) -> None:
    def stagnant(end: int) -> set:
        months = [date(2024, m, 1) for m in (end - 2, end - 1, end)]
        out = set()
        for k, r in by_month[months[-1]].items():
            rows = [by_month[m].get(k) for m in months]
            if all(rows) and len({(x["stars"], x["tasks_done"]) for x in rows}) == 1 and not _attained(r):
                out.add(k)
        return out

    assert sd.SCENARIOS["B5_stagnant"] in stagnant(8)
    assert sd.SCENARIOS["B5_stagnant"] in stagnant(9)


def test_b3_overdue(hist) -> None:
    _, tasks = hist
    overdue: dict[tuple[date, tuple[str, str, str]], int] = defaultdict(int)
    for t in tasks:
        if not t["done"] and t["deadline"] <= _month_end(t["period"]):
            overdue[(t["period"], (t["county"], t["township"], t["branch"]))] += 1
    assert overdue[(AUG, sd.SCENARIOS["B3_overdue"])] >= 3
    assert overdue[(SEP, sd.SCENARIOS["B3_overdue"])] >= 3
    assert sum(1 for v in overdue.values() if v >= 3) > 2


def test_score_ties_at_top_and_bottom_of_a_township(by_month) -> None:
    county, township = sd.SCENARIOS["tie_township"]
    for month in (AUG, SEP):
        rows = {k[2]: _score(r) for k, r in by_month[month].items() if k[:2] == (county, township)}
        top, bottom = max(rows.values()), min(rows.values())
        assert {b for b, s in rows.items() if s == top} == set(sd.SCENARIOS["tie_top"])
        assert {b for b, s in rows.items() if s == bottom} == set(sd.SCENARIOS["tie_bottom"])
        assert len(rows) >= 3


def test_small_township_has_two_branches(by_month) -> None:
    for month in (AUG, SEP):
        assert sum(1 for k in by_month[month] if k[:2] == sd.SCENARIOS["small_township"]) == 2


def test_names_are_invented(hist) -> None:
    branches, _ = hist
    names = {n for r in branches for n in (r["county"], r["township"], r["branch"])}
    names |= {p for r in branches for p in (r["secretary"],)}
    for name in names:
        for real in DENY:
            assert real not in name, (name, real)


# --------------------------------------------------------------------------- benchmark ledgers


def test_scale_ledger_small(tmp_path: Path) -> None:
    path = tmp_path / "scale.xlsx"
    info = sd.write_scale_ledger(path, 30, tasks_per_branch=3, seed=1)
    assert (info["branches"], info["tasks"], info["townships"], info["counties"]) == (30, 90, 2, 1)
    wb = CalamineWorkbook.from_path(str(path))
    assert wb.sheet_names == ["星级台账", "任务台账"]
    ledger = wb.get_sheet_by_name("星级台账").to_python()
    tasks = wb.get_sheet_by_name("任务台账").to_python()
    assert len(ledger) == 31 and len(tasks) == 91
    assert ledger[0][:4] == ["县(市、区)", "乡镇(街道)", "村(社区)", "创建目标"]
    assert len({(r[1], r[2]) for r in ledger[1:]}) == 30  # unique branches
    assert {r[-1] for r in ledger[1:]} == {"2024-08"}
    from analytics.ingest import stage

    staged = stage(path.read_bytes(), path.name)
    assert staged.ok, [str(p) for p in staged.errors]
    assert staged.parsed is not None
    assert (staged.parsed.branches.num_rows, staged.parsed.tasks.num_rows) == (30, 90)


def test_write_samples_removes_files_it_no_longer_generates(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps([{"file": "旧文件.xlsx"}]), encoding="utf-8")
    (tmp_path / "旧文件.xlsx").write_bytes(b"old")
    (tmp_path / "别人的文件.txt").write_text("keep", encoding="utf-8")
    sd.write_samples(tmp_path)
    assert not (tmp_path / "旧文件.xlsx").exists()
    assert (tmp_path / "别人的文件.txt").read_text(encoding="utf-8") == "keep"


@pytest.mark.slow
def test_the_demo_store_holds_a_quarter_of_weekly_reports_that_leave_the_months_alone(tmp_path: Path) -> None:
    """cadence.md §1 sample: 青石镇 reports weekly for 2024Q3 (W27–W39) besides its monthly ledgers."""
    from analytics import flags, store
    from analytics.ingest import load_demo
    from analytics.periods import Period
    from analytics.scope import Scope
    from analytics.settings import Settings

    settings = Settings({"load_sample_when_empty": True})
    db = tmp_path / "demo.duckdb"
    load_demo(db, settings=settings)
    with store.open_store(db, read_only=True, settings=settings) as con:
        weeks = con.execute("SELECT period, count(*) FROM v_branch_week GROUP BY period ORDER BY period").fetchall()
        assert [w for w, _ in weeks] == [Period.week(2024, n).start for n in range(27, 40)]
        assert {n for _, n in weeks} == {11}  # every branch of 青石镇, every week
        assert con.execute("SELECT DISTINCT township FROM v_branch_week").fetchall() == [("青石镇",)]
        # The monthly ledgers still win every month: v_branch_month is the history.
        assert con.execute("SELECT count(*) FROM v_branch_month WHERE source_period LIKE '%W%'").fetchall() == [(0,)]
        assert con.execute("SELECT count(*) FROM v_branch_month").fetchall() == [(812,)]
        # The last week of September equals the September ledger of each branch.
        assert con.execute(
            "SELECT count(*) FROM v_branch_week w JOIN v_branch_month m USING (county, township, branch)"
            " WHERE w.period = DATE '2024-09-23' AND m.period = DATE '2024-09-01' AND w.stars = m.stars"
            " AND w.tasks_done = m.tasks_done").fetchall() == [(11,)]
        # A week's red list names the week.
        red = flags.red_list(con, Period.parse("2024-W35"), Scope(township="青石镇"), Settings({}))
        assert len(red) and all(text.startswith(("本周", "较上周", "达到")) for text in red.reason_text)


def test_office_ledger_is_accepted_whole(tmp_path: Path) -> None:
    """The ingest benchmark's office-style ledger (benchmarks/office_ledger.py) must stay a file the
    importer accepts in full: every branch, task, problem and rectification row arrives, the
    suffixed names (张庄村党支部) meet the bare ones, and the star ledger's 问题数 is the problem
    list's open rows."""
    from analytics.ingest import stage
    from benchmarks.office_ledger import write_office_ledger

    path = tmp_path / "office.xlsx"
    info = write_office_ledger(path, 60, seed=3)
    assert info["branches"] == 60 and info["counties"] == 1
    wb = CalamineWorkbook.from_path(str(path))
    assert wb.sheet_names == ["星级台账", "作战图", "问题清单", "软弱涣散整顿"]
    problems = wb.get_sheet_by_name("问题清单").to_python()
    assert all(str(r[3]).endswith(("党支部", "党总支")) for r in problems[2:])  # full organisation names
    staged = stage(path.read_bytes(), path.name)
    assert staged.ok, [str(p) for p in staged.errors[:5]]
    parsed = staged.parsed
    assert parsed is not None
    assert (parsed.branches.num_rows, parsed.tasks.num_rows, parsed.problems.num_rows, parsed.weak.num_rows) == (
        60, info["tasks"], info["problems"], info["weak"])
    assert {w.code for w in staged.warnings} <= {"W_BLANK_STAR"}  # no name mismatch, no count mismatch
    open_rows = sum(1 for closed in parsed.problems.column("closed").to_pylist() if not closed)
    assert sum(parsed.branches.column("open_problems").to_pylist()) == open_rows
