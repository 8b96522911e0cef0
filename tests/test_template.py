"""The standard ledger template: sheets, headers, drop-downs, and a round trip through the importer."""

from __future__ import annotations

import io

import openpyxl

from analytics import spec
from analytics.ingest import stage
from analytics.template import LEDGER_COLUMNS, build_template


def _load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_sheets_and_headers() -> None:
    wb = _load(build_template())
    assert wb.sheetnames == ["星级台账", "任务台账", "问题清单", "软弱涣散整顿", "填表说明"]
    ledger = [c.value for c in wb["星级台账"][1]]
    assert ledger == ["序号", "县（市、区）", "乡镇（街道）", "村（社区）", "类型", "创建目标", "支部过硬星",
                      "产业兴旺/共建共享", "生态宜居/宜业兴业", "平安法治星", "文明幸福/幸福和谐", "已完成任务数",
                      "任务总数", "未销号问题数", "存在问题", "软弱涣散", "支部书记", "报送月份", "备注"]
    tasks = [c.value for c in wb["任务台账"][1]]
    assert tasks == ["序号", "县（市、区）", "乡镇（街道）", "村（社区）", "所属星", "重点任务", "具体举措", "负责人",
                     "完成时限", "是否完成", "完成时间", "专班人员", "领星人", "责任单位", "是否验收", "验收时间", "备注"]
    assert wb["星级台账"].max_row == 1  # no example rows that could be imported by mistake
    help_text = " ".join(str(c.value) for row in wb["填表说明"].iter_rows() for c in row if c.value)
    assert "产业兴旺星" in help_text and "共建共享星" in help_text and "2024-08" in help_text


def test_drop_downs() -> None:
    wb = _load(build_template())
    ws = wb["星级台账"]
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation
             if dv.type == "list"}
    assert lists["G2"] == '"已达标,创建中,未启动"'  # 支部过硬星
    assert lists["K2"] == '"已达标,创建中,未启动"'  # 文明幸福/幸福和谐
    assert lists["F2"] == '"三星,四星,五星"'  # 创建目标
    assert lists["E2"] == '"村,社区"'
    assert lists["P2"] == '"是,否"'  # 软弱涣散
    numbers = [dv for dv in ws.data_validations.dataValidation if dv.type == "whole"]
    assert {str(dv.sqref).split(":")[0] for dv in numbers} == {"L2", "M2", "N2"}
    wt = wb["任务台账"]
    task_lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in wt.data_validations.dataValidation
                  if dv.type == "list"}
    assert task_lists["J2"] == '"是,否,已验收,已销号"'
    assert all(name in task_lists["E2"] for name in ("产业兴旺星", "共建共享星", "幸福和谐星"))


def test_prefilled_rows() -> None:
    wb = _load(build_template(period="2024-09", county="甲县", township="东镇", branches=[
        {"branch": "一村", "branch_type": "村", "target_stars": 4}, {"branch": "三社区", "branch_type": "社区"}]))
    ws = wb["星级台账"]
    header = [c.value for c in ws[1]]
    row2 = dict(zip(header, [c.value for c in ws[2]], strict=True))
    assert (row2["县（市、区）"], row2["乡镇（街道）"], row2["村（社区）"], row2["创建目标"], row2["报送月份"]) == \
        ("甲县", "东镇", "一村", "四星", "2024-09")
    assert ws.cell(row=3, column=header.index("创建目标") + 1).value is None
    assert len(LEDGER_COLUMNS) == len(header)


def test_filled_template_is_accepted_by_the_importer() -> None:
    wb = _load(build_template())
    ws = wb["星级台账"]
    header = [c.value for c in ws[1]]
    rows = [
        {"县（市、区）": "甲县", "乡镇（街道）": "北镇", "村（社区）": "六村党支部", "类型": "村", "创建目标": "四星",
         "支部过硬星": "已达标", "产业兴旺/共建共享": "已达标", "生态宜居/宜业兴业": "已达标", "平安法治星": "创建中",
         "文明幸福/幸福和谐": "未启动", "已完成任务数": 12, "任务总数": 29, "软弱涣散": "否", "报送月份": "2024-09"},
        {"县（市、区）": "甲县", "乡镇（街道）": "北镇", "村（社区）": "七社区", "类型": "社区",
         "支部过硬星": "创建中", "产业兴旺/共建共享": "已达标", "生态宜居/宜业兴业": "未启动", "平安法治星": "未启动",
         "文明幸福/幸福和谐": "已达标", "已完成任务数": 5, "任务总数": 27, "软弱涣散": "是", "报送月份": "2024-09"},
    ]
    for i, row in enumerate(rows, start=2):
        for field, value in row.items():
            ws.cell(row=i, column=header.index(field) + 1, value=value)
    wt = wb["任务台账"]
    theader = [c.value for c in wt[1]]
    task = {"县（市、区）": "甲县", "乡镇（街道）": "北镇", "村（社区）": "六村", "所属星": "产业兴旺星",
            "重点任务": "发展特色种植", "负责人": "李乙", "是否完成": "否"}
    for field, value in task.items():
        wt.cell(row=2, column=theader.index(field) + 1, value=value)
    out = io.BytesIO()
    wb.save(out)

    staged = stage(out.getvalue(), "北镇2024-09.xlsx")
    assert staged.ok, [str(p) for p in staged.errors]
    assert staged.period == "2024-09"
    assert staged.scope == [("甲县", "北镇")]
    assert [str(p.code) for p in staged.warnings] == ["W_SKIPPED_SHEET"]
    assert staged.parsed is not None
    branches = staged.parsed.branches.to_pylist()
    six, seven = branches
    assert (six["branch"], six["branch_type"], six["target_stars"], six["stars"]) == ("六村", "村", 4, 3)
    assert (six["star_1"], six["star_4"], six["star_5"]) == (spec.ACHIEVED, spec.IN_PROGRESS, spec.NOT_STARTED)
    assert (six["tasks_done"], six["tasks_total"], six["weak"]) == (12, 29, False)
    assert (seven["branch"], seven["branch_type"], seven["target_stars"], seven["stars"], seven["weak"]) == \
        ("七社区", "社区", None, 2, True)
    tasks = staged.parsed.tasks.to_pylist()
    assert [(t["branch"], t["star_slot"], t["task"], t["done"]) for t in tasks] == [("六村", 2, "发展特色种植", False)]


