"""``python -m analytics``: ingest / uploads / rollback / init-demo / clear-demo (contract §7)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from analytics import store
from analytics.__main__ import main
from analytics.settings import Settings
from tests.ingest.test_pipeline import GOOD_ROWS, TITLE, ledger_xlsx
from tests.test_store import hold

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = Settings({"lock_timeout_s": 5})
JSON_KEYS = {"file", "ok", "upload_id", "period", "scope", "rows", "errors", "warnings", "duplicate_of",
             "skipped_sheets", "errors_total", "notice", "state"}
PROBLEM_KEYS = {"code", "sheet", "row", "column", "value", "message"}

BAD_ROWS = [list(r) for r in GOOD_ROWS]
BAD_ROWS[1][2] = "半达标"  # Excel row 4, column D (二村 支部过硬星)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No settings file or FIVESTAR_* variables of the machine leak into a test."""
    for key in list(os.environ):
        if key.startswith("FIVESTAR_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FIVESTAR_LOCK_TIMEOUT_S", "5")


def write(path: Path, rows: Sequence[Sequence[object]], title: str | None = TITLE) -> Path:
    path.write_bytes(ledger_xlsx(rows, title=title))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def json_lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines()]


def test_ingest_json_lines_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "s.duckdb")
    good = write(tmp_path / "甲县.xlsx", GOOD_ROWS)
    code, out, _ = run(capsys, "ingest", str(good), "--db", db, "--uploader", "张三", "--json")
    assert code == 0
    [line] = json_lines(out)
    assert set(line) == JSON_KEYS
    assert {k: line[k] for k in ("file", "ok", "upload_id", "period", "rows", "errors", "duplicate_of")} == {
        "file": str(good), "ok": True, "upload_id": "U00001", "period": "2024-08",
        "rows": {"branches": 3, "tasks": 0}, "errors": [], "duplicate_of": None}
    assert line["scope"] == [{"county": "甲县", "township": "乙镇"}, {"county": "甲县", "township": "甲镇"}]
    assert "甲镇" in out and "\\u" not in out  # ensure_ascii=False

    # Byte-identical again: accepted (exit 0) as a no-op.
    code, out, _ = run(capsys, "ingest", str(good), "--db", db, "--json")
    [line] = json_lines(out)
    assert (code, line["ok"], line["upload_id"], line["duplicate_of"]) == (0, True, None, "U00001")

    bad = write(tmp_path / "坏.xlsx", BAD_ROWS)
    code, out, _ = run(capsys, "ingest", str(good), str(bad), "--db", db, "--json")
    first, second = json_lines(out)
    assert code == 1 and first["ok"] is True and second["ok"] is False
    assert second["upload_id"] is None and second["errors_total"] == 1
    errors = second["errors"]
    assert isinstance(errors, list)
    [error] = errors
    assert set(error) == PROBLEM_KEYS
    assert {k: error[k] for k in ("code", "sheet", "row", "column", "value")} == {
        "code": "E_VALUE", "sheet": "星级台账", "row": 4, "column": "D", "value": "半达标"}
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert [r.upload_id for r in store.list_uploads(con)] == ["U00001"]


def test_ingest_human_summary_lists_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "s.duckdb")
    rows = [list(r) for r in BAD_ROWS]
    rows[2][6] = "差不多"  # 三村 文明幸福星 -> row 5, column H
    bad = write(tmp_path / "坏.xlsx", rows)
    code, out, _ = run(capsys, "ingest", str(bad), "--db", db)
    assert code == 1
    assert f"【拒收】{bad}：共 2 个问题，未写入任何数据" in out
    assert "    E_VALUE 星级台账!D4 “半达标”：" in out
    assert "    E_VALUE 星级台账!H5 “差不多”：" in out
    good = write(tmp_path / "好.xlsx", GOOD_ROWS)
    code, out, _ = run(capsys, "ingest", str(good), "--db", db)
    assert code == 0 and out.startswith(f"【已导入】{good}：已导入为 U00001（2024-08，甲县：乙镇、甲镇），支部 3 个，任务 0 条。")
    code, out, _ = run(capsys, "ingest", str(good), "--db", db)
    assert code == 0 and out.startswith(f"【未变化】{good}：内容与上传 U00001 完全相同")


