"""Issue 14, durability and hygiene: nothing accepted is lost with the .wal, ids are never reused,
a damaged store or a full disk gives the Chinese store message (never a traceback), a failed
write does not keep growing the store, and reader work folders of killed processes are swept."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analytics import store
from analytics.__main__ import main
from analytics.ingest import _spawn, read
from analytics.ingest.model import FileRefused
from analytics.settings import Settings
from tests.factories import build_store
from tests.ingest.test_pipeline import GOOD_ROWS, ledger_xlsx
from tests.test_cli import _isolated  # noqa: F401 — the autouse fixture: no settings of the machine leak in

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = Settings({"lock_timeout_s": 5})


def _ledger(path: Path, township: str = "甲镇") -> Path:
    rows = [[township, *r[1:]] for r in GOOD_ROWS]
    path.write_bytes(ledger_xlsx(rows))
    return path


def _uploads(db: Path) -> list[str]:
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        return [r.upload_id for r in store.list_uploads(con)]


@pytest.mark.parametrize("damage", ["delete", "truncate"])
def test_accepted_upload_survives_a_lost_or_damaged_wal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    db = tmp_path / "s.duckdb"
    assert main(["ingest", str(_ledger(tmp_path / "a.xlsx")), "--db", str(db), "--json"]) == 0
    wal = Path(str(db) + ".wal")
    # The upload is in the data file when the command returns: the log holds nothing of it.
    assert not wal.exists() or wal.stat().st_size == 0
    if wal.exists():
        if damage == "delete":
            wal.unlink()
        else:
            os.truncate(wal, wal.stat().st_size // 2)
    assert _uploads(db) == ["U00001"]
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert con.execute("SELECT count(*) FROM v_branch_month").fetchall() == [(3,)]
        assert con.execute("SELECT value FROM meta WHERE key = 'seq_floor'").fetchall() == [("1",)]
    capsys.readouterr()
    assert main(["ingest", str(_ledger(tmp_path / "b.xlsx", "乙镇")), "--db", str(db), "--json"]) == 0
    assert '"upload_id": "U00002"' in capsys.readouterr().out
    assert _uploads(db) == ["U00002", "U00001"]


def test_upload_ids_are_never_reused_after_a_rollback_and_clear(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    assert main(["ingest", str(_ledger(tmp_path / "a.xlsx")), "--db", str(db)]) == 0
    with store.open_store(db, settings=SETTINGS) as con:
        con.execute("DELETE FROM uploads")  # even if the rows were gone, the counter is not
    assert main(["ingest", str(_ledger(tmp_path / "b.xlsx", "乙镇")), "--db", str(db)]) == 0
    assert _uploads(db) == ["U00002"]


@pytest.mark.parametrize("fraction", [2, 3])
def test_damaged_store_gives_the_chinese_message_in_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fraction: int
) -> None:
    db = tmp_path / "s.duckdb"
    build_store(db, [{"period": "2024-08", "township": f"镇{i}", "branch": f"{i}村", "stars": i % 6}
                     for i in range(300)])
    os.truncate(db, db.stat().st_size // fraction)
    ledger = _ledger(tmp_path / "a.xlsx")
    for n, argv in enumerate((["uploads"], ["report", "--period", "2024-08"], ["ingest", str(ledger)])):
        copy = tmp_path / f"copy{n}.duckdb"  # one file per command, as each command is its own process
        copy.write_bytes(db.read_bytes())
        code = main([*argv, "--db", str(copy)])
        out, err = capsys.readouterr()
        assert code == 1, argv
        assert "已损坏或不完整" in err, (argv, err)
        assert "Traceback" not in out + err


def test_store_failure_classifies_disk_full_and_damage() -> None:
    import duckdb

    full = store.store_failure(OSError(errno.ENOSPC, "No space left on device"), "x.duckdb")
    assert full is not None and "磁盘空间已满" in str(full)
    io_full = store.store_failure(duckdb.IOException("IO Error: Could not write file: No space left on device"), "x")
    assert io_full is not None and "磁盘空间已满" in str(io_full)
    damaged = store.store_failure(duckdb.IOException("Could not read enough bytes from file"), "x.duckdb")
    assert damaged is not None and "已损坏" in str(damaged)
    assert store.store_failure(duckdb.BinderException("no such column"), "x") is None  # a bug stays a bug


_LIMITED = """
import os, resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG (as a full disk would)
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
sys.argv = ["analytics", *sys.argv[2:]]
import runpy
runpy.run_module("analytics", run_name="__main__")
"""


def _run_limited(limit: int, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIVESTAR_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-c", _LIMITED, str(limit), *argv], capture_output=True, text=True,
                          env=env, timeout=120)


def _sizes(db: Path) -> tuple[int, int]:
    wal = Path(str(db) + ".wal")
    return db.stat().st_size, (wal.stat().st_size if wal.exists() else 0)


def test_full_disk_gives_a_message_and_the_store_stops_growing(tmp_path: Path) -> None:
    """No tmpfs here: a full disk is simulated with RLIMIT_FSIZE (no file of the process may grow
    past the store's current size), the closest a test gets without root."""
    db = tmp_path / "s.duckdb"
    build_store(db, [{"period": "2024-07", "township": "丙镇", "branch": "一村", "stars": 1}])
    with store.open_store(db, settings=SETTINGS) as con:
        con.execute("CHECKPOINT")
    ledger = _ledger(tmp_path / "a.xlsx")
    limit = db.stat().st_size
    first = _run_limited(limit, "ingest", str(ledger), "--db", str(db))
    assert first.returncode == 1, first.stdout + first.stderr
    assert "磁盘空间已满" in first.stderr and "Traceback" not in first.stderr + first.stdout
    after_first = _sizes(db)
    assert after_first[0] <= limit
    for _ in range(2):  # retries do not grow it either
        again = _run_limited(limit, "ingest", str(ledger), "--db", str(db))
        assert "Traceback" not in again.stderr + again.stdout
        assert _sizes(db) == after_first
    # Space again: the store opens, nothing is half-written, and the next load works.
    ids = _uploads(db)
    assert ids in (["U00001"], ["U00002", "U00001"])  # committed to the log before the checkpoint failed, or not
    assert main(["ingest", str(ledger), "--db", str(db)]) == 0
    assert len(_uploads(db)) == 2


def test_reader_temp_folder_full_is_a_refusal_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_spawn, "write_request", full)
    with pytest.raises(FileRefused) as refused:
        read.read_workbook(ledger_xlsx(GOOD_ROWS), "a.xlsx", SETTINGS)
    assert refused.value.problem.code == "E_FILE" and "临时目录空间不足" in refused.value.problem.message


