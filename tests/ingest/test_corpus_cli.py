"""The whole importer, as a user runs it, over the wild corpus: `python -m analytics ingest --json`
on all 243 real-world files at once ends with one clean JSON line per file (an acceptance or a
refusal with E_ codes), no traceback, and nothing written for the refused ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "wild"
FILES = sorted(p for p in CORPUS.glob("*/*") if p.is_file()) if CORPUS.is_dir() else []


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_cli_ingest_over_the_wild_corpus_ends_every_file_cleanly(tmp_path: Path) -> None:
    assert len(FILES) == 243, f"the wild corpus must sit beside the repository: {CORPUS}"
    db = tmp_path / "corpus.duckdb"
    env = dict(os.environ, FIVESTAR_PARSE_TIMEOUT_S="30")
    proc = subprocess.run(
        [sys.executable, "-m", "analytics", "ingest", "--json", "--db", str(db), *map(str, FILES)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=880,
    )
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert len(lines) == len(FILES), "one JSON line per file and nothing else on stdout"
    results = [json.loads(line) for line in lines]
    assert [r["file"] for r in results] == [str(p) for p in FILES]
    accepted = [r for r in results if r["ok"]]
    refused = [r for r in results if not r["ok"]]
    for r in refused:
        assert r["errors"] and r["upload_id"] is None
        assert all(e["code"].startswith("E_") and e["message"] for e in r["errors"])
    # Nearly every file is not a ledger at all; refusing most of them is the point.
    assert len(refused) >= 230
    codes = {e["code"] for r in refused for e in r["errors"]}
    assert {"E_FILE", "E_NO_LEDGER"} <= codes
    assert proc.returncode == (0 if not refused else 1)
    if not accepted:  # a refusal never even creates the store
        assert not db.exists()
        return
    con = duckdb.connect(str(db), read_only=True)
    try:
        n_uploads = con.execute("SELECT count(*) FROM uploads").fetchall()[0][0]
        n_rows = con.execute("SELECT count(*) FROM branch_month").fetchall()[0][0]
    finally:
        con.close()
    assert n_uploads == len(accepted)
    assert n_rows == sum(r["rows"]["branches"] for r in accepted)