def test_period_and_county_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "s.duckdb")
    plain = write(tmp_path / "台账.xlsx", GOOD_ROWS, title=None)
    code, out, _ = run(capsys, "ingest", str(plain), "--db", db, "--json")
    assert code == 1 and {e["code"] for e in json_lines(out)[0]["errors"]} == {"E_PERIOD", "E_COUNTY"}  # type: ignore[attr-defined]
    code, out, _ = run(capsys, "ingest", str(plain), "--db", db, "--period", "2024-9", "--county", "乙县", "--json")
    [line] = json_lines(out)
    assert (code, line["period"], line["scope"]) == (
        0, "2024-09", [{"county": "乙县", "township": "乙镇"}, {"county": "乙县", "township": "甲镇"}])


def test_period_option_takes_a_week(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """cadence.md §1: --period 2024-W35 loads a weekly ledger; the report reads the week."""
    db = str(tmp_path / "s.duckdb")
    plain = write(tmp_path / "台账.xlsx", GOOD_ROWS, title=None)
    code, out, _ = run(capsys, "ingest", str(plain), "--db", db, "--period", "2024-W35", "--county", "乙县", "--json")
    [line] = json_lines(out)
    assert (code, line["period"]) == (0, "2024-W35")
    code, out, _ = run(capsys, "ingest", str(plain), "--db", db, "--period", "2024年第35周", "--county", "乙县", "--json")
    assert (code, json_lines(out)[0]["duplicate_of"]) == (0, line["upload_id"])  # the same week, written another way
    code, out, _ = run(capsys, "report", "--period", "2024-W35", "--db", db, "--json")
    report = json.loads(out)
    assert code == 0 and report["period"] == "2024-W35" and sum(report["distribution"].values()) == 3
    # A quarter is never a ledger's period (only a score sheet's, cadence.md §2): the ledger is refused.
    code, out, _ = run(capsys, "ingest", str(plain), "--db", db, "--period", "2024Q3", "--county", "乙县")
    assert code == 1 and "E_PERIOD" in out and "2024-W35" in out and "未写入任何数据" in out


def test_usage_errors_exit_2_and_write_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "s.duckdb"
    good = write(tmp_path / "好.xlsx", GOOD_ROWS)
    code, _, err = run(capsys, "ingest", str(good), str(tmp_path / "没有.xlsx"), "--db", str(db))
    assert code == 2 and "没有.xlsx 不存在" in err
    code, _, err = run(capsys, "ingest", str(good), "--period", "2024-13", "--db", str(db))
    assert code == 2 and "--period" in err
    code, _, err = run(capsys, "ingest", str(tmp_path), "--db", str(db))
    assert code == 2 and "是文件夹" in err
    with pytest.raises(SystemExit) as exc:
        main(["ingest"])
    assert exc.value.code == 2
    assert not db.exists()


def test_uploads_and_rollback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "s.duckdb")
    code, out, _ = run(capsys, "uploads", "--db", db)
    assert code == 0 and "还没有任何上传" in out
    first = write(tmp_path / "八月.xlsx", GOOD_ROWS)
    rows = [list(r) for r in GOOD_ROWS[:2]]
    rows[1][2] = "已达标"
    second = write(tmp_path / "八月更正.xlsx", rows)  # covers 甲镇 only
    assert run(capsys, "ingest", str(first), str(second), "--db", db, "--uploader", "张三")[0] == 0
    code, out, _ = run(capsys, "uploads", "--db", db, "--json")
    lines = json_lines(out)
    assert [(r["upload_id"], r["file_name"], r["status"]) for r in lines] == [
        ("U00002", "八月更正.xlsx", "current"), ("U00001", "八月.xlsx", "partly_current")]
    code, out, _ = run(capsys, "uploads", "--db", db)
    assert code == 0
    header, row2, row1, summary = out.splitlines()
    assert header.split() == ["编号", "上传时间", "文件", "上传人", "月份", "范围", "支部", "任务", "状态", "警告"]
    assert row2.split()[0] == "U00002" and "八月更正.xlsx" in row2 and "张三" in row2 and "生效中" in row2
    assert "甲县：甲镇" in row2 and row2.split()[-4:] == ["2", "0", "生效中", "0"]
    assert "部分生效" in row1
    assert summary == "共 2 次上传：生效中 1，部分生效 1。"

    code, out, _ = run(capsys, "rollback", "u00002", "--db", db, "--by", "李四")
    assert code == 0
    assert out.splitlines() == [
        "已回滚上传 U00002（八月更正.xlsx，2024-08）。原始文件和数据仍保留在历史中。",
        "  甲县 甲镇 2024-08：现在生效的是 U00001。",
    ]
    code, _, err = run(capsys, "rollback", "U00002", "--db", db)
    assert code == 1 and "不能重复回滚" in err and "Traceback" not in err
    code, out, _ = run(capsys, "uploads", "--db", db, "--json")
    assert [(r["upload_id"], r["status"], r["rolled_back_by"]) for r in json_lines(out)] == [
        ("U00002", "rolled_back", "李四"), ("U00001", "current", None)]
    code, _, err = run(capsys, "rollback", "U00042", "--db", db)
    assert code == 1 and "找不到上传记录 U00042" in err


