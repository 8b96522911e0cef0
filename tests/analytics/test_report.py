"""The report command: JSON shape, text tables, Excel structure, exit codes."""

import io
import json
import zipfile

import openpyxl
import pandas as pd
import pytest

from analytics.__main__ import main
from analytics.periods import Period
from analytics.report import _records, build_report, write_report_xlsx
from analytics.scope import Scope
from tests.analytics.conftest import row
from tests.factories import build_store

AUG, JUL = "2024-08", "2024-07"
DATA = [
    row(AUG, "甲镇", "一村", 4, 20, 29, target=4),   # 48 + 800/29 -> rank 1
    row(AUG, "甲镇", "二村", 2),                     # 24 -> rank 3, last of 甲镇 (B1), lost a star (B2)
    row(AUG, "甲镇", "三村", 3),                     # 36 -> rank 2
    row(JUL, "甲镇", "一村", 3, 10, 29, target=4),
    row(JUL, "甲镇", "二村", 3),
    row(JUL, "乙镇", "四村", 1),                     # 乙镇 missing in August -> township-level B4
]


@pytest.fixture
def db(tmp_path):
    return build_store(tmp_path / "r.duckdb", DATA)


def test_json_report_shape_and_values(db, capsys):
    assert main(["report", "--period", AUG, "--db", str(db), "--json"]) == 0
    out = capsys.readouterr().out
    assert "一村" in out  # ensure_ascii=False
    data = json.loads(out)
    assert list(data) == ["period", "scope", "distribution", "township_ranking", "branch_ranking",
                          "red_list", "black_list", "weak_and_problems"]
    assert data["period"] == "2024-08"
    assert data["scope"] == {"county": None, "township": None, "branch_type": None}
    assert data["distribution"] == {"五星": 0, "四星": 1, "三星": 1, "二星": 1, "一星": 0, "无星": 0}
    assert list(data["branch_ranking"][0]) == [
        "county", "township", "branch", "stars", "task_rate", "score", "rank", "rank_change"]
    first = data["branch_ranking"][0]
    assert first["branch"] == "一村" and first["rank"] == 1 and first["rank_change"] == 0
    assert first["score"] == pytest.approx(48 + 800 / 29)  # unrounded
    assert first["score"] != round(first["score"], 1)
    assert [(r["branch"], r["rank"], r["rank_change"]) for r in data["branch_ranking"]] == [
        ("一村", 1, 0), ("三村", 2, None), ("二村", 3, -1)]
    town = data["township_ranking"][0]
    assert {"township", "county", "score", "rank", "rank_change"} <= set(town)
    assert (town["township"], town["rank"], town["branches"]) == ("甲镇", 1, 3)
    assert data["red_list"] == [
        {"county": "甲县", "township": "甲镇", "branch": "一村", "reasons": ["R1", "R2", "R3", "R4"]},
        {"county": "甲县", "township": "甲镇", "branch": "三村", "reasons": ["R2"]},
        {"county": "甲县", "township": "甲镇", "branch": "二村", "reasons": ["R2"]},
    ]
    assert data["black_list"] == [
        # No B1 黑旗 on a month by default (black_flag_periods = quarter, cadence.md §4).
        {"county": "甲县", "township": "甲镇", "branch": "二村", "reasons": ["B2"]},
        {"county": "甲县", "township": "乙镇", "branch": None, "reasons": ["B4"]},
    ]


def test_text_report(db, capsys):
    assert main(["report", "--period", AUG, "--db", str(db), "--township", "甲镇"]) == 0
    out = capsys.readouterr().out
    assert "五星支部创建指标报告 — 2024年8月 — 范围：甲镇" in out
    for heading in ("星级分布", "乡镇（街道）排名", "支部排名", "红榜（3）", "黑榜（1）"):
        assert heading in out
    assert "较上月减少1星" in out and "排名末位" not in out  # no 黑旗 on a month by default
    # Display rounded to one decimal, never the raw float.
    assert f"{48 + 800 / 29:.1f}" in out and str(48 + 800 / 29) not in out
    assert "综合得分 = 60 × 星级 / 5 + 40 × 任务完成率" in out


def test_bad_period_exits_2(db, capsys):
    assert main(["report", "--period", "2024-13", "--db", str(db)]) == 2
    assert "无法识别的期间" in capsys.readouterr().err


