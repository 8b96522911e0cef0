"""analytics.ingest.prepare: a new store is built aside while a file is validated, and put in
place only for an accepted file — a refused file leaves the folder exactly as it was."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from analytics import store
from analytics.ingest import ingest_file, prepare
from analytics.ingest.prepare import FreshStore
from analytics.ingest.read import read_ahead
from analytics.settings import Settings
from tests.ingest.test_pipeline import GOOD_ROWS, ledger_xlsx

SETTINGS = Settings({"lock_timeout_s": 5})


def tables(db: Path) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    finally:
        con.close()


def test_prepared_store_appears_only_when_published(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    fresh = FreshStore.prepare(db, SETTINGS)
    assert fresh is not None
    assert not db.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".s.duckdb.creating-{os.getpid()}"]
    fresh.publish()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.duckdb"]
    assert {"uploads", "upload_scope", "branch_month", "task", "archive", "meta"} <= tables(db)
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert store.schema_version(con) == store.SCHEMA_VERSION


def test_discarded_store_leaves_nothing(tmp_path: Path) -> None:
    fresh = FreshStore.prepare(tmp_path / "s.duckdb", SETTINGS)
    assert fresh is not None
    fresh.discard()
    fresh.discard()  # twice is harmless
    assert list(tmp_path.iterdir()) == []


def test_no_preparation_for_an_existing_store_or_a_missing_folder(tmp_path: Path) -> None:
    existing = tmp_path / "old.duckdb"
    store.connect(existing, settings=SETTINGS).close()
    assert FreshStore.prepare(existing, SETTINGS) is None
    assert FreshStore.prepare(tmp_path / "没有" / "s.duckdb", SETTINGS) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.duckdb"]


def test_a_store_created_meanwhile_by_someone_else_is_kept(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    fresh = FreshStore.prepare(db, SETTINGS)
    assert fresh is not None
    with store.open_store(db, settings=SETTINGS) as con:  # another process got there first
        con.execute("INSERT INTO meta VALUES ('owner', 'other')")
    fresh.publish()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.duckdb"]
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT value FROM meta WHERE key = 'owner'").fetchall() == [("other",)]
    finally:
        con.close()


@pytest.mark.parametrize("good", [True, False], ids=["accepted", "refused"])
def test_ingest_file_prepares_the_store_while_validating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, good: bool
) -> None:
    """The command line's path: the file is read ahead; while it is validated, a new store is
    prepared aside, and put in place only for an accepted file."""
    prepared: list[FreshStore | None] = []
    original = FreshStore.prepare

    def spy(db: Path, settings: Settings) -> FreshStore | None:
        prepared.append(original(db, settings))
        return prepared[-1]

    monkeypatch.setattr(FreshStore, "prepare", spy)
    monkeypatch.setattr(prepare, "PREPARE_MIN_ROWS", 3)  # the ledger below has 5 rows
    db = tmp_path / "store" / "s.duckdb"
    db.parent.mkdir()
    rows = [list(r) for r in GOOD_ROWS]
    if not good:
        rows[1][2] = "半达标"
    path = tmp_path / "台账.xlsx"
    path.write_bytes(ledger_xlsx(rows))
    read_ahead(path, SETTINGS)
    result = ingest_file(path, db=db, settings=SETTINGS)
    assert len(prepared) == 1 and prepared[0] is not None
    assert (result.ok, result.upload_id) == ((True, "U00001") if good else (False, None))
    # An accepted upload is checkpointed into the data file (issue 14): no .wal is left.
    assert sorted(p.name for p in db.parent.iterdir()) == (["s.duckdb"] if good else [])
    if good:
        with store.open_store(db, read_only=True, settings=SETTINGS) as con:
            assert con.execute("SELECT count(*) FROM v_branch_month").fetchall() == [(3,)]


def test_no_store_is_prepared_for_an_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(FreshStore, "prepare", lambda db, settings: calls.append(db))
    monkeypatch.setattr(prepare, "PREPARE_MIN_ROWS", 0)
    path = tmp_path / "坏.xlsx"
    path.write_bytes(ledger_xlsx(GOOD_ROWS)[:300])  # truncated: refused by the reader
    read_ahead(path, SETTINGS)
    result = ingest_file(path, db=tmp_path / "s.duckdb", settings=SETTINGS)
    assert (result.ok, [e.code for e in result.errors], calls) == (False, ["E_FILE"], [])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["坏.xlsx"]


def test_no_store_is_prepared_for_a_small_workbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(FreshStore, "prepare", lambda db, settings: calls.append(db))
    monkeypatch.setattr(prepare, "PREPARE_MIN_ROWS", 6)  # one more than the ledger's rows
    path = tmp_path / "台账.xlsx"
    path.write_bytes(ledger_xlsx(GOOD_ROWS))
    read_ahead(path, SETTINGS)
    result = ingest_file(path, db=tmp_path / "s.duckdb", settings=SETTINGS)
    assert (result.ok, result.upload_id, calls) == (True, "U00001", [])