def test_init_demo_and_clear_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "s.duckdb")
    samples = tmp_path / "samples"
    samples.mkdir()
    write(samples / "a.xlsx", GOOD_ROWS)
    write(samples / "b.xlsx", [["丙镇", "四社区", "√", "√", "√", "△", "×"]], title=None)
    write(samples / "bad.xlsx", BAD_ROWS)
    (samples / "manifest.json").write_text(json.dumps([
        {"file": "a.xlsx", "expect": "accept", "period": None, "county": None, "codes": [], "note": ""},
        {"file": "bad.xlsx", "expect": "refuse", "period": None, "county": None, "codes": ["E_VALUE"], "note": ""},
        {"file": "b.xlsx", "expect": "accept", "period": "2024-09", "county": "乙县", "codes": [], "note": ""},
    ], ensure_ascii=False), encoding="utf-8")
    code, out, _ = run(capsys, "init-demo", "--db", db, "--samples", str(samples))
    assert code == 0 and "已载入示例（演示）数据：2 个文件" in out
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        recs = store.list_uploads(con)
        assert [(r.upload_id, r.file_name, r.uploader, r.is_demo, r.period.isoformat(), r.scope) for r in recs] == [
            ("U00002", "b.xlsx", "示例数据", True, "2024-09-01", [("乙县", "丙镇")]),
            ("U00001", "a.xlsx", "示例数据", True, "2024-08-01", [("甲县", "乙镇"), ("甲县", "甲镇")]),
        ]
    code, out, _ = run(capsys, "init-demo", "--db", db, "--samples", str(samples))
    assert code == 0 and out.strip() == "数据库中已有 2 次上传，未载入示例数据。"
    code, out, _ = run(capsys, "clear-demo", "--db", db)
    assert code == 0 and out.startswith("已删除 2 次示例（演示）上传")
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert store.is_empty(con)
        assert con.execute("SELECT count(*) FROM archive").fetchone() == (0,)
    code, out, _ = run(capsys, "init-demo", "--db", db, "--samples", str(samples))
    assert code == 0 and "清除，不再自动载入" in out
    code, out, _ = run(capsys, "init-demo", "--db", db, "--samples", str(samples), "--force")
    assert code == 0 and "2 个文件" in out
    code, out, _ = run(capsys, "clear-demo", "--db", db)
    assert code == 0


