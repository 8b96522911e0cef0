"""Assessment-score and year-end acceptance uploads (shared/spec/cadence.md §2, §5): recognised
by their header, no star ledger needed, their own period forms, W_TOTAL_MISMATCH, replacement
and rollback per (kind, period, county, township), county/admin only."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from analytics import access, audit, store
from analytics.ingest import ingest_bytes, load, stage
from analytics.ingest.headers import SCORE, detect_layout
from analytics.ingest.model import RawSheet
from analytics.settings import Settings
from tests.factories import build_store
from tests.ui.conftest import with_account

SETTINGS = Settings({"lock_timeout_s": 5})
ITEMS = ["随机抽查", "履职到位", "制度落实", "问题处置", "领办实事", "现场观摩"]
SCORE_HEAD = ["乡镇（街道）", "村（社区）名称", *ITEMS, "总分", "评分人"]


def xlsx(rows: list[list[Any]], title: str | None = None, sheet: str = "考核评分",
         more: tuple[tuple[str, list[list[Any]]], ...] = ()) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
    for r in rows:
        ws.append(r)
    for name, extra in more:
        other = wb.create_sheet(name)
        for r in extra:
            other.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


Q3_TITLE = "甲县2024年第三季度“五星”支部创建量化考核评分表"
Q3_ROWS = [
    SCORE_HEAD,
    ["东镇", "一村", 18, 17, 14, 13, 12, 10, 84, "第一考核组"],
    ["东镇", "二村", 10, 10, 10, 10, 10, 10, 61, "第一考核组"],  # 61 given, items sum to 60
    ["西镇", "三社区", 5, 5, 5, 5, 5, 5, None, "第二考核组"],  # no total: the sum (30)
]


def _parse(data: bytes, name: str = "评分.xlsx", **kw: Any):  # type: ignore[no-untyped-def]
    return stage(data, name, settings=SETTINGS, **kw)


def _raw(rows: list[list[Any]]) -> RawSheet:
    import pyarrow as pa

    width = max(len(r) for r in rows)
    letters = [chr(ord("A") + i) for i in range(width)]
    cols = {c: [None if i >= len(r) or r[i] is None else str(r[i]) for r in rows] for i, c in enumerate(letters)}
    return RawSheet("表", pa.table({c: pa.array(v, pa.string()) for c, v in cols.items()}))


# --- detection ---------------------------------------------------------------------------------


def test_a_sheet_with_branch_and_total_or_two_numeric_items_and_no_stars_is_a_score_sheet() -> None:
    assert detect_layout(_raw([["乡镇", "村（社区）名称", "总分"], ["东镇", "一村", "80"]])).kind == SCORE
    # No total: two columns of numbers with any header are the items.
    two = detect_layout(_raw([["乡镇", "村（社区）名称", "观摩打分", "材料审核"], ["东镇", "一村", "40", "38.5"]]))
    assert two.kind == SCORE and {"item:观摩打分", "item:材料审核"} <= set(two.fields)
    # One numeric column without a total is not enough.
    assert detect_layout(_raw([["乡镇", "村（社区）名称", "观摩打分"], ["东镇", "一村", "40"]])).kind is None
    # Star columns make it a star ledger, even with a 得分 column.
    ledger = detect_layout(_raw([["乡镇", "村（社区）", "支部过硬星", "产业兴旺星", "生态宜居星", "平安法治星",
                                   "文明幸福星", "得分"], ["东镇", "一村", "√", "√", "√", "×", "×", "80"]]))
    assert ledger.kind == "ledger"
    # A ledger's own numeric fields (任务总数, 已完成任务) are not score items.
    tasks_only = _raw([["乡镇", "村（社区）", "任务总数", "已完成任务"], ["东镇", "一村", "29", "10"]])
    assert detect_layout(tasks_only).kind is None


def test_a_workbook_of_only_score_sheets_needs_no_star_ledger() -> None:
    staged = _parse(xlsx(Q3_ROWS, Q3_TITLE))
    assert staged.ok, [str(p) for p in staged.errors]
    assert "E_NO_LEDGER" not in {p.code for p in staged.errors}
    parsed = staged.parsed
    assert parsed is not None
    assert (parsed.kind, parsed.period_kind, parsed.period, staged.period) == (
        "assessment", "quarter", date(2024, 7, 1), "2024Q3")
    totals = {r["branch"]: r["points"] for r in parsed.assessment.to_pylist() if r["item"] == "总分"}
    assert totals == {"一村": 84.0, "二村": 61.0, "三社区": 30.0}  # given, given (kept), sum of items
    items = {(r["branch"], r["item"]): r["points"] for r in parsed.assessment.to_pylist()}
    assert items[("一村", "随机抽查")] == 18.0 and items[("二村", "现场观摩")] == 10.0
    assert {r["assessor"] for r in parsed.assessment.to_pylist() if r["branch"] == "三社区"} == {"第二考核组"}
    assert parsed.scope == [("甲县", "东镇"), ("甲县", "西镇")]


def test_a_total_that_differs_from_its_items_is_kept_with_w_total_mismatch() -> None:
    staged = _parse(xlsx(Q3_ROWS, Q3_TITLE))
    [warning] = [w for w in staged.warnings if w.code == "W_TOTAL_MISMATCH"]
    assert (warning.sheet, warning.row, warning.column, warning.value) == ("考核评分", 4, "I", "61")
    assert "60" in warning.message and "按填写的总分导入" in warning.message


def test_a_negative_or_unreadable_score_is_a_row_error_naming_the_cell() -> None:
    rows = [SCORE_HEAD, ["东镇", "一村", -3, 17, 14, 13, 12, 10, 63, None], ["东镇", "二村", "良好", 1, 1, 1, 1, 1, 5, None]]
    staged = _parse(xlsx(rows, "甲县2024年8月考核评分"))
    assert not staged.ok
    errors = [(p.code, p.cell, p.value) for p in staged.errors]
    assert errors == [("E_VALUE", "考核评分!C3", "-3"), ("E_VALUE", "考核评分!C4", "良好")]
    assert "负数" in staged.errors[0].message and staged.errors[0].message.startswith("随机抽查：")


def test_a_total_and_no_items_missing_is_an_error() -> None:
    rows = [["乡镇（街道）", "村（社区）名称", "总分"], ["东镇", "一村", None], ["东镇", "二村", 80]]
    staged = _parse(xlsx(rows, "甲县2024年8月考核评分"))
    assert [(p.code, p.cell) for p in staged.errors] == [("E_VALUE", "考核评分!C3")]


def test_score_period_from_the_uploader_and_from_a_column() -> None:
    no_title = _parse(xlsx(Q3_ROWS), period="2024Q2", county="甲县")
    assert no_title.ok and no_title.period == "2024Q2"
    refused = _parse(xlsx(Q3_ROWS), county="甲县")
    assert [p.code for p in refused.errors] == ["E_PERIOD"]
    with_col = [[*SCORE_HEAD, "考核期间"], *[[*r, "2024年8月"] for r in Q3_ROWS[1:]]]
    month = _parse(xlsx(with_col, "甲县考核评分"))
    assert month.ok and month.parsed is not None and (month.parsed.period_kind, month.period) == ("month", "2024-08")


def test_a_score_sheet_beside_a_star_ledger_is_skipped_with_a_warning() -> None:
    ledger = [["乡镇", "村（社区）", "支部过硬星", "产业兴旺星", "生态宜居星", "平安法治星", "文明幸福星"],
              ["东镇", "一村", "√", "√", "√", "×", "×"]]
    staged = _parse(xlsx(ledger, "甲县2024年8月台账", sheet="星级台账", more=(("考核评分", Q3_ROWS),)))
    assert staged.ok and staged.parsed is not None and staged.parsed.kind == "ledger"
    assert "考核评分" in staged.skipped_sheets
    assert any(w.code == "W_SKIPPED_SHEET" and "单独上传" in w.message for w in staged.warnings)


# --- load: replacement, rollback, history -------------------------------------------------------


def test_replacement_per_kind_period_and_township_and_rollback(tmp_path: Path) -> None:
    db = build_store(tmp_path / "s.duckdb", [
        {"period": "2024-08", "township": "东镇", "branch": "一村", "stars": 3},
        {"period": "2024-07", "township": "东镇", "branch": "一村", "stars": 3}])
    first = ingest_bytes(xlsx(Q3_ROWS, Q3_TITLE), "q3.xlsx", db=db, settings=SETTINGS)
    assert first.ok and first.period == "2024Q3" and first.branches == 3
    # A July score for 东镇 is another unit (month, not quarter), although both start on 2024-07-01.
    july = ingest_bytes(xlsx([["乡镇（街道）", "村（社区）名称", "总分"], ["东镇", "一村", 50]], "甲县2024年7月考核"),
                        "july.xlsx", db=db, settings=SETTINGS)
    assert july.ok and july.notice is not None and "替换" not in july.notice
    better = [SCORE_HEAD, ["东镇", "一村", 20, 20, 15, 15, 15, 15, 100, None]]
    second = ingest_bytes(xlsx(better, Q3_TITLE), "q3-2.xlsx", db=db, settings=SETTINGS)
    assert second.ok and second.notice is not None and first.upload_id in second.notice  # replaced 东镇 of Q3
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        quarter = dict(con.execute("SELECT branch, points FROM v_assessment WHERE item = '总分' "
                                   "AND period_kind = 'quarter'").fetchall())
        rec = store.get_upload(con, str(first.upload_id))
        kinds = con.execute("SELECT upload_id, kind FROM uploads ORDER BY seq").fetchall()
    # 东镇 from the second upload; 西镇 (not in it) still from the first.
    assert quarter == {"一村": 100.0, "三社区": 30.0}
    assert rec is not None and rec.status == "partly_current" and rec.period_label == "2024Q3"
    assert [k for _, k in kinds][-3:] == ["assessment", "assessment", "assessment"]
    with store.open_store(db, settings=SETTINGS) as con:
        store.rollback(con, str(second.upload_id), actor=audit.cli_actor(), reason="评分录入有误")
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        back = dict(con.execute("SELECT branch, points FROM v_assessment WHERE item = '总分' "
                                "AND period_kind = 'quarter'").fetchall())
        month = dict(con.execute("SELECT branch, points FROM v_assessment WHERE item = '总分' "
                                 "AND period_kind = 'month'").fetchall())
        ledger_rows = con.execute("SELECT count(*) FROM v_branch_month").fetchone()
    assert back == {"一村": 84.0, "二村": 61.0, "三社区": 30.0}  # the first version is current again
    assert month == {"一村": 50.0}
    assert ledger_rows == (2,)  # the monthly ledgers are untouched by scores


def test_identical_score_upload_is_a_no_op(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    data = xlsx(Q3_ROWS, Q3_TITLE)
    first = ingest_bytes(data, "q3.xlsx", db=db, settings=SETTINGS)
    again = ingest_bytes(data, "q3.xlsx", db=db, settings=SETTINGS)
    assert first.ok and again.ok and again.duplicate_of == first.upload_id and again.upload_id is None


# --- who may upload ---------------------------------------------------------------------------------


def _actor(db: Path, login: str, role: str, county: str | None = None, township: str | None = None) -> audit.Actor:
    from analytics import accounts

    with_account(db, login, role=role, county=county, township=township)
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        account = accounts.get_account(con, login)
    assert account is not None
    return account.actor()


def test_a_township_account_may_not_submit_scores_for_itself(tmp_path: Path) -> None:
    db = build_store(tmp_path / "s.duckdb", [{"period": "2024-08", "township": "东镇", "branch": "一村", "stars": 3}])
    township = _actor(db, "dongzhen", "township", "甲县", "东镇")
    county = _actor(db, "jiaxian", "county", "甲县")
    own = [SCORE_HEAD, ["东镇", "一村", 20, 20, 15, 15, 15, 15, 100, None]]
    refused = load(_parse(xlsx(own, Q3_TITLE)), db=db, settings=SETTINGS, actor=township)
    assert not refused.ok and [p.code for p in refused.errors] == ["E_SCOPE"]
    assert "乡镇（街道）账号不能上传" in refused.errors[0].message
    assert not access.out_of_reach(county, [("甲县", "东镇")], kind="assessment")
    accepted = load(_parse(xlsx(own, Q3_TITLE)), db=db, settings=SETTINGS, actor=county)
    assert accepted.ok and accepted.state == "accepted"  # a county's upload counts at once
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert store.count_uploads(con) == 2  # the ledger and the county's scores; nothing of the refusal


# --- year-end acceptance ----------------------------------------------------------------------------


ACCEPTANCE_ROWS = [["乡镇（街道）", "村（社区）名称", "评定星级", "验收时间"],
                   ["东镇", "一村", "三星", "12月20日"], ["东镇", "二村", 4, "2024-12-21"]]


def test_an_acceptance_sheet_needs_no_ledger_and_takes_its_year_from_the_title(tmp_path: Path) -> None:
    staged = _parse(xlsx(ACCEPTANCE_ROWS, "甲县2024年度“五星”支部验收结果", sheet="验收结果"))
    assert staged.ok, [str(p) for p in staged.errors]
    assert staged.parsed is not None and (staged.parsed.kind, staged.period) == ("acceptance", "2024")
    assert [(r["branch"], r["awarded_stars"], r["accepted_at"]) for r in staged.parsed.awards.to_pylist()] == [
        ("一村", 3, date(2024, 12, 20)), ("二村", 4, date(2024, 12, 21))]
    bad = _parse(xlsx([ACCEPTANCE_ROWS[0], ["东镇", "一村", "六星", None], ["东镇", "二村", None, None]],
                      "甲县2024年度验收结果"))
    assert [(p.code, p.cell) for p in bad.errors] == [("E_VALUE", "考核评分!C3"), ("E_VALUE", "考核评分!C4")]
    by_uploader = _parse(xlsx(ACCEPTANCE_ROWS), period="2024", county="甲县")
    assert by_uploader.ok and by_uploader.period == "2024"
    db = tmp_path / "s.duckdb"
    result = ingest_bytes(xlsx(ACCEPTANCE_ROWS, "甲县2024年度验收结果"), "a.xlsx", db=db, settings=SETTINGS)
    assert result.ok
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        rows = con.execute("SELECT year, branch, awarded_stars FROM v_award ORDER BY branch").fetchall()
    assert rows == [(2024, "一村", 3), (2024, "二村", 4)]


@pytest.mark.parametrize("text,expected", [("2024Q3", "2024Q3"), ("2024", "2024"), ("2024-13", None), ("abc", None)])
def test_cli_period_accepts_quarters_and_years(text: str, expected: str | None) -> None:
    from analytics.ingest.cadence import period_arg

    assert period_arg(text) == expected
