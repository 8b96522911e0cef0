"""Accounts and signing in (shared/spec/access.md §1–§2): units per role, argon2id hashes,
temporary passwords, lockout that tells nothing about which names exist, audit events."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from analytics import accounts, audit, store
from analytics.settings import Settings

SETTINGS = Settings({"lock_timeout_s": 5})
ADMIN = audit.cli_actor()


def _store(tmp_path: Path):  # type: ignore[no-untyped-def]
    return store.open_store(tmp_path / "s.duckdb", settings=SETTINGS)


def test_each_role_is_bound_to_a_unit_of_its_level(tmp_path: Path) -> None:
    with _store(tmp_path) as con:
        with pytest.raises(accounts.AccountError, match="--county"):
            accounts.add_account(con, "c1", role="county", by=ADMIN)
        with pytest.raises(accounts.AccountError, match="--township"):
            accounts.add_account(con, "t1", role="township", county="甲县", by=ADMIN)
        with pytest.raises(accounts.AccountError, match="不能指定"):
            accounts.add_account(con, "a1", role="admin", county="甲县", by=ADMIN)
        with pytest.raises(accounts.AccountError, match="角色"):
            accounts.add_account(con, "x", role="boss", by=ADMIN)
        with pytest.raises(accounts.AccountError, match="空格"):
            accounts.add_account(con, "has space", role="admin", by=ADMIN)
        account, temp = accounts.add_account(con, "t1", role="township", county="甲县", township="东镇",
                                             name="张三", by=ADMIN)
        assert (account.role, account.county, account.township, account.name) == ("township", "甲县", "东镇", "张三")
        assert account.must_change and account.active
        with pytest.raises(accounts.AccountError, match="已存在"):
            accounts.add_account(con, "t1", role="viewer", by=ADMIN)
        assert [a.login for a in accounts.list_accounts(con)] == ["t1"]
        assert len(temp) == 12


def test_passwords_are_stored_only_as_argon2id_hashes(tmp_path: Path) -> None:
    with _store(tmp_path) as con:
        _, temp = accounts.add_account(con, "v1", role="viewer", by=ADMIN)
        [(stored,)] = con.execute("SELECT password_hash FROM account WHERE login = 'v1'").fetchall()
        dump = str(con.execute("SELECT * FROM account, audit_log").fetchall())
    assert stored.startswith("$argon2id$")
    assert temp not in dump


def test_a_temporary_password_must_be_changed_and_new_passwords_follow_the_rules(tmp_path: Path) -> None:
    with _store(tmp_path) as con:
        _, temp = accounts.add_account(con, "wangwuzhu", role="viewer", by=ADMIN)
        first = accounts.sign_in(con, "wangwuzhu", temp, SETTINGS)
        assert first.ok and first.account is not None and first.account.must_change
        with pytest.raises(accounts.AccountError, match="至少需要 8"):
            accounts.change_password(con, "wangwuzhu", temp, "short")
        with pytest.raises(accounts.AccountError, match="登录名相同"):
            accounts.change_password(con, "wangwuzhu", temp, "WANGWUZHU")
        with pytest.raises(accounts.AccountError, match="原密码"):
            accounts.change_password(con, "wangwuzhu", "wrong-old", "a-good-password")
        changed = accounts.change_password(con, "wangwuzhu", temp, "a-good-password")
        assert not changed.must_change
        assert accounts.sign_in(con, "wangwuzhu", "a-good-password", SETTINGS).ok
        assert not accounts.sign_in(con, "wangwuzhu", temp, SETTINGS).ok
        # A reset gives a new temporary password that must be changed again.
        temp2 = accounts.reset_password(con, "wangwuzhu", by=ADMIN)
        again = accounts.sign_in(con, "wangwuzhu", temp2, SETTINGS)
        assert again.ok and again.account is not None and again.account.must_change


def test_unknown_name_wrong_password_and_disabled_account_get_the_same_answer(tmp_path: Path) -> None:
    with _store(tmp_path) as con:
        accounts.add_account(con, "li", role="viewer", by=ADMIN)
        accounts.add_account(con, "gone", role="viewer", by=ADMIN, password="gone-password-1")
        accounts.disable_account(con, "gone", by=ADMIN)
        answers = {
            accounts.sign_in(con, "nobody", "whatever-pw", SETTINGS).message,
            accounts.sign_in(con, "li", "wrong-password", SETTINGS).message,
            accounts.sign_in(con, "gone", "gone-password-1", SETTINGS).message,
        }
    assert answers == {accounts.FAILED_MESSAGE}


def test_five_failures_within_fifteen_minutes_lock_the_name_for_fifteen_minutes(tmp_path: Path) -> None:
    t0 = datetime(2024, 8, 1, 9, 0, 0)
    with _store(tmp_path) as con:
        _, temp = accounts.add_account(con, "zhao", role="viewer", by=ADMIN)
        for i in range(4):
            assert accounts.sign_in(con, "zhao", "bad", SETTINGS, now=t0 + timedelta(minutes=i)).message == \
                accounts.FAILED_MESSAGE
        fifth = accounts.sign_in(con, "zhao", "bad", SETTINGS, now=t0 + timedelta(minutes=4))
        assert not fifth.ok and fifth.locked_until == t0 + timedelta(minutes=19)
        # Locked: even the right password is refused until the lock ends …
        during = accounts.sign_in(con, "zhao", temp, SETTINGS, now=t0 + timedelta(minutes=18))
        assert not during.ok and "锁定" in during.message
        # … and accepted after it.
        assert accounts.sign_in(con, "zhao", temp, SETTINGS, now=t0 + timedelta(minutes=20)).ok
        # A name that does not exist locks the same way (the page tells nothing about names).
        for i in range(5):
            last = accounts.sign_in(con, "ghost", "bad", SETTINGS, now=t0 + timedelta(minutes=i))
        assert last.locked_until is not None
        events = audit.list_events(con)
    assert (events["action"] == "lockout").sum() == 2
    assert set(events.loc[events["object"] == "zhao", "action"]) >= {"sign_in_failed", "lockout", "sign_in"}


def test_failures_spread_beyond_the_window_do_not_lock(tmp_path: Path) -> None:
    t0 = datetime(2024, 8, 1, 9, 0, 0)
    with _store(tmp_path) as con:
        _, temp = accounts.add_account(con, "qian", role="viewer", by=ADMIN)
        for i in range(8):  # one failure every 4 minutes: never 5 within 15 minutes
            assert accounts.sign_in(con, "qian", "bad", SETTINGS, now=t0 + timedelta(minutes=4 * i)).locked_until \
                is None
        assert accounts.sign_in(con, "qian", temp, SETTINGS, now=t0 + timedelta(minutes=40)).ok


def test_lockout_numbers_are_settings(tmp_path: Path) -> None:
    strict = SETTINGS.replace(login_max_failures=2, login_lock_minutes=60)
    t0 = datetime(2024, 8, 1, 9, 0, 0)
    with _store(tmp_path) as con:
        accounts.add_account(con, "sun", role="viewer", by=ADMIN)
        accounts.sign_in(con, "sun", "bad", strict, now=t0)
        second = accounts.sign_in(con, "sun", "bad", strict, now=t0 + timedelta(minutes=1))
    assert second.locked_until == t0 + timedelta(minutes=61)


def test_account_changes_are_audited_without_secrets(tmp_path: Path) -> None:
    with _store(tmp_path) as con:
        _, temp = accounts.add_account(con, "zhou", role="county", county="甲县", by=ADMIN)
        accounts.reset_password(con, "zhou", by=ADMIN)
        accounts.disable_account(con, "zhou", by=ADMIN)
        events = audit.list_events(con)
        raw = str(con.execute("SELECT * FROM audit_log").fetchall())
        with pytest.raises(ValueError, match="secrets"):
            audit.record(con, ADMIN, "account_changed", details={"password": "x"})
    assert list(events["action"]) == ["account_disabled", "password_reset", "account_created"]
    assert set(events["account"]) == {ADMIN.login}
    assert set(events["county"]) == {"甲县"}
    assert temp not in raw and "argon2" not in raw
