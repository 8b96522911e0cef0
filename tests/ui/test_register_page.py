"""数据上传 → 支部名册 / 创建目标 (register.md §1–§2) on the tiny store of conftest.py:
甲县 (东镇: 一村, 二村; 西镇: 三社区, 五社区) and 乙县 (南镇: 四村), 2024-07 and 2024-08."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.test_register import REG_HEADER, xlsx
from tests.ui.conftest import with_account
from tests.ui.test_pages import frame, open_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def jia_register() -> bytes:
    return xlsx({
        "支部名册": [["甲县支部名册"], REG_HEADER,
                     ["甲县", "东镇", "一村", "村", "王甲", "李包村", "专班甲", None],
                     ["甲县", "西镇", "三社区", "村", "赵书记", None, None, None]],
        "创建目标": [["县（市、区）", "乡镇（街道）", "创建目标", "完成时限"],
                     ["甲县", None, "五星1个、四星2个、三星1个", "2024年底"]],
    })


def _section_uploader(at: AppTest):  # type: ignore[no-untyped-def]
    return next(u for u in at.get("file_uploader") if (u.key or "").startswith("reg_file_"))


def test_an_admin_checks_and_imports_a_register_and_sees_what_to_reconcile(seeded_db: Path) -> None:
    at = open_page("pages/upload.py")
    assert any(h.value == "支部名册 / 创建目标" for h in at.subheader)
    _section_uploader(at).set_value([("甲县名册.xlsx", jia_register(), XLSX)])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("甲县名册.xlsx** — 检查通过" in m.value for m in at.markdown)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["名册支部"] == "2 个" and metrics["创建目标"] == "1 条"
    at.button(key="reg_confirm").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("已导入为 U" in s.value and "支部名册 2 个支部" in s.value for s in at.success)
    summary = frame(at, "名册支部")
    assert summary.iloc[0]["县（市、区）"] == "甲县" and summary.iloc[0]["名册支部"] == 2
    missing = frame(at, "报送月数")
    assert sorted(missing["村（社区）"]) == ["二村", "五社区"]  # in 甲县's ledgers, not in its register
    goals = frame(at, "完成时限")
    assert list(goals.iloc[0][["五星", "四星", "三星", "完成时限"]]) == [1, 2, 1, "2024年底"]
    history = frame(at, "上传编号")
    assert history.iloc[0]["月份"] == "名册" and history.iloc[0]["范围"] == "甲县"
    # The battle map shows the register's people.
    at.switch_page("pages/battle_map.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    grid = frame(at, "包村领导")
    one = grid[grid["村（社区）"] == "一村"].iloc[0]
    assert (one["包村领导"], one["创建专班"]) == ("李包村", "专班甲")


def test_a_township_account_cannot_import_a_register(seeded_db: Path) -> None:
    with_account(seeded_db, "dong", role="township", county="甲县", township="东镇")
    at = open_page("pages/upload.py", login="dong")
    assert any(h.value == "支部名册 / 创建目标" for h in at.subheader)
    assert not [u for u in at.get("file_uploader") if (u.key or "").startswith("reg_file_")]
    assert any("由县（市、区）管理员或系统管理员导入" in c.value for c in at.caption)
