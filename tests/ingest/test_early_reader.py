"""The command line's head start: the reader forked first thing, the first file's request
written to it before anything heavy is imported, and that request answered (not sent
again) when the file is read; work folders never left behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from analytics.ingest import _spawn, read
from analytics.settings import Settings
from tests.ingest.test_pipeline import GOOD_ROWS, ledger_xlsx

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = Settings({"lock_timeout_s": 5})

FORK_SCRIPT = """
import importlib.util, json, os, sys, tempfile
spec = importlib.util.spec_from_file_location("spawn", sys.argv[1])
spawn = importlib.util.module_from_spec(spec)
spec.loader.exec_module(spawn)
proc = spawn.fork_zygote()
data = open(sys.argv[2], "rb").read()
work = tempfile.mkdtemp(dir=sys.argv[3])
request = spawn.write_request(data, "台账.xlsx", work, memory_mb=1024, timeout_s=60, max_expanded_mb=500)
spawn.send_request(proc, request)
lines = [json.loads(proc.stdout.readline()) for _ in range(2)]
result = json.load(open(os.path.join(work, "result.json"), encoding="utf-8"))
proc.stdin.close()
print(json.dumps({"lines": lines, "ok": result["ok"], "sheets": [s["name"] for s in result["sheets"]],
                  "exit": proc.wait(timeout=30), "pgid_is_own": os.getpgid(proc.pid) == proc.pid
                  if proc.poll() is None else None}, ensure_ascii=False))
"""


def test_a_forked_reader_reads_a_workbook_and_ends_with_its_pipe(tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    path.write_bytes(ledger_xlsx(GOOD_ROWS))
    out = subprocess.run(
        [sys.executable, "-c", FORK_SCRIPT, str(ROOT / "analytics" / "ingest" / "_spawn.py"), str(path), str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=True,
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["lines"] == [{"ready": True}, {"exit": 0}]
    assert report["ok"] is True and report["sheets"] == ["星级台账"]
    assert report["exit"] == 0
    assert out.stderr == ""


@pytest.fixture
def own_sandbox(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A sandbox of this test's own (whatever earlier tests started), stopped afterwards."""
    sandbox = read._Sandbox()
    monkeypatch.setattr(read, "_SANDBOX", sandbox)
    yield sandbox
    sandbox._stop()


def _early(tmp_path: Path) -> tuple[Path, _spawn.ZygoteProcess, tuple[str, bytes, dict[str, object]]]:
    """A ledger file, a reader process, and that file's request already written to it (as the
    command line does first thing): (path, process, early) for ``read.adopt_reader``."""
    path = tmp_path / "台账.xlsx"
    path.write_bytes(ledger_xlsx(GOOD_ROWS))
    proc = _spawn.start_zygote()
    data = path.read_bytes()
    work = tempfile.mkdtemp(prefix="fivestar-read-")
    request = _spawn.write_request(data, path.name, work, memory_mb=SETTINGS.parse_memory_mb,
                                   timeout_s=SETTINGS.parse_timeout_s, max_expanded_mb=SETTINGS.max_expanded_mb)
    _spawn.send_request(proc, request)
    return path, proc, (str(path), data, request)


def test_the_early_request_is_answered_not_sent_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, own_sandbox: read._Sandbox
) -> None:
    path, proc, early = _early(tmp_path)
    sent_again: list[object] = []
    monkeypatch.setattr(_spawn, "send_request", lambda p, r: sent_again.append(r))
    read.adopt_reader(proc, early)
    read.read_ahead(path, SETTINGS)
    taken = read.take_read_ahead(path)
    assert taken is not None
    data, workbook = taken
    assert data == path.read_bytes() and sent_again == []
    assert [s.name for s in workbook.sheets] == ["星级台账"]  # type: ignore[union-attr]
    assert not os.path.exists(early[2]["dir"])  # type: ignore[arg-type]


def test_a_reader_lost_before_answering_is_replaced_and_the_file_sent_again(
    tmp_path: Path, own_sandbox: read._Sandbox
) -> None:
    path, proc, early = _early(tmp_path)
    read.adopt_reader(proc, early)
    proc.kill()
    proc.wait(timeout=10)
    read.read_ahead(path, SETTINGS)
    taken = read.take_read_ahead(path)
    assert taken is not None and [s.name for s in taken[1].sheets] == ["星级台账"]  # type: ignore[union-attr]
    assert own_sandbox._proc is not proc
    assert not os.path.exists(early[2]["dir"])  # type: ignore[arg-type]


def test_an_early_request_nobody_reads_is_removed(tmp_path: Path, own_sandbox: read._Sandbox) -> None:
    _, proc, early = _early(tmp_path)
    read.adopt_reader(proc, early)
    read.remove_work_dirs()
    assert not os.path.exists(early[2]["dir"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("extra", "code"),
    [([], 0), (["--period", "2024-13"], 2), (["--county"], 2)],
    ids=["accepted", "bad-period", "usage-error"],
)
def test_the_command_line_leaves_no_work_folder(tmp_path: Path, extra: list[str], code: int) -> None:
    path = tmp_path / "台账.xlsx"
    path.write_bytes(ledger_xlsx(GOOD_ROWS))
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "FIVESTAR_LOCK_TIMEOUT_S": "5"}
    out = subprocess.run(
        [sys.executable, "-m", "analytics", "ingest", str(path), "--db", str(tmp_path / "s.duckdb"), "--json", *extra],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env=env,
    )
    assert out.returncode == code, out.stderr
    if code == 0:
        assert json.loads(out.stdout.strip().splitlines()[-1])["ok"] is True
    assert list(tmp.iterdir()) == []