def test_period_without_data_exits_1(db, capsys):
    assert main(["report", "--period", "2023Q1", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "2023年第1季度" in err and "没有数据" in err and "2024-07" in err
    assert main(["report", "--period", AUG, "--db", str(db), "--county", "无此县"]) == 1


def test_township_of_several_counties_needs_a_county(tmp_path, capsys):
    db = build_store(tmp_path / "twins.duckdb", [row(AUG, "城关镇", "一村", 4), row(AUG, "城关镇", "二村", 3, county="乙县")])
    assert main(["report", "--period", AUG, "--db", str(db), "--township", "城关镇"]) == 2
    assert "“城关镇”在 2 个县（市、区）都有（乙县、甲县），请用 --county 指定" in capsys.readouterr().err
    assert main(["report", "--period", AUG, "--db", str(db), "--township", "城关镇", "--county", "乙县", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["branch"] for r in data["branch_ranking"]] == ["二村"]


def test_missing_db_exits_1(tmp_path, capsys):
    missing = tmp_path / "nope.duckdb"
    assert main(["report", "--period", AUG, "--db", str(missing)]) == 1
    assert "不存在" in capsys.readouterr().err
    assert not missing.exists()


def test_xlsx_structure(db, tmp_path, capsys):
    path = tmp_path / "report.xlsx"
    assert main(["report", "--period", AUG, "--db", str(db), "--xlsx", str(path)]) == 0
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["县区排名", "镇街排名", "支部排名", "红榜", "黑榜"]
    ws = wb["支部排名"]
    assert ws["A1"].value == "支部排名 — 2024年8月 — 范围：全部"
    assert [c.value for c in ws[2]] == ["排名", "升降", "县（市、区）", "乡镇（街道）", "村（社区）", "类型", "星级",
                                       "创建目标", "任务完成率", "综合得分"]
    assert ws.freeze_panes == "A3"
    assert [ws.cell(r, 5).value for r in (3, 4, 5)] == ["一村", "三村", "二村"]
    assert ws.cell(3, 10).value == pytest.approx(48 + 800 / 29) and ws.cell(3, 10).number_format == "0.0"
    assert ws.column_dimensions["E"].width >= 10
    black = wb["黑榜"]
    assert black["A1"].value == "黑榜 — 2024年8月 — 范围：全部"
    assert [black.cell(r, 3).value for r in (3, 4)] == ["二村", "（全乡镇（街道））"]
    assert black.cell(3, 5).value == "较上月减少1星"
    assert black.cell(2, 1).fill.fgColor.rgb.endswith("000000")
    assert wb["红榜"].cell(2, 1).fill.fgColor.rgb.endswith("C00000")
    county_scope = tmp_path / "county.xlsx"
    assert main(["report", "--period", AUG, "--db", str(db), "--county", "甲县", "--xlsx", str(county_scope)]) == 0
    assert openpyxl.load_workbook(county_scope).sheetnames == ["镇街排名", "支部排名", "红榜", "黑榜"]


def test_xlsx_never_evaluates_text(tmp_path, settings):
    tricky = ["=1+1", "+2村", "-3村", "@SUM(A1)"]
    db = build_store(tmp_path / "t.duckdb", [row(AUG, "=HYPERLINK(1)", name, i) for i, name in enumerate(tricky)])
    buf = io.BytesIO()
    from analytics.store import connect

    con = connect(db, read_only=True)
    try:
        write_report_xlsx(con, Period.parse(AUG), Scope(), settings, buf)
        report = build_report(con, Period.parse(AUG), Scope(), settings)
    finally:
        con.close()
    assert sorted(r["branch"] for r in report["branch_ranking"]) == sorted(tricky)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any("<f>" in zf.read(n).decode() for n in sheets)
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    ws = wb["支部排名"]
    names = [ws.cell(r, 5).value for r in range(3, 7)]
    assert sorted(names) == sorted(tricky)
    assert all(ws.cell(r, 5).data_type == "s" for r in range(3, 7))
    assert ws.cell(3, 4).value == "=HYPERLINK(1)" and ws.cell(3, 4).data_type == "s"


def test_records_turns_every_missing_value_into_none():
    df = pd.DataFrame({
        "name": pd.Series(["甲", None], dtype="str"),
        "rank": pd.Series([3, None], dtype="Int64"),
        "rate": pd.Series([0.5, float("nan")], dtype="float64"),
        "flag": pd.Series([True, None], dtype="boolean"),
        "reasons": pd.Series([["R1", "R2"], []], dtype=object),
        "branch": pd.Series(["一村", None], dtype=object),
    })
    records = _records(df, ["name", "rank", "rate", "flag", "reasons", "branch"])
    assert records == [
        {"name": "甲", "rank": 3, "rate": 0.5, "flag": True, "reasons": ["R1", "R2"], "branch": "一村"},
        {"name": None, "rank": None, "rate": None, "flag": None, "reasons": [], "branch": None},
    ]
    assert [type(records[0][key]) for key in ("name", "rank", "rate", "flag")] == [str, int, float, bool]
    assert json.dumps(records, ensure_ascii=False)  # plain JSON values only
