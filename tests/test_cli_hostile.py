"""Issue 14: no control character from a ledger, a file name or the store reaches the terminal."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from analytics.__main__ import main
from analytics.terminal import safe_text
from tests.factories import build_store
from tests.test_cli import _isolated  # noqa: F401 — the autouse fixture: no settings of the machine leak in

# Terminal attacks from the probe: OSC (set title), CSI (clear screen, colour), BEL, NUL, C1 CSI, bidi.
ESC_TITLE = "\x1b]0;owned\x07"
CSI_CLEAR = "\x1b[2J\x1b[31m"
HOSTILE_NAME = f"甲{ESC_TITLE}镇{CSI_CLEAR}\x9b1m\u202e"


def controls(text: str) -> list[str]:
    return [f"U+{ord(ch):04X}" for ch in text if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf")]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_safe_text_escapes_visibly() -> None:
    assert safe_text("a\x1b[2Jb\x07\x00\n\tc") == "a\\x1b[2Jb\\x07\\x00\n\\x09c"
    assert safe_text("张\u202e庄\u200b村\x9b") == "张\\u202e庄\\u200b村\\x9b"
    assert safe_text("普通 文字\u3000全角") == "普通 文字\u3000全角"
    line = json.dumps({"v": "x\x1b\x9b\u202e\U000e0001"}, ensure_ascii=False)
    assert json.loads(safe_text(line, json=True)) == {"v": "x\x1b\x9b\u202e\U000e0001"}
    assert controls(safe_text(line, json=True)) == []


def _csv(path: Path, township: str) -> Path:
    header = "县区,乡镇,村(社区),支部过硬星,产业兴旺星,生态宜居星,平安法治星,文明幸福星,报送月份"
    # (a CSV with more than 1% control characters is refused as binary: a few rows only carry them)
    rows = [f"甲县,{township if n < 2 else '甲镇'},{n}村,√,√,△,×,√,2024-08" for n in range(200)]
    rows.append(f"甲县,甲镇,末村,半{CSI_CLEAR}达标,√,△,×,√,2024-08")  # refused: the value is shown
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_ingest_text_and_json_output_carry_no_control_character(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "s.duckdb")
    bad = _csv(tmp_path / f"台账{ESC_TITLE}{CSI_CLEAR}\u202e.csv", HOSTILE_NAME)
    code, out, err = run(capsys, "ingest", str(bad), "--db", db)
    assert code == 1
    assert controls(out + err) == []
    assert "台账\\x1b]0;owned\\x07" in out and "“半[2J[31m达标”" in out  # the cell was normalised

    code, out, err = run(capsys, "ingest", str(bad), "--db", db, "--json")
    assert code == 1 and controls(out + err) == []
    [line] = [json.loads(x) for x in out.splitlines()]
    assert line["file"] == str(bad)  # JSON stays JSON: the value decodes to the real name
    assert line["errors"][0]["sheet"] == f"台账{ESC_TITLE}{CSI_CLEAR}\u202e"  # a CSV's sheet is named after it

    good = tmp_path / f"好{ESC_TITLE}.csv"
    good.write_text("\n".join(bad.read_text(encoding="utf-8").splitlines()[:-1]) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "ingest", str(good), "--db", db)
    assert code == 0, out + err
    assert controls(out + err) == [] and "已导入为 U00001" in out
    code, out, err = run(capsys, "uploads", "--db", db)
    assert code == 0 and controls(out + err) == [] and "好\\x1b]0;owned\\x07.csv" in out
    code, out, err = run(capsys, "report", "--period", "2024-08", "--db", db)
    assert code == 0 and controls(out + err) == []


def test_uploads_and_report_of_a_store_holding_raw_controls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A store written before names were normalised (or by other tools) holds raw control characters."""
    db = build_store(tmp_path / "s.duckdb", [
        {"period": "2024-08", "county": f"乙{ESC_TITLE}县", "township": HOSTILE_NAME, "branch": f"一\x00村{CSI_CLEAR}",
         "stars": 3},
        {"period": "2024-08", "county": f"乙{ESC_TITLE}县", "township": HOSTILE_NAME, "branch": "二\u200b村", "stars": 1},
    ])
    for argv in (["uploads"], ["uploads", "--json"], ["report", "--period", "2024-08"],
                 ["report", "--period", "2024-08", "--json"], ["report", "--period", "2024Q3"]):
        code, out, err = run(capsys, *argv, "--db", str(db))
        assert code == 0, (argv, err)
        assert controls(out + err) == [], argv
        assert "\\x1b" in out or "\\u001b" in out, argv
        if "--json" in argv:
            for chunk in ([out] if argv[0] == "report" else out.splitlines()):
                json.loads(chunk)
    code, out, err = run(capsys, "report", "--period", "2024-08", "--township", f"无此{ESC_TITLE}镇", "--db", str(db))
    assert controls(out + err) == []
