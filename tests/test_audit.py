"""The audit log (shared/spec/access.md §4): one event per change, in the change's own
transaction, append-only, no secrets; the command line's ``audit``."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from analytics import audit, store
from analytics.__main__ import main
from analytics.ingest import load, stage
from analytics.settings import Settings
from tests.ingest.test_pipeline import GOOD_ROWS, ledger_xlsx

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = Settings({"lock_timeout_s": 5})
BAD_ROWS = [list(r) for r in GOOD_ROWS]
BAD_ROWS[0][2] = "半达标"


def _events(db: Path) -> list[dict[str, object]]:
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        return audit.list_events(con).to_dict("records")  # type: ignore[no-any-return]


def test_an_upload_and_its_event_commit_together(tmp_path: Path) -> None:
    loader: Any = importlib.import_module("analytics.ingest.load")  # the module, not the function ``load``
    db = tmp_path / "s.duckdb"
    good = stage(ledger_xlsx(GOOD_ROWS), "甲县8月.xlsx", settings=SETTINGS)

    def boom() -> None:
        raise RuntimeError("crash before commit")

    loader.BEFORE_COMMIT = boom
    try:
        with pytest.raises(RuntimeError):
            load(good, db=db, uploader="张三", settings=SETTINGS)
    finally:
        loader.BEFORE_COMMIT = None
    assert _events(db) == []  # neither the upload nor its event
    result = load(good, db=db, uploader="张三", settings=SETTINGS)
    again = load(good, db=db, uploader="李四", settings=SETTINGS, actor=audit.cli_actor())
    [identical, accepted] = _events(db)
    assert (accepted["action"], accepted["object"], accepted["account"]) == ("upload_accepted", result.upload_id,
                                                                            "网页:张三")
    assert (accepted["county"], accepted["township"], accepted["period"]) == ("甲县", None, "2024-08")
    details = json.loads(str(accepted["details"]))
    assert details["file"] == "甲县8月.xlsx" and details["branches"] == 3
    assert (identical["action"], identical["object"]) == ("upload_identical", again.duplicate_of)
    assert str(identical["account"]).startswith("命令行:")


def test_a_refusal_is_recorded_in_an_existing_store_but_creates_none(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    bad = stage(ledger_xlsx(BAD_ROWS), "坏台账.xlsx", settings=SETTINGS)
    assert not load(bad, db=db, settings=SETTINGS).ok
    assert not db.exists()
    load(stage(ledger_xlsx(GOOD_ROWS), "好.xlsx", settings=SETTINGS), db=db, settings=SETTINGS)
    load(bad, db=db, uploader="王五", settings=SETTINGS)
    refused = _events(db)[0]
    assert (refused["action"], refused["object"], refused["account"]) == ("upload_refused", "坏台账.xlsx", "网页:王五")
    assert json.loads(str(refused["details"]))["codes"] == ["E_VALUE"]


def test_rollback_and_demo_data_are_recorded(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    result = load(stage(ledger_xlsx(GOOD_ROWS), "好.xlsx", settings=SETTINGS), db=db, settings=SETTINGS)
    with store.open_store(db, settings=SETTINGS) as con:
        store.rollback(con, str(result.upload_id), by="赵六")
        store.clear_demo(con)
    actions = [e["action"] for e in _events(db)]
    assert actions == ["demo_cleared", "upload_rolled_back", "upload_accepted"]
    rolled = _events(db)[1]
    assert (rolled["object"], rolled["account"], rolled["county"]) == (result.upload_id, "网页:赵六", "甲县")


def test_nothing_but_analytics_audit_writes_the_log_and_it_never_updates_or_deletes() -> None:
    writers = []
    for path in [*ROOT.joinpath("analytics").rglob("*.py"), *ROOT.joinpath("analytics").rglob("*.sql"),
                 *ROOT.joinpath("ui").rglob("*.py"), *ROOT.joinpath("pages").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        if re.search(r"(UPDATE|DELETE\s+FROM|TRUNCATE|DROP\s+TABLE)\s+audit_log", text, re.IGNORECASE):
            writers.append(path.name)
        if re.search(r"INSERT\s+INTO\s+audit_log", text, re.IGNORECASE) and path.name != "audit.py":
            writers.append(path.name)
    assert writers == []


def test_cli_audit_lists_events_as_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIVESTAR_LOCK_TIMEOUT_S", "5")
    db = tmp_path / "s.duckdb"
    xlsx = tmp_path / "甲县.xlsx"
    xlsx.write_bytes(ledger_xlsx(GOOD_ROWS))
    assert main(["ingest", str(xlsx), "--db", str(db)]) == 0
    assert main(["users", "add", "county1", "--role", "county", "--county", "甲县", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["audit", "--db", str(db), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["action"] for e in lines] == ["account_created", "upload_accepted"]
    assert lines[1]["object"] == "U00001" and lines[1]["account"].startswith("命令行:")
    assert lines[1]["details"]["file"] == "甲县.xlsx"
    assert main(["audit", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "上传通过" in out and "创建账号" in out and "共 2 条记录" in out
    assert main(["audit", "--db", str(db), "--since", "2999-01-01"]) == 0
    assert "没有操作记录" in capsys.readouterr().out
    assert main(["audit", "--db", str(db), "--since", "昨天"]) == 2
