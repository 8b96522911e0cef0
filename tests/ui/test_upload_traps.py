"""Issue 13 item 7 (and the staged-upload bound of issue 14): the upload page's traps.

Two files of one batch for the same township-month, a byte-identical re-upload, the rollback
confirmation box after a rollback, and the files held in the session.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from analytics import store
from tests.ui.test_pages import _filled_template, frame, open_page
from ui import safe

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _one_row_version() -> bytes:
    """北镇 2024-09 again, with only its first branch (a second, different file for the same township-month)."""
    wb = openpyxl.load_workbook(io.BytesIO(_filled_template()))
    wb["星级台账"].delete_rows(3)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader[0].set_value([(name, data, XLSX) for name, data in files])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    return " ".join(md.value for md in at.markdown)


def test_two_files_for_one_township_month_are_flagged_and_one_is_chosen(seeded_db: Path) -> None:
    at = upload(open_page("pages/upload.py"), ("北镇九月.xlsx", _filled_template()), ("北镇九月_改.xlsx", _one_row_version()))
    warnings = [w.value for w in at.warning]
    # each file's card names the other file
    assert any(safe.md("北镇九月_改.xlsx") in w and "同一乡镇（街道）同一月份" in w for w in warnings)
    assert any("与本批的 北镇九月.xlsx" in w for w in warnings)
    # nothing is imported until the user picks one
    assert not [b for b in at.button if b.key == "up_confirm"]
    [pick] = [r for r in at.radio if r.key.startswith("up_pick_")]
    assert pick.value is None
    pick.set_value(1)
    at.run()
    confirm = at.button(key="up_confirm")
    assert "确认导入 1 个文件" in confirm.label and "1 个同乡镇同月份的文件不导入" in confirm.label
    confirm.click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    history = frame(at, "上传编号")
    assert list(history["上传编号"])[:2] == ["U00007", "U00006"]  # one upload, not two
    assert history.loc[history["上传编号"] == "U00007", "文件名"].iloc[0] == "北镇九月_改.xlsx"
    assert history.loc[history["上传编号"] == "U00007", "支部"].iloc[0] == 1


def test_identical_reupload_is_named_before_confirming(seeded_db: Path) -> None:
    data = _filled_template()  # openpyxl stamps the save time: build the bytes once
    at = upload(open_page("pages/upload.py"), ("北镇九月.xlsx", data))
    assert "检查通过，可以导入" in texts(at)
    at.button(key="up_confirm").click()
    at.run()
    assert any("已导入为 U00007" in s.value for s in at.success)
    upload(at, ("北镇九月（再次）.xlsx", data))
    assert "与已生效的上传 U00007 完全相同，导入不会有任何变化" in texts(at)
    assert not any("导入后将替换" in c.value for c in at.caption)


def test_rollback_box_is_unticked_for_the_next_upload(seeded_db: Path) -> None:
    at = open_page("pages/upload.py")
    at.selectbox(key="rb_choice").set_value("U00006")
    at.run()
    at.text_input(key="rb_reason").input("南镇报错了月份")  # an account's rollback names its reason
    [box] = [c for c in at.checkbox if "我确认要回滚" in c.label]
    box.check()
    at.run()
    at.button(key="rb_do").click()
    at.run()
    assert any("已回滚 U00006" in s.value for s in at.success)
    [box] = [c for c in at.checkbox if "我确认要回滚" in c.label]
    # the box belongs to the upload now selected (its own widget), so no tick carries over
    assert at.selectbox(key="rb_choice").value != "U00006"
    assert box.key == f"rb_confirm_{at.selectbox(key='rb_choice').value}"
    assert box.value is False
    assert at.button(key="rb_do").disabled
    box.check()
    at.run()
    assert not at.button(key="rb_do").disabled


def test_staged_files_are_bounded_and_freed(seeded_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIVESTAR_MAX_STAGED_FILES", "1")
    at = upload(open_page("pages/upload.py"), ("北镇九月.xlsx", _filled_template()), ("北镇九月_改.xlsx", _one_row_version()))
    assert len(at.session_state["staged"]) == 1
    assert any("一次最多检查 1 个文件" in w.value and safe.md("北镇九月_改.xlsx") in w.value for w in at.warning)
    assert safe.md("北镇九月_改.xlsx") not in texts(at)
    monkeypatch.setenv("FIVESTAR_MAX_STAGED_FILES", "30")
    upload(at, ("北镇九月_改.xlsx", _one_row_version()))
    # the file no longer selected is not held any more
    assert [sf.file_name for sf in at.session_state["staged"].values()] == ["北镇九月_改.xlsx"]
    at.button(key="up_confirm").click()
    at.run()
    assert at.session_state["staged"] == {}
    with store.open_store(seeded_db, read_only=True) as con:
        assert store.count_uploads(con) == 7


def test_wrong_file_type_is_refused_with_the_accepted_types(seeded_db: Path) -> None:
    at = open_page("pages/upload.py")
    at.file_uploader[0].set_value([("工作总结.docx", b"PK\x03\x04 not a ledger", "application/octet-stream")])
    at.run()
    assert not at.exception
    assert "工作总结.docx** — 未通过检查" in texts(at)
    errors = frame(at, "问题说明及修改方法")
    [message] = list(errors["问题说明及修改方法"])
    assert message.startswith("“工作总结.docx”不是可导入的台账文件（.docx）：只接受 Excel 工作簿（.xlsx、.xlsm、.xls）和 CSV 文件（.csv）")
