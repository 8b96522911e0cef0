"""``python -m analytics status``: the submission status table and its JSON (register.md §3)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from analytics.__main__ import main
from tests.analytics.test_submissions import _store


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("FIVESTAR_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def test_json_has_exactly_the_contract_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _store(tmp_path)
    assert main(["status", "--db", str(db), "--period", "2024-08", "--today", "2024-09-10", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["period", "due", "townships"]
    assert (out["period"], out["due"]) == ("2024-08", "2024-09-05")
    keys = ["county", "township", "status", "received_at", "days_late", "upload_id", "branches_reported",
            "branches_registered", "missing_branches"]
    assert all(list(t) == keys for t in out["townships"])
    by_town = {t["township"]: t for t in out["townships"]}
    assert by_town["乙镇"]["status"] == "逾期报送" and by_town["乙镇"]["days_late"] == 3
    assert by_town["戊镇"] == {"county": "甲县", "township": "戊镇", "status": "未报送", "received_at": None,
                              "days_late": 5, "upload_id": None, "branches_reported": None,
                              "branches_registered": 2, "missing_branches": []}
    assert by_town["甲镇"]["missing_branches"] == ["a3"] and by_town["甲镇"]["branches_reported"] == 2


def test_county_filter_and_text_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _store(tmp_path)
    assert main(["status", "--db", str(db), "--period", "2024-08", "--county", "乙县", "--json",
                 "--today", "2024-09-10"]) == 0
    assert [t["township"] for t in json.loads(capsys.readouterr().out)["townships"]] == ["子镇"]
    assert main(["status", "--db", str(db), "--period", "2024-08", "--today", "2024-09-10"]) == 0
    text = capsys.readouterr().out
    assert "报送截止 2024-09-05" in text and "已报送 1，逾期报送 1，待审核 1，已退回 1，未报送 2" in text
    assert "退回原因：星级填写有误，请核对" in text and "可复制的提醒" in text
    assert not any(ord(ch) < 32 and ch != "\n" for ch in text)


def test_a_quarter_or_a_bad_period_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _store(tmp_path)
    assert main(["status", "--db", str(db), "--period", "2024Q3"]) == 2
    assert "按月或按周统计" in capsys.readouterr().err
    assert main(["status", "--db", str(db), "--period", "2024-13"]) == 2
    assert main(["status", "--db", str(tmp_path / "nope.duckdb"), "--period", "2024-08"]) == 1
