"""Signing in, reach and the review/audit/account pages (shared/spec/access.md §1–§4, §6), on the
tiny store of conftest.py: 甲县 (东镇, 西镇) and 乙县 (南镇), 2024-07 and 2024-08."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import access, accounts, audit, store
from analytics.periods import Period
from analytics.scope import Scope
from analytics.settings import Settings
from tests.ingest.test_pipeline import ledger_xlsx
from tests.ui.conftest import with_account
from tests.ui.test_pages import ROOT, metrics, open_page
from ui import auth

SETTINGS = Settings({"lock_timeout_s": 5})


def _fresh() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    return at


def test_without_a_session_only_the_sign_in_page_shows(seeded_db: Path) -> None:
    at = _fresh()
    assert not at.exception
    assert [t.value for t in at.title] == ["★ 五星看板"]
    assert not at.metric and not at.get("plotly_chart")  # no data before signing in
    at.text_input(key="auth_login_name").input("admin")
    at.text_input(key="auth_password").input("wrong-password")
    at.button[0].click()
    at.run()
    assert [e.value for e in at.error] == [accounts.FAILED_MESSAGE]
    at.text_input(key="auth_password").input("test-password-1")
    at.button[0].click()
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["总览"] and metrics(at)["支部总数"] == "5 个"


def test_a_store_without_accounts_tells_how_to_create_the_first_admin(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.factories import build_store
    from tests.ui.conftest import BRANCHES

    monkeypatch.setenv("FIVESTAR_DB_PATH", str(build_store(tmp_path / "noacc.duckdb", BRANCHES)))
    monkeypatch.setenv("FIVESTAR_SETTINGS", str(tmp_path / "none.toml"))
    at = _fresh()
    assert not at.exception
    assert any("users add" in c.value for c in at.code)
    assert not at.text_input  # no sign-in form, and nothing to create an account with


def test_a_temporary_password_must_be_changed_first(seeded_db: Path) -> None:
    with store.open_store(seeded_db, settings=SETTINGS) as con:
        _, temp = accounts.add_account(con, "newbie", role="viewer", by=audit.cli_actor())
    at = open_page(login="newbie")
    assert any("请设置新密码" in h.value for h in at.subheader)
    assert not at.metric
    at.text_input(key="auth_old").input(temp)
    at.text_input(key="auth_new").input("newbie-own-pw")
    at.text_input(key="auth_again").input("newbie-own-pw")
    at.button[0].click()
    at.run()
    assert not at.exception and [t.value for t in at.title] == ["总览"]


def test_an_idle_session_ends(seeded_db: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state[auth.SESSION_KEY] = auth.Session("admin", time.time() - 31 * 60)
    at.run()
    assert [t.value for t in at.title] == ["★ 五星看板"]
    assert any("30 分钟没有操作" in i.value for i in at.info)


def test_a_county_account_sees_only_its_county_whatever_the_widgets_say(seeded_db: Path) -> None:
    with_account(seeded_db, "jia", role="county", county="甲县")
    at = open_page(login="jia")
    assert metrics(at)["支部总数"] == "4 个"  # 甲县's 4 branches, not the store's 5
    assert at.selectbox(key="f_county").options == ["全部", "甲县"]
    assert "甲县" in at.caption[0].value
    at.switch_page("pages/ranking.py")
    at.run()
    assert not at.exception
    assert set(at.dataframe[0].value["村（社区）"]) == {"一村", "二村", "三社区", "五社区"}  # no 乙县 四村


def test_reads_are_clamped_below_the_pages(seeded_db: Path) -> None:
    county = audit.Actor("jia", "county", county="甲县")
    town = audit.Actor("dong", "township", county="甲县", township="东镇")
    aug = Period.parse("2024-08")
    with store.open_store(seeded_db, read_only=True, settings=SETTINGS) as con:
        whole = access.call(con, county, "metrics.kpis", aug, Scope(), SETTINGS)
        assert whole["branches"]["value"] == 4
        with pytest.raises(access.AccessDenied):
            access.call(con, county, "metrics.kpis", aug, Scope(county="乙县"), SETTINGS)
        with pytest.raises(access.AccessDenied):
            access.call(con, county, "battle_map.branch_tasks", aug, "乙县", "南镇", "四村")
        # A township account sees its county's rankings, but only its own township's history.
        assert len(access.call(con, town, "rankings.branch_ranking", aug, Scope(), SETTINGS)) == 4
        assert {u for r in access.call(con, town, "store.list_uploads") for u in r.scope} == {("甲县", "东镇")}
        assert access.call(con, town, "store.count_uploads") == 2
        with pytest.raises(access.AccessDenied):
            access.call(con, town, "audit.list_events")


def test_the_county_reviews_a_township_submission_on_the_page(seeded_db: Path) -> None:
    with_account(seeded_db, "jia", role="county", county="甲县")
    with_account(seeded_db, "dong", role="township", county="甲县", township="东镇")
    rows = [["东镇", "一村", "√", "√", "√", "√", "√"], ["东镇", "二村", "√", "√", "√", "创建中", "创建中"]]
    from analytics.ingest import load, stage

    with store.open_store(seeded_db, read_only=True, settings=SETTINGS) as con:
        dong = accounts.get_account(con, "dong")
    assert dong is not None
    sub = load(stage(ledger_xlsx(rows), "东镇8月更正.xlsx", settings=SETTINGS), db=seeded_db, settings=SETTINGS,
               actor=dong.actor())
    assert sub.state == "pending"
    # The township sees its submission waiting.
    mine = open_page("pages/review.py", login="dong")
    assert not [b for b in mine.button if (b.key or "").startswith("rv_")]  # no accept/return for a township
    assert "待审核" in list(mine.dataframe[0].value["状态"])
    before = open_page(login="jia")
    assert metrics(before)["五星支部 · 目标0个"] == "0 个"  # the pending submission counts nowhere
    at = open_page("pages/review.py", login="jia")
    assert any("待审核（1 份）" in h.value for h in at.subheader)
    preview = at.dataframe[0].value
    assert list(preview["村（社区）"]) == ["一村", "二村"]
    at.button(key=f"rv_ok_{sub.upload_id}").click()
    at.run()
    assert not at.exception
    assert any(f"已通过 {sub.upload_id}" in s.value for s in at.success)
    at.switch_page("pages/overview.py")
    at.run()
    assert metrics(at)["五星支部 · 目标0个"] == "1 个"  # 甲县: 一村 now five stars (none before)


def test_the_audit_page_shows_a_county_its_county_only(seeded_db: Path) -> None:
    with_account(seeded_db, "jia", role="county", county="甲县")
    with_account(seeded_db, "yi", role="county", county="乙县")
    at = open_page("pages/audit_log.py", login="jia")
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table["县（市、区）"].dropna()) == {"甲县"}
    assert "yi" not in set(table["对象"].dropna())  # 乙县's account event is not 甲县's business


def test_an_admin_creates_an_account_on_the_page_and_sees_its_password_once(seeded_db: Path) -> None:
    at = open_page("pages/accounts.py")
    at.text_input(key="acc_login").input("dongzhen")
    at.text_input(key="acc_name").input("东镇填报员")
    at.selectbox(key="acc_role").set_value("township")
    at.text_input(key="acc_county").input("甲县")
    at.text_input(key="acc_township").input("东镇")
    at.button[0].click()
    at.run()
    assert not at.exception
    [done] = [s.value for s in at.success]
    assert "已创建账号 dongzhen" in done and "临时密码：" in done
    temp = done.split("临时密码：", 1)[1].split("（", 1)[0]
    with store.open_store(seeded_db, settings=SETTINGS) as con:
        assert accounts.sign_in(con, "dongzhen", temp, SETTINGS).ok
    at.run()
    assert not at.success  # shown once


def test_only_an_admin_may_manage_accounts_or_clear_the_demo(demo_db: Path) -> None:
    county = audit.Actor("jia", "county", county="甲县")
    with store.open_store(demo_db, settings=SETTINGS) as con:
        with pytest.raises(access.AccessDenied):
            accounts.add_account(con, "x", role="viewer", by=county)
        with pytest.raises(access.AccessDenied):
            store.clear_demo(con, actor=county)
        assert store.has_demo_data(con)
    at = open_page("pages/accounts.py")
    at.checkbox(key="acc_demo_sure").check()
    at.run()
    at.button(key="acc_demo_clear").click()
    at.run()
    assert not at.exception and any("已清除示例数据" in s.value for s in at.success)
    with store.open_store(demo_db, read_only=True, settings=SETTINGS) as con:
        assert not store.has_demo_data(con)
        assert audit.list_events(con, action="demo_cleared").iloc[0]["account"] == "admin"
