"""The command line's read-ahead: the file's bytes are hashed while the reader process parses
them, and the hash recorded for the upload is the SHA-256 of the file as read."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from analytics import store
from analytics.ingest import ingest_file, read
from analytics.settings import Settings
from tests.ingest.test_pipeline import GOOD_ROWS, ledger_xlsx

SETTINGS = Settings({"lock_timeout_s": 5})


def test_the_bytes_of_a_pending_read_are_available_until_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "台账.xlsx"
    data = ledger_xlsx(GOOD_ROWS)
    path.write_bytes(data)
    release = threading.Event()
    real_read = read._read

    def slow_read(*args: object, **kwargs: object) -> object:
        release.wait(10)  # the reader "works" until the test has looked at the bytes
        return real_read(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(read, "_read", slow_read)
    read.read_ahead(path, SETTINGS)
    for _ in range(1000):
        if read.read_ahead_bytes(path) is not None:
            break
        threading.Event().wait(0.005)
    assert read.read_ahead_pending(path)
    assert read.read_ahead_bytes(path) == data
    release.set()
    taken = read.take_read_ahead(path)
    assert taken is not None and taken[0] == data
    assert read.read_ahead_bytes(path) is None  # forgotten once taken
    assert read.read_ahead_bytes(tmp_path / "其他.xlsx") is None


def test_the_upload_records_the_hash_of_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "台账.xlsx"
    data = ledger_xlsx(GOOD_ROWS)
    path.write_bytes(data)
    db = tmp_path / "s.duckdb"
    # The read is pending when ingest_file looks (as for a big file): the early hash is used.
    monkeypatch.setattr("analytics.ingest.read.read_ahead_pending", lambda p: True)
    hashed: list[bytes] = []
    real_sha256 = hashlib.sha256

    def counting_sha256(content: bytes = b"") -> object:
        hashed.append(bytes(content))
        return real_sha256(content)

    monkeypatch.setattr(hashlib, "sha256", counting_sha256)
    read.read_ahead(path, SETTINGS)
    result = ingest_file(path, db=db, settings=SETTINGS)
    assert result.ok and result.upload_id == "U00001"
    assert hashed.count(data) == 1  # hashed once, not again by stage()
    digest = real_sha256(data).hexdigest()
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert con.execute("SELECT sha256, size_bytes FROM uploads").fetchall() == [(digest, len(data))]
        assert store.archived_bytes(con, digest) == data
