"""The branch register (支部名册) and declared goals (创建目标) as uploads (shared/spec/register.md §1–§2):
read with the importer's tolerance, refused with its codes, replaced per county, rolled back,
applied to ledgers (its type wins; W_TYPE_CONFLICT, W_NOT_IN_REGISTER), rights, templates, CLI."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from analytics import accounts, register, spec, store
from analytics.audit import cli_actor
from analytics.battle_map import battle_map
from analytics.ingest import ingest_bytes
from analytics.ingest.values import parse_due, parse_goal_text
from analytics.periods import Period
from analytics.rankings import branch_ranking
from analytics.register_template import build_register_template
from analytics.scope import Scope
from analytics.settings import Settings

SETTINGS = Settings({"lock_timeout_s": 5})
REG_HEADER = ["县（市、区）", "乡镇（街道）", "村（社区）名称", "类型", "支部书记", "包村领导", "创建专班", "状态"]
STAR_HEADER = ["县(市、区)", "乡镇（街道）", "村（社区）", "支部过硬星", "产业兴旺星", "生态宜居星", "平安法治星",
               "文明幸福星", "完成率", "报送月份"]


def xlsx(sheets: dict[str, list[list[object]]], merges: dict[str, list[str]] | None = None) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def messy_register() -> bytes:
    """A register as offices send it: title and 填报 rows, a two-level header (负责人员 over three
    columns), township merged down, 党总支 suffix, 农村/城市社区 words, a total and a footer."""
    rows: list[list[object]] = [
        ["二七区“五星”支部创建支部名册"],
        ["填报单位：区委组织部", None, None, None, None, None, "填报时间：2024年1月"],
        ["序号", "乡镇（街道）", "村（社区）名称", "类型", "负责人员", None, None, "状态"],
        [None, None, None, None, "支部书记", "包村领导", "创建专班", None],
        [1, "侯寨乡", "樱桃沟社区党总支", "农村", "张三", "李四（副乡长）", "王五、赵六", None],
        [2, None, "南岗村党支部", "村", "钱七", None, None, "在册"],
        [3, "长江路街道", "幸福社区", "城市社区", "孙八", None, None, "新设"],
        [None, "合计", None, None, None, None, None, None],
        ["注：类型按创建标准填写"],
    ]
    goals: list[list[object]] = [
        ["二七区创建目标"],
        ["县（市、区）", "乡镇（街道）", "创建目标", "完成时限"],
        ["二七区", None, "五星2个、四星7个、三星5个", "2024年底"],
        [None, "侯寨乡", "五星1个、三星2个", "2024-12"],
    ]
    merges = {"支部名册": ["A1:H1", "E3:G3", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "H3:H4", "B5:B6"]}
    return xlsx({"支部名册": rows, "创建目标": goals}, merges)


def ledger(rows: list[list[object]], header: list[str] = STAR_HEADER) -> bytes:
    return xlsx({"星级台账": [header, *rows]})


def star_row(county: str, township: str, branch: str, *extra: object, period: str = "2024-08") -> list[object]:
    return [county, township, branch, "已达标", "已达标", "创建中", "未启动", "已达标", "50%", period, *extra]


def imported(db: Path, data: bytes, name: str = "名册.xlsx", **kwargs: object):  # type: ignore[no-untyped-def]
    return register.import_bytes(data, name, db=db, settings=SETTINGS, **kwargs)  # type: ignore[arg-type]


def current_register(db: Path) -> list[tuple[str, str, str, str]]:
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        return [tuple(r) for r in con.execute(  # type: ignore[misc]
            "SELECT county, township, branch, branch_type FROM v_register ORDER BY ALL").fetchall()]


# --- reading -------------------------------------------------------------------------


def test_messy_register_workbook_is_read_like_a_ledger() -> None:
    staged = register.stage(messy_register(), "二七区名册.xlsx", settings=SETTINGS)
    assert staged.ok, [str(p) for p in staged.errors]
    assert staged.parsed is not None
    rows = {r["branch"]: r for r in staged.parsed.register.to_pylist()}
    assert list(rows) == ["樱桃沟社区", "南岗村", "幸福社区"]  # suffixes dropped, total and footer skipped
    cherry = rows["樱桃沟社区"]
    assert (cherry["county"], cherry["township"], cherry["branch_type"]) == ("二七区", "侯寨乡", "村")
    assert (cherry["secretary"], cherry["liaison"], cherry["team"], cherry["status"]) == (
        "张三", "李四（副乡长）", "王五、赵六", "在册")
    assert rows["南岗村"]["township"] == "侯寨乡"  # merged township carried down
    assert (rows["幸福社区"]["branch_type"], rows["幸福社区"]["status"]) == ("社区", "新设")
    assert cherry["source_row"] == 5
    goals = {g["township"]: (g["goal_5"], g["goal_4"], g["goal_3"], g["due"], g["due_text"])
             for g in staged.parsed.goals.to_pylist()}
    assert goals == {None: (2, 7, 5, date(2024, 12, 31), "2024年底"),
                     "侯寨乡": (1, None, 2, date(2024, 12, 31), "2024-12")}


def test_gbk_csv_register_with_county_from_the_uploader() -> None:
    text = "乡镇,村名,类别,书记,包联领导,专班\r\n侯寨乡,樱桃沟社区,村,张三,李四,专班甲\r\n侯寨乡,南岗村,,钱七,,\r\n"
    staged = register.stage(text.encode("gbk"), "名册.csv", county="二七区", settings=SETTINGS)
    assert staged.ok, [str(p) for p in staged.errors]
    assert staged.parsed is not None
    got = [(r["county"], r["branch"], r["branch_type"], r["liaison"], r["team"])
           for r in staged.parsed.register.to_pylist()]
    # A blank type takes the name's (…村); the register's 村 for 樱桃沟社区 is kept as written.
    assert got == [("二七区", "樱桃沟社区", "村", "李四", "专班甲"), ("二七区", "南岗村", "村", None, None)]
    assert not staged.parsed.has_goals


def test_a_register_needs_no_star_ledger_and_a_ledger_sheet_is_skipped() -> None:
    data = xlsx({"星级台账": [STAR_HEADER, star_row("二七区", "侯寨乡", "南岗村")],
                 "支部名册": [REG_HEADER, ["二七区", "侯寨乡", "南岗村", "村", None, None, None, None]]})
    staged = register.stage(data, "名册.xlsx", settings=SETTINGS)
    assert staged.ok and staged.skipped_sheets == ["星级台账"]
    assert [w.code for w in staged.warnings] == [spec.W_SKIPPED_SHEET]
    # …and a ledger upload skips a register sheet instead of refusing it.
    from analytics.ingest import stage

    led = stage(data, "台账.xlsx", settings=SETTINGS)
    assert led.ok and led.skipped_sheets == ["支部名册"]


@pytest.mark.parametrize(("text", "due"), [
    ("2024", date(2024, 12, 31)), ("2024年", date(2024, 12, 31)), ("2024年底", date(2024, 12, 31)),
    ("2024-12", date(2024, 12, 31)), ("2024年6月", date(2024, 6, 30)), ("2024-06-15", date(2024, 6, 15)),
    ("2025.12", date(2025, 12, 31)), ("2024-12-31 00:00:00", date(2024, 12, 31)),
])
def test_due_forms(text: str, due: date) -> None:
    assert parse_due(text) == due


def test_goal_text_and_bad_values() -> None:
    assert parse_goal_text("五星2个、四星7个、三星5个") == (2, 7, 5)
    assert parse_goal_text("三星5个") == (None, None, 5)
    for bad in ("很多", "五星2个、五星3个", "五星两个"):
        with pytest.raises(ValueError):
            parse_goal_text(bad)
    with pytest.raises(ValueError):
        parse_due("明年")


# --- refusals -------------------------------------------------------------------------


def test_refusal_names_cells_and_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    assert imported(db, xlsx({"支部名册": [REG_HEADER, ["二七区", "侯寨乡", "南岗村", "村", None, None, None, None]]})).ok
    before = current_register(db)
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        n_uploads = store.count_uploads(con)
    bad = xlsx({"支部名册": [
        ["二七区名册"], REG_HEADER,
        ["二七区", "侯寨乡", "北岗村", "街道", None, None, None, None],  # type unreadable
        ["二七区", "侯寨乡", "东岗村", "村", None, None, None, "注销了"],  # status unreadable
        ["二七区", "侯寨乡", "北岗村", "村", None, None, None, None],  # duplicate
    ], "创建目标": [["县（市、区）", "五星", "完成时限"], ["二七区", 2, "明年"]]})
    result = imported(db, bad, "坏名册.xlsx")
    assert not result.ok and result.upload_id is None
    got = {(p.code, p.cell, p.value) for p in result.errors}
    assert ("E_VALUE", "支部名册!D3", "街道") in got
    assert ("E_VALUE", "支部名册!H4", "注销了") in got
    assert ("E_DUPLICATE", "支部名册!C5", "北岗村") in got
    assert ("E_VALUE", "创建目标!C2", "明年") in got
    assert all(p.message for p in result.errors)
    assert "未写入任何数据" in (result.notice or "")
    assert current_register(db) == before
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert store.count_uploads(con) == n_uploads
        events = con.execute("SELECT action FROM audit_log ORDER BY seq").fetchall()
    assert events[-1] == ("register_refused",)


def test_missing_type_column_and_no_register_sheet(tmp_path: Path) -> None:
    no_type = xlsx({"支部名册": [["乡镇", "村名", "包村领导"], ["侯寨乡", "南岗村", "李四"]]})
    r = register.stage(no_type, "x.xlsx", county="二七区", settings=SETTINGS)
    assert [(p.code, p.cell) for p in r.errors] == [("E_MISSING_COLUMN", "支部名册 第1行")]
    assert "类型" in r.errors[0].message
    nothing = xlsx({"说明": [["填表说明"], ["请按模板填写"]]})
    r = register.stage(nothing, "x.xlsx", settings=SETTINGS)
    assert [p.code for p in r.errors] == ["E_NO_LEDGER"]
    no_county = xlsx({"支部名册": [REG_HEADER[1:], ["侯寨乡", "南岗村", "村", None, None, None, None]]})
    assert [p.code for p in register.stage(no_county, "名册.xlsx", settings=SETTINGS).errors] == ["E_COUNTY"]


# --- versions --------------------------------------------------------------------------


def two_counties(a_branches: list[str]) -> bytes:
    rows = [REG_HEADER] + [["二七区", "侯寨乡", b, "村", None, None, None, None] for b in a_branches]
    rows.append(["中原区", "林山寨街道", "建设路社区", "社区", None, None, None, None])
    return xlsx({"支部名册": rows})


def test_a_county_import_replaces_that_county_only_and_rollback_restores(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    original = two_counties(["南岗村", "北岗村"])  # openpyxl stamps the second: build the bytes once
    first = imported(db, original)
    assert first.ok and first.upload_id == "U00001"
    second = imported(db, xlsx({"支部名册": [REG_HEADER, ["二七区", "侯寨乡", "东岗村", "村", None, None, None, None]]}),
                      "二七区名册v2.xlsx")
    assert second.ok and "替换了此前的版本 U00001" in (second.notice or "")
    # 二七区 is now exactly the new list (南岗村, 北岗村 no longer registered); 中原区 untouched.
    assert current_register(db) == [("中原区", "林山寨街道", "建设路社区", "社区"), ("二七区", "侯寨乡", "东岗村", "村")]
    with store.open_store(db, settings=SETTINGS) as con:
        recs = {r.upload_id: r for r in store.list_uploads(con)}
        assert recs["U00001"].status == "partly_current" and recs["U00002"].status == "current"
        assert recs["U00002"].period_label == "名册" and recs["U00002"].kind == "register"
        store.rollback(con, "U00002", actor=cli_actor(), reason="名单报错了")
        event = con.execute("SELECT action, object, county, period FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        assert event == ("upload_rolled_back", "U00002", "二七区", None)
    assert current_register(db) == [("中原区", "林山寨街道", "建设路社区", "社区"), ("二七区", "侯寨乡", "北岗村", "村"),
                                    ("二七区", "侯寨乡", "南岗村", "村")]
    # The identical file again is a no-op that says so.
    again = imported(db, original)
    assert again.ok and again.duplicate_of == "U00001" and again.upload_id is None


def test_goals_sheet_alone_replaces_goals_not_the_register(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    assert imported(db, messy_register()).ok
    goals = xlsx({"创建目标": [["县（市、区）", "乡镇（街道）", "五星", "四星", "三星", "目标年度"],
                               ["二七区", None, 3, 8, 6, 2025]]})
    assert imported(db, goals, "目标.xlsx").ok
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert con.execute("SELECT township, goal_5, goal_4, goal_3, due FROM v_goal").fetchall() == [
            (None, 3, 8, 6, date(2025, 12, 31))]
        assert con.execute("SELECT count(*) FROM v_register").fetchone() == (3,)
        actions = [r[0] for r in con.execute("SELECT action FROM audit_log ORDER BY seq").fetchall()]
    assert actions == ["register_changed", "goals_changed", "goals_changed"]


# --- the register's type wins (register.md §1) -------------------------------------------------


def test_community_named_branch_stays_village_through_upload_ranking_and_battle_map(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    assert imported(db, messy_register()).ok
    result = ingest_bytes(ledger([star_row("二七区", "侯寨乡", "樱桃沟社区"), star_row("二七区", "侯寨乡", "南岗村")]),
                          "侯寨乡8月.xlsx", db=db, settings=SETTINGS)
    assert result.ok, [str(p) for p in result.errors]
    assert not [w for w in result.warnings if w.code in (spec.W_TYPE_CONFLICT, spec.W_NOT_IN_REGISTER)]
    period = Period.parse("2024-08")
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        row = con.execute("SELECT branch_type, tasks_total, tasks_done FROM v_branch_month "
                          "WHERE branch = '樱桃沟社区'").fetchone()
        assert row == ("村", 29, 15)  # the village set's default 29 tasks, 50 % of them
        villages = branch_ranking(con, period, Scope(branch_type="村"), SETTINGS)
        communities = branch_ranking(con, period, Scope(branch_type="社区"), SETTINGS)
        bm = battle_map(con, period, Scope(county="二七区"), SETTINGS)
    assert "樱桃沟社区" in set(villages["branch"]) and "樱桃沟社区" not in set(communities["branch"])
    cherry = bm[bm["branch"] == "樱桃沟社区"].iloc[0]
    assert (cherry["branch_type"], cherry["secretary"], cherry["liaison"], cherry["team"]) == (
        "村", "张三", "李四（副乡长）", "王五、赵六")


def test_type_conflict_and_not_in_register_warnings_name_the_cells(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    assert imported(db, messy_register()).ok
    header = [*STAR_HEADER, "类型"]
    data = ledger([star_row("二七区", "侯寨乡", "樱桃沟社区", "社区"), star_row("二七区", "侯寨乡", "西岗村", "村")],
                  header)
    result = ingest_bytes(data, "侯寨乡8月.xlsx", db=db, settings=SETTINGS)
    assert result.ok
    warns = {(w.code, w.cell, w.value) for w in result.warnings}
    assert (spec.W_TYPE_CONFLICT, "星级台账!K2", "社区") in warns
    assert (spec.W_NOT_IN_REGISTER, "星级台账!C3", "西岗村") in warns
    assert any("名册中为“村”" in w.message for w in result.warnings if w.code == spec.W_TYPE_CONFLICT)
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        types = dict(con.execute("SELECT branch, branch_type FROM v_branch_month").fetchall())
        stored = json.loads(con.execute("SELECT warnings FROM uploads WHERE upload_id = ?",
                                        [result.upload_id]).fetchone()[0])
        missing = register.unregistered_branches(con)
    assert types == {"樱桃沟社区": "村", "西岗村": "村"}  # loaded; the register's type used
    assert {w["code"] for w in stored} >= {spec.W_TYPE_CONFLICT, spec.W_NOT_IN_REGISTER}
    assert list(missing["branch"]) == ["西岗村"] and list(missing["reason"]) == ["不在名册中"]


def test_a_county_without_a_register_works_as_before(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    assert imported(db, messy_register()).ok  # 二七区 has a register, 中原区 has none
    result = ingest_bytes(ledger([star_row("中原区", "须水街道", "樱桃沟社区"), star_row("中原区", "须水街道", "西岗村")]),
                          "须水8月.xlsx", db=db, settings=SETTINGS)
    assert result.ok
    assert not [w for w in result.warnings if w.code in (spec.W_TYPE_CONFLICT, spec.W_NOT_IN_REGISTER)]
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert dict(con.execute("SELECT branch, branch_type FROM v_branch_month").fetchall()) == {
            "樱桃沟社区": "社区", "西岗村": "村"}
        assert register.unregistered_branches(con).empty


def test_register_applies_to_ledgers_loaded_after_it(tmp_path: Path) -> None:
    # docs/decisions.md: months loaded before the register keep their stored type until re-uploaded.
    db = tmp_path / "s.duckdb"
    assert ingest_bytes(ledger([star_row("二七区", "侯寨乡", "樱桃沟社区", period="2024-07")]), "7月.xlsx", db=db,
                        settings=SETTINGS).ok
    assert imported(db, messy_register()).ok
    assert ingest_bytes(ledger([star_row("二七区", "侯寨乡", "樱桃沟社区")]), "8月.xlsx", db=db, settings=SETTINGS).ok
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert con.execute("SELECT strftime(period, '%Y-%m'), branch_type FROM v_branch_month ORDER BY period"
                           ).fetchall() == [("2024-07", "社区"), ("2024-08", "村")]


# --- rights ----------------------------------------------------------------------------------


def test_only_county_and_admin_accounts_import_a_register(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with store.open_store(db, settings=SETTINGS) as con:
        for login, role, county, township in (("hz", "township", "二七区", "侯寨乡"), ("eq", "county", "二七区", None),
                                              ("zy", "county", "中原区", None), ("v", "viewer", None, None)):
            accounts.add_account(con, login, role=role, county=county, township=township, by=cli_actor(),
                                 password="test-password-1", must_change=False)
        actors = {a.login: a.actor() for a in (accounts.get_account(con, x) for x in ("hz", "eq", "zy", "v")) if a}
    for login in ("hz", "zy", "v"):
        refused = imported(db, messy_register(), actor=actors[login])
        assert not refused.ok and [p.code for p in refused.errors] == ["E_SCOPE"], login
        assert current_register(db) == []
    ok = imported(db, messy_register(), actor=actors["eq"])
    assert ok.ok and ok.state == "accepted"
    assert len(current_register(db)) == 3


# --- templates -----------------------------------------------------------------------------


def _validations(data: bytes) -> dict[str, set[str]]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: {str(dv.formula1) for dv in ws.data_validations.dataValidation if dv.type == "list"}
            for ws in wb.worksheets}


def test_template_has_both_sheets_with_drop_downs_and_is_read_back() -> None:
    data = build_register_template()
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["支部名册", "创建目标", "填表说明"]
    assert _validations(data)["支部名册"] == {'"村,社区"', '"在册,撤并,新设"'}
    filled = build_register_template(
        branches=[{"county": "二七区", "township": "侯寨乡", "branch": "=樱桃沟社区", "branch_type": "村",
                   "secretary": "张三", "liaison": None, "team": None, "status": "在册"}],
        goals=[{"county": "二七区", "township": None, "goal_5": 2, "goal_4": 7, "goal_3": 5, "due_text": None,
                "due": date(2024, 12, 31)}])
    ws = openpyxl.load_workbook(io.BytesIO(filled))["支部名册"]
    assert ws["D2"].value == "=樱桃沟社区" and ws["D2"].data_type == "s"  # the export guard: text, not a formula
    staged = register.stage(filled, "预填.xlsx", settings=SETTINGS)
    assert staged.ok, [str(p) for p in staged.errors]
    assert staged.parsed is not None
    assert staged.parsed.goals.to_pylist()[0]["goal_4"] == 7


# --- command line ----------------------------------------------------------------------------


def test_cli_import_list_and_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from analytics.__main__ import main

    db = tmp_path / "s.duckdb"
    f = tmp_path / "名册.xlsx"
    f.write_bytes(messy_register())
    assert main(["register", "import", str(f), "--db", str(db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["ok"] and out["kind"] == "register" and out["counties"] == ["二七区"] and out["rows"]["branches"] == 3
    assert ingest_bytes(ledger([star_row("二七区", "侯寨乡", "西岗村")]), "8月.xlsx", db=db, settings=SETTINGS).ok
    assert main(["register", "list", "--db", str(db), "--json"]) == 0
    listed = [json.loads(x) for x in capsys.readouterr().out.strip().splitlines()]
    assert [(x["branch"], x["last_period"]) for x in listed] == [("西岗村", "2024-08")]
    out_file = tmp_path / "预填.xlsx"
    assert main(["register", "template", "--prefilled", "--db", str(db), "-o", str(out_file)]) == 0
    ws = openpyxl.load_workbook(out_file)["支部名册"]
    assert [ws.cell(r, 4).value for r in range(2, 6)] == [*sorted(["樱桃沟社区", "南岗村", "西岗村"]), "幸福社区"]
    assert main(["uploads", "--db", str(db)]) == 0
    assert "名册" in capsys.readouterr().out
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(xlsx({"支部名册": [REG_HEADER, ["二七区", "侯寨乡", "北岗村", "街道", None, None, None, None]]}))
    assert main(["register", "import", str(bad), "--db", str(db)]) == 1
    assert "支部名册!D2" in capsys.readouterr().out


def test_register_reads_are_clamped_to_the_accounts_reach(tmp_path: Path) -> None:
    from analytics import access

    db = tmp_path / "s.duckdb"
    assert imported(db, two_counties(["南岗村"])).ok
    for county, township, branch in (("二七区", "侯寨乡", "西岗村"), ("中原区", "林山寨街道", "秦岭社区")):
        assert ingest_bytes(ledger([star_row(county, township, branch)]), f"{township}.xlsx", db=db,
                            settings=SETTINGS).ok
    with store.open_store(db, settings=SETTINGS) as con:
        accounts.add_account(con, "eq", role="county", county="二七区", by=cli_actor(), password="test-password-1",
                             must_change=False)
        eq = accounts.get_account(con, "eq")
        assert eq is not None
        everyone = access.call(con, cli_actor(), "register.unregistered_branches")
        mine = access.call(con, eq.actor(), "register.unregistered_branches")
        known = access.call(con, eq.actor(), "register.known_branches")
        with pytest.raises(access.AccessDenied):
            access.call(con, eq.actor(), "register.register_rows", county="中原区")
    assert sorted(everyone["branch"]) == ["秦岭社区", "西岗村"]
    assert list(mine["branch"]) == ["西岗村"]
    assert set(known["county"]) == {"二七区"} and set(known["branch"]) == {"南岗村", "西岗村"}


def test_a_summary_sheet_of_level_counts_is_not_a_goals_sheet() -> None:
    # A 汇总 sheet (县区 / 五星 / 四星 / 三星 counts, no deadline) beside the register is skipped, not refused.
    data = xlsx({"支部名册": [REG_HEADER, ["二七区", "侯寨乡", "南岗村", "村", None, None, None, None]],
                 "汇总": [["县区", "五星", "四星", "三星"], ["二七区", 1, 2, 3]]})
    staged = register.stage(data, "名册.xlsx", settings=SETTINGS)
    assert staged.ok and staged.skipped_sheets == ["汇总"]
    assert staged.parsed is not None and not staged.parsed.has_goals