def test_init_demo_respects_the_setting(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIVESTAR_LOAD_SAMPLE_WHEN_EMPTY", "false")
    code, out, _ = run(capsys, "init-demo", "--db", str(tmp_path / "s.duckdb"), "--samples", str(tmp_path))
    assert code == 0 and "load_sample_when_empty" in out


def cli(*argv: str, timeout_s: str = "5") -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIVESTAR_")}
    env["FIVESTAR_LOCK_TIMEOUT_S"] = timeout_s
    return subprocess.Popen([sys.executable, "-m", "analytics", *argv], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_locked_store_gives_a_chinese_message_and_exit_1(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    store.connect(db, settings=SETTINGS).close()
    good = write(tmp_path / "好.xlsx", GOOD_ROWS)
    holder = hold(db, 60)
    try:
        for argv in (("uploads", "--db", str(db)), ("ingest", str(good), "--db", str(db))):
            proc = cli(*argv, timeout_s="1")
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 1, (out, err)
            assert "正被另一个程序占用" in err and "已等待 1 秒" in err
            assert "Traceback" not in err
    finally:
        holder.kill()
        holder.wait()
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert store.is_empty(con)


def test_two_imports_at_once_both_succeed(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    store.connect(db, settings=SETTINGS).close()
    a = write(tmp_path / "甲.xlsx", GOOD_ROWS)
    b = write(tmp_path / "乙.xlsx", [["丙镇", "四社区", "√", "√", "√", "△", "×"]])
    holder = hold(db, 2.0)  # both importers must wait for the lock, then take turns
    procs = [cli("ingest", str(path), "--db", str(db), "--json", timeout_s="30") for path in (a, b)]
    results = [p.communicate(timeout=120) for p in procs]
    holder.wait(timeout=30)
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert json.loads(out)["ok"] is True
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        recs = store.list_uploads(con)
        assert sorted((r.upload_id, r.status) for r in recs) == [("U00001", "current"), ("U00002", "current")]
        assert sorted(r.file_name for r in recs) == ["乙.xlsx", "甲.xlsx"]
        assert con.execute("SELECT count(*) FROM v_branch_month").fetchone() == (4,)


def test_two_imports_at_once_into_a_new_store_and_a_refused_one(tmp_path: Path) -> None:
    """As processes of their own (the reader process started first, the fast exit): two
    accepted files create one store between them, a refused file leaves no trace in its folder.
    (Preparing a new store while a bigger file is read is tested in tests/ingest/test_prepare.py.)"""
    store_dir = tmp_path / "store"
    store_dir.mkdir()
    db = store_dir / "s.duckdb"
    a = write(tmp_path / "甲.xlsx", GOOD_ROWS)
    b = write(tmp_path / "乙.xlsx", [["丙镇", "四社区", "√", "√", "√", "△", "×"]])
    bad = write(tmp_path / "坏.xlsx", BAD_ROWS)
    refused = cli("ingest", str(bad), "--db", str(store_dir / "other.duckdb"), "--json")
    procs = [cli("ingest", str(path), "--db", str(db), "--json", timeout_s="30") for path in (a, b)]
    results = [p.communicate(timeout=120) for p in procs]
    out, err = refused.communicate(timeout=120)
    assert refused.returncode == 1 and "Traceback" not in err
    [line] = json_lines(out)
    errors: list[dict[str, object]] = line["errors"]  # type: ignore[assignment]
    assert (line["ok"], [e["code"] for e in errors]) == (False, ["E_VALUE"])
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert json.loads(out)["ok"] is True
    assert sorted(p.name for p in store_dir.iterdir() if p.name != "s.duckdb.wal") == ["s.duckdb"]
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        recs = store.list_uploads(con)
        assert sorted(r.file_name for r in recs) == ["乙.xlsx", "甲.xlsx"]
        assert con.execute("SELECT count(*) FROM v_branch_month").fetchone() == (4,)


def test_output_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """`python -m analytics ingest … | head -1`: when the reader of the output goes away, the command
    stops with 141 (128 + SIGPIPE) and no traceback, and what it imported stays imported."""
    from analytics.sample_data import write_scale_ledger

    ledger = tmp_path / "ledger.xlsx"
    write_scale_ledger(ledger, 60, tasks_per_branch=1, seed=2)
    db = tmp_path / "store.duckdb"
    proc = subprocess.Popen(
        [sys.executable, "-m", "analytics", "ingest", str(ledger), "--db", str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first line is written
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=120) == 141
    assert "Traceback" not in err and "BrokenPipe" not in err
    out = subprocess.run([sys.executable, "-m", "analytics", "uploads", "--db", str(db), "--json"],
                         capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[1])
    assert '"U00001"' in out.stdout