def test_problem_and_rectification_sheets_with_drop_downs_and_help() -> None:
    wb = _load(build_template())
    problems = wb["问题清单"]
    assert [c.value for c in problems[1]] == ["序号", "县（市、区）", "乡镇（街道）", "村（社区）", "所属星", "问题",
                                              "整改措施", "责任人", "整改时限", "是否销号", "销号时间", "备注"]
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in problems.data_validations.dataValidation
             if dv.type == "list"}
    assert lists["J2"] == '"未销号,整改中,已销号"'
    assert "平安法治星" in lists["E2"]
    dates = {str(dv.sqref).split(":")[0] for dv in problems.data_validations.dataValidation if dv.type == "date"}
    assert dates == {"I2", "K2"}
    weak = wb["软弱涣散整顿"]
    assert [c.value for c in weak[1]] == ["序号", "县（市、区）", "乡镇（街道）", "村（社区）", "认定情形", "整顿措施",
                                          "包联领导", "认定时间", "整顿状态", "销号时间", "备注"]
    weak_lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in weak.data_validations.dataValidation
                  if dv.type == "list"}
    assert weak_lists == {"I2": '"整顿中,已销号,已摘帽,巩固提升"'}
    tasks = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in wb["任务台账"].data_validations.dataValidation
             if dv.type == "list"}
    assert tasks["J2"] == '"是,否,已验收,已销号"' and tasks["O2"] == '"已验收,未验收"'
    help_text = " ".join(str(c.value) for row in wb["填表说明"].iter_rows() for c in row if c.value)
    for words in ("问题清单", "整改时限", "软弱涣散整顿", "已摘帽", "未分星", "已验收"):
        assert words in help_text


def _one_branch_template() -> openpyxl.Workbook:
    """The template pre-filled with one branch of 东镇, every star 已达标."""
    wb = _load(build_template(period="2024-08", county="甲县", township="东镇", branches=[
        {"branch": "一村", "branch_type": "村"}]))
    for col in range(7, 12):
        wb["星级台账"].cell(row=2, column=col, value="已达标")
    return wb


def _stage(wb: openpyxl.Workbook):  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    wb.save(out)
    return stage(out.getvalue(), "东镇.xlsx")


def test_a_filled_template_with_problem_and_rectification_rows_is_imported() -> None:
    wb = _one_branch_template()
    wb["问题清单"].append([1, "甲县", "东镇", "一村", "平安法治星", "矛盾多", "建调解室", "张三", None, "整改中"])
    wb["软弱涣散整顿"].append([1, "甲县", "东镇", "一村", "班子弱", "调整", "李四", None, "整顿中"])
    staged = _stage(wb)
    assert staged.parsed is not None, [str(e) for e in staged.errors]
    assert staged.parsed.problems.column("problem").to_pylist() == ["矛盾多"]
    assert staged.parsed.weak.column("state").to_pylist() == ["整顿中"]
    assert staged.parsed.branches.select(["open_problems", "weak"]).to_pylist() == [
        {"open_problems": 1, "weak": True}]


def test_an_empty_problem_list_or_rectification_sheet_changes_nothing() -> None:
    wb = _one_branch_template()
    wb["星级台账"].cell(row=2, column=16, value="是")  # 软弱涣散
    staged = _stage(wb)
    assert staged.parsed is not None
    assert staged.parsed.branches.select(["open_problems", "weak"]).to_pylist() == [
        {"open_problems": None, "weak": True}]
    assert [w.code for w in staged.warnings] == ["W_SKIPPED_SHEET"]  # 填表说明 only
