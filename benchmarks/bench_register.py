"""Register import benchmark (issue 16, register.md §1): a province-scale 支部名册.

A generated register of 52,000 branches (18 cities' worth: 160 counties × ~17 townships ×
~19 branches) with realistic names — …村 / …社区 / …居委会, 党支部 / 党总支 suffixes on some,
type words 村 / 农村 / 社区 / 城市社区, free-text 包村领导 and 创建专班 cells, a few 撤并 / 新设 —
and a 创建目标 sheet (one row per county and township), imported as a whole process:

    python -m analytics register import 名册.xlsx --db fresh.duckdb --json

Wall time from spawn to reaped (unsampled run) and peak memory (a second, sampled run: the
process tree's PSS polled every 10 ms, and ru_maxrss). Goals: ≤ 5 s and ≤ 500 MiB.
``--quick``: 2,000 branches, one run.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import xlsxwriter

from benchmarks.bench_ingest import run_timed
from benchmarks.common import (
    DATA_DIR,
    Goal,
    Results,
    banner,
    goals_table,
    log,
    markdown_table,
    python_cmd,
    run_process,
    update_docs,
)

REGISTER_DIR = DATA_DIR / "register"
FULL_BRANCHES = 52_000
QUICK_BRANCHES = 2_000

_SYL_A = "青柳杏槐桐枣梨桑榆松柏竹荷莲菱芦苇麦稻谷豆瓜桃李栗榛茶桂兰菊梅樱"
_SYL_B = "湾沟岭坡洼坪庄营屯寨岗塘桥渠泉井店集铺河"
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志"
_TITLES = ("党委副书记", "副镇长", "副乡长", "人大主席", "组织委员", "宣传委员", "武装部长")


def _person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))


def write_province_register(path: Path, n_branches: int, *, seed: int = 16) -> dict[str, Any]:
    """A register workbook of ``n_branches`` rows (constant memory), with a title row, a two-level
    header and a 创建目标 sheet; every row valid."""
    rng = random.Random(seed)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("支部名册")
    ws.write_row(0, 0, ["河南省“五星”支部创建支部名册（2024年）"])
    ws.write_row(1, 0, ["序号", "县（市、区）", "乡镇（街道）", "村（社区）名称", "类型", "负责人员", "", "", "状态"])
    ws.write_row(2, 0, ["", "", "", "", "", "支部书记", "包村领导", "创建专班", ""])
    row = 3
    county_no = township_no = 0
    townships: list[tuple[str, str]] = []
    counties: list[str] = []
    used: set[tuple[str, str, str]] = set()
    while row - 3 < n_branches:
        county_no += 1
        county = f"{rng.choice(_SYL_A)}{rng.choice(_SYL_A)}{'县' if county_no % 4 else '区'}{county_no:03d}"
        counties.append(county)
        for _t in range(rng.randint(14, 20)):
            township_no += 1
            township = f"{rng.choice(_SYL_A)}{rng.choice(_SYL_B)}{rng.choice(('镇', '乡', '街道'))}{township_no:04d}"
            townships.append((county, township))
            for _b in range(rng.randint(15, 23)):
                if row - 3 >= n_branches:
                    break
                community = (township.endswith("街道") and rng.random() < 0.7) or rng.random() < 0.08
                stem = f"{rng.choice(_SYL_A)}{rng.choice(_SYL_B)}"
                name = stem + ("社区" if community else rng.choice(("村", "村", "村", "村委会")))
                if community and rng.random() < 0.05:
                    name = stem + "居委会"
                if (county, township, name) in used:
                    name = f"{stem}{row}{'社区' if community else '村'}"
                used.add((county, township, name))
                shown = name + rng.choice(("", "", "党支部", "党总支"))
                # ~3 % of 社区 work to the village set (the register says 村, as for 樱桃沟社区).
                on_village_set = community and rng.random() < 0.03
                word = (rng.choice(("村", "农村")) if not community or on_village_set
                        else rng.choice(("社区", "城市社区")))
                liaison = f"{_person(rng)}（{rng.choice(_TITLES)}）"
                team = "、".join(_person(rng) for _ in range(rng.randint(2, 4)))
                status = rng.choices(("", "在册", "撤并", "新设"), (80, 15, 3, 2))[0]
                ws.write_row(row, 0, [row - 2, county, township, shown, word, _person(rng), liaison, team, status])
                row += 1
    goals = wb.add_worksheet("创建目标")
    goals.write_row(0, 0, ["县（市、区）", "乡镇（街道）", "创建目标", "完成时限"])
    g = 1
    for county in counties:
        goals.write_row(g, 0, [county, "", f"五星{rng.randint(1, 9)}个、四星{rng.randint(5, 30)}个、三星{rng.randint(10, 60)}个",
                               rng.choice(("2024年底", "2024", "2024-12"))])
        g += 1
    for county, township in townships:
        goals.write_row(g, 0, [county, township, f"五星{rng.randint(0, 2)}个、四星{rng.randint(0, 4)}个、三星{rng.randint(1, 6)}个",
                               rng.choice(("2024年底", "2024", "2024-12"))])
        g += 1
    wb.close()
    return {"branches": n_branches, "counties": len(counties), "townships": len(townships), "goal_rows": g - 1,
            "size_bytes": path.stat().st_size}


def ensure_register(n: int) -> tuple[Path, dict[str, Any]]:
    REGISTER_DIR.mkdir(parents=True, exist_ok=True)
    path = REGISTER_DIR / f"register_{n}.xlsx"
    meta_path = path.with_suffix(".json")
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("branches") == n:
            return path, meta
    log(f"generating {path.name} ({n:,} branches) …")
    meta = write_province_register(path, n)
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    return path, meta


def _fresh(db: Path) -> None:
    for p in (db, Path(str(db) + ".wal")):
        p.unlink(missing_ok=True)


def main(quick: bool = False) -> dict[str, Any]:
    banner("register" + (" (quick)" if quick else ""))
    n = QUICK_BRANCHES if quick else FULL_BRANCHES
    path, meta = ensure_register(n)
    db = REGISTER_DIR / "fresh.duckdb"
    cmd = python_cmd("-m", "analytics", "register", "import", str(path), "--db", str(db), "--json")
    _fresh(db)
    timed = run_timed(cmd)
    report = json.loads(timed.stdout.strip().splitlines()[-1]) if timed.stdout.strip() else {}
    if timed.returncode != 0 or not report.get("ok"):
        raise RuntimeError(f"register import failed (exit {timed.returncode}):\n{timed.stdout[-3000:]}\n"
                           f"{timed.stderr[-3000:]}")
    _fresh(db)
    sampled = run_process(cmd)
    _fresh(db)
    peak = max(sampled.peak_mib, timed.maxrss_mib)
    goals = [Goal(f"register import of {n:,} branches, wall time (whole process)", timed.wall_s, 5, "<=", " s"),
             Goal(f"register import of {n:,} branches, peak memory", peak, 500, "<=", " MiB")]
    table = markdown_table(
        ["register", "file MiB", "branches", "counties", "townships", "goal rows", "import s", "import MiB"],
        [[path.name, round(meta["size_bytes"] / 1024 / 1024, 2), report["rows"]["branches"], meta["counties"],
          meta["townships"], meta["goal_rows"], round(timed.wall_s, 2), round(peak, 1)]],
    )
    text = "\n\n".join([table, goals_table(goals)])
    print(text)
    for g in goals:
        print(g.line())
    out = Results("register", quick, {
        "method": {"wall": "perf_counter from spawn to reaped (os.wait4), whole process, unsampled run",
                   "memory": "second, sampled run: max(process-tree PSS polled every 10 ms, ru_maxrss)"},
        "load_avg": os.getloadavg(),
        "register": {**meta, "import_s": timed.wall_s, "peak_mib": peak, "sampled_s": sampled.wall_s},
        "goals": [g.to_dict() for g in goals],
    })
    out.write()
    if not quick:
        update_docs("register", text)
    return out.data
