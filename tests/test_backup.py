"""``backup`` / ``restore`` (shared/spec/access.md §7): a complete, checked, time-named copy
taken while the store is in use; restore refuses while another process has the store open."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from analytics import accounts, audit, backup, store
from analytics.__main__ import main
from analytics.ingest import load, stage
from analytics.settings import Settings
from tests.ingest.test_pipeline import GOOD_ROWS, ledger_xlsx
from tests.test_store import hold

SETTINGS = Settings({"lock_timeout_s": 5})

# A reader in another process, as the app's pages are: it holds a read-only connection.
READER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("READING", con.execute("SELECT count(*) FROM uploads").fetchall()[0][0], flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def _filled(tmp_path: Path) -> Path:
    db = tmp_path / "data" / "s.duckdb"
    load(stage(ledger_xlsx(GOOD_ROWS), "甲县.xlsx", settings=SETTINGS), db=db, settings=SETTINGS)
    with store.open_store(db, settings=SETTINGS) as con:
        accounts.add_account(con, "admin1", role="admin", by=audit.cli_actor())
    return db


def _counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0] for t in tables}
    finally:
        con.close()


def test_backup_is_complete_checked_and_named_by_time_while_a_reader_is_open(tmp_path: Path) -> None:
    db = _filled(tmp_path)
    before = _counts(db)
    # The app's pages read on short-lived connections: the copy is taken while one is open,
    # and the backup's audit event waits (up to lock_timeout_s) until it closes.
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db), "2"], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout is not None and reader.stdout.readline().split() == ["READING", "1"]
        result = backup.backup(db, tmp_path / "bk", settings=SETTINGS, now=datetime(2024, 9, 1, 2, 30, 0))
    finally:
        reader.wait()
    assert result.path == tmp_path / "bk" / "fivestar-20240901-023000.duckdb"
    assert result.tables == before
    copy = _counts(result.path)
    assert copy == before  # data, archive, history, accounts, audit log: every table
    assert {"uploads", "archive", "branch_month", "account", "audit_log"} <= set(copy)
    con = duckdb.connect(str(result.path), read_only=True)
    assert con.execute("SELECT count(*) FROM v_branch_month").fetchall() == [(3,)]
    con.close()
    # The backup itself is recorded in the store.
    with store.open_store(db, read_only=True, settings=SETTINGS) as live:
        assert audit.list_events(live).iloc[0]["action"] == "backup"
    assert not list((tmp_path / "bk").glob("*.part"))


def test_backup_keeps_the_newest_copies(tmp_path: Path) -> None:
    db = _filled(tmp_path)
    keep2 = SETTINGS.replace(backup_keep=2)
    made = [backup.backup(db, tmp_path / "bk", settings=keep2, now=datetime(2024, 9, d)).path for d in (1, 2, 3)]
    assert sorted((tmp_path / "bk").glob("fivestar-*.duckdb")) == made[1:]


def test_restore_puts_the_copy_back_and_is_recorded(tmp_path: Path) -> None:
    db = _filled(tmp_path)
    saved = backup.backup(db, tmp_path / "bk", settings=SETTINGS).path
    load(stage(ledger_xlsx(GOOD_ROWS, title="甲县“五星”支部创建工作台账（2024年9月）"), "九月.xlsx",
               settings=SETTINGS), db=db, settings=SETTINGS)
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert store.count_uploads(con) == 2
    backup.restore(db, saved, settings=SETTINGS)
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert store.count_uploads(con) == 1
        assert [a.login for a in accounts.list_accounts(con)] == ["admin1"]
        assert audit.list_events(con).iloc[0]["action"] == "restore"


def test_restore_refuses_while_another_process_has_the_store_open(tmp_path: Path) -> None:
    db = _filled(tmp_path)
    saved = backup.backup(db, tmp_path / "bk", settings=SETTINGS).path
    proc = hold(db, 30)
    try:
        with pytest.raises(store.StoreError, match="正被另一个程序使用"):
            backup.restore(db, saved, settings=SETTINGS)
    finally:
        proc.kill()
        proc.wait()


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    db = _filled(tmp_path)
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database" * 100)
    with pytest.raises(store.StoreError, match="无法打开备份文件"):
        backup.restore(db, junk, settings=SETTINGS)
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    with pytest.raises(store.StoreError, match="不是本程序"):
        backup.restore(db, other, settings=SETTINGS)
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:  # untouched
        assert store.count_uploads(con) == 1


def test_cli_users_backup_and_restore(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIVESTAR_LOCK_TIMEOUT_S", "5")
    db = str(tmp_path / "s.duckdb")
    assert main(["users", "add", "boss", "--role", "admin", "--name", "管理员", "--db", db]) == 0
    out = capsys.readouterr().out
    temp = out.split("临时密码：", 1)[1].split()[0]
    with store.open_store(db, settings=SETTINGS) as con:
        assert accounts.sign_in(con, "boss", temp, SETTINGS).ok
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO("chosen-temp-1\n"))
    assert main(["users", "add", "t1", "--role", "township", "--county", "甲县", "--township", "东镇",
                 "--password-stdin", "--db", db]) == 0
    assert "临时密码" not in capsys.readouterr().out
    assert main(["users", "add", "t2", "--role", "township", "--county", "甲县", "--db", db]) == 1
    assert "--township" in capsys.readouterr().err
    assert main(["users", "list", "--json", "--db", db]) == 0
    listed = [line for line in capsys.readouterr().out.splitlines() if line]
    assert [__import__("json").loads(x)["login"] for x in listed] == ["boss", "t1"]
    assert main(["users", "disable", "t1", "--db", db]) == 0
    assert main(["users", "reset-password", "boss", "--db", db]) == 0
    assert "临时密码：" in capsys.readouterr().out
    assert main(["users", "disable", "nobody", "--db", db]) == 1
    assert main(["backup", str(tmp_path / "bk"), "--db", db]) == 0
    out = capsys.readouterr().out
    [saved] = list((tmp_path / "bk").glob("fivestar-*.duckdb"))
    assert str(saved) in out and "已核对" in out
    assert main(["restore", str(saved), "--db", db]) == 0
    assert "已从" in capsys.readouterr().out
    assert main(["restore", str(tmp_path / "missing.duckdb"), "--db", db]) == 1