def test_sweep_removes_only_folders_of_gone_processes(tmp_path: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = tmp_path / f"fivestar-read-{gone.pid}-abc"
    alive = tmp_path / f"fivestar-read-{os.getppid()}-def"
    mine = tmp_path / f"fivestar-read-{os.getpid()}-ghi"
    old = tmp_path / "fivestar-read-k2j4h5g6"
    fresh_old_style = tmp_path / "fivestar-read-q1w2e3r4"
    for d in (dead, alive, mine, old, fresh_old_style):
        d.mkdir()
        (d / "input.xlsx").write_bytes(b"x" * 1000)
    os.utime(old, (time.time() - 3 * 86400, time.time() - 3 * 86400))
    removed = _spawn.sweep_stale_work_dirs(str(tmp_path))
    assert sorted(removed) == sorted([str(dead), str(old)])
    assert [d.exists() for d in (dead, alive, mine, old, fresh_old_style)] == [False, True, True, False, True]


def test_work_folder_of_a_killed_import_is_swept_by_the_next_start(tmp_path: Path) -> None:
    from analytics.sample_data import write_scale_ledger

    temp = tmp_path / "tmp"
    temp.mkdir()
    big = tmp_path / "big.xlsx"
    write_scale_ledger(big, 2000, seed=0, period="2024-08")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIVESTAR_")}
    env.update(TMPDIR=str(temp), PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "analytics", "ingest", str(big), "--db", str(tmp_path / "k.duckdb")],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=str(tmp_path))
    deadline = time.monotonic() + 60
    while not list(temp.glob("fivestar-read-*")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    left = list(temp.glob("fivestar-read-*"))
    assert left and all(d.name.startswith(f"fivestar-read-{proc.pid}-") for d in left)
    small = _ledger(tmp_path / "a.xlsx")
    done = subprocess.run([sys.executable, "-m", "analytics", "ingest", str(small), "--db", str(tmp_path / "k2.duckdb")],
                          env=env, capture_output=True, text=True, cwd=str(tmp_path), timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert list(temp.glob("fivestar-read-*")) == []


def test_a_failed_checkpoint_after_the_commit_says_the_upload_is_in_the_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb

    db = tmp_path / "s.duckdb"

    def leave_the_log(con: duckdb.DuckDBPyConnection) -> None:  # as when another transaction is open
        con.execute("SET checkpoint_threshold = '1GB'")

    def full(con: duckdb.DuckDBPyConnection, path: object) -> None:
        raise duckdb.IOException("IO Error: Could not write file: No space left on device")

    monkeypatch.setattr(store, "checkpoint_at_commit", leave_the_log)
    monkeypatch.setattr(store, "checkpoint", full)
    code = main(["ingest", str(_ledger(tmp_path / "a.xlsx")), "--db", str(db)])
    err = capsys.readouterr().err
    assert code == 1 and "上传 U00001 已提交，但未能并入数据文件" in err and "磁盘空间已满" in err
    assert "请勿删除该 .wal 文件" in err
    monkeypatch.undo()
    assert _uploads(db) == ["U00001"]  # committed: in the log, merged by the next writer


def test_a_store_being_created_by_a_killed_import_is_swept(tmp_path: Path) -> None:
    from analytics.ingest import prepare

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    db = tmp_path / "s.duckdb"
    stale = [tmp_path / f".s.duckdb.creating-{gone.pid}", tmp_path / f".s.duckdb.creating-{gone.pid}.wal"]
    live = tmp_path / f".s.duckdb.creating-{os.getppid()}"
    for path in (*stale, live):
        path.write_bytes(b"x" * 1000)
    fresh = prepare.FreshStore.prepare(db, SETTINGS)
    assert fresh is not None
    fresh.discard()
    assert [p.exists() for p in (*stale, live)] == [False, False, True]
