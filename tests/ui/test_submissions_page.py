"""报送情况 page (register.md §3) on the tiny store of conftest.py plus a register for 甲县."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from analytics import store
from analytics.settings import Settings
from tests.analytics.register_rows import add_register
from tests.ui.conftest import with_account
from tests.ui.test_pages import frame, metrics, open_page


@pytest.fixture
def registered_db(seeded_db: Path) -> Path:
    with store.open_store(seeded_db, settings=Settings({"lock_timeout_s": 5})) as con:
        # 甲县 has a register: 东镇 also lists 六村 (missing from its ledger); 北镇 never submitted.
        add_register(con, "甲县", [("东镇", "一村"), ("东镇", "二村"), ("东镇", "六村"),
                                  ("西镇", "三社区"), ("西镇", "五社区"), ("北镇", "七村")])
    return seeded_db


def test_counts_table_reminder_and_download(registered_db: Path) -> None:
    at = open_page("pages/submissions.py")
    assert [t.value for t in at.title] == ["报送情况"]
    assert "2024年8月台账" in at.caption[0].value and "报送截止 2024年9月5日" in at.caption[0].value
    m = metrics(at)
    # The factory's uploads were received 2024-01-01: on time. 北镇 owes the ledger.
    assert (m["已报送"], m["逾期报送"], m["待审核"], m["已退回"], m["未报送"]) == ("3 个", "0 个", "0 个", "0 个", "1 个")
    table = frame(at, "缺报支部")
    rows = {r["乡镇（街道）"]: r for r in table.to_dict("records")}
    assert next(iter(table["乡镇（街道）"])) == "北镇" and rows["北镇"]["状态"] == "未报送"
    assert rows["东镇"]["缺报支部"] == "六村" and (rows["东镇"]["报送支部数"], rows["东镇"]["名册支部数"]) == (2, 3)
    assert rows["南镇"]["状态"] == "已报送"  # 乙县 has no register: present the months before
    code = at.code[0].value
    assert "【提醒】甲县2024年8月" in code and "尚未报送：北镇。" in code and "2024年9月5日" in code and "东镇" not in code
    assert [b.label for b in at.get("download_button")] == ["下载报送情况（Excel）"]


def test_a_township_account_sees_its_county_only(registered_db: Path) -> None:
    with_account(registered_db, "dong", role="township", county="甲县", township="东镇")
    at = open_page("pages/submissions.py", login="dong")
    towns = set(frame(at, "缺报支部")["乡镇（街道）"])
    assert towns == {"东镇", "西镇", "北镇"}


def test_a_later_month_nobody_reported_lists_every_expected_township(registered_db: Path) -> None:
    at = open_page("pages/submissions.py")
    # September has no data yet: the page offers it (up to three months after the data).
    assert at.selectbox(key="sub_month").options[:4] == ["2024年11月", "2024年10月", "2024年9月", "2024年8月"]
    at.selectbox(key="sub_month").set_value(date(2024, 9, 1))
    at.run()
    assert not at.exception
    m = metrics(at)
    # 甲县's three registered townships, and 南镇 of 乙县 (no register) present in August.
    assert m["未报送"] == "4 个" and m["已报送"] == "0 个"
    at.selectbox(key="sub_month").set_value(date(2024, 11, 1))
    at.run()
    assert metrics(at)["未报送"] == "3 个"  # 南镇 was not present in September or October
